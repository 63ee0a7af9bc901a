"""Local development: DEBUG on by default, SQLite and in-process tasks unless the environment
says otherwise (DATABASE_URL, CELERY_BROKER_URL)."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403
