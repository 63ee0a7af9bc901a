"""Two-factor sign-in with a TOTP authenticator app (django-otp) and single-use recovery codes.

Offered to office and partner accounts, required for office administrators. A user "has
two-factor" when they own a confirmed TOTP device; their recovery codes live on a StaticDevice
beside it. A session of such a user counts only once a code was verified in it (django-otp keeps
the verifying device's id in the session); `TwoFactorMiddleware` enforces both rules."""

import time
from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ikm_portal.core.services import activity_log

from .choices import Role

RECOVERY_CODE_COUNT = 10
# The password step of a two-step sign-in is forgotten after this many seconds.
PENDING_LOGIN_TTL = 300
PENDING_LOGIN_KEY = "_2fa_pending"


# --- Who --------------------------------------------------------------------------------------


def may_use_two_factor(user) -> bool:
    """Office and partner accounts are offered two-factor sign-in."""
    return bool(user.is_authenticated and (user.is_office or user.is_partner or user.is_superuser))


def two_factor_required(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(Role.OFFICE_ADMIN)))


def two_factor_enabled(user) -> bool:
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Enrolment --------------------------------------------------------------------------------


def totp_enrol_start(*, user) -> TOTPDevice:
    """The device being set up: reused until confirmed, so reloading the page keeps the QR."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret for typing into an app by hand, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    # A data: URI in an <img>: allowed by the CSP (img-src data:), no inline style needed.
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def totp_enrol_confirm(*, user, code: str) -> list[str] | None:
    """Confirm the device being set up with a code from the app. Returns the new recovery codes,
    or None when the code is wrong. API tokens issued before are revoked: they were obtained
    with the password alone."""
    from rest_framework.authtoken.models import Token

    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-id")
        .first()
    )
    code = normalize_code(code)
    if device is None or not code.isdigit() or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_regenerate(user=user, log=False)
    Token.objects.filter(user=user).delete()
    activity_log(target=user, action="user.two_factor_enabled", actor=user)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user, log: bool = True) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if not code.isdigit():  # all-digit input is taken for an authenticator code
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    if log:
        activity_log(target=user, action="user.recovery_codes_renewed", actor=user)
    return codes


@transaction.atomic
def two_factor_disable(*, user, actor) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    activity_log(target=user, action="user.two_factor_disabled", actor=actor)


# --- Verification -----------------------------------------------------------------------------


def normalize_code(code) -> str:
    return "".join(str(code or "").split()).replace("-", "").lower()


def two_factor_verify(*, user, code) -> TOTPDevice | StaticDevice | None:
    """The device that accepts the code (a current TOTP code, or an unused recovery code, which
    is then used up), or None. django-otp throttles each device after failures and refuses a
    TOTP code that was already used."""
    code = normalize_code(code)
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit():
            device = (
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
        else:
            device = (
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
        if device is not None and device.verify_token(code):
            return device
    return None


def axes_credentials(user) -> dict:
    return {"username": user.email.lower()}


def two_factor_locked(request, user) -> bool:
    return AxesProxyHandler.is_locked(request, axes_credentials(user))


def two_factor_failed(request, user) -> None:
    """A wrong code counts as a failed sign-in for the lock-out, like a wrong password."""
    user_login_failed.send(sender=__name__, credentials=axes_credentials(user), request=request)


# --- The two-step sign-in ---------------------------------------------------------------------


def pending_login_start(request, user, next_url: str) -> None:
    request.session[PENDING_LOGIN_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": int(time.time()),
        "next": next_url,
    }


def pending_login(request) -> dict | None:
    pending = request.session.get(PENDING_LOGIN_KEY)
    if not pending or int(time.time()) - pending.get("at", 0) > PENDING_LOGIN_TTL:
        request.session.pop(PENDING_LOGIN_KEY, None)
        return None
    return pending


def pending_login_clear(request) -> None:
    request.session.pop(PENDING_LOGIN_KEY, None)


# --- Enforcement ------------------------------------------------------------------------------

# Reachable whatever the two-factor state: signing out, the enrolment itself, language, assets.
_ALWAYS_OPEN = (
    "/accounts/logout/",
    "/accounts/login/",
    "/accounts/language/",
    "/static/",
    "/healthz",
)
_ENROLMENT = "/accounts/two-factor/setup/"


class TwoFactorMiddleware:
    """After the session middleware, auth and django-otp's OTPMiddleware:

    - a user with two-factor whose session was not verified with a code (a session opened before
      the device was set up, or by a sign-in path without the second step) is signed out;
    - an office administrator without two-factor is sent to the enrolment page and reaches
      nothing else until it is done (the API answers 403).

    Token-authenticated API calls carry no session; the token endpoint asks for the code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_ALWAYS_OPEN):
            response = self.check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request, user):
        api = request.path.startswith("/api/")
        if two_factor_enabled(user):
            if user.is_verified():
                return None
            logout(request)
            message = _("Please sign in again with your authentication code.")
            if api:
                return JsonResponse({"detail": message}, status=401)
            messages.info(request, message)
            return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
        if two_factor_required(user) and not request.path.startswith(_ENROLMENT):
            message = _("Your account needs two-factor sign-in. Set it up to continue.")
            if api:
                return JsonResponse({"detail": message, "code": "two_factor_required"}, status=403)
            messages.warning(request, message)
            return redirect(reverse("accounts:two_factor_setup"))
        return None


def session_is_verified(session) -> bool:
    return bool(session.get(DEVICE_ID_SESSION_KEY))
