"""Login throttling (django-axes) and session timeouts."""

import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses sign-in for a locked-out e-mail + IP. Every sign-in form and the token endpoint
    pass the request; calls without one (the test client's login(), shell scripts) are not
    throttled and fall through to the model backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def axes_username(request, credentials):
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("username") or request.POST.get("email")
    return (value or "").strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes, or reset your "
        "password."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


def stamp_session(sender, request, user, **kwargs):
    """At sign-in (user_logged_in): start both clocks, so requests need not write the session."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SessionTimeoutMiddleware.LOGIN_AT] = now
        request.session[SessionTimeoutMiddleware.SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT seconds without a request, and in any case
    SESSION_ABSOLUTE_TIMEOUT seconds after sign-in. Token-authenticated API calls carry no
    session and are not affected."""

    LOGIN_AT = "_auth_login_at"
    SEEN_AT = "_auth_seen_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            login_at = session.get(self.LOGIN_AT, now)
            seen_at = session.get(self.SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_TIMEOUT
            too_old = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or too_old:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Your session has expired. Please sign in again.")},
                        status=401,
                    )
                messages.info(request, _("Your session has expired. Please sign in again."))
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            if now - seen_at >= 60:
                # Written at most once a minute: no session save on every request.
                session[self.SEEN_AT] = now
        return self.get_response(request)
