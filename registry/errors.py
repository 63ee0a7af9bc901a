from django.utils.translation import gettext_lazy as _

from ikm_portal.core.exceptions import ApplicationError, Conflict


class NotEditable(ApplicationError):
    status_code = 409
    code = "not_editable"
    default_message = _(
        "This business can no longer be changed directly. "
        "For a verified business, propose a change request."
    )


class DuplicateRefused(Conflict):
    code = "duplicate"
    default_message = _("This business is already registered.")


class ImportFileError(ApplicationError):
    code = "invalid_file"
    default_message = _("The file cannot be read.")
