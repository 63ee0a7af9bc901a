from django.contrib import admin

from .models import Consent, PrivacyNotice
from .services import notice_save


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """Office admins publish a new version here: a new row with a new version and effective
    date (edit a version only before it takes effect; owners acknowledged its text)."""

    list_display = ["version", "effective_on", "created_at"]
    ordering = ["-effective_on"]

    def save_model(self, request, obj, form, change):
        notice_save(notice=obj, actor=request.user)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Read-only: consents are given and withdrawn by the person (or recorded on their behalf
    through the services), never edited by hand."""

    list_display = [
        "user",
        "purpose",
        "scope_label",
        "notice_version",
        "given_at",
        "given_context",
        "withdrawn_at",
        "superseded_at",
    ]
    list_filter = ["purpose", "given_context", "given_channel", "notice_version"]
    search_fields = ["user__email", "scope_label", "scope_key"]
    raw_id_fields = ["user", "given_by"]
    date_hierarchy = "given_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
