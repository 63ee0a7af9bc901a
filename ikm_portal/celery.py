"""Celery wiring. Configuration comes from Django settings under the CELERY_ namespace (the
CELERY_* block of ikm_portal/settings/base.py): JSON only, soft and hard time limits, acks_late
with reject-on-worker-lost, and short broker connection/socket timeouts with a bounded publish
retry, so that a dead Redis makes a publish fail fast instead of hanging a web request (the
outbox row stays queued and the beat sweep sends it later).

With CELERY_BROKER_URL unset (the embedded default) tasks run in process, eagerly.

    celery -A ikm_portal worker -l info      # make worker
    celery -A ikm_portal beat -l info        # make beat (periodic tasks: CELERY_BEAT_SCHEDULE)
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ikm_portal.settings.local")

app = Celery("ikm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Eager mode still builds a broker connection object for some calls; never a real one.
app.conf.broker_url = app.conf.broker_url or "memory://"
app.autodiscover_tasks()
