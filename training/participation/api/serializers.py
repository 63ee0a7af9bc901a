from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from registry.choices import CertificationKind
from training.models import Application, Stage, Track

from ..certificates import verify_url
from ..choices import AttendanceStatus, MarketChannel, OutcomeWave, ParticipantStatus
from ..models import Attendance, Certificate, OutcomeSurvey, Participant, Session
from ..selectors import summary_of


class SessionSerializer(serializers.ModelSerializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    track = serializers.PrimaryKeyRelatedField(
        queryset=Track.objects.all(), required=False, allow_null=True
    )
    stage_order = serializers.IntegerField(source="stage.order", read_only=True)
    credit_hours = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)
    cancelled = serializers.BooleanField(source="is_cancelled", read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "program",
            "stage",
            "stage_order",
            "track",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "facilitator",
            "hours",
            "credit_hours",
            "cancelled",
            "cancelled_at",
            "cancel_reason",
        ]
        read_only_fields = ["program", "cancelled_at", "cancel_reason"]


class ParticipationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class CertificateSerializer(serializers.ModelSerializer):
    valid = serializers.BooleanField(source="is_valid", read_only=True)
    code = serializers.CharField(source="code_display", read_only=True)
    verify_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "code",
            "valid",
            "issued_at",
            "revoked_at",
            "hours",
            "verify_url",
            "pdf_url",
        ]

    def get_verify_url(self, obj) -> str:
        return verify_url(obj)

    def get_pdf_url(self, obj) -> str:
        return reverse("api:participant-certificate", args=[obj.participant_id])


class ParticipantSerializer(serializers.ModelSerializer):
    stage_order = serializers.IntegerField(source="stage.order", read_only=True)
    business_name = serializers.CharField(source="enterprise.name", read_only=True)
    owner_name = serializers.SerializerMethodField(
        help_text="'data withdrawn by the owner' for a partner once the owner withdrew consent."
    )
    attendance_rate = serializers.SerializerMethodField()
    sessions_held = serializers.IntegerField(read_only=True)
    sessions_attended = serializers.IntegerField(read_only=True)
    sessions_excused = serializers.IntegerField(read_only=True)
    certificate = serializers.SerializerMethodField()

    def get_owner_name(self, participant) -> str:
        from training.templatetags.applicant_privacy import participant_owner_name

        request = self.context.get("request")
        return participant_owner_name(participant, getattr(request, "user", None))

    class Meta:
        model = Participant
        fields = [
            "id",
            "program",
            "stage",
            "stage_order",
            "track",
            "application",
            "enterprise",
            "business_name",
            "owner_name",
            "status",
            "status_reason",
            "enrolled_at",
            "completed_at",
            "attendance_rate",
            "sessions_held",
            "sessions_attended",
            "sessions_excused",
            "certificate",
        ]
        read_only_fields = fields

    def get_attendance_rate(self, obj) -> float | None:
        if not hasattr(obj, "sessions_held"):
            return None
        rate = summary_of(obj).rate
        return float(rate) if rate is not None else None

    def get_certificate(self, obj) -> dict | None:
        try:
            certificate = obj.certificate
        except Certificate.DoesNotExist:
            return None
        return CertificateSerializer(certificate, context=self.context).data


class EnrolSerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all())
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    track = serializers.PrimaryKeyRelatedField(
        queryset=Track.objects.all(), required=False, allow_null=True
    )


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=[
            ParticipantStatus.ACTIVE,
            ParticipantStatus.PAUSED,
            ParticipantStatus.DROPPED,
        ]
    )
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CompleteSerializer(serializers.Serializer):
    override = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RuleResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    ok = serializers.BooleanField()
    reason = serializers.CharField()


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = [
            "id",
            "session",
            "participant",
            "status",
            "method",
            "marked_at",
            "marked_by",
            "note",
        ]
        read_only_fields = fields


class MarkSerializer(serializers.Serializer):
    participant = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class AttendanceWriteSerializer(serializers.Serializer):
    """Either one mark (`participant`, `status`) or several (`marks`)."""

    session = serializers.IntegerField()
    participant = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, required=False)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    marks = MarkSerializer(many=True, required=False)

    def validate(self, attrs):
        if attrs.get("marks") is None:
            if attrs.get("participant") is None or not attrs.get("status"):
                raise serializers.ValidationError(
                    {"marks": [_("Give `marks`, or one `participant` and `status`.")]}
                )
            attrs["marks"] = [
                {
                    "participant": attrs["participant"],
                    "status": attrs["status"],
                    "note": attrs.get("note", ""),
                }
            ]
        elif not attrs["marks"]:
            raise serializers.ValidationError({"marks": [_("Mark at least one participant.")]})
        return attrs


class CheckinSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    token = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs["token"] and not attrs["code"]:
            raise serializers.ValidationError({"code": [_("Give the code shown at the session.")]})
        return attrs


class OutcomeSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="application.program_id", read_only=True)
    certifications = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        help_text="Certifications held now: " + ", ".join(CertificationKind.values),
    )
    markets = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        help_text="Markets sold to now: " + ", ".join(MarketChannel.values),
    )
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all())
    wave = serializers.ChoiceField(choices=OutcomeWave.choices)

    class Meta:
        model = OutcomeSurvey
        fields = [
            "id",
            "application",
            "program",
            "wave",
            "status",
            "requested_at",
            "due_on",
            "submitted_at",
            "on_behalf",
            "reminders_sent",
            "monthly_output",
            "output_unit",
            "unit_cost",
            "selling_price",
            "monthly_turnover",
            "workers",
            "certifications",
            "markets",
            "what_changed",
        ]
        read_only_fields = [
            "status",
            "requested_at",
            "due_on",
            "submitted_at",
            "on_behalf",
            "reminders_sent",
        ]
        extra_kwargs = {
            "monthly_output": {"min_value": Decimal(0)},
            "unit_cost": {"min_value": Decimal(0)},
            "selling_price": {"min_value": Decimal(0)},
            "monthly_turnover": {"min_value": Decimal(0)},
        }


class OutcomeRequestSerializer(serializers.Serializer):
    program = serializers.IntegerField()
    wave = serializers.ChoiceField(choices=OutcomeWave.choices)
    who = serializers.ChoiceField(
        choices=[("participants", _("Participants")), ("comparison", _("Eligible, not selected"))],
        default="participants",
    )
