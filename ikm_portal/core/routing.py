"""Celery routing: one queue per kind of work, chosen by task name (fnmatch patterns, first
match wins), so workers on several hosts can specialise (deploy/systemd/ikm-worker@.service).
Everything else goes to the default queue, ``celery``. An explicit ``queue=`` given to
``apply_async`` still wins; tests that need every task on a queue of their own override
``task_routes`` on the app."""

from fnmatch import fnmatchcase

DEFAULT_QUEUE = "celery"
KIND_PATTERNS: dict[str, tuple[str, ...]] = {
    "notifications": (
        "notifications.*",
        "ikm_portal.notifications.*",
        "*.send_*",
        "*.notify_*",
    ),
    "imports": ("imports.*", "*.import_*"),
    "reports": ("reports.*", "*.report_*", "*.export_*"),
}
KIND_QUEUES = tuple(KIND_PATTERNS)


def queue_for(name: str) -> str:
    for queue, patterns in KIND_PATTERNS.items():
        if any(fnmatchcase(name, pattern) for pattern in patterns):
            return queue
    return DEFAULT_QUEUE


def route_task(name, args, kwargs, options, task=None, **kw):
    """The router named in CELERY_TASK_ROUTES."""
    return {"queue": queue_for(name)}
