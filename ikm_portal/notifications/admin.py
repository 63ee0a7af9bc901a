from django.contrib import admin

from .api.serializers import HIDDEN, is_sensitive
from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: rows change through services (resend/cancel on the delivery log page)."""

    list_display = ["created_at", "template", "channel", "recipient", "address", "status"]
    list_filter = ["status", "channel", "template", "language"]
    search_fields = ["key", "address", "recipient__email", "recipient__full_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    exclude = ["body", "body_html", "context"]
    readonly_fields = ["shown_body"]

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in self.model._meta.fields if f.name not in self.exclude]
        return [*names, "shown_body"]

    @admin.display(description="body")
    def shown_body(self, obj):
        return str(HIDDEN) if is_sensitive(obj) else obj.body

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "whatsapp", "sms", "updated_at"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]
