"""Platform tasks. ``core.heartbeat`` is published by beat every HEARTBEAT_INTERVAL seconds
(the beat process records its own heartbeat as it publishes, see heartbeats.py); the worker
that runs it refreshes its own heartbeat entry."""

import json
import time

from celery import shared_task

from . import heartbeats


@shared_task(name=heartbeats.HEARTBEAT_TASK, bind=True, ignore_result=True)
def heartbeat(self) -> str | None:
    hostname = getattr(self.request, "hostname", None)
    if not hostname or self.request.is_eager:
        return None
    raw = heartbeats.client().get(heartbeats.WORKER_PREFIX + hostname)
    queues = json.loads(raw).get("queues", []) if raw else []
    heartbeats.write_worker(hostname, queues, now=time.time())
    return hostname
