from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ikm_portal.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.conf import settings

        from ikm_portal.celery import app

        from . import checks, db_router, heartbeats  # noqa: F401  (checks register themselves)
        from . import logging as portal_logging

        # Request ids follow tasks into the worker's logs; workers and beat write heartbeats.
        portal_logging.connect_celery_signals()
        heartbeats.connect()
        db_router.connect_celery_signals()
        app.conf.beat_schedule.setdefault(
            heartbeats.HEARTBEAT_TASK,
            {
                "task": heartbeats.HEARTBEAT_TASK,
                "schedule": float(settings.HEARTBEAT_INTERVAL),
                # An unconsumed heartbeat is worthless once the next one is due.
                "options": {"expires": float(settings.HEARTBEAT_INTERVAL)},
            },
        )

    def dashboard_panels(self, request):
        from .extensions import Panel
        from .health import can_see_operations, operations_summary

        if not can_see_operations(request.user):
            return []
        return [Panel("core/panels/operations.html", operations_summary(), order=90)]
