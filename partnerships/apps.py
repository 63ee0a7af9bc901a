from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnerships")
    demo_module = "partnerships.demo"
    role_permissions = {
        "office_staff": [
            "partnerships.view_partner",
            "partnerships.add_partner",
            "partnerships.change_partner",
            "partnerships.view_partnermember",
            "partnerships.add_partnermember",
            "partnerships.change_partnermember",
            "partnerships.delete_partnermember",
        ],
        "partner_manager": [
            "partnerships.view_partner",
            "partnerships.view_partnermember",
            "partnerships.add_partnermember",
            "partnerships.delete_partnermember",
        ],
        "partner_reviewer": ["partnerships.view_partner"],
    }
