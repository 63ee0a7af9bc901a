from functools import wraps

from django.conf import settings


def csp_allow_inline_styles(view):
    """For third-party pages (the API docs) that ship an inline <style> block."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        policy = {**settings.CONTENT_SECURITY_POLICY, "style-src": "'self' 'unsafe-inline'"}
        response.headers["Content-Security-Policy"] = "; ".join(
            f"{k} {v}" for k, v in policy.items()
        )
        return response

    return wrapped


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy (no inline script or style, nothing from other origins)
    and a Permissions-Policy. Pages put behaviour in static/js and styles in static/css."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = "; ".join(f"{k} {v}" for k, v in settings.CONTENT_SECURITY_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"
        )
        return response
