"""Worker and beat heartbeats, kept in the broker's Redis so every web process sees them.

- A worker writes ``ikm:heartbeat:worker:<hostname>`` = ``{"at", "queues", "pid"}`` when it is
  ready, then at most every HEARTBEAT_INTERVAL seconds from Celery's own event heartbeat
  (``heartbeat_sent``, every 2 s while the worker's event loop runs), and deletes it on a clean
  shutdown. A worker that died keeps its last entry, which turns ``stale`` after
  HEARTBEAT_STALE_AFTER seconds and disappears after a day.
- Beat publishes the ``core.heartbeat`` task every HEARTBEAT_INTERVAL seconds; the beat process
  writes ``ikm:heartbeat:beat`` as it publishes (``before_task_publish``), so beat is seen
  alive even while no worker runs. The task itself, on a worker, refreshes that worker's entry.

The handlers are connected from ``CoreConfig.ready()``; with no broker nothing is written.
"""

from __future__ import annotations

import json
import logging
import os
import time

from django.conf import settings

logger = logging.getLogger(__name__)

PREFIX = "ikm:heartbeat:"
WORKER_PREFIX = PREFIX + "worker:"
BEAT_KEY = PREFIX + "beat"
KEEP_SECONDS = 24 * 60 * 60
HEARTBEAT_TASK = "core.heartbeat"
# kombu's Redis transport keeps priority levels 3, 6 and 9 of a queue in sibling lists.
_PRIORITY_SEP = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)

_state = {"hostname": None, "queues": [], "last_write": 0.0, "in_beat": False}


def client():
    import redis

    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("heartbeats need a Redis broker")
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def write_worker(hostname: str, queues: list[str], *, now: float | None = None) -> None:
    payload = {
        "at": time.time() if now is None else now,
        "queues": sorted(queues),
        "pid": os.getpid(),
    }
    client().set(WORKER_PREFIX + hostname, json.dumps(payload), ex=KEEP_SECONDS)


def forget_worker(hostname: str) -> None:
    client().delete(WORKER_PREFIX + hostname)


def write_beat(*, now: float | None = None) -> None:
    client().set(BEAT_KEY, str(time.time() if now is None else now), ex=KEEP_SECONDS)


def read_workers() -> dict[str, dict]:
    redis_client = client()
    keys = sorted(redis_client.scan_iter(match=WORKER_PREFIX + "*", count=100))
    if not keys:
        return {}
    result = {}
    for key, raw in zip(keys, redis_client.mget(keys), strict=True):
        if raw is None:
            continue
        try:
            result[key.decode()[len(WORKER_PREFIX) :]] = json.loads(raw)
        except ValueError:
            continue
    return result


def read_beat() -> float | None:
    raw = client().get(BEAT_KEY)
    return float(raw) if raw is not None else None


def queue_lengths(names) -> dict[str, int]:
    redis_client = client()
    pipe = redis_client.pipeline()
    for name in names:
        pipe.llen(name)
        for step in _PRIORITY_STEPS:
            pipe.llen(f"{name}{_PRIORITY_SEP}{step}")
    counts = pipe.execute()
    per_queue = 1 + len(_PRIORITY_STEPS)
    return {name: sum(counts[i * per_queue : (i + 1) * per_queue]) for i, name in enumerate(names)}


# --- Celery signal handlers ----------------------------------------------------------------


def _safely(action, *args, **kwargs) -> None:
    # A heartbeat must never break the worker or beat: log and go on.
    try:
        action(*args, **kwargs)
    except Exception as exc:
        logger.warning("heartbeat not written: %s", exc)


def on_worker_ready(sender=None, **kwargs):
    if not settings.CELERY_BROKER_URL:
        return
    _state["hostname"] = getattr(sender, "hostname", None)
    consumer = getattr(sender, "task_consumer", None)
    _state["queues"] = [q.name for q in getattr(consumer, "queues", [])] if consumer else []
    if _state["hostname"]:
        _state["last_write"] = time.time()
        _safely(write_worker, _state["hostname"], _state["queues"])


def on_heartbeat_sent(sender=None, **kwargs):
    if not settings.CELERY_BROKER_URL or not _state["hostname"]:
        return
    now = time.time()
    if now - _state["last_write"] < settings.HEARTBEAT_INTERVAL:
        return
    _state["last_write"] = now
    _safely(write_worker, _state["hostname"], _state["queues"], now=now)


def on_worker_shutdown(sender=None, **kwargs):
    if settings.CELERY_BROKER_URL and _state["hostname"]:
        _safely(forget_worker, _state["hostname"])


def on_beat_init(sender=None, **kwargs):
    _state["in_beat"] = True
    if settings.CELERY_BROKER_URL:
        _safely(write_beat)


def on_before_task_publish(sender=None, **kwargs):
    # Only beat's own publication counts: `heartbeat.delay()` from a shell proves nothing.
    if sender == HEARTBEAT_TASK and _state["in_beat"] and settings.CELERY_BROKER_URL:
        _safely(write_beat)


def connect() -> None:
    from celery import signals

    signals.worker_ready.connect(on_worker_ready, dispatch_uid="ikm.hb.ready")
    signals.heartbeat_sent.connect(on_heartbeat_sent, dispatch_uid="ikm.hb.sent")
    signals.worker_shutdown.connect(on_worker_shutdown, dispatch_uid="ikm.hb.shutdown")
    signals.beat_init.connect(on_beat_init, dispatch_uid="ikm.hb.beat_init")
    signals.before_task_publish.connect(on_before_task_publish, dispatch_uid="ikm.hb.publish")
