from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel

from .choices import MemberRole, PartnerKind


class Partner(TimeStampedModel):
    """A partner organisation (e.g. PT HM Sampoerna Tbk). Agreements and the rest of the
    organisation's profile come with the partnerships issue."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PartnerKind.choices, default=PartnerKind.COMPANY
    )
    description = models.TextField(_("description"), blank=True)
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
