import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .extensions import dashboard_panels


def home(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return render(request, "core/home.html")


@login_required
def dashboard(request):
    return render(request, "core/dashboard.html", {"panels": dashboard_panels(request)})


def terms(request):
    return render(request, "core/terms.html")


def _may_see_full_health(request) -> bool:
    token = settings.HEALTHZ_TOKEN
    given = request.headers.get("X-Healthz-Token", "")
    if token and given and hmac.compare_digest(token.encode(), given.encode()):
        return True
    return health.can_see_operations(request.user)


@never_cache
@require_GET
def healthz(request):
    """The load balancer's probe: `database` and `broker`, 503 only when the database is down.
    `?full=1` (an office administrator, or the X-Healthz-Token header) adds migrations, workers,
    beat and queue lengths (see core/health.py)."""
    if request.GET.get("full"):
        if not _may_see_full_health(request):
            return JsonResponse(
                {"detail": "Full health needs an office administrator or X-Healthz-Token."},
                status=403,
            )
        body = health.full()
    else:
        body = health.basic()
    return JsonResponse(body, status=health.http_status(body))


@login_required
def operations(request):
    """Workers, beat, queue lengths and migrations for the office administrator."""
    if not health.can_see_operations(request.user):
        raise Http404
    return render(request, "core/operations.html", {"ops": health.operations_summary()})
