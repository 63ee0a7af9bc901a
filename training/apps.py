from django.apps import AppConfig
from django.db import models
from django.utils.translation import gettext_lazy as _

from .selection.setup import install as install_selection

_PROGRAM_MODELS = ["program", "track", "stage", "eligibilityrules", "question"]


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training programmes")
    demo_module = ["training.demo", "training.selection.demo", "training.participation.demo"]
    role_permissions = {
        "office_staff": [
            *(
                f"training.{verb}_{m}"
                for m in _PROGRAM_MODELS
                for verb in ("view", "add", "change")
            ),
            "training.view_application",
            "training.change_application",
            "training.view_answer",
            "training.view_trackchoice",
            "training.view_personaldataaccess",
        ],
        "partner_manager": [
            *(f"training.view_{m}" for m in _PROGRAM_MODELS),
            "training.view_application",
            "training.view_answer",
        ],
        "partner_reviewer": [
            *(f"training.view_{m}" for m in _PROGRAM_MODELS),
            "training.view_application",
            "training.view_answer",
        ],
        "ikm_owner": [
            *(f"training.view_{m}" for m in _PROGRAM_MODELS),
            "training.view_application",
            "training.add_application",
            "training.change_application",
        ],
    }

    notification_templates = {
        "application_submitted": {"label": _("Application submitted")},
        "application_eligible": {"mandatory": True, "label": _("Application eligible")},
        "application_ineligible": {"mandatory": True, "label": _("Application not eligible")},
        "application_in_review": {"label": _("Application in review")},
        "application_selected": {"mandatory": True, "label": _("Application selected")},
        "application_waitlisted": {"mandatory": True, "label": _("Application waitlisted")},
        "application_not_selected": {"mandatory": True, "label": _("Application not selected")},
        "application_accepted": {"label": _("Seat accepted")},
        "application_declined": {"label": _("Seat declined")},
        "application_withdrawn": {"mandatory": True, "label": _("Application withdrawn")},
        "program_cancelled": {"mandatory": True, "label": _("Programme cancelled")},
    }

    def staff_digest_items(self):
        from django.urls import reverse

        from .choices import ApplicationStatus
        from .models import Application

        counts = dict(
            Application.objects.filter(
                status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE]
            )
            .values_list("status")
            .annotate(n=models.Count("id"))
            .values_list("status", "n")
        )
        base = reverse("training:program_list")
        return [
            (_("Submitted applications still to screen"), counts.get("submitted", 0), base),
            (_("Eligible applications waiting for the review"), counts.get("eligible", 0), base),
        ]

    # --- Personal data (ikm_portal/datarights hooks; training/privacy.py) ---
    def personal_data_export(self, user):
        from .privacy import personal_data_export

        return personal_data_export(user)

    def personal_data_holds(self, user):
        from .privacy import personal_data_holds

        return personal_data_holds(user)

    def personal_data_erase(self, user, *, actor, holds):
        from .privacy import personal_data_erase

        return personal_data_erase(user, actor=actor, holds=holds)

    def personal_data_retention(self, *, cutoff):
        from .privacy import personal_data_retention

        return personal_data_retention(cutoff=cutoff)

    def consent_changed(self, *, consent, given: bool, actor):
        """A sharing consent withdrawn on My consents: the applications stop sharing."""
        from ikm_portal.privacy.choices import Purpose

        prefix = "training.program:"
        if given or consent.purpose != Purpose.PARTNER_SHARING:
            return
        if not consent.scope_key.startswith(prefix):
            return
        from .services import applications_consent_withdrawn

        applications_consent_withdrawn(
            user=consent.user, program_id=int(consent.scope_key.removeprefix(prefix)), actor=actor
        )

    def ready(self):
        from ikm_portal.api import router

        from .api.views import ApplicationViewSet, ProgramViewSet

        router.register("programs", ProgramViewSet, basename="program")
        router.register("applications", ApplicationViewSet, basename="application")
        from .participation.hooks import register

        register(self, router)  # participation: API routes, notification keys, beat, hooks
        install_selection(self)  # review and selection (issue 6)

    def nav_items(self, user):
        from django.urls import reverse

        from ikm_portal.core.extensions import NavItem
        from partnerships.permissions import is_office, membership_of

        items = [NavItem(_("Programmes"), reverse("training:program_list"), order=30)]
        if user is None or not user.is_authenticated:
            return items
        if membership_of(user) is not None:
            items.append(NavItem(_("Partner home"), reverse("training:partner_home"), order=31))
        elif not is_office(user) and user.is_owner:
            items.append(
                NavItem(_("My applications"), reverse("training:my_applications"), order=31)
            )
        return items

    def dashboard_panels(self, request):
        from ikm_portal.core.extensions import Panel
        from partnerships.permissions import is_office, membership_of

        from . import selectors
        from .choices import ApplicationStatus, ProgramStatus

        user = request.user
        if is_office(user):
            programs = selectors.program_list(user=user)
            waiting = selectors.application_list(user=user).filter(
                status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE]
            )
            return [
                Panel(
                    "training/panels/office.html",
                    {
                        "open_count": programs.filter(status=ProgramStatus.OPEN).count(),
                        "draft_count": programs.filter(status=ProgramStatus.DRAFT).count(),
                        "waiting_count": waiting.count(),
                    },
                    order=20,
                )
            ]
        if membership_of(user) is not None:
            home = selectors.partner_home(user=user)
            return [Panel("training/panels/partner.html", home, order=20)]
        if user.is_owner:
            return [
                Panel(
                    "training/panels/owner.html",
                    {
                        "open_programs": list(
                            selectors.program_open_for_applications(user=user)[:3]
                        ),
                        "applications": list(
                            selectors.application_list(user=user)
                            .filter(enterprise__owner=user)
                            .order_by("-created_at")[:5]
                        ),
                    },
                    order=20,
                )
            ]
        return []
