from django.contrib import admin

from .models import Agreement, Partner, PartnerInvitation, PartnerMember


class PartnerMemberInline(admin.TabularInline):
    model = PartnerMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contact_person", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "contact_person", "email"]
    inlines = [PartnerMemberInline]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "partner", "valid_from", "valid_to", "status"]
    list_filter = ["status", "partner"]
    search_fields = ["number", "title", "partner__name"]
    date_hierarchy = "valid_to"
    # Status changes go through the service (log and notifications), never the admin form.
    readonly_fields = ["status", "reminder_sent_at", "created_by", "document_name"]


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partner", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "partner"]
    search_fields = ["email", "partner__name"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by", "invited_by"]
