"""Rotating QR check-in codes. A code is an HMAC of the session and the current time step
(PARTICIPATION_QR_STEP_SECONDS, a minute by default), keyed with the site's SECRET_KEY and the
session's own secret, so it cannot be forged, changes every step and tells its age.

The QR image carries a token `<step>-<mac>` in the check-in link, so an old code is told apart
from a forged one; the short code shown under the image (for typing when a camera fails) is the
mac alone and is checked against the current and the previous step."""

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .choices import CheckinResult

SALT = "training.participation.checkin"
CODE_LENGTH = 8


def step_seconds() -> int:
    return int(getattr(settings, "PARTICIPATION_QR_STEP_SECONDS", 60))


def grace_steps() -> int:
    # The previous step is still accepted: a code scanned as it changes must not fail.
    return int(getattr(settings, "PARTICIPATION_QR_GRACE_STEPS", 1))


def early_minutes() -> int:
    return int(getattr(settings, "PARTICIPATION_CHECKIN_EARLY_MINUTES", 30))


def late_after_minutes() -> int:
    return int(getattr(settings, "PARTICIPATION_LATE_AFTER_MINUTES", 15))


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // step_seconds()


def _mac(session, step: int) -> str:
    digest = salted_hmac(
        SALT,
        f"{session.pk}:{step}",
        secret=f"{settings.SECRET_KEY}:{session.qr_secret}",
        algorithm="sha256",
    ).digest()
    return base64.b32encode(digest[:5]).decode("ascii")[:CODE_LENGTH]


def code_for(session, moment: datetime | None = None) -> str:
    return _mac(session, step_at(moment or timezone.now()))


def token_for(session, moment: datetime | None = None) -> str:
    step = step_at(moment or timezone.now())
    return f"{step}-{_mac(session, step)}"


def seconds_left(moment: datetime | None = None) -> int:
    moment = moment or timezone.now()
    return step_seconds() - int(moment.timestamp()) % step_seconds()


def checkin_window(session) -> tuple[datetime, datetime]:
    return session.starts_at - timedelta(minutes=early_minutes()), session.ends_at


def is_open(session, moment: datetime) -> bool:
    opens, closes = checkin_window(session)
    return session.cancelled_at is None and opens <= moment <= closes


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@dataclass(frozen=True)
class Verdict:
    ok: bool
    result: str = ""


def verify(session, *, token: str = "", code: str = "", moment: datetime | None = None) -> Verdict:
    """Check a token from the QR link (`<step>-<mac>`) or a typed short code."""
    moment = moment or timezone.now()
    now_step = step_at(moment)
    if token:
        step_text, _sep, mac = (token or "").strip().partition("-")
        if not step_text.isdigit() or not mac:
            return Verdict(False, CheckinResult.FORGED)
        step = int(step_text)
        if not constant_time_compare(_mac(session, step), normalise(mac)):
            return Verdict(False, CheckinResult.FORGED)
        if step > now_step:
            return Verdict(False, CheckinResult.FORGED)
        if step < now_step - grace_steps():
            return Verdict(False, CheckinResult.EXPIRED)
    else:
        typed = normalise(code)
        if not typed:
            return Verdict(False, CheckinResult.FORGED)
        if not any(
            constant_time_compare(_mac(session, now_step - back), typed)
            for back in range(grace_steps() + 1)
        ):
            return Verdict(False, CheckinResult.FORGED)
    if not is_open(session, moment):
        return Verdict(False, CheckinResult.OUTSIDE)
    return Verdict(True)
