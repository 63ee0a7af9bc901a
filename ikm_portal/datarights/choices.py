from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    """What was done with someone's personal data (UU 27/2022: who, whose, when, why)."""

    PARTNER_VIEW = "partner_view", _("Viewed by a partner")
    UNMASK = "unmask", _("NIK unmasked")
    EXPORT = "export", _("Exported")


class AccessChannel(models.TextChoices):
    PAGE_LIST = "page_list", _("Page: list")
    PAGE_DETAIL = "page_detail", _("Page: detail")
    API_LIST = "api_list", _("API: list")
    API_DETAIL = "api_detail", _("API: detail")
    FILE = "file", _("File")
    EXPORT = "export", _("Export")


class RequestKind(models.TextChoices):
    CORRECTION = "correction", _("Correction")
    ERASURE = "erasure", _("Erasure")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


S = RequestStatus

# from → the statuses it may go to. A request is answered once: done and refused are final.
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.DONE, S.REFUSED}),
    S.IN_PROGRESS: frozenset({S.DONE, S.REFUSED}),
    S.DONE: frozenset(),
    S.REFUSED: frozenset(),
}
OPEN_STATUSES = frozenset({S.OPEN, S.IN_PROGRESS})
