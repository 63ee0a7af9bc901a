"""An optional read replica for reports.

With REPLICA_DATABASE_URL set, settings add a ``replica`` database and this router. Reads go to
the replica only inside ``reads_from_replica()`` (a context manager and a decorator) or in a
Celery task routed to the ``reports`` queue; everything else — and every write — stays on
``default``, so a user never reads back stale data right after saving it. The replica is a
streaming-replication copy: Django never migrates it.

Reports tolerate a replica that is a few seconds behind; pages that show what a user just
changed must not use it.
"""

from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

from django.conf import settings

REPLICA = "replica"
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reads_from_replica():
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


def replica_reads(func):
    """Decorator: the function's reads go to the replica (when one is configured)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with reads_from_replica():
            return func(*args, **kwargs)

    return wrapper


def read_alias() -> str:
    return REPLICA if _use_replica.get() and replica_configured() else "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


# --- Celery: tasks on the reports queue read from the replica -------------------------------

_task_tokens: dict[str, contextvars.Token] = {}


def _task_prerun(task_id=None, task=None, **kwargs):
    delivery = getattr(getattr(task, "request", None), "delivery_info", None) or {}
    if delivery.get("routing_key") == "reports" or delivery.get("queue") == "reports":
        _task_tokens[task_id] = _use_replica.set(True)


def _task_postrun(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _use_replica.reset(token)


def connect_celery_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_task_prerun, dispatch_uid="ikm.replica.prerun")
    signals.task_postrun.connect(_task_postrun, dispatch_uid="ikm.replica.postrun")
