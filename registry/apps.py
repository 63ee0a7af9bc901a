from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

STAFF_PERMISSIONS = [
    "registry.view_enterprise",
    "registry.add_enterprise",
    "registry.change_enterprise",
    "registry.verify_enterprise",
    "registry.import_enterprise",
    "registry.export_enterprise",
    "registry.merge_enterprise",
    "registry.view_product",
    "registry.view_certification",
    "registry.view_fieldchange",
    "registry.view_region",
    "registry.view_kbli",
    "registry.view_sentra",
    "registry.add_sentra",
    "registry.change_sentra",
    "registry.view_changerequest",
    "registry.change_changerequest",
    "registry.view_enterpriseclaim",
    "registry.change_enterpriseclaim",
    "registry.view_duplicateflag",
    "registry.change_duplicateflag",
    "registry.view_facilitationrecord",
    "registry.add_facilitationrecord",
    "registry.change_facilitationrecord",
    "registry.view_document",
    "registry.add_document",
    "registry.delete_document",
    "registry.view_importjob",
    "registry.add_importjob",
]


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("IKM registry")
    demo_module = "registry.demo"
    # office_admin holds every permission, `registry.unmask_nik` included: they may unmask a
    # NIK with a reason (logged); nobody but the owner sees it unasked (registry/permissions.py).
    role_permissions = {"office_staff": STAFF_PERMISSIONS}
    # Messages to owners (registry/templates/notifications/<key>/); decisions are mandatory.
    notification_templates = {
        "enterprise_verified": {"mandatory": True, "label": _("Business verified")},
        "enterprise_needs_revision": {"mandatory": True, "label": _("Business needs revision")},
        "enterprise_rejected": {"mandatory": True, "label": _("Business rejected")},
        "enterprise_archived": {"mandatory": True, "label": _("Business archived")},
        "enterprise_change_approved": {"mandatory": True, "label": _("Change request approved")},
        "enterprise_change_refused": {"mandatory": True, "label": _("Change request refused")},
    }

    def ready(self):
        from ikm_portal.api import router

        from .api.views import (
            EnterpriseExportView,
            EnterpriseImportView,
            EnterpriseViewSet,
            ImportJobViewSet,
            KbliViewSet,
            RegionViewSet,
        )

        router.register_view("enterprises/export", EnterpriseExportView, name="enterprise-export")
        router.register_view("enterprises/import", EnterpriseImportView, name="enterprise-import")
        router.register("enterprises/imports", ImportJobViewSet, basename="import-job")
        router.register("enterprises", EnterpriseViewSet, basename="enterprise")
        router.register("regions", RegionViewSet, basename="region")
        router.register("kbli", KbliViewSet, basename="kbli")

    def nav_items(self, user):
        from django.urls import reverse

        from ikm_portal.core.extensions import NavItem

        from .permissions import is_office, may_use_registry

        if not may_use_registry(user):
            return []
        if is_office(user):
            return [
                NavItem(_("Verification queue"), reverse("registry:queue"), order=10),
                NavItem(_("IKM register"), reverse("registry:list"), order=11),
            ]
        return [NavItem(_("My businesses"), reverse("registry:mine"), order=10)]

    # --- Personal data (ikm_portal/datarights hooks; registry/services/privacy.py) ---
    def personal_data_export(self, user):
        from .services.privacy import personal_data_export

        return personal_data_export(user)

    def personal_data_erase(self, user, *, actor, holds):
        from .services.privacy import personal_data_erase

        return personal_data_erase(user, actor=actor, holds=holds)

    def personal_data_retention(self, *, cutoff):
        from .services.privacy import personal_data_retention

        return personal_data_retention(cutoff=cutoff)

    def staff_digest_items(self):
        """What waits for the office, for the daily staff digest (notifications)."""
        from django.urls import reverse

        from . import selectors

        counts = selectors.waiting_counts()
        return [
            (
                _("Registrations waiting for verification"),
                counts["submitted"],
                reverse("registry:queue"),
            ),
            (
                _("Change requests to decide"),
                counts["change_requests"],
                reverse("registry:change_requests"),
            ),
            (_("Claims of businesses to confirm"), counts["claims"], reverse("registry:claims")),
            (
                _("Possible duplicates to check"),
                counts["duplicates"],
                reverse("registry:duplicates"),
            ),
        ]

    def dashboard_panels(self, request):
        from ikm_portal.core.extensions import Panel

        from . import selectors
        from .permissions import is_office, may_use_registry

        user = request.user
        if not may_use_registry(user):
            return []
        if is_office(user):
            return [
                Panel(
                    "registry/panels/office.html",
                    {"counts": selectors.waiting_counts()},
                    order=10,
                )
            ]
        return [
            Panel(
                "registry/panels/owner.html",
                {"enterprises": list(selectors.owner_enterprises(user=user)[:5])},
                order=10,
            )
        ]
