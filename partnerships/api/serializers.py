from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import AgreementStatus, MemberRole, PartnerKind
from ..models import Agreement, Partner, PartnerInvitation, PartnerMember


class LogoField(serializers.FileField):
    """Written as a file upload; read as the URL of the view that serves it."""

    def to_representation(self, value):
        if not value:
            return None
        request = self.context.get("request")
        url = reverse("partnerships:partner_logo", args=[value.instance.pk])
        return request.build_absolute_uri(url) if request else url


class DocumentField(serializers.FileField):
    def to_representation(self, value):
        if not value:
            return None
        request = self.context.get("request")
        url = reverse("api:agreement-document", args=[value.instance.pk])
        return request.build_absolute_uri(url) if request else url


class PartnerSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PartnerKind.choices, required=False)
    logo = LogoField(required=False, allow_null=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "address",
            "contact_person",
            "email",
            "phone",
            "website",
            "logo",
            "active",
            "member_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "member_count", "created_at", "updated_at"]
        # Uniqueness is the service's job (it answers 409 with the field named).
        extra_kwargs = {"name": {"validators": []}}

    def validate_phone(self, value):
        from django.core.exceptions import ValidationError

        from ikm_portal.core.validators import normalize_phone

        if not value:
            return ""
        try:
            return normalize_phone(value)
        except ValidationError:
            # Partners often give office lines (0341 …): keep digits, spaces and + only.
            cleaned = "".join(ch for ch in value if ch.isdigit() or ch in "+ -()")
            if sum(ch.isdigit() for ch in cleaned) < 6:
                raise serializers.ValidationError(_("Enter a valid phone number.")) from None
            return cleaned.strip()


class MemberUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class MemberSerializer(serializers.ModelSerializer):
    user = MemberUserSerializer(read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = PartnerMember
        fields = ["id", "partner", "user", "role", "joined_at"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.REVIEWER)
    invited_by = serializers.CharField(source="invited_by.full_name", read_only=True, default="")

    class Meta:
        model = PartnerInvitation
        fields = [
            "id",
            "partner",
            "email",
            "role",
            "status",
            "expires_at",
            "invited_by",
            "accepted_at",
            "revoked_at",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "partner",
            "status",
            "expires_at",
            "invited_by",
            "accepted_at",
            "revoked_at",
            "created_at",
        ]


class InvitationCreatedSerializer(InvitationSerializer):
    """The answer to a new invitation: the only time its link is shown."""

    link = serializers.CharField(read_only=True)

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "link"]


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    password = serializers.CharField(
        required=False, write_only=True, trim_whitespace=False, allow_blank=True
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)

    def validate_phone(self, value):
        from django.core.exceptions import ValidationError

        from ikm_portal.core.validators import normalize_phone

        if not value:
            return ""
        try:
            return normalize_phone(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class AgreementSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=AgreementStatus.choices, read_only=True)
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    document = DocumentField(required=False, allow_null=True)
    days_to_expiry = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "partner",
            "partner_name",
            "number",
            "title",
            "scope",
            "signed_on",
            "valid_from",
            "valid_to",
            "status",
            "days_to_expiry",
            "document",
            "document_name",
            "reminder_sent_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "partner_name",
            "status",
            "days_to_expiry",
            "document_name",
            "reminder_sent_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"number": {"validators": []}}

    def get_days_to_expiry(self, obj) -> int:
        return obj.days_to_expiry()

    def validate(self, attrs):
        start = attrs.get("valid_from", getattr(self.instance, "valid_from", None))
        end = attrs.get("valid_to", getattr(self.instance, "valid_to", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"valid_to": [_("The end date must not be before the start date.")]}
            )
        if (
            self.instance is not None
            and "partner" in attrs
            and attrs["partner"].pk != self.instance.partner_id
        ):
            raise serializers.ValidationError(
                {"partner": [_("An agreement stays with the partner it was signed with.")]}
            )
        return attrs


class TerminateReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
