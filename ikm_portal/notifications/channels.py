"""Delivery channels behind one small interface.

``send(notification) -> str`` delivers one rendered row and returns the gateway's message id
(or ""). It raises ``TransientError`` for what may work later (SMTP 4xx, connection errors,
gateway 5xx and time-outs: the task retries with backoff) and ``PermanentError`` for what never
will (SMTP 5xx, gateway 4xx: the row is marked failed with the reason). A channel that is not
configured is *off*: ``enabled()`` is false and its queued rows wait, saying why."""

import json
import logging
import smtplib
import socket
import urllib.error
import urllib.request
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .choices import Channel

logger = logging.getLogger(__name__)

ERROR_MAX = 1000


class DeliveryError(Exception):
    transient = False


class TransientError(DeliveryError):
    transient = True


class PermanentError(DeliveryError):
    transient = False


class BaseChannel:
    code: str = ""
    # True when the row itself is the message: it is created as sent, nothing is delivered.
    immediate = False

    def enabled(self) -> bool:
        return True

    def disabled_reason(self) -> str:
        return ""

    def send(self, notification) -> str:
        raise NotImplementedError


class InAppChannel(BaseChannel):
    code = Channel.IN_APP
    immediate = True

    def send(self, notification) -> str:
        return ""


class EmailChannel(BaseChannel):
    """Django's e-mail backend: console by default, SMTP via EMAIL_URL."""

    code = Channel.EMAIL

    def send(self, notification) -> str:
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.address],
            headers={"Auto-Submitted": "auto-generated", "X-IKM-Notification": notification.key},
        )
        if notification.body_html:
            message.attach_alternative(notification.body_html, "text/html")
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            detail = f"SMTP refused the recipient: {exc.recipients}"
            if codes and all(400 <= code < 500 for code in codes):
                raise TransientError(detail) from exc
            raise PermanentError(detail) from exc
        except smtplib.SMTPResponseException as exc:
            detail = f"SMTP {exc.smtp_code}: {_decode(exc.smtp_error)}"
            if 400 <= exc.smtp_code < 500:
                raise TransientError(detail) from exc
            raise PermanentError(detail) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise TransientError(f"SMTP server disconnected: {exc}") from exc
        except smtplib.SMTPException as exc:
            raise PermanentError(f"SMTP error: {exc}") from exc
        except OSError as exc:  # connection refused, time-out, DNS
            raise TransientError(f"Could not reach the mail server: {exc}") from exc
        except (ValueError, UnicodeError) as exc:
            raise PermanentError(f"The message could not be built: {exc}") from exc
        return ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A gateway that redirects a POST is misconfigured; following it would turn it into a GET.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class GatewayChannel(BaseChannel):
    """A WhatsApp or SMS gateway over HTTP, set by ``<PREFIX>_API_URL``, ``<PREFIX>_API_TOKEN``,
    ``<PREFIX>_SENDER`` and ``<PREFIX>_TIMEOUT`` (seconds).

    The request is ``POST <url>`` with ``Authorization: Bearer <token>`` and the JSON body
    ``{"channel", "to", "sender", "message", "reference"}``; ``to`` is E.164 (``+628…``) and
    ``reference`` the idempotency key (also sent as the ``Idempotency-Key`` header). Any 2xx is
    success; ``id`` or ``message_id`` in a JSON answer is kept as the gateway message id."""

    setting_prefix = ""
    label = ""

    def _setting(self, name: str, default=None):
        return getattr(settings, f"{self.setting_prefix}_{name}", default)

    def enabled(self) -> bool:
        return bool(self._setting("API_URL"))

    def disabled_reason(self) -> str:
        # Like every delivery error, a technical note for the delivery log (not translated).
        return (
            f"The {self.label} gateway is not configured ({self.setting_prefix}_API_URL); "
            "the message waits until it is."
        )

    def send(self, notification) -> str:
        url = self._setting("API_URL")
        if not url:
            raise TransientError(self.disabled_reason())
        if urlsplit(url).scheme not in ("http", "https"):
            raise PermanentError(f"{self.setting_prefix}_API_URL must be an http(s) URL.")
        timeout = float(self._setting("TIMEOUT", 10))
        payload = {
            "channel": self.code,
            "to": notification.address,
            "sender": self._setting("SENDER", ""),
            "message": notification.body,
            "reference": notification.key,
        }
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "IKM-Portal/1.0",
            "Idempotency-Key": notification.key,
        }
        token = self._setting("API_TOKEN", "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=timeout) as response:
                raw = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            detail = f"{self.label} gateway answered HTTP {exc.code}: {_read_error(exc)}"
            if exc.code >= 500 or exc.code in (408, 425, 429):
                raise TransientError(detail) from exc
            raise PermanentError(detail) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise TransientError(self._timeout_message(timeout)) from exc
            raise TransientError(f"Could not reach the {self.label} gateway: {exc.reason}") from exc
        except TimeoutError as exc:  # socket.timeout is TimeoutError
            raise TransientError(self._timeout_message(timeout)) from exc
        except (HTTPException, OSError) as exc:
            raise TransientError(f"{self.label} gateway connection failed: {exc!r}") from exc
        return _message_id(raw)

    def _timeout_message(self, timeout: float) -> str:
        return f"The {self.label} gateway did not answer within {timeout:g} s."


class WhatsAppChannel(GatewayChannel):
    code = Channel.WHATSAPP
    setting_prefix = "WHATSAPP"
    label = "WhatsApp"


class SmsChannel(GatewayChannel):
    code = Channel.SMS
    setting_prefix = "SMS"
    label = "SMS"


def _decode(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _read_error(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(500).decode("utf-8", "replace").strip()
    except Exception:
        text = ""
    return text or str(exc.reason)


def _message_id(raw: bytes) -> str:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    value = data.get("id") or data.get("message_id") or ""
    return str(value)[:100]


CHANNELS: dict[str, BaseChannel] = {
    c.code: c for c in (EmailChannel(), InAppChannel(), WhatsAppChannel(), SmsChannel())
}


def get_channel(code: str) -> BaseChannel:
    return CHANNELS[code]


def enabled_channels() -> list[str]:
    return [code for code, channel in CHANNELS.items() if channel.enabled()]
