"""Wiring of participation into the training app, called once from TrainingConfig.ready():
API routes, notification templates, beat entries, and the app's navigation, dashboard panels
and role permissions (added to the training AppConfig, which owns those hooks)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

NOTIFICATION_TEMPLATES = {
    "participation_outcome_request": {"label": _("Outcome survey: please answer")},
    "participation_outcome_reminder": {"label": _("Outcome survey: reminder")},
    "participation_certificate_issued": {
        "mandatory": True,
        "label": _("Certificate issued"),
    },
    "participation_status_changed": {
        "mandatory": True,
        "label": _("Participation paused, ended or resumed"),
    },
}

BEAT_SCHEDULE = {
    "training-participation-outcomes-daily": {
        # Every morning: request end-line and follow-up surveys that are due; remind owners.
        "task": "training.participation_outcomes_daily",
        "schedule": 60 * 60 * 24,
    },
}

MODELS = ["session", "participant", "attendance", "completionrule", "certificate", "outcomesurvey"]

ROLE_PERMISSIONS = {
    "office_staff": [
        *(f"training.{verb}_{m}" for m in MODELS for verb in ("view", "add", "change")),
    ],
    "partner_manager": [f"training.view_{m}" for m in MODELS],
    "partner_reviewer": [f"training.view_{m}" for m in MODELS],
    "ikm_owner": [
        "training.view_session",
        "training.view_participant",
        "training.view_attendance",
        "training.view_certificate",
        "training.view_outcomesurvey",
        "training.change_outcomesurvey",
    ],
}


def register(config, router) -> None:
    from ikm_portal.notifications.catalog import register_template

    from . import admin, tasks  # noqa: F401  (admin registrations; the beat task)
    from .api.views import (
        AttendanceViewSet,
        OutcomeViewSet,
        ParticipantViewSet,
        ProgramFunnelView,
        ProgramImpactView,
        ProgramSessionViewSet,
        RegistryStatsView,
    )

    router.register(
        r"programs/(?P<program_pk>\d+)/sessions", ProgramSessionViewSet, basename="program-session"
    )
    router.register("attendance", AttendanceViewSet, basename="attendance")
    router.register("participants", ParticipantViewSet, basename="participant")
    router.register("outcomes", OutcomeViewSet, basename="outcome")
    router.register_view("stats/registry", RegistryStatsView, name="stats-registry")
    router.register_view(
        "stats/programs/<int:program_pk>/funnel", ProgramFunnelView, name="stats-program-funnel"
    )
    router.register_view(
        "stats/programs/<int:program_pk>/impact", ProgramImpactView, name="stats-program-impact"
    )

    for key, options in NOTIFICATION_TEMPLATES.items():
        register_template(key, **options)

    schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
    if isinstance(schedule, dict):
        for name, entry in BEAT_SCHEDULE.items():
            schedule.setdefault(name, entry)

    permissions = dict(getattr(config, "role_permissions", {}))
    for role, perms in ROLE_PERMISSIONS.items():
        permissions[role] = [*permissions.get(role, []), *perms]
    config.role_permissions = permissions

    _extend(config, "nav_items", _nav_items)
    _extend(config, "dashboard_panels", _dashboard_panels)


def _extend(config, name: str, extra) -> None:
    original = getattr(config, name, None)

    def combined(arg):
        return [*(original(arg) if callable(original) else []), *extra(arg)]

    setattr(config, name, combined)


def _nav_items(user):
    from .views import nav_items

    return nav_items(user)


def _dashboard_panels(request):
    from .views import dashboard_panels

    return dashboard_panels(request)
