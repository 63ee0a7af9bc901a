"""Optional error reporting to Sentry (or a compatible server such as GlitchTip).

Enabled only when SENTRY_DSN is set; needs the ``sentry`` extra (``pip install
".[sentry]"``). Personal data never leaves the server: no default PII, no request bodies,
cookies, query strings or local variables, the user reduced to their id, and every string of
the event passed through ``scrub_text`` (NIK, e-mail addresses, phone numbers masked).
"""

from __future__ import annotations

import re

from .logging import NIK_MASK, request_id_var, scrub

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Indonesian mobile and landline numbers as people type them: +62…, 62…, 08…, 0341…
_PHONE = re.compile(r"(?<![\w])(?:\+?62|0)[\d][\d\s.-]{6,14}\d(?!\d)")
_SAFE_HEADERS = {"user-agent", "content-type", "content-length", "x-request-id", "accept"}


def scrub_text(value: str) -> str:
    value = scrub(value)
    value = _EMAIL.sub("[email]", value)
    return _PHONE.sub("[phone]", value)


def _scrub(value):
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's ``before_send`` (and ``before_send_transaction``)."""
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if user.get("id") is not None else {}
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in _SAFE_HEADERS}
    for exception in (event.get("exception") or {}).get("values", []) or []:
        for frame in (exception.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return _scrub(event)


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return _scrub(crumb)


def init_sentry(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            'SENTRY_DSN is set but sentry-sdk is not installed: pip install ".[sentry]"'
        ) from exc
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )


__all__ = ["NIK_MASK", "init_sentry", "scrub_breadcrumb", "scrub_event", "scrub_text"]
