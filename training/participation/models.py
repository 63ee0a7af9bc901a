"""Participation and outcomes: sessions (jadwal), participants per accepted application and
stage, attendance, the completion rule, certificates, and the outcome surveys (before/after).

These models live in the `training` app (training/models.py imports them)."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel

from .choices import (
    DEFAULT_FOLLOW_UP_MONTHS,
    DEFAULT_MIN_ATTENDANCE,
    STATUS_BADGES,
    AttendanceMethod,
    AttendanceStatus,
    OutcomeStatus,
    OutcomeWave,
    ParticipantStatus,
)

__all__ = [
    "Attendance",
    "Certificate",
    "CompletionRule",
    "OutcomeSurvey",
    "Participant",
    "Session",
]


def _qr_secret() -> str:
    return secrets.token_hex(16)


class Session(TimeStampedModel):
    """A scheduled session (jadwal) of a programme's stage, for every track or one track."""

    program = models.ForeignKey(
        "training.Program",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    stage = models.ForeignKey(
        "training.Stage",
        verbose_name=_("stage"),
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text=_("The participants of this stage are expected."),
    )
    track = models.ForeignKey(
        "training.Track",
        verbose_name=_("only for track"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text=_("Empty: every track of the stage."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    facilitator = models.CharField(_("facilitator"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("training hours"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The hours the certificate counts. Empty: the length of the session."),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    # Signs the rotating QR check-in codes of this session (with the site's SECRET_KEY).
    qr_secret = models.CharField(max_length=64, default=_qr_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="training_session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0),
                name="training_session_hours_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "starts_at"], name="training_session_prog_start")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def credit_hours(self) -> Decimal:
        if self.hours is not None:
            return self.hours
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


class Participant(TimeStampedModel):
    """A business taking part in one stage of a programme: one row per accepted application and
    stage (a stage-2 participant also has their stage-1 row)."""

    program = models.ForeignKey(
        "training.Program",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    stage = models.ForeignKey(
        "training.Stage",
        verbose_name=_("stage"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    application = models.ForeignKey(
        "training.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("business"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    track = models.ForeignKey(
        "training.Track",
        verbose_name=_("track"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participants",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ParticipantStatus.choices,
        default=ParticipantStatus.ENROLLED,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completion_overridden = models.BooleanField(
        _("completed by the office's decision"), default=False
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["program", "stage__order", "enterprise__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "stage"],
                name="training_participant_one_per_stage",
                violation_error_message=_("This application is already enrolled in this stage."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ParticipantStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="training_participant_completed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"], name="training_participant_status"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.stage}"

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "text-bg-secondary")


class Attendance(models.Model):
    """A participant's attendance at a session."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    method = models.CharField(
        _("recorded by"),
        max_length=8,
        choices=AttendanceMethod.choices,
        default=AttendanceMethod.MANUAL,
    )
    marked_at = models.DateTimeField(_("recorded at"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="training_attendance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.session}: {self.status}"

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "text-bg-secondary")


class CompletionRule(models.Model):
    """When a participant has completed a stage, and when the follow-up survey is due."""

    program = models.OneToOneField(
        "training.Program",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="completion_rule",
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"),
        default=DEFAULT_MIN_ATTENDANCE,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    require_endline = models.BooleanField(_("end-line survey answered"), default=True)
    follow_up_months = models.PositiveSmallIntegerField(
        _("follow-up survey after (months)"),
        default=DEFAULT_FOLLOW_UP_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    signatory_name = models.CharField(_("certificate signed by"), max_length=150, blank=True)
    signatory_title = models.CharField(_("signatory's position"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("completion rule")
        verbose_name_plural = _("completion rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_attendance_percent__lte=100),
                name="training_completion_percent_max",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_months__gte=1) & Q(follow_up_months__lte=36),
                name="training_completion_followup_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.program)


class Certificate(TimeStampedModel):
    """The certificate of a completed participant. What it says is kept as it was issued, so a
    later change of names does not change an issued certificate."""

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    number = models.CharField(_("number"), max_length=60, unique=True)
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    holder_name = models.CharField(_("holder"), max_length=200)
    business_name = models.CharField(_("business"), max_length=200)
    program_title = models.CharField(_("programme"), max_length=255)
    partner_name = models.CharField(_("partner"), max_length=255, blank=True)
    stage_name = models.CharField(_("stage"), max_length=150)
    track_name = models.CharField(_("track"), max_length=150, blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("to"), null=True, blank=True)
    hours = models.DecimalField(_("training hours"), max_digits=6, decimal_places=2)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def code_display(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class OutcomeSurvey(TimeStampedModel):
    """One wave of a business's figures for one programme: baseline (at acceptance), end-line
    (at completion), follow-up (months later). Answered by the owner or by staff on their
    behalf; eligible applicants who were not selected may answer too (the comparison group)."""

    application = models.ForeignKey(
        "training.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="outcome_surveys",
    )
    wave = models.CharField(_("survey"), max_length=10, choices=OutcomeWave.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OutcomeStatus.choices,
        default=OutcomeStatus.REQUESTED,
        db_index=True,
    )
    requested_at = models.DateTimeField(_("requested at"))
    due_on = models.DateField(_("answer by"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf = models.BooleanField(_("entered by staff on the owner's behalf"), default=False)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    # --- The figures ---
    monthly_output = models.DecimalField(
        _("monthly output"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    output_unit = models.CharField(_("unit of output"), max_length=30, blank=True)
    unit_cost = models.DecimalField(
        _("production cost per unit (Rp)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    selling_price = models.DecimalField(
        _("selling price per unit (Rp)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    monthly_turnover = models.DecimalField(
        _("monthly turnover (Rp)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    workers = models.PositiveIntegerField(_("workers"), null=True, blank=True)
    certifications = models.JSONField(_("certifications held"), default=list, blank=True)
    markets = models.JSONField(_("markets sold to"), default=list, blank=True)
    what_changed = models.TextField(_("what changed, in your words"), blank=True)

    class Meta:
        verbose_name = _("outcome survey")
        verbose_name_plural = _("outcome surveys")
        ordering = ["application", "wave"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "wave"], name="training_outcome_one_per_wave"
            ),
            models.CheckConstraint(
                condition=(Q(monthly_output__isnull=True) | Q(monthly_output__gte=0))
                & (Q(unit_cost__isnull=True) | Q(unit_cost__gte=0))
                & (Q(selling_price__isnull=True) | Q(selling_price__gte=0))
                & (Q(monthly_turnover__isnull=True) | Q(monthly_turnover__gte=0)),
                name="training_outcome_figures_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status=OutcomeStatus.SUBMITTED) | Q(submitted_at__isnull=False),
                name="training_outcome_submitted_at",
            ),
        ]
        indexes = [
            models.Index(fields=["wave", "status"], name="training_outcome_wave_status"),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.wave}"

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "text-bg-secondary")
