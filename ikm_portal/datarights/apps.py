from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatarightsConfig(AppConfig):
    """Personal data under UU 27/2022: the access log, data-subject requests, retention.

    Domain apps contribute through the hooks in ``extensions.py`` (export, holds, erase,
    retention) and write the log through ``services.access_log_record``."""

    name = "ikm_portal.datarights"
    label = "datarights"
    verbose_name = _("Personal data")
    role_permissions = {
        "office_staff": [
            "datarights.view_accesslog",
            "datarights.view_datarequest",
            "datarights.change_datarequest",
        ],
    }
    notification_templates = {
        "datarights_request_answered": {"mandatory": True, "label": _("Data request answered")},
        "datarights_request_due": {"label": _("Data request deadline near")},
    }

    def ready(self):
        from ikm_portal.api import router

        from .api.views import (
            AccessLogViewSet,
            DataRequestViewSet,
            MyDataExportView,
            WhoSawMyDataView,
        )

        router.register_view("my-data/export", MyDataExportView, name="my-data-export")
        router.register_view("my-data/access-log", WhoSawMyDataView, name="my-data-access-log")
        router.register("personal-data-access", AccessLogViewSet, basename="personal-data-access")
        router.register("data-requests", DataRequestViewSet, basename="data-request")

    def nav_items(self, user):
        from django.urls import reverse

        from ikm_portal.core.extensions import NavItem

        from .permissions import can_see_requests, is_data_subject

        if can_see_requests(user):
            return [NavItem(_("Data requests"), reverse("datarights:requests"), order=85)]
        if is_data_subject(user):
            return [NavItem(_("My data"), reverse("datarights:mine"), order=95)]
        return []

    def dashboard_panels(self, request):
        from ikm_portal.core.extensions import Panel

        from .permissions import can_see_requests, is_data_subject
        from .selectors import data_request_counts

        user = request.user
        if can_see_requests(user):
            return [Panel("datarights/panels/office.html", data_request_counts(), order=85)]
        if is_data_subject(user) and user.is_owner:
            return [Panel("datarights/panels/owner.html", {}, order=95)]
        return []

    def staff_digest_items(self):
        from django.urls import reverse

        from .selectors import data_request_counts

        counts = data_request_counts()
        url = reverse("datarights:requests")
        return [
            (_("Data requests to answer (3×24 hours)"), counts["open"], url),
            (_("Data requests past their deadline"), counts["overdue"], url),
        ]
