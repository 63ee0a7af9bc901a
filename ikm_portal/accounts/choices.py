from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("Office administrator")
    OFFICE_STAFF = "office_staff", _("Office staff")
    IKM_OWNER = "ikm_owner", _("IKM owner")
    PARTNER_MANAGER = "partner_manager", _("Partner manager")
    PARTNER_REVIEWER = "partner_reviewer", _("Partner reviewer")


OFFICE_ROLES = {Role.OFFICE_ADMIN, Role.OFFICE_STAFF}
PARTNER_ROLES = {Role.PARTNER_MANAGER, Role.PARTNER_REVIEWER}


class Language(models.TextChoices):
    ID = "id", "Bahasa Indonesia"
    EN = "en", "English"
