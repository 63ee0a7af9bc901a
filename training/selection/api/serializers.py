"""Serializers of review and selection. They validate input only; the views call the services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import PUBLISHED_DECISION_CHOICES, Decision
from ..models import Review, SelectionRun, StageDecision


def _float(value):
    return float(value) if value is not None else None


class ReviewSerializer(serializers.ModelSerializer):
    """`/api/v1/reviews/`: `application`, `stage` (the stage's order in the programme),
    `scores` `{criterion_key: value}`, `comment`, `conflict_of_interest`, `abstain`."""

    application = serializers.IntegerField(source="application_id")
    stage = serializers.IntegerField(
        source="stage.order", min_value=1, help_text="The stage's order in the programme (1, 2…)."
    )
    scores = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    conflict_of_interest = serializers.BooleanField(required=False, default=False)
    abstain = serializers.BooleanField(required=False, default=False)
    draft = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="true: save without submitting (not every criterion needs a score yet).",
    )
    status = serializers.CharField(
        read_only=True, help_text="assigned, draft, submitted, conflict or abstained"
    )
    program = serializers.IntegerField(source="stage.program_id", read_only=True)
    reviewer = serializers.IntegerField(source="reviewer_id", read_only=True)
    total = serializers.SerializerMethodField(help_text="Weighted total, 0–100.")
    applicant = serializers.SerializerMethodField(
        help_text="The application's shared data (NIK masked). With blind review, no owner's "
        "name, NIK or contact."
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "application",
            "stage",
            "scores",
            "comment",
            "conflict_of_interest",
            "abstain",
            "draft",
            "status",
            "program",
            "reviewer",
            "total",
            "submitted_at",
            "applicant",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "submitted_at", "created_at", "updated_at"]

    def get_total(self, review) -> float | None:
        return _float(review.total)

    def get_applicant(self, review) -> dict | None:
        from ..selectors import applicant_data

        settings_cache = self.context.setdefault("_blind", {})
        if review.stage_id not in settings_cache:
            from ..services import stage_settings_get

            settings_cache[review.stage_id] = stage_settings_get(review.stage).blind_review
        request = self.context.get("request")
        return applicant_data(
            application=review.application,
            blind=settings_cache[review.stage_id],
            viewer=getattr(request, "user", None),
        )

    def validate(self, attrs):
        if attrs.get("conflict_of_interest") and attrs.get("abstain"):
            raise serializers.ValidationError(
                {"abstain": [_("Declare a conflict of interest or abstain, not both.")]}
            )
        if attrs.get("conflict_of_interest") and not (attrs.get("comment") or "").strip():
            raise serializers.ValidationError(
                {"comment": [_("Say briefly why (the office reads it).")]}
            )
        return attrs


class AssignmentSerializer(serializers.ModelSerializer):
    """An assignment: who reviews which application at this stage (no scores)."""

    application = serializers.IntegerField(source="application_id", read_only=True)
    reviewer = serializers.IntegerField(source="reviewer_id", read_only=True)
    reviewer_name = serializers.CharField(source="reviewer.full_name", read_only=True)
    stage = serializers.IntegerField(source="stage.order", read_only=True)
    assigned_by = serializers.IntegerField(source="assigned_by_id", read_only=True)
    assigned_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "application",
            "reviewer",
            "reviewer_name",
            "stage",
            "status",
            "method",
            "assigned_by",
            "assigned_at",
            "submitted_at",
        ]
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    """One pair `{application, reviewer}`, or in bulk `{applications: [...], reviewers: [...]}`
    (each reviewer reviews each application)."""

    application = serializers.IntegerField(required=False)
    reviewer = serializers.IntegerField(required=False)
    applications = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=1000
    )
    reviewers = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=50
    )

    def validate(self, attrs):
        single = "application" in attrs or "reviewer" in attrs
        bulk = "applications" in attrs or "reviewers" in attrs
        if single == bulk:
            raise serializers.ValidationError(
                _("Send either {application, reviewer} or {applications, reviewers}.")
            )
        if single and not ("application" in attrs and "reviewer" in attrs):
            raise serializers.ValidationError(_("Send both application and reviewer."))
        if bulk and not (attrs.get("applications") and attrs.get("reviewers")):
            raise serializers.ValidationError(_("Send at least one application and one reviewer."))
        return attrs


class AutoAssignSerializer(serializers.Serializer):
    reviewers_per_application = serializers.IntegerField(required=False, min_value=1, max_value=10)
    reviewers = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        max_length=50,
        help_text="User ids; default: the partner's reviewers (or office staff).",
    )


class AutoAssignResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    short = serializers.ListField(child=serializers.DictField())
    reviewers = serializers.ListField(child=serializers.DictField())


class ResultRowSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField()
    decision = serializers.CharField(help_text="selected, waitlisted or not_selected")
    track = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(
        help_text="The rule that decided: merit, kecamatan_min, women_min, waitlist, "
        "seats_full, no_track_seat, kecamatan_max, no_score, manual."
    )
    review_count = serializers.IntegerField()
    spread = serializers.FloatField(allow_null=True)
    flagged = serializers.BooleanField()
    waitlist_position = serializers.IntegerField(allow_null=True)
    adjusted = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


class SelectionSerializer(serializers.Serializer):
    """The staged preview (or the published run) of a stage."""

    run = serializers.IntegerField(source="pk", allow_null=True)
    status = serializers.CharField(help_text="preview or published")
    seed = serializers.IntegerField()
    params = serializers.DictField()
    shortfalls = serializers.ListField(child=serializers.DictField())
    computed_at = serializers.DateTimeField(source="created_at")
    published_at = serializers.DateTimeField(allow_null=True)
    results = ResultRowSerializer(many=True)


class SelectionRequestSerializer(serializers.Serializer):
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
    params = serializers.DictField(
        required=False,
        help_text="Any of waitlist_length, tie_breakers, use_track_seats, track_seats "
        "{track_id: seats}, kecamatan_min / kecamatan_max {code: n}, women_min_share (0–1).",
    )


class AdjustSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=[*PUBLISHED_DECISION_CHOICES, ("auto", "auto")])
    track = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RespondSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


class DecisionSerializer(serializers.ModelSerializer):
    """A published decision about one applicant at one stage, and its offer."""

    application = serializers.IntegerField(source="application_id")
    program = serializers.IntegerField(source="stage.program_id")
    stage = serializers.IntegerField(source="stage.order")
    track = serializers.IntegerField(source="track_id", allow_null=True)
    decision = serializers.CharField(
        source="published_decision", help_text="selected, waitlisted or not_selected"
    )
    status = serializers.CharField(
        help_text="selected (an open offer), waitlisted, not_selected, accepted, declined or lapsed"
    )
    reason = serializers.CharField(
        help_text="merit, kecamatan_min, women_min, waitlist, seats_full, no_track_seat, "
        "kecamatan_max, no_score, manual or promoted"
    )
    score = serializers.SerializerMethodField()

    class Meta:
        model = StageDecision
        fields = [
            "id",
            "application",
            "program",
            "stage",
            "decision",
            "status",
            "track",
            "score",
            "review_count",
            "rank",
            "rank_of",
            "reason",
            "reason_note",
            "waitlist_position",
            "response_deadline",
            "responded_at",
            "promoted_at",
        ]
        read_only_fields = fields

    def get_score(self, decision) -> float | None:
        return _float(decision.score)


class ApplicantStageSerializer(serializers.Serializer):
    """What an applicant reads about one stage: never another applicant's data."""

    order = serializers.IntegerField(source="stage.order")
    name = serializers.CharField(source="stage.name")
    status = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    track = serializers.SerializerMethodField()
    score_band = serializers.CharField()
    rank_band = serializers.CharField()
    reason = serializers.CharField()
    note = serializers.CharField()
    waitlist_position = serializers.SerializerMethodField()
    response_deadline = serializers.SerializerMethodField()

    def get_status(self, row) -> str | None:
        return row["decision"].status if row["decision"] else None

    def get_decision(self, row) -> str | None:
        return row["decision"].published_decision if row["decision"] else None

    def get_track(self, row) -> dict | None:
        d = row["decision"]
        if d is None or d.track_id is None:
            return None
        return {"id": d.track_id, "name": d.track.name}

    def get_waitlist_position(self, row) -> int | None:
        d = row["decision"]
        return d.waitlist_position if d and d.status == Decision.WAITLISTED else None

    def get_response_deadline(self, row) -> str | None:
        d = row["decision"]
        if d is None or d.status != Decision.SELECTED or d.response_deadline is None:
            return None
        return serializers.DateTimeField().to_representation(d.response_deadline)


class RunSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="preview, published or discarded")
    program = serializers.IntegerField(source="stage.program_id")
    stage = serializers.IntegerField(source="stage.order")
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    published_by = serializers.IntegerField(source="published_by_id", allow_null=True)

    class Meta:
        model = SelectionRun
        fields = [
            "id",
            "program",
            "stage",
            "status",
            "seed",
            "params",
            "adjustments",
            "shortfalls",
            "results",
            "created_by",
            "created_at",
            "published_by",
            "published_at",
        ]
        read_only_fields = fields


class RerunSerializer(serializers.Serializer):
    identical = serializers.BooleanField()
    differences = serializers.ListField(child=serializers.DictField())
