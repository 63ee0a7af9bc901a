"""A new notice version: owners who acknowledged an older one are asked, once per sign-in, to
read it. Gentle, not a lock-out: "Later" lets them go on, and nothing else is blocked."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

SESSION_KEY = "privacy_reacknowledge"
# Never interrupted: the notice and consent pages themselves, signing out, the API (clients
# read /api/v1/privacy/notice/), the admin, files and health checks.
EXEMPT_PREFIXES = ("/privacy/", "/accounts/logout/", "/api/", "/admin/", "/static/", "/media/")


def flag_reacknowledgement(sender, request, user, **kwargs):
    from .selectors import needs_reacknowledgement

    if request is not None and hasattr(request, "session") and needs_reacknowledgement(user=user):
        request.session[SESSION_KEY] = True


class NoticeReacknowledgeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if (
            session is not None
            # no session cookie, no flag: anonymous pages do not touch the session (Vary)
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and session.get(SESSION_KEY)
            and request.method == "GET"
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not request.headers.get("HX-Request")
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            url = reverse("privacy:acknowledge")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
