from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    COMPANY = "perusahaan", _("Company / CSR")
    BUMN = "bumn", _("State-owned enterprise (BUMN)")
    UNIVERSITY = "universitas", _("University")
    NGO = "lsm", _("Non-governmental organisation (LSM)")
    GOVERNMENT = "pemerintah", _("Government")
    OTHER = "lainnya", _("Other")


class MemberRole(models.TextChoices):
    MANAGER = "partner_manager", _("Partner manager")
    REVIEWER = "partner_reviewer", _("Partner reviewer")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


# The agreement's state machine. An expired agreement becomes active again only when its end
# date has been moved forward (a renewal); a terminated one stays terminated.
AGREEMENT_TRANSITIONS: dict[str, set[str]] = {
    AgreementStatus.DRAFT: {AgreementStatus.ACTIVE, AgreementStatus.TERMINATED},
    AgreementStatus.ACTIVE: {AgreementStatus.EXPIRED, AgreementStatus.TERMINATED},
    AgreementStatus.EXPIRED: {AgreementStatus.ACTIVE, AgreementStatus.TERMINATED},
    AgreementStatus.TERMINATED: set(),
}


class InvitationStatus(models.TextChoices):
    """Derived from the invitation's timestamps, never stored."""

    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


# Days before an agreement's end on which the office is reminded.
AGREEMENT_REMINDER_DAYS = 30
# Days an invitation link stays valid.
INVITATION_VALID_DAYS = 7
# Upload size limits: settings.UPLOAD_MAX_MB (ikm_portal/core/uploads.py).
