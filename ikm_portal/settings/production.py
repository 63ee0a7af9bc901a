"""Production: DEBUG off, SECRET_KEY required, HTTPS everywhere. `manage.py check --deploy`
passes with no warnings under the environment documented in README.md / docs/deployment.md."""

import os

os.environ.setdefault("DEBUG", "false")
# Operations: JSON log lines by default in production (LOG_FORMAT=plain to read them by eye).
os.environ.setdefault("LOG_FORMAT", "json")

from .base import *  # noqa: F403
from .base import LOGGING, env

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": env.str("LOG_LEVEL", default="INFO")}}

# --- Operations: media on the storage chosen by STORAGE_BACKEND (filesystem or s3) ---
from .base import MEDIA_STORAGE  # noqa: E402

STORAGES = {**STORAGES, "default": MEDIA_STORAGE}
