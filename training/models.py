from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel
from ikm_portal.core.uploads import random_upload_name

from .choices import (
    DEFAULT_SIZE_CLASSES,
    ApplicationStatus,
    ProgramMode,
    ProgramStatus,
    QuestionKind,
)


def _default_size_classes():
    return list(DEFAULT_SIZE_CLASSES)


def answer_upload_to(instance, filename: str) -> str:
    # Outside static/, random names, served only by training.views.answer_file.
    return random_upload_name("private/answers", filename)


class Program(TimeStampedModel):
    """A training programme, run by the office alone or with a partner under an agreement."""

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    partner = models.ForeignKey(
        "partnerships.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
    )
    agreement = models.ForeignKey(
        "partnerships.Agreement",
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
    )
    partner_can_manage = models.BooleanField(
        _("partner manager may co-manage"),
        default=False,
        help_text=_("The partner's managers may edit this programme and open or close it."),
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=255, blank=True)
    mode = models.CharField(
        _("mode"), max_length=12, choices=ProgramMode.choices, default=ProgramMode.TATAP_MUKA
    )
    opens_at = models.DateTimeField(_("applications open at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("applications close at"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProgramStatus.choices,
        default=ProgramStatus.DRAFT,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="training_program_window",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="training_program_dates",
            ),
            models.CheckConstraint(
                condition=Q(agreement__isnull=True) | Q(partner__isnull=False),
                name="training_program_agreement_needs_partner",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def venue(self) -> str:
        return ", ".join(p for p in (self.venue_name, self.venue_address) if p)

    def window_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == ProgramStatus.OPEN
            and self.opens_at is not None
            and self.closes_at is not None
            and self.opens_at <= now < self.closes_at
        )


class Track(models.Model):
    """A kind of training (jenis pelatihan) the applicants choose, with its seats."""

    program = models.ForeignKey(
        Program, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="tracks"
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    seats = models.PositiveIntegerField(_("seats"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["program", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="training_track_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """An ordered selection stage with its seats: 1 "Pembinaan" 100, 2 "Pembinaan Lanjutan" 20.
    The rubric, reviews and decisions hang on it (selection issue)."""

    program = models.ForeignKey(
        Program, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="stages"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    seats = models.PositiveIntegerField(_("seats"))
    response_deadline = models.DateTimeField(
        _("participants' response deadline"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("selection stage")
        verbose_name_plural = _("selection stages")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "order"], name="training_stage_unique_order"
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="training_stage_order_min"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="training_stage_seats_min"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class EligibilityRules(models.Model):
    """The programme's eligibility rules. "Business verified" always applies."""

    program = models.OneToOneField(
        Program, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="eligibility"
    )
    size_classes = models.JSONField(
        _("size classes"),
        default=_default_size_classes,
        blank=True,
        help_text=_("Empty: any size class."),
    )
    kecamatan_codes = models.JSONField(
        _("kecamatan"),
        default=list,
        blank=True,
        help_text=_("Empty: anywhere in the office's region."),
    )
    kbli_divisions = models.JSONField(
        _("KBLI divisions"), default=list, blank=True, help_text=_("Empty: any division.")
    )
    min_years_operating = models.PositiveSmallIntegerField(
        _("minimum years operating"), null=True, blank=True
    )
    require_nib = models.BooleanField(_("NIB required"), default=False)
    exclude_running_participants = models.BooleanField(
        _("owner not already in a running programme"), default=False
    )

    class Meta:
        verbose_name = _("eligibility rules")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        return str(self.program)


class Question(models.Model):
    """A custom question of a programme, optionally asked only of one track's applicants."""

    program = models.ForeignKey(
        Program, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="questions"
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("only for track"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["program", "position", "id"]

    def __str__(self) -> str:
        return self.text


class Application(TimeStampedModel):
    """An owner's application of one business to one programme."""

    program = models.ForeignKey(
        Program, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="applications"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("business"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="program_applications",
    )
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    # Consent (UU 27/2022): to share this application and the business data with the partner.
    consent_share_with_partner = models.BooleanField(
        _("consent to share with the partner"), default=False
    )
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawn at"), null=True, blank=True)
    # The last eligibility check: [{rule, ok, reason}] and its overall result.
    eligibility = models.JSONField(_("eligibility"), default=list, blank=True)
    eligibility_ok = models.BooleanField(_("eligible by the rules"), null=True, blank=True)
    eligibility_checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    screening_overridden = models.BooleanField(_("screening overridden"), default=False)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("screened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "enterprise"],
                name="training_application_one_per_business",
                violation_error_message=_("This business has already applied to this programme."),
            ),
        ]
        indexes = [models.Index(fields=["program", "status"], name="training_app_program_status")]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.program}"


class TrackChoice(models.Model):
    """One of an application's 1 to 3 tracks, in order of preference."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="track_choices",
    )
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="choices"
    )
    preference = models.PositiveSmallIntegerField(_("preference"))

    class Meta:
        verbose_name = _("track choice")
        verbose_name_plural = _("track choices")
        ordering = ["application", "preference"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "preference"], name="training_choice_unique_preference"
            ),
            models.UniqueConstraint(
                fields=["application", "track"], name="training_choice_unique_track"
            ),
            models.CheckConstraint(
                condition=Q(preference__gte=1) & Q(preference__lte=3),
                name="training_choice_preference_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.preference}. {self.track}"


class Answer(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    value = models.JSONField(_("answer"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=answer_upload_to, blank=True, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["application", "question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="training_answer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


from .participation.models import *  # noqa: E402,F403
from .selection.models import *  # noqa: E402, F403  (review and selection: issue 6)
