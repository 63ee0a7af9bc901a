"""Settings for the load test only (bench/loadtest.sh): production settings, minus what a
loopback load generator cannot do — HTTPS (so no redirect and no Secure cookies) and one client
IP for every simulated user (so no per-IP throttles). Never deploy with this module."""

from ikm_portal.settings.production import *  # noqa: F403
from ikm_portal.settings.production import REST_FRAMEWORK, STORAGES

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": None, "auth": None, "signup": None},
}
# Hashed names as in production, without the gzip/brotli copies nobody requests on loopback
# (compressing them took minutes of the run's setup).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
