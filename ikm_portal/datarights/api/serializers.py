from rest_framework import serializers

from ..models import AccessLog, DataRequest


class AccessLogSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField(help_text='"app_label.model:pk" of the record.')
    object = serializers.SerializerMethodField(help_text='"app_label.model:pk" of what was seen.')

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "created_at",
            "action",
            "channel",
            "actor",
            "actor_name",
            "actor_email",
            "organisation",
            "subject_user",
            "subject_name",
            "subject",
            "object",
            "reason",
            "request_id",
            "path",
            "details",
        ]
        read_only_fields = fields

    def _key(self, content_type, pk) -> str | None:
        if content_type is None or pk is None:
            return None
        return f"{content_type.app_label}.{content_type.model}:{pk}"

    def get_subject(self, obj) -> str | None:
        return self._key(obj.subject_type, obj.subject_id)

    def get_object(self, obj) -> str | None:
        return self._key(obj.object_type, obj.object_id)


class OwnerAccessSerializer(serializers.ModelSerializer):
    """What an owner sees of who saw their data: the person, the organisation, when, how."""

    who = serializers.SerializerMethodField()

    class Meta:
        model = AccessLog
        fields = ["created_at", "who", "organisation", "channel"]
        read_only_fields = fields

    def get_who(self, obj) -> str:
        return obj.actor_name or obj.actor_email


class DataRequestSerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = DataRequest
        fields = [
            "id",
            "kind",
            "details",
            "status",
            "created_at",
            "due_at",
            "is_overdue",
            "handled_by",
            "response",
            "kept",
            "closed_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "created_at",
            "due_at",
            "is_overdue",
            "handled_by",
            "response",
            "kept",
            "closed_at",
        ]


class AnswerSerializer(serializers.Serializer):
    response = serializers.CharField(required=False, allow_blank=True, max_length=4000)
