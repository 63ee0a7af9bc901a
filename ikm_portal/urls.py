from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ikm_portal.api import router
from ikm_portal.core.middleware import csp_allow_inline_styles
from ikm_portal.core.views import healthz


@csp_allow_inline_styles
def api_docs(request, *args, **kwargs):
    # Swagger UI (split view: no inline script) ships one inline <style> block.
    return SpectacularSwaggerSplitView.as_view(url_name="api-schema")(request, *args, **kwargs)


admin.site.site_header = _("IKM Portal administration")
admin.site.site_title = _("IKM Portal")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The admin's own sign-in form has no second step: everyone signs in through ours.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include((router.urls, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("accounts/", include("ikm_portal.accounts.urls")),
    path("notifications/", include("ikm_portal.notifications.urls")),
    path("data/", include("ikm_portal.datarights.urls")),
    path("privacy/", include("ikm_portal.privacy.urls")),
    path("registry/", include("registry.urls")),
    path("partners/", include("partnerships.urls")),
    path("programs/", include("training.urls")),
    path("", include("training.participation.public_urls")),
    path("", include("ikm_portal.core.urls")),
]
