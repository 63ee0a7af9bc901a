"""Wiring of review and selection into the ``training`` app, called once from
``TrainingConfig.ready()``: API routes on the platform's router, notification templates, the
admin and tasks modules, role permissions, navigation items and dashboard panels.

The selection lives in a subpackage of ``training`` (its models are training models), so it
adds to the training AppConfig instead of being an app of its own."""

from django.utils.translation import gettext_lazy as _

NOTIFICATION_TEMPLATES = {
    "selection_selected": {"mandatory": True, "label": _("Selection: selected")},
    "selection_waitlisted": {"mandatory": True, "label": _("Selection: waitlisted")},
    "selection_not_selected": {"mandatory": True, "label": _("Selection: not selected")},
    "selection_promoted": {"mandatory": True, "label": _("Selection: offered from the waitlist")},
    "selection_lapsed": {"mandatory": True, "label": _("Selection: offer lapsed")},
    "selection_review_assigned": {"label": _("Review: applications assigned")},
    "selection_review_reminder": {"label": _("Review: reminder before the deadline")},
}

_MODELS = [
    "stagesettings",
    "criterion",
    "review",
    "reviewerconflict",
    "selectionadjustment",
    "selectionrun",
    "stagedecision",
]
ROLE_PERMISSIONS = {
    "office_staff": [f"training.{verb}_{m}" for m in _MODELS for verb in ("view", "change")]
    + ["training.add_criterion", "training.add_review", "training.add_reviewerconflict"],
    "partner_manager": [f"training.view_{m}" for m in ("criterion", "review", "stagesettings")],
    "partner_reviewer": ["training.view_criterion", "training.view_review"],
}


def install(config) -> None:
    from ikm_portal.api import router
    from ikm_portal.notifications.catalog import register_template

    from . import admin, tasks  # noqa: F401  (register the admin and the Celery tasks)
    from .api.routes import register

    register(router)
    for key, options in NOTIFICATION_TEMPLATES.items():
        register_template(key, **options)
    permissions = {role: list(perms) for role, perms in config.role_permissions.items()}
    for role, perms in ROLE_PERMISSIONS.items():
        permissions.setdefault(role, []).extend(perms)
    config.role_permissions = permissions
    base_nav, base_panels = config.nav_items, config.dashboard_panels

    def nav_items(user):
        return [*base_nav(user), *selection_nav_items(user)]

    def dashboard_panels(request):
        return [*base_panels(request), *selection_panels(request)]

    config.nav_items = nav_items
    config.dashboard_panels = dashboard_panels


def selection_nav_items(user) -> list:
    from django.urls import reverse

    from ikm_portal.core.extensions import NavItem
    from partnerships.permissions import is_office, membership_of

    if user is None or not user.is_authenticated:
        return []
    items = []
    if is_office(user) or membership_of(user) is not None:
        items.append(NavItem(_("Selection"), reverse("training:selection_home"), order=32))
        items.append(NavItem(_("My reviews"), reverse("training:review_queue"), order=33))
    elif user.is_owner:
        items.append(NavItem(_("Selection results"), reverse("training:selection_mine"), order=32))
    return items


def selection_panels(request) -> list:
    from ikm_portal.core.extensions import Panel
    from partnerships.permissions import is_office, membership_of

    from . import selectors

    user = request.user
    if not user.is_authenticated:
        return []
    if is_office(user) or membership_of(user) is not None:
        queue = list(selectors.reviewer_queue(user=user)[:5])
        if not queue:
            return []
        return [
            Panel(
                "training/selection/panels/reviewer.html",
                {"queue": queue, "outstanding": selectors.reviewer_queue(user=user).count()},
                order=21,
            )
        ]
    if user.is_owner:
        offers = list(selectors.open_offers(user=user))
        if not offers:
            return []
        return [Panel("training/selection/panels/offers.html", {"offers": offers}, order=19)]
    return []
