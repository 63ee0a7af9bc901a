from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel
from ikm_portal.core.uploads import random_upload_name

from .choices import (
    AGREEMENT_REMINDER_DAYS,
    AgreementStatus,
    InvitationStatus,
    MemberRole,
    PartnerKind,
)


def logo_upload_to(instance, filename: str) -> str:
    # Random names: an upload's name never reveals or collides with another's.
    return random_upload_name("partners/logos", filename)


def agreement_upload_to(instance, filename: str) -> str:
    # Under MEDIA_ROOT, outside static/ and never served directly: see views.agreement_document.
    return random_upload_name("private/agreements", "agreement.pdf")


class Partner(TimeStampedModel):
    """A partner organisation (e.g. PT HM Sampoerna Tbk)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PartnerKind.choices, default=PartnerKind.COMPANY
    )
    description = models.TextField(_("description"), blank=True)
    address = models.TextField(_("address"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(_("logo"), upload_to=logo_upload_to, blank=True, max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerMember(TimeStampedModel):
    """A partner user belongs to exactly one partner organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="partner_membership",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="members"
    )
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("partner member")
        verbose_name_plural = _("partner members")
        ordering = ["partner", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.partner})"

    @property
    def is_manager(self) -> bool:
        return self.role == MemberRole.MANAGER


class Agreement(TimeStampedModel):
    """A partnership agreement (perjanjian kerja sama kemitraan) with its signed document."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="agreements"
    )
    number = models.CharField(_("agreement number"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=255)
    scope = models.TextField(_("scope"), blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    document = models.FileField(
        _("document (PDF)"), upload_to=agreement_upload_to, blank=True, max_length=200
    )
    document_name = models.CharField(_("document file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.DRAFT,
        db_index=True,
    )
    # Set when the office has been reminded of the coming expiry; cleared when valid_to moves.
    reminder_sent_at = models.DateTimeField(_("expiry reminder sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-valid_to", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")),
                name="partnerships_agreement_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def days_to_expiry(self, today=None) -> int:
        today = today or timezone.localdate()
        return (self.valid_to - today).days

    @property
    def is_expired_by_date(self) -> bool:
        return self.valid_to < timezone.localdate()

    @property
    def expires_soon(self) -> bool:
        return (
            self.status == AgreementStatus.ACTIVE
            and 0 <= self.days_to_expiry() <= AGREEMENT_REMINDER_DAYS
        )


class PartnerInvitation(TimeStampedModel):
    """An e-mail invitation to join a partner. The link's token is stored only as a hash."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.REVIEWER
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner invitation")
        verbose_name_plural = _("partner invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["partner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.partner}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label
