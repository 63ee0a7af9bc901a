"""Settings shared by every environment. Everything that differs between deployments is read
from the environment (django-environ); see README.md for the table of variables."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is a convenience for developers; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

INSECURE_DEV_KEY = "django-insecure-ikm-portal-development-only-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(a long random string) or run with DEBUG=true for local development."
        )
    SECRET_KEY = INSECURE_DEV_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- The office this installation serves (settings, not code: any kota/kabupaten) ---
OFFICE_NAME = env.str(
    "OFFICE_NAME", default="Dinas Koperasi, Perindustrian dan Perdagangan Kota Malang"
)
OFFICE_SHORT_NAME = env.str("OFFICE_SHORT_NAME", default="Diskopindag Kota Malang")
OFFICE_LOGO = env.str("OFFICE_LOGO", default="img/logo.svg")
OFFICE_EMAIL = env.str("OFFICE_EMAIL", default="diskopindag@malangkota.go.id")
OFFICE_PHONE = env.str("OFFICE_PHONE", default="(0341) 000000")
OFFICE_ADDRESS = env.str("OFFICE_ADDRESS", default="Kota Malang, Jawa Timur")
REGION_CODE = env.str("REGION_CODE", default="35.73")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Data protection officer (UU 27/2022): shown on the privacy page.
# The data protection officer on the privacy page (UU 27/2022). The older DPO_NAME / DPO_EMAIL
# variables still work as fallbacks.
PRIVACY_DPO_NAME = env.str(
    "PRIVACY_DPO_NAME", default=env.str("DPO_NAME", default="Pejabat Pelindungan Data Pribadi")
)
PRIVACY_DPO_EMAIL = env.str(
    "PRIVACY_DPO_EMAIL", default=env.str("DPO_EMAIL", default="ppdp@malangkota.go.id")
)
PRIVACY_DPO_PHONE = env.str(
    "PRIVACY_DPO_PHONE", default=env.str("DPO_PHONE", default="(0341) 000000")
)
DPO_NAME, DPO_EMAIL, DPO_PHONE = PRIVACY_DPO_NAME, PRIVACY_DPO_EMAIL, PRIVACY_DPO_PHONE
# Retention periods shown on the privacy page (UU 27/2022: keep what is needed, say how long).
PRIVACY_RETENTION = {
    "registry_years": env.int("RETENTION_REGISTRY_YEARS", default=5),
    "draft_days": env.int("RETENTION_DRAFT_DAYS", default=180),
    "programme_years": env.int("RETENTION_PROGRAMME_YEARS", default=5),
    "log_years": env.int("RETENTION_LOG_YEARS", default=5),
}
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-11")
TERMS_VERSION = env.str("TERMS_VERSION", default="2026-11")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The platform (ground floor): never imports a domain app.
    "ikm_portal.core",
    "ikm_portal.accounts",
    "ikm_portal.notifications",
    "ikm_portal.datarights",
    "ikm_portal.privacy",
    # Domain apps: registry and partnerships side by side, training on both.
    "registry",
    "partnerships",
    "training",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ikm_portal.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ikm_portal.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ikm_portal.accounts.security.SessionTimeoutMiddleware",
    "ikm_portal.accounts.twofactor.TwoFactorMiddleware",
    "ikm_portal.privacy.middleware.NoticeReacknowledgeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ikm_portal.urls"
WSGI_APPLICATION = "ikm_portal.wsgi.application"
ASGI_APPLICATION = "ikm_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ikm_portal.core.context_processors.portal",
            ],
        },
    },
]

# --- Personal data at rest (docs/security.md "Encryption at rest") ---
# FIELD_ENCRYPTION_KEYS: Fernet keys, comma-separated; the first encrypts, all decrypt (rotation:
# put a new key first, run `manage.py rotate_encryption_keys`, then drop the old one).
# PERSONAL_DATA_HASH_KEY: the HMAC key of the NIK lookup hash. Unset, both are derived from
# SECRET_KEY — for development only: `check --deploy` reports it as an error.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
PERSONAL_DATA_HASH_KEY = env.str("PERSONAL_DATA_HASH_KEY", default="")
PERSONAL_DATA_KEYS_DERIVED = not FIELD_ENCRYPTION_KEYS or not PERSONAL_DATA_HASH_KEY
if not FIELD_ENCRYPTION_KEYS:
    import base64 as _b64
    import hashlib as _hashlib

    FIELD_ENCRYPTION_KEYS = [
        _b64.urlsafe_b64encode(
            _hashlib.sha256(f"ikm-portal:fernet:{SECRET_KEY}".encode()).digest()
        ).decode()
    ]
if not PERSONAL_DATA_HASH_KEY:
    PERSONAL_DATA_HASH_KEY = f"ikm-portal:nik-hash:{SECRET_KEY}"
# Error reports (DEBUG page, admins' mails) cleanse personal POST fields and mask NIKs.
DEFAULT_EXCEPTION_REPORTER_FILTER = "ikm_portal.core.reporting.PersonalDataExceptionReporterFilter"

# --- Database: the embedded default is a SQLite file in the project folder ---
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, an in-process task and a shell share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "ikm_portal.accounts.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_URL_PATH = "/accounts/login/"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time: Indonesian first, English second ---
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
# training/selection (review and selection) keeps its own catalogue inside the training app.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "training" / "selection" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "ikm_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Uploads live outside static/ and are served by views that check permissions, never directly.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Size limit per kind of upload in MB (ikm_portal/core/uploads.py), e.g. UPLOAD_MAX_MB=agreement=20
UPLOAD_MAX_MB = {
    "logo": 2,
    "agreement": 10,
    "document": 5,
    "answer": 5,
    "import": 20,
    **env.dict("UPLOAD_MAX_MB", cast={"value": int}, default={}),
}
# Uploaded files get no permissions for other users of the server.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Mail: console by default, SMTP (or anything django-environ understands) via EMAIL_URL ---
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"IKM Portal <no-reply@{'localhost'}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Celery: unset broker means tasks run in process, eagerly, errors propagated ---
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
# A dead broker must never hang a web request: connect and socket time-outs of 2 s and one
# quick publish retry, then the publish fails; the outbox row stays queued for the sweep.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "max_retries": 1,
    # Longer than the longest retry countdown (NOTIFICATIONS_RETRY_MAX), so Redis does not
    # hand a waiting retry to a second worker.
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Periodic tasks (run `celery -A ikm_portal beat`). Later issues add their reminders here.
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-sweep": {
        "task": "notifications.sweep",
        "schedule": env.int("NOTIFICATIONS_SWEEP_EVERY", default=60),
    },
    "notifications-staff-digest": {
        "task": "notifications.staff_digest",
        "schedule": crontab(
            hour=env.int("NOTIFICATIONS_DIGEST_HOUR", default=7),
            minute=env.int("NOTIFICATIONS_DIGEST_MINUTE", default=0),
        ),
    },
}

# --- Notifications: the outbox (ikm_portal/notifications, docs/notifications.md) ---
# A transient error (SMTP 4xx, connection error, gateway 5xx or time-out) is retried after
# base·2^(attempt-1) seconds (capped, with jitter) up to NOTIFICATIONS_MAX_ATTEMPTS attempts.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_RETRY_BASE = env.int("NOTIFICATIONS_RETRY_BASE", default=30)
NOTIFICATIONS_RETRY_MAX = env.int("NOTIFICATIONS_RETRY_MAX", default=1800)
# The sweep re-enqueues rows still queued this many seconds after they were due.
NOTIFICATIONS_SWEEP_AFTER = env.int("NOTIFICATIONS_SWEEP_AFTER", default=120)
NOTIFICATIONS_SWEEP_BATCH = env.int("NOTIFICATIONS_SWEEP_BATCH", default=500)
# Rows handed to the workers in one deliver_many message (each row is still claimed alone).
NOTIFICATIONS_TASK_BATCH = env.int("NOTIFICATIONS_TASK_BATCH", default=100)
# WhatsApp and SMS gateways (HTTP). Without an API URL the channel is off.
WHATSAPP_API_URL = env.str("WHATSAPP_API_URL", default="")
WHATSAPP_API_TOKEN = env.str("WHATSAPP_API_TOKEN", default="")
WHATSAPP_SENDER = env.str("WHATSAPP_SENDER", default="")
WHATSAPP_TIMEOUT = env.float("WHATSAPP_TIMEOUT", default=10.0)
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_TOKEN = env.str("SMS_API_TOKEN", default="")
SMS_SENDER = env.str("SMS_SENDER", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)

# --- DRF: one router under /api/v1/, one exception handler for service errors ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ikm_portal.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "ikm_portal.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ikm_portal.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "auth": "30/minute", "signup": "20/hour"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IKM Portal API",
    "DESCRIPTION": "Register of IKM and partner training programmes. Token auth: "
    "POST /api/v1/auth/token/ then send `Authorization: Token <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Sessions and sign-in throttling ---
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60)  # seconds
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=60 * 60 * 12)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "ikm_portal.accounts.security.axes_username"
AXES_LOCKOUT_CALLABLE = "ikm_portal.accounts.security.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "otp"]
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0) or None
AXES_VERBOSE = False
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep default
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: behaviour lives in static/js, styles in static/css.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# Two-factor sign-in (accounts/twofactor.py, docs/security.md): the name authenticator apps show.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="IKM Portal")
# The Django admin lists two-factor devices (to remove a lost one) without their keys or codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Personal data (UU 27/2022): data-subject requests and retention (docs/security.md) ---
# Rejected or abandoned drafts (registry drafts, programme applications) untouched this long
# are anonymised by the daily retention job. One number with the privacy page's "draft_days"
# (RETENTION_DRAFT_DAYS), so the page states what the job does.
PRIVACY_DRAFT_RETENTION_DAYS = env.int(
    "PRIVACY_DRAFT_RETENTION_DAYS", default=PRIVACY_RETENTION["draft_days"]
)
PRIVACY_RETENTION["draft_days"] = PRIVACY_DRAFT_RETENTION_DAYS
# Handlers are reminded this many hours before a data request's 72-hour deadline.
PRIVACY_REQUEST_REMIND_HOURS = env.int("PRIVACY_REQUEST_REMIND_HOURS", default=24)
CELERY_BEAT_SCHEDULE["datarights-request-reminders"] = {
    "task": "datarights.request_reminders",
    "schedule": 60 * 15,
}
CELERY_BEAT_SCHEDULE["datarights-retention"] = {
    "task": "datarights.retention_sweep",
    "schedule": crontab(hour=2, minute=30),
}

# --- Periodic tasks of the programme side (celery beat) ---
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["partnerships-agreements-daily"] = {
    # Every morning: expire agreements past their end date; remind the office 30 days before.
    "task": "partnerships.agreements_daily",
    "schedule": crontab(hour=7, minute=0),
}
CELERY_BEAT_SCHEDULE["registry-tally-compact"] = {
    # Fold the register's count deltas (registry/models/tally.py) into one row per bucket.
    "task": "registry.tasks.tally_compact_task",
    "schedule": crontab(minute=17),
}
CELERY_BEAT_SCHEDULE["training-programs-sweep"] = {
    # Close programmes whose window has ended; screen applications whose task was lost.
    "task": "training.programs_sweep",
    "schedule": 60 * 15,
}
CELERY_BEAT_SCHEDULE["training-selection-offers"] = {
    # Offers not answered by their deadline lapse; each freed seat goes to the waitlist.
    "task": "training.selection_offers_sweep",
    "schedule": 60 * 15,
}
CELERY_BEAT_SCHEDULE["training-selection-reminders"] = {
    # A few days before a review deadline, remind reviewers with outstanding reviews.
    "task": "training.selection_review_reminders",
    "schedule": crontab(hour=8, minute=0),
}

# =============================================================================================
# --- Operations: logs, Sentry, cache and sessions, media storage, read replica, PgBouncer,
# --- Celery queues and routing, heartbeats. Every variable is in docs/deployment.md's table.
# =============================================================================================
from ikm_portal.core.logging import logging_config  # noqa: E402

# Logs: one line per record, JSON for log shippers (production's default) or plain text; every
# line carries the request id and the user id, never a NIK (core/logging.py).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
MIDDLEWARE.insert(0, "ikm_portal.core.logging.RequestIdMiddleware")

# Sentry (optional, the `sentry` extra): personal data scrubbed before anything is sent.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from ikm_portal.core.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

# Cache and sessions. Web processes are stateless: sessions live in the database (default) or,
# with CACHE_URL pointing at Redis, in the cache ("cache" or "cached_db").
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
_SESSION_ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
    "cached_db": "django.contrib.sessions.backends.cached_db",
}
_session_choice = env.str("SESSION_ENGINE", default="db")
# A short name from the table or a full dotted path.
SESSION_ENGINE = _SESSION_ENGINES.get(_session_choice, _session_choice)
if SESSION_ENGINE.endswith("backends.cache") and CACHES["default"]["BACKEND"].endswith(
    "LocMemCache"
):
    raise ImproperlyConfigured(
        "SESSION_ENGINE=cache needs a shared cache: set CACHE_URL=redis://… "
        "(a per-process memory cache would log users out between processes)."
    )

# Media: the local file system (one server, or a shared mount such as NFS for several), or
# S3-compatible object storage (MinIO, AWS, a provider's S3) through django-storages (the
# `s3` extra). Uploads stay private: files are reached through permission-checking views,
# which hand out short-lived signed URLs on S3.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "s3":
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
    AWS_LOCATION = env.str("AWS_LOCATION", default="media")
    AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default="") or None
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_DEFAULT_ACL = None  # the bucket's policy: private
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=300)
    AWS_S3_FILE_OVERWRITE = False
    MEDIA_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage"}
elif STORAGE_BACKEND == "filesystem":
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}."
    )
STORAGES = {**STORAGES, "default": MEDIA_STORAGE}

# Source maps are for developers' browsers only: compressing them (several MB each in the API
# docs bundles) made collectstatic minutes slower on every deploy.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"),
    *("swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4"),
    *("mpeg", "mpg", "webm", "wmv", "map"),
)

# PgBouncer in transaction pooling mode: server-side cursors cannot span transactions there.
PGBOUNCER_TRANSACTION_MODE = env.bool("PGBOUNCER_TRANSACTION_MODE", default=False)
if PGBOUNCER_TRANSACTION_MODE:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# Optional read replica for reports (core/db_router.py): reads inside reads_from_replica() and
# tasks on the reports queue go there; writes and everything else stay on default.
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = environ.Env.db_url_config(REPLICA_DATABASE_URL)
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if PGBOUNCER_TRANSACTION_MODE:
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASE_ROUTERS = ["ikm_portal.core.db_router.ReplicaRouter"]

# Celery queues, one per kind of work, routed by task name (fnmatch patterns, first match
# wins; an explicit queue= in apply_async still wins). Name tasks "<app>.<verb>_<what>":
# "notifications.*", "*.send_*" and "*.notify_*" go to notifications, "*.import_*" to imports,
# "*.report_*" and "*.export_*" to reports, everything else to the default queue "celery".
# A worker started without -Q consumes all four (one server); on several hosts start one
# worker per queue (deploy/systemd/ikm-worker@.service).
CELERY_TASK_DEFAULT_QUEUE = "celery"
TASK_QUEUE_NAMES = [CELERY_TASK_DEFAULT_QUEUE, "notifications", "imports", "reports"]
CELERY_TASK_QUEUES = {name: {"exchange": name, "routing_key": name} for name in TASK_QUEUE_NAMES}
CELERY_TASK_ROUTES = {
    "notifications.*": {"queue": "notifications"},
    "ikm_portal.notifications.*": {"queue": "notifications"},
    "*.send_*": {"queue": "notifications"},
    "*.notify_*": {"queue": "notifications"},
    "imports.*": {"queue": "imports"},
    "*.import_*": {"queue": "imports"},
    "reports.*": {"queue": "reports"},
    "*.report_*": {"queue": "reports"},
    "*.export_*": {"queue": "reports"},
}
# Workers log through Django's LOGGING (JSON with request ids), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Heartbeats of workers and beat (core/heartbeats.py), shown by /healthz?full=1 and the
# office administrator's dashboard. HEALTHZ_TOKEN lets a monitor read /healthz?full=1.
HEARTBEAT_INTERVAL = env.int("HEARTBEAT_INTERVAL", default=30)
HEARTBEAT_STALE_AFTER = env.int("HEARTBEAT_STALE_AFTER", default=90)
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")

# Distinct names for the enums in the API schema: "status" and "mode" are field names several
# apps use, and drf-spectacular warns (check --deploy fails) when it must guess.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "ProgramStatusEnum": "training.choices.ProgramStatus",
        "ProgramModeEnum": "training.choices.ProgramMode",
        "ApplicationStatusEnum": "training.choices.ApplicationStatus",
        "QuestionKindEnum": "training.choices.QuestionKind",
        "AgreementStatusEnum": "partnerships.choices.AgreementStatus",
        "PartnerKindEnum": "partnerships.choices.PartnerKind",
        "MemberRoleEnum": "partnerships.choices.MemberRole",
        "EnterpriseStatusEnum": "registry.choices.EnterpriseStatus",
        "ImportModeEnum": "registry.choices.ImportMode",
        "CertificationKindEnum": "registry.choices.CertificationKind",
        "ParticipantStatusEnum": "training.participation.choices.ParticipantStatus",
        "AttendanceStatusEnum": "training.participation.choices.AttendanceStatus",
        "OutcomeStatusEnum": "training.participation.choices.OutcomeStatus",
        "AccessActionEnum": "ikm_portal.datarights.choices.AccessAction",
        "AccessChannelEnum": "ikm_portal.datarights.choices.AccessChannel",
        "DataRequestKindEnum": "ikm_portal.datarights.choices.RequestKind",
        "DataRequestStatusEnum": "ikm_portal.datarights.choices.RequestStatus",
        "ConsentContextEnum": "ikm_portal.privacy.choices.ConsentContext",
        "ConsentChannelEnum": "ikm_portal.privacy.choices.ConsentChannel",
    }
)
