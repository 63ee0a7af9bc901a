from django.contrib import admin

from .models import Attendance, Certificate, CompletionRule, OutcomeSurvey, Participant, Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "stage", "track", "starts_at", "ends_at", "cancelled_at"]
    list_filter = ["program"]
    search_fields = ["title", "facilitator", "place"]
    raw_id_fields = ["program", "stage", "track", "created_by"]
    exclude = ["qr_secret"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "program", "stage", "track", "status", "enrolled_at"]
    list_filter = ["status", "program"]
    search_fields = ["enterprise__name", "enterprise__owner_name"]
    raw_id_fields = ["program", "stage", "application", "enterprise", "track"]
    # Status changes go through the transition service (pages or API), never here.
    readonly_fields = ["status", "status_changed_at", "completed_at", "completion_overridden"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["session", "participant", "status", "method", "marked_at"]
    list_filter = ["status", "method"]
    raw_id_fields = ["session", "participant", "marked_by"]


@admin.register(CompletionRule)
class CompletionRuleAdmin(admin.ModelAdmin):
    list_display = ["program", "min_attendance_percent", "require_endline", "follow_up_months"]
    raw_id_fields = ["program"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "holder_name", "program_title", "issued_at", "revoked_at"]
    search_fields = ["number", "code", "holder_name", "business_name"]
    raw_id_fields = ["participant", "issued_by"]
    readonly_fields = ["code", "number"]


@admin.register(OutcomeSurvey)
class OutcomeSurveyAdmin(admin.ModelAdmin):
    list_display = ["application", "wave", "status", "requested_at", "submitted_at"]
    list_filter = ["wave", "status"]
    raw_id_fields = ["application", "submitted_by"]
