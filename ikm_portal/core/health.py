"""Health of the installation.

``/healthz`` (the load balancer's probe) answers ``database`` and ``broker`` only and is cheap;
503 only when the database is down. ``/healthz?full=1`` (monitoring, an office administrator or
a caller with the HEALTHZ_TOKEN) adds unapplied migrations, the Celery workers and beat as seen
through their heartbeats, and the length of every queue — still 503 only when the database is
down, so a stopped worker never takes the web out of the load balancer.

Heartbeats live in the broker's Redis under ``ikm:heartbeat:*`` (see ``heartbeats.py``); with
no broker (tasks run in process) workers, beat and queues are ``"eager"``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connections

from . import heartbeats


def database_status(alias: str = "default") -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "down"
    return "ok"


def broker_status() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "eager"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception:
        return "down"
    return "ok"


def unapplied_migrations(alias: str = "default") -> list[str]:
    """``app_label.migration_name`` of every migration on disk not yet applied to ``alias``."""
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[alias]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan]


def migrations_status(alias: str = "default") -> dict:
    try:
        pending = unapplied_migrations(alias)
    except Exception:
        return {"status": "unknown", "unapplied": []}
    return {"status": "pending" if pending else "ok", "unapplied": pending}


def workers_status(now: float | None = None) -> dict:
    """Every worker whose heartbeat is in the store, with the queues it consumes and the age of
    its last heartbeat; ``status`` is ``ok`` when at least one worker is fresh and every queue
    has a fresh worker, ``degraded`` when some queue has none, ``down`` when no worker is fresh."""
    if not settings.CELERY_BROKER_URL:
        return {"status": "eager", "alive": 0, "hosts": {}, "queues_without_worker": []}
    now = time.time() if now is None else now
    try:
        beats = heartbeats.read_workers()
    except Exception:
        return {"status": "unknown", "alive": 0, "hosts": {}, "queues_without_worker": []}
    stale_after = settings.HEARTBEAT_STALE_AFTER
    hosts = {}
    covered: set[str] = set()
    for hostname, beat in sorted(beats.items()):
        age = max(0, round(now - beat.get("at", 0)))
        fresh = age <= stale_after
        hosts[hostname] = {
            "status": "ok" if fresh else "stale",
            "age_seconds": age,
            "queues": beat.get("queues", []),
        }
        if fresh:
            covered.update(beat.get("queues", []))
    alive = sum(1 for h in hosts.values() if h["status"] == "ok")
    missing = [q for q in settings.TASK_QUEUE_NAMES if q not in covered]
    if not alive:
        status = "down"
    elif missing:
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, "alive": alive, "hosts": hosts, "queues_without_worker": missing}


def beat_status(now: float | None = None) -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"status": "eager", "age_seconds": None}
    now = time.time() if now is None else now
    try:
        at = heartbeats.read_beat()
    except Exception:
        return {"status": "unknown", "age_seconds": None}
    if at is None:
        return {"status": "missing", "age_seconds": None}
    age = max(0, round(now - at))
    # Beat sends its heartbeat every HEARTBEAT_INTERVAL seconds; allow for two missed ones.
    limit = max(settings.HEARTBEAT_STALE_AFTER, 3 * settings.HEARTBEAT_INTERVAL)
    return {"status": "ok" if age <= limit else "stale", "age_seconds": age}


def queue_lengths() -> dict[str, int | None]:
    """Messages waiting in each queue of CELERY_QUEUE_NAMES (None when unknown)."""
    if not settings.CELERY_BROKER_URL:
        return {}
    try:
        return heartbeats.queue_lengths(settings.TASK_QUEUE_NAMES)
    except Exception:
        return dict.fromkeys(settings.TASK_QUEUE_NAMES)


def basic() -> dict:
    return {"database": database_status(), "broker": broker_status()}


def full() -> dict:
    body = basic()
    if body["database"] == "ok":
        body["migrations"] = migrations_status()
    else:
        body["migrations"] = {"status": "unknown", "unapplied": []}
    if body["broker"] == "down":
        body["workers"] = {
            "status": "unknown",
            "alive": 0,
            "hosts": {},
            "queues_without_worker": [],
        }
        body["beat"] = {"status": "unknown", "age_seconds": None}
        body["queues"] = dict.fromkeys(settings.TASK_QUEUE_NAMES)
    else:
        body["workers"] = workers_status()
        body["beat"] = beat_status()
        body["queues"] = queue_lengths()
    return body


def http_status(body: dict) -> int:
    return 200 if body["database"] == "ok" else 503


# --- The office administrator's view -------------------------------------------------------


def can_see_operations(user) -> bool:
    """Office administrators (and superusers) see workers, beat, queues and migrations."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.has_role("office_admin")


def operations_summary() -> dict:
    """What the dashboard panel and the operations page show: `full()` plus the total of
    waiting messages."""
    body = full()
    waiting = [n for n in body["queues"].values() if n is not None]
    body["waiting_total"] = sum(waiting)
    return body
