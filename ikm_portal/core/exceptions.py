"""Errors that services raise. One DRF exception handler turns them into 400/409 responses and
HTML views show the same (translated) message."""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status_code = 400
    default_message = _("The request could not be completed.")
    code = "invalid"

    def __init__(self, message=None, *, field_errors: dict | None = None, code: str | None = None):
        self.message = message or self.default_message
        self.field_errors = field_errors or {}
        if code:
            self.code = code
        super().__init__(str(self.message))


class InvalidTransition(ApplicationError):
    status_code = 409
    code = "invalid_transition"
    default_message = _("This change of status is not allowed.")


class NotEligible(ApplicationError):
    code = "not_eligible"
    default_message = _("Not eligible.")


class CapacityFull(ApplicationError):
    status_code = 409
    code = "capacity_full"
    default_message = _("No seats are left.")


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"
    default_message = _("This conflicts with an existing record.")
