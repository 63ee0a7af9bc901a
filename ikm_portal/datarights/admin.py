from django.contrib import admin

from .models import AccessLog, DataRequest


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence (UU 27/2022)."""

    list_display = [
        "created_at",
        "action",
        "actor_email",
        "organisation",
        "subject_name",
        "channel",
    ]
    list_filter = ["action", "channel"]
    search_fields = ["actor_email", "subject_name", "organisation", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "user_name", "due_at", "handled_by"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in DataRequest._meta.fields]

    def has_add_permission(self, request):
        return False
