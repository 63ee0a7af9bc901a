from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """Why the office processes an owner's data (UU 27/2022). The register runs on the
    public-service basis: the owner acknowledges the notice. Sharing with a partner and the
    office's news run on consent, per purpose, withdrawable at any time."""

    REGISTRY = "registry", _("The IKM register as a public service")
    PARTNER_SHARING = "partner_sharing", _("Sharing with a partner company for a programme")
    NEWS = "news", _("News from the office")


# Purposes whose consent the owner may withdraw. The register is kept under the office's legal
# duty, not on consent: the owner asks for correction or erasure instead (data-subject rights).
WITHDRAWABLE_PURPOSES = frozenset({Purpose.PARTNER_SHARING, Purpose.NEWS})
# Purposes with a scope (the programme a sharing consent is for).
SCOPED_PURPOSES = frozenset({Purpose.PARTNER_SHARING})


class ConsentContext(models.TextChoices):
    """Where the consent was given or withdrawn."""

    SIGNUP = "signup", _("Sign-up")
    REGISTRATION = "registration", _("Business registration")
    APPLICATION = "application", _("Programme application")
    CONSENTS_PAGE = "consents_page", _("My consents")
    NOTICE_UPDATE = "notice_update", _("New privacy notice acknowledged")
    INVITATION = "invitation", _("Partner invitation")
    DEMO = "demo", _("Demo data")


class ConsentChannel(models.TextChoices):
    """How: on the site, through the API, or by the office on the owner's behalf (a signed form
    kept at the office)."""

    PAGE = "page", _("Web page")
    API = "api", _("API")
    OFFICE = "office", _("By the office on the owner's behalf")
