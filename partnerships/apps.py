from datetime import timedelta

from django.apps import AppConfig
from django.utils import timezone
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
            "partnerships.view_agreement",
            "partnerships.add_agreement",
            "partnerships.change_agreement",
            "partnerships.view_partnerinvitation",
            "partnerships.add_partnerinvitation",
            "partnerships.change_partnerinvitation",
        ],
        "partner_manager": [
            "partnerships.view_partner",
            "partnerships.view_partnermember",
            "partnerships.add_partnermember",
            "partnerships.delete_partnermember",
            "partnerships.view_agreement",
            "partnerships.view_partnerinvitation",
            "partnerships.add_partnerinvitation",
            "partnerships.change_partnerinvitation",
        ],
        "partner_reviewer": ["partnerships.view_partner", "partnerships.view_agreement"],
    }

    notification_templates = {
        "agreement_expiring": {"label": _("Agreement about to end")},
        # The message carries a single-use sign-up link: hidden in the delivery log.
        "partner_invitation": {
            "mandatory": True,
            "sensitive": True,
            "label": _("Invitation to a partner"),
        },
    }

    def staff_digest_items(self):
        from django.urls import reverse

        from .choices import AGREEMENT_REMINDER_DAYS, AgreementStatus
        from .models import Agreement

        today = timezone.localdate()
        ending = Agreement.objects.filter(
            status=AgreementStatus.ACTIVE,
            valid_to__gte=today,
            valid_to__lte=today + timedelta(days=AGREEMENT_REMINDER_DAYS),
        ).count()
        url = reverse("partnerships:agreement_list") + "?expiring=true"
        return [(_("Agreements ending within 30 days"), ending, url)]

    def ready(self):
        from ikm_portal.api import router

        from .api.views import AgreementViewSet, PartnerViewSet

        router.register("partners", PartnerViewSet, basename="partner")
        router.register("agreements", AgreementViewSet, basename="agreement")

    def nav_items(self, user):
        from django.urls import reverse

        from ikm_portal.core.extensions import NavItem

        from .permissions import can_manage_partners, membership_of

        if can_manage_partners(user):
            # Agreements are one click away from the partners page (the navbar stays short).
            return [NavItem(_("Partners"), reverse("partnerships:partner_list"), order=40)]
        membership = membership_of(user)
        if membership is not None:
            items = [
                NavItem(
                    _("Organisation"),
                    reverse("partnerships:partner_detail", args=[membership.partner_id]),
                    order=40,
                )
            ]
            if membership.is_manager:
                items.append(
                    NavItem(
                        _("Members"),
                        reverse("partnerships:partner_members", args=[membership.partner_id]),
                        order=41,
                    )
                )
            return items
        return []

    def dashboard_panels(self, request):
        from ikm_portal.core.extensions import Panel

        from . import selectors
        from .permissions import can_manage_partners, membership_of

        user = request.user
        if can_manage_partners(user):
            expiring = list(selectors.agreements_expiring(user=user)[:5])
            return [
                Panel(
                    "partnerships/panels/office.html",
                    {
                        "expiring": expiring,
                        "partner_count": selectors.partner_list(user=user)
                        .filter(active=True)
                        .count(),
                    },
                    order=40,
                )
            ]
        membership = membership_of(user)
        if membership is not None and membership.is_manager:
            partner = membership.partner
            return [
                Panel(
                    "partnerships/panels/manager.html",
                    {
                        "partner": partner,
                        "member_count": selectors.member_list(user=user, partner=partner).count(),
                        "pending_invitations": selectors.pending_invitation_count(
                            user=user, partner=partner
                        ),
                        "expiring": list(selectors.agreements_expiring(user=user)[:3]),
                    },
                    order=40,
                )
            ]
        return []
