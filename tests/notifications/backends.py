"""An e-mail backend that raises the SMTP errors queued in FAILURES, then behaves like locmem.

Not a mock of the database or the broker: it stands in for an SMTP server's answers."""

from django.core.mail.backends.locmem import EmailBackend

FAILURES: list[Exception] = []


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        if FAILURES:
            raise FAILURES.pop(0)
        return super().send_messages(messages)
