from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnerships.models import Agreement, Partner
from registry.models import Enterprise

from .. import selectors
from ..choices import ApplicationStatus, ProgramMode, ProgramStatus, QuestionKind
from ..models import Application, Program


class VenueSchema(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField()


@extend_schema_field(VenueSchema)
class VenueField(serializers.Field):
    """`venue`: `{"name": "PPK Sampoerna", "address": "Sukorejo, Pasuruan"}` (a plain string
    is read as the name)."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, program):
        return {"name": program.venue_name, "address": program.venue_address}

    def to_internal_value(self, data):
        if data is None:
            return {"venue_name": "", "venue_address": ""}
        if isinstance(data, str):
            return {"venue_name": data.strip()[:200]}
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Give the venue as {name, address}."))
        name = str(data.get("name") or "").strip()
        address = str(data.get("address") or "").strip()
        if len(name) > 200 or len(address) > 255:
            raise serializers.ValidationError(_("The venue's name or address is too long."))
        return {"venue_name": name, "venue_address": address}


class TrackSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=150)
    seats = serializers.IntegerField(min_value=0, default=0)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class StageSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, required=False)
    name = serializers.CharField(max_length=150)
    seats = serializers.IntegerField(min_value=1)
    response_deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class EligibilitySerializer(serializers.Serializer):
    require_verified = serializers.SerializerMethodField()
    size_classes = serializers.ListField(child=serializers.CharField(), required=False)
    kecamatan = serializers.ListField(
        child=serializers.CharField(), required=False, source="kecamatan_codes"
    )
    kbli_divisions = serializers.ListField(child=serializers.CharField(), required=False)
    min_years_operating = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    require_nib = serializers.BooleanField(required=False)
    exclude_running_participants = serializers.BooleanField(required=False)

    def get_require_verified(self, obj) -> bool:
        return True


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True)
    text = serializers.CharField(max_length=500)
    help_text = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    options = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    required = serializers.BooleanField(default=False)
    track = serializers.JSONField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A track id of this programme (or, when creating, a track's name); null: all.",
    )

    def to_representation(self, question):
        return {
            "id": question.pk,
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "options": question.options,
            "required": question.required,
            "track": question.track_id,
        }


class ProgramSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), required=False, allow_null=True
    )
    agreement = serializers.PrimaryKeyRelatedField(
        queryset=Agreement.objects.all(), required=False, allow_null=True
    )
    venue = VenueField(required=False)
    mode = serializers.ChoiceField(choices=ProgramMode.choices, required=False)
    status = serializers.ChoiceField(choices=ProgramStatus.choices, read_only=True)
    tracks = TrackSerializer(many=True, required=False)
    stages = StageSerializer(many=True, required=False)
    eligibility = EligibilitySerializer(required=False)
    questions = QuestionSerializer(many=True, required=False)

    class Meta:
        model = Program
        fields = [
            "id",
            "title",
            "description",
            "partner",
            "agreement",
            "venue",
            "mode",
            "opens_at",
            "closes_at",
            "starts_on",
            "ends_on",
            "status",
            "tracks",
            "stages",
            "eligibility",
            "questions",
            "partner_can_manage",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "created_at", "updated_at"]

    def to_representation(self, program):
        data = super().to_representation(program)
        data["tracks"] = [
            {"id": t.pk, "name": t.name, "seats": t.seats, "description": t.description}
            for t in program.tracks.all()
        ]
        data["stages"] = [
            {
                "order": s.order,
                "name": s.name,
                "seats": s.seats,
                "response_deadline": serializers.DateTimeField().to_representation(
                    s.response_deadline
                )
                if s.response_deadline
                else None,
                "description": s.description,
            }
            for s in program.stages.all()
        ]
        rules = selectors.eligibility_rules_of(program)
        data["eligibility"] = {
            "require_verified": True,
            "size_classes": rules.size_classes,
            "kecamatan": rules.kecamatan_codes,
            "kbli_divisions": rules.kbli_divisions,
            "min_years_operating": rules.min_years_operating,
            "require_nib": rules.require_nib,
            "exclude_running_participants": rules.exclude_running_participants,
        }
        data["questions"] = [
            QuestionSerializer().to_representation(q) for q in program.questions.all()
        ]
        return data


class TrackChoicesField(serializers.ListField):
    """Track ids in order of preference."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.IntegerField(), **kwargs)

    def get_attribute(self, application):
        return [c.track_id for c in application.track_choices.all()]

    def to_representation(self, data):
        return list(data)


class AnswersField(serializers.DictField):
    """`{question_id: value}`; a file answer reads as `{name, url}`."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.JSONField(allow_null=True), **kwargs)

    def get_attribute(self, application):
        return application

    def to_representation(self, application):
        request = self.context.get("request")
        answers = {}
        for a in application.answers.all():
            if a.file:
                url = reverse("api:application-file", args=[application.pk, a.question_id])
                answers[str(a.question_id)] = {
                    "name": a.file_name,
                    "url": request.build_absolute_uri(url) if request else url,
                }
            else:
                answers[str(a.question_id)] = a.value
        return answers


class ApplicationSerializer(serializers.ModelSerializer):
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.none())
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(),
        error_messages={"does_not_exist": _("Choose one of your own businesses.")},
    )
    track_choices = TrackChoicesField(
        required=False, help_text="Track ids in order of preference (1 to 3)."
    )
    answers = AnswersField(required=False, help_text="{question_id: value}")
    consent_share_with_partner = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, read_only=True)
    eligibility = serializers.ListField(read_only=True, help_text="[{rule, ok, reason}]")
    applicant = serializers.SerializerMethodField(
        help_text="The business data shared for this application (NIK masked). After the owner "
        "withdraws consent, a partner sees 'data withdrawn by the owner' in the personal fields "
        "and personal_data_withdrawn=true."
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "program",
            "enterprise",
            "track_choices",
            "answers",
            "consent_share_with_partner",
            "status",
            "eligibility",
            "submitted_at",
            "status_reason",
            "consent_at",
            "applicant",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "eligibility",
            "submitted_at",
            "status_reason",
            "consent_at",
            "applicant",
            "created_at",
            "updated_at",
        ]
        # "Twice" is the service's 409 (and the database's constraint), not a 400 here.
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from ..permissions import programs_visible_to

            self.fields["program"].queryset = programs_visible_to(user)
            self.fields["enterprise"].queryset = Enterprise.objects.filter(owner=user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["program"].read_only = True
            self.fields["enterprise"].read_only = True

    def get_applicant(self, application) -> dict:
        request = self.context.get("request")
        return selectors.application_shared_data(
            application=application, viewer=getattr(request, "user", None)
        )


class WithdrawReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CancelReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ScreenSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000)


class UploadSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    file = serializers.FileField()
