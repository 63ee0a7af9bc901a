"""Celery wiring. Configuration comes from Django settings under the CELERY_ namespace.

With CELERY_BROKER_URL unset (the embedded default) tasks run in process, eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ikm_portal.settings.local")

app = Celery("ikm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.broker_url = app.conf.broker_url or "memory://"
app.autodiscover_tasks()
