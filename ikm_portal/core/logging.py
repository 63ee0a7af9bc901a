"""Structured logs: one JSON object per line (LOG_FORMAT=json) or a plain line (LOG_FORMAT=plain),
each carrying the request id and the user id of the request (or Celery task) that wrote it.

Personal data stays out of the logs: every message and every extra string passes through
``scrub()``, which masks NIKs (16-digit numbers) whatever the logger or the format. The user is
logged by id only, never by name, e-mail or phone.

- ``RequestIdMiddleware`` (first in MIDDLEWARE) takes a sane ``X-Request-ID`` from the proxy or
  makes one, answers it in the ``X-Request-ID`` response header, and writes one access line per
  request (method, path without the query string, status, duration, user id).
- The Celery signal handlers in ``connect_celery_signals()`` carry the request id of the web
  request that queued a task into the task's own log lines (a message header), so one id follows
  a sign-up from the page to the e-mail sent by the worker.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_id_var: contextvars.ContextVar[int | str | None] = contextvars.ContextVar(
    "user_id", default=None
)

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
TASK_HEADER = "ikm_request_id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# A NIK is 16 digits; mask any run of exactly 16 digits, also with the single spaces, dots or
# dashes people type between groups ("3573 0112 0390 0001"). Longer runs are not NIKs; phone
# numbers (at most 13 digits) never match.
_NIK = re.compile(r"(?<![\w.])(?:\d[ .-]?){15}\d(?!\w)")
NIK_MASK = "[NIK]"

access_logger = logging.getLogger("ikm_portal.request")

# LogRecord attributes that are not "extra" fields.
_RESERVED = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "request_id", "user_id"}
)


def scrub(value):
    """Mask NIKs in a string (other values are returned unchanged)."""
    if isinstance(value, str):
        return _NIK.sub(NIK_MASK, value)
    return value


def new_request_id() -> str:
    return uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` to every record and masks NIKs in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or None
        if getattr(record, "user_id", None) is None:
            record.user_id = user_id_var.get()
        # Render the message once and scrub it; args are cleared so no formatter renders the
        # unscrubbed arguments again.
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    user_id, the record's extra fields, and the exception text if any."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or request_id_var.get() or None,
            "user_id": getattr(record, "user_id", None),
        }
        for key, value in record.__dict__.items():
            if key in _RESERVED or key.startswith("_") or key in payload:
                continue
            payload[key] = scrub(value) if isinstance(value, str) else _jsonable(value)
        if record.exc_info:
            payload["exception"] = scrub(self.formatException(record.exc_info))
        if record.stack_info:
            payload["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    default_format = (
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"
    )

    def __init__(self, fmt=None, *args, **kwargs):
        super().__init__(fmt or self.default_format, *args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)  # leave the shared record as it is
        record.request_id = getattr(record, "request_id", None) or request_id_var.get() or "-"
        if not hasattr(record, "user_id"):
            record.user_id = user_id_var.get()
        return scrub(super().format(record))


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [scrub(v) if isinstance(v, str) else _jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): scrub(v) if isinstance(v, str) else _jsonable(v) for k, v in value.items()}
    return scrub(str(value))


def logging_config(*, log_format: str = "plain", level: str = "INFO") -> dict:
    """The LOGGING dict for settings: one console handler, the chosen format, the context filter
    on the handler so that every logger (Django's, Celery's, gunicorn's) is covered."""
    if log_format not in {"json", "plain"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'plain', not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "ikm_portal.core.logging.ContextFilter"}},
        "formatters": {
            "json": {"()": "ikm_portal.core.logging.JsonFormatter"},
            "plain": {"()": "ikm_portal.core.logging.PlainFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Our access line replaces Django's own request logging of 4xx.
            "django.request": {"level": "ERROR"},
            "ikm_portal.request": {"level": "INFO"},
        },
    }


class RequestIdMiddleware:
    """Put first in MIDDLEWARE. Sets the request id (from a sane ``X-Request-ID`` header or a
    new one), records the user id once authentication has run, and logs one access line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        rid_token = request_id_var.set(request_id)
        uid_token = user_id_var.set(None)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            # The user may have logged in or out during the request.
            self._set_user(request)
            response["X-Request-ID"] = request_id
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(rid_token)
            user_id_var.reset(uid_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Runs after AuthenticationMiddleware: the view's own log lines carry the user id.
        self._set_user(request)
        return None

    @staticmethod
    def _set_user(request):
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            user_id_var.set(user.pk)
        else:
            user_id_var.set(None)


# --- Celery: the request id travels with the task -------------------------------------------


def _before_task_publish(headers=None, **kwargs):
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _task_prerun(task=None, task_id=None, **kwargs):
    request = getattr(task, "request", None)
    origin = getattr(request, TASK_HEADER, None) if request is not None else None
    if origin is None and request is not None:
        origin = (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    request_id_var.set(origin or task_id or "")
    user_id_var.set(None)


def _task_postrun(**kwargs):
    request_id_var.set("")
    user_id_var.set(None)


def connect_celery_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(_before_task_publish, dispatch_uid="ikm.log.publish")
    signals.task_prerun.connect(_task_prerun, dispatch_uid="ikm.log.prerun")
    signals.task_postrun.connect(_task_postrun, dispatch_uid="ikm.log.postrun")
