from rest_framework import serializers

from ..choices import Purpose
from ..models import Consent, PrivacyNotice


class ConsentSerializer(serializers.ModelSerializer):
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)
    withdrawable = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "purpose",
            "purpose_label",
            "scope_key",
            "scope_label",
            "notice_version",
            "given_at",
            "given_context",
            "given_channel",
            "withdrawn_at",
            "withdrawn_context",
            "withdrawn_channel",
            "superseded_at",
            "active",
            "withdrawable",
        ]
        read_only_fields = fields

    def get_withdrawable(self, consent) -> bool:
        from ..permissions import can_withdraw

        request = self.context.get("request")
        return can_withdraw(getattr(request, "user", None), consent)


class ConsentGiveSerializer(serializers.Serializer):
    """Only news can be given here: the register is acknowledged at sign-up, sharing with a
    partner on the programme application (`consent_share_with_partner`)."""

    purpose = serializers.ChoiceField(choices=[(Purpose.NEWS, Purpose.NEWS.label)])


class NoticeSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True)
    acknowledged_version = serializers.SerializerMethodField()
    needs_acknowledgement = serializers.SerializerMethodField()

    class Meta:
        model = PrivacyNotice
        fields = [
            "version",
            "effective_on",
            "text",
            "changes",
            "acknowledged_version",
            "needs_acknowledgement",
        ]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None

    def get_acknowledged_version(self, notice) -> str | None:
        from ..selectors import acknowledged_version

        user = self._user()
        return acknowledged_version(user=user) if user else None

    def get_needs_acknowledgement(self, notice) -> bool:
        from ..selectors import needs_reacknowledgement

        return needs_reacknowledgement(user=self._user())
