"""Settings of `make bench` (never deploy with them): production settings as the load test
uses them (bench/loadtest_settings.py), plus the constant-JSON floor view (bench/urls.py) and
plain static file names (no collectstatic needed for the register page)."""

from bench.loadtest_settings import *  # noqa: F403
from bench.loadtest_settings import STORAGES

ROOT_URLCONF = "bench.urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
