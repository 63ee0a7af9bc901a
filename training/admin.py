from django.contrib import admin

from .models import (
    Answer,
    Application,
    EligibilityRules,
    Program,
    Question,
    Stage,
    Track,
    TrackChoice,
)


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


class EligibilityInline(admin.StackedInline):
    model = EligibilityRules
    extra = 0


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "status", "opens_at", "closes_at"]
    list_filter = ["status", "mode", "partner"]
    search_fields = ["title"]
    # Status changes go through the service (log and notifications).
    readonly_fields = ["status", "status_changed_at", "created_by"]
    inlines = [TrackInline, StageInline, EligibilityInline, QuestionInline]


class TrackChoiceInline(admin.TabularInline):
    model = TrackChoice
    extra = 0


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "program", "status", "submitted_at"]
    list_filter = ["status", "program"]
    search_fields = ["enterprise__name", "enterprise__owner_name"]
    raw_id_fields = ["enterprise", "applicant", "screened_by"]
    readonly_fields = [
        "status",
        "status_changed_at",
        "status_reason",
        "eligibility",
        "eligibility_ok",
        "eligibility_checked_at",
        "submitted_at",
        "withdrawn_at",
        "consent_at",
        "consent_withdrawn_at",
    ]
    inlines = [TrackChoiceInline, AnswerInline]
