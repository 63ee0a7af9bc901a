from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..catalog import UnknownTemplate, get_template
from ..models import Notification

HIDDEN = _("(hidden: this message contains a sign-in link)")


def _related_type(obj) -> str | None:
    if obj.content_type_id is None:
        return None
    return f"{obj.content_type.app_label}.{obj.content_type.model}"


class InboxNotificationSerializer(serializers.ModelSerializer):
    """An in-app message as its recipient sees it."""

    url = serializers.CharField(read_only=True)
    is_read = serializers.BooleanField(read_only=True)
    related_type = serializers.SerializerMethodField()
    related_id = serializers.CharField(source="object_id", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "template",
            "subject",
            "body",
            "url",
            "related_type",
            "related_id",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_related_type(self, obj) -> str | None:
        return _related_type(obj)


class NotificationLogSerializer(serializers.ModelSerializer):
    """A row of the delivery log (office staff)."""

    recipient_email = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    related_type = serializers.SerializerMethodField()
    related_id = serializers.CharField(source="object_id", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "key",
            "recipient",
            "recipient_email",
            "address",
            "channel",
            "template",
            "language",
            "subject",
            "body",
            "status",
            "attempts",
            "last_error",
            "external_id",
            "related_type",
            "related_id",
            "created_at",
            "next_attempt_at",
            "sent_at",
            "read_at",
        ]
        read_only_fields = fields

    def get_recipient_email(self, obj) -> str | None:
        return obj.recipient.email if obj.recipient_id else None

    def get_body(self, obj) -> str:
        return str(HIDDEN) if is_sensitive(obj) else obj.body

    def get_related_type(self, obj) -> str | None:
        return _related_type(obj)


def is_sensitive(obj) -> bool:
    try:
        return get_template(obj.template).sensitive
    except UnknownTemplate:
        return False
