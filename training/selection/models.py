"""Review and selection: the settings and rubric of a stage, reviews (one row per assignment),
declared conflicts, manual adjustments, selection runs and the published decisions.

These models live in the ``training`` app (imported from ``training/models.py``); they hang on
issue 5's ``Stage`` and ``Application`` without changing them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel

from .choices import (
    CRITERION_KEY_PATTERN,
    DEFAULT_OFFER_DAYS,
    DEFAULT_REMINDER_DAYS,
    DEFAULT_REVIEWERS_PER_APPLICATION,
    DEFAULT_SPREAD_THRESHOLD,
    PUBLISHED_DECISION_CHOICES,
    AssignmentMethod,
    CriterionSource,
    Decision,
    OthersScores,
    Reason,
    ReviewStatus,
    RunStatus,
)

__all__ = [
    "Criterion",
    "Review",
    "ReviewerConflict",
    "SelectionAdjustment",
    "SelectionRun",
    "StageDecision",
    "StageSettings",
]


def _default_tie_breakers():
    return ["submitted_at"]


class StageSettings(models.Model):
    """How a stage is reviewed and selected. Created with the defaults on first use."""

    stage = models.OneToOneField(
        "training.Stage",
        verbose_name=_("selection stage"),
        on_delete=models.CASCADE,
        related_name="selection_settings",
    )
    review_opens_at = models.DateTimeField(_("review opens at"), null=True, blank=True)
    review_closes_at = models.DateTimeField(
        _("review deadline"),
        null=True,
        blank=True,
        help_text=_("Reviewers may score and edit their reviews until then."),
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("Reviewers do not see the owner's name, NIK and contact."),
    )
    others_scores = models.CharField(
        _("reviewers see the others' scores"),
        max_length=12,
        choices=OthersScores.choices,
        default=OthersScores.AFTER_SUBMIT,
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"),
        default=DEFAULT_REVIEWERS_PER_APPLICATION,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    spread_threshold = models.PositiveSmallIntegerField(
        _("disagreement threshold"),
        default=DEFAULT_SPREAD_THRESHOLD,
        validators=[MaxValueValidator(100)],
        help_text=_("Flag an application when its reviewers' totals differ by this many points."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind reviewers this many days before the deadline"),
        default=DEFAULT_REMINDER_DAYS,
        validators=[MaxValueValidator(30)],
    )
    waitlist_length = models.PositiveIntegerField(_("waitlist length"), default=0)
    tie_breakers = models.JSONField(_("tie-breakers"), default=_default_tie_breakers, blank=True)
    use_track_seats = models.BooleanField(
        _("seats per track"),
        default=True,
        help_text=_(
            "Each applicant takes their highest-preference track that still has room, up to the "
            "track's seats."
        ),
    )
    track_seats = models.JSONField(
        _("seats per track at this stage"),
        default=dict,
        blank=True,
        help_text=_("Track id → seats; a track not listed keeps the programme's seats."),
    )
    kecamatan_min = models.JSONField(_("minimum per kecamatan"), default=dict, blank=True)
    kecamatan_max = models.JSONField(_("maximum per kecamatan"), default=dict, blank=True)
    women_min_percent = models.PositiveSmallIntegerField(
        _("minimum share of women-owned businesses (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
    )
    offer_days = models.PositiveSmallIntegerField(
        _("days to respond to an offer from the waitlist"),
        default=DEFAULT_OFFER_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = _("stage selection settings")
        verbose_name_plural = _("stage selection settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_opens_at__isnull=True)
                | Q(review_closes_at__isnull=True)
                | Q(review_closes_at__gt=models.F("review_opens_at")),
                name="training_stagesettings_review_window",
            ),
            models.CheckConstraint(
                condition=Q(reviewers_per_application__gte=1),
                name="training_stagesettings_reviewers_min",
            ),
        ]

    def __str__(self) -> str:
        return str(self.stage)

    def review_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.review_opens_at and now < self.review_opens_at:
            return False
        return not (self.review_closes_at and now >= self.review_closes_at)


class Criterion(models.Model):
    """One criterion of a stage's rubric."""

    stage = models.ForeignKey(
        "training.Stage",
        verbose_name=_("selection stage"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    key = models.CharField(
        _("key"),
        max_length=40,
        validators=[RegexValidator(CRITERION_KEY_PATTERN)],
        help_text=_("Lower case letters, digits and _, e.g. potensi_efisiensi."),
    )
    label_id = models.CharField(_("label (Indonesian)"), max_length=150)
    label_en = models.CharField(_("label (English)"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=5)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal("1.00")
    )
    counted = models.BooleanField(
        _("counted"),
        default=True,
        help_text=_("Off: an optional criterion, shown to reviewers but not counted."),
    )
    source = models.CharField(
        _("scored by"),
        max_length=12,
        choices=CriterionSource.choices,
        default=CriterionSource.REVIEWERS,
        help_text=_(
            "At a later stage a criterion may be the participant's attendance at the stage "
            "before, on the criterion's scale (filled automatically)."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["stage", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="training_criterion_unique_key"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")),
                name="training_criterion_scale",
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0) | Q(counted=False),
                name="training_criterion_weight_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "id").startswith("en") and self.label_en:
            return self.label_en
        return self.label_id

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    @property
    def automatic(self) -> bool:
        return self.source != CriterionSource.REVIEWERS


class Review(TimeStampedModel):
    """One reviewer's assignment to one application at one stage, and their review of it."""

    stage = models.ForeignKey(
        "training.Stage",
        verbose_name=_("selection stage"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    application = models.ForeignKey(
        "training.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.ASSIGNED,
        db_index=True,
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    total = models.DecimalField(
        _("weighted total (0–100)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    conflict_reason = models.TextField(_("reason"), blank=True)
    method = models.CharField(
        _("assigned"),
        max_length=10,
        choices=AssignmentMethod.choices,
        default=AssignmentMethod.MANUAL,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["stage", "application", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "application", "reviewer"],
                name="training_review_one_per_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | (Q(total__gte=0) & Q(total__lte=100)),
                name="training_review_total_range",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="training_review_queue"),
            models.Index(fields=["stage", "status"], name="training_review_stage_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application_id} ({self.stage})"

    @property
    def conflict_of_interest(self) -> bool:
        return self.status == ReviewStatus.CONFLICT

    @property
    def abstain(self) -> bool:
        return self.status == ReviewStatus.ABSTAINED


class ReviewerConflict(models.Model):
    """A declared conflict of interest: this reviewer never reviews this business in this
    programme."""

    program = models.ForeignKey(
        "training.Program",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="reviewer_conflicts",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="review_conflicts",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("business"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("reviewer conflict")
        verbose_name_plural = _("reviewer conflicts")
        ordering = ["program", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "reviewer", "enterprise"], name="training_conflict_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ✕ {self.enterprise}"


class SelectionAdjustment(models.Model):
    """A decision set by hand over the computed preview, with the reason the applicant reads."""

    stage = models.ForeignKey(
        "training.Stage",
        verbose_name=_("selection stage"),
        on_delete=models.CASCADE,
        related_name="adjustments",
    )
    application = models.ForeignKey(
        "training.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    decision = models.CharField(
        _("decision"),
        max_length=12,
        choices=PUBLISHED_DECISION_CHOICES,
    )
    track = models.ForeignKey(
        "training.Track",
        verbose_name=_("track"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("selection adjustment")
        verbose_name_plural = _("selection adjustments")
        ordering = ["stage", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "application"], name="training_adjustment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.decision}"


class SelectionRun(models.Model):
    """A computed selection of a stage: the staged preview, then the published record. It keeps
    everything needed to compute it again: the candidates as they were, the parameters, the
    seed and the adjustments made by hand."""

    stage = models.ForeignKey(
        "training.Stage",
        verbose_name=_("selection stage"),
        on_delete=models.CASCADE,
        related_name="selection_runs",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PREVIEW
    )
    seed = models.BigIntegerField(_("seed"), default=0)
    params = models.JSONField(_("parameters"), default=dict)
    candidates = models.JSONField(_("candidates"), default=list)
    adjustments = models.JSONField(_("adjustments"), default=list)
    results = models.JSONField(_("ranked result"), default=list)
    shortfalls = models.JSONField(_("unmet quotas"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("computed at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")
        ordering = ["stage", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage"],
                condition=Q(status="published"),
                name="training_run_one_published_per_stage",
            ),
            models.UniqueConstraint(
                fields=["stage"],
                condition=Q(status="preview"),
                name="training_run_one_preview_per_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} · {self.get_status_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class StageDecision(TimeStampedModel):
    """The published decision about one applicant at one stage, and the offer that follows."""

    stage = models.ForeignKey(
        "training.Stage",
        verbose_name=_("selection stage"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    application = models.ForeignKey(
        "training.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="stage_decisions",
    )
    run = models.ForeignKey(
        SelectionRun,
        verbose_name=_("selection run"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    status = models.CharField(_("status"), max_length=12, choices=Decision.choices, db_index=True)
    published_decision = models.CharField(
        _("published decision"), max_length=12, choices=Decision.choices
    )
    track = models.ForeignKey(
        "training.Track",
        verbose_name=_("track"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveSmallIntegerField(_("reviews"), default=0)
    rank = models.PositiveIntegerField(_("rank"))
    rank_of = models.PositiveIntegerField(_("candidates"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    reason_note = models.TextField(_("note"), blank=True)
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    response_deadline = models.DateTimeField(_("respond by"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("offered from the waitlist at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("stage decision")
        verbose_name_plural = _("stage decisions")
        ordering = ["stage", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "application"], name="training_decision_one_per_stage"
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "status"], name="training_decision_stage_status"),
            models.Index(fields=["status", "response_deadline"], name="training_decision_due"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} @ {self.stage}: {self.status}"
