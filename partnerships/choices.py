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
