"""Operations settings: log format, sessions and cache, media storage, PgBouncer, read replica,
Celery routing — each loaded in a fresh interpreter as a deployment would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_KEY = "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def load(expression: str, module="ikm_portal.settings.production", **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "LOG_FORMAT", "SESSION_ENGINE", "CACHE_URL", "STORAGE_BACKEND"}
    }
    env.update(DJANGO_SETTINGS_MODULE=module, SECRET_KEY=PROD_KEY, **env_overrides)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from django.core.files.storage import storages; "
        f"print(json.dumps({expression}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    return result


def value(expression: str, **kwargs):
    result = load(expression, **kwargs)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_log_format_json_in_production_plain_locally():
    assert value("s.LOGGING['handlers']['console']['formatter']") == "json"
    assert (
        value("s.LOGGING['handlers']['console']['formatter']", module="ikm_portal.settings.local")
        == "plain"
    )
    assert value("s.LOGGING['handlers']['console']['formatter']", LOG_FORMAT="plain") == "plain"


def test_request_id_middleware_runs_first():
    assert value("s.MIDDLEWARE[0]") == "ikm_portal.core.logging.RequestIdMiddleware"


def test_production_emits_json_log_lines():
    code = (
        "import django; django.setup(); import logging; "
        "logging.getLogger('ikm.check').warning('NIK %s', '3573011203900001')"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "LOG_FORMAT"}}
    env.update(DJANGO_SETTINGS_MODULE="ikm_portal.settings.production", SECRET_KEY=PROD_KEY)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "NIK [NIK]"
    assert line["level"] == "WARNING"
    assert line["request_id"] is None


def test_sessions_in_database_by_default_and_in_redis_on_request():
    assert value("s.SESSION_ENGINE") == "django.contrib.sessions.backends.db"
    assert value(
        "[s.SESSION_ENGINE, s.CACHES['default']['BACKEND']]",
        SESSION_ENGINE="cache",
        CACHE_URL="redis://127.0.0.1:6379/3",
    ) == ["django.contrib.sessions.backends.cache", "django.core.cache.backends.redis.RedisCache"]


def test_cache_sessions_without_shared_cache_are_refused():
    result = load("1", SESSION_ENGINE="cache")
    assert result.returncode != 0
    assert "SESSION_ENGINE=cache needs a shared cache" in result.stderr


def test_media_on_filesystem_by_default_and_s3_as_a_setting():
    assert (
        value("s.STORAGES['default']['BACKEND']") == "django.core.files.storage.FileSystemStorage"
    )
    assert value("s.STORAGES['staticfiles']['BACKEND']") == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    s3 = value(
        "[s.STORAGES['default']['BACKEND'], s.AWS_STORAGE_BUCKET_NAME, s.AWS_S3_ENDPOINT_URL, "
        "s.AWS_DEFAULT_ACL, s.AWS_QUERYSTRING_AUTH, s.AWS_LOCATION]",
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="ikm-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.id",
    )
    assert s3 == [
        "storages.backends.s3.S3Storage",
        "ikm-media",
        "https://s3.example.id",
        None,
        True,
        "media",
    ]


def test_unknown_storage_backend_is_refused():
    result = load("1", STORAGE_BACKEND="ftp")
    assert result.returncode != 0
    assert "STORAGE_BACKEND must be 'filesystem' or 's3'" in result.stderr


def test_pgbouncer_transaction_mode_disables_server_side_cursors():
    url = "postgres://ikm@127.0.0.1:6432/ikm"
    assert (
        value("s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False)", DATABASE_URL=url)
        is False
    )
    assert (
        value(
            "s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']",
            DATABASE_URL=url,
            PGBOUNCER_TRANSACTION_MODE="true",
        )
        is True
    )


def test_replica_database_and_router_only_when_configured():
    assert value("[sorted(s.DATABASES), s.DATABASE_ROUTERS]") == [["default"], []]
    replica = value(
        "[sorted(s.DATABASES), s.DATABASE_ROUTERS, s.DATABASES['replica']['HOST'], "
        "s.DATABASES['replica']['TEST']['MIRROR']]",
        DATABASE_URL="postgres://ikm@10.0.0.1:5432/ikm",
        REPLICA_DATABASE_URL="postgres://ikm_ro@10.0.0.2:5432/ikm",
    )
    assert replica == [
        ["default", "replica"],
        ["ikm_portal.core.db_router.ReplicaRouter"],
        "10.0.0.2",
        "default",
    ]


def test_check_deploy_stays_clean_with_the_scale_out_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="ikm_portal.settings.production",
        SECRET_KEY=PROD_KEY,
        FIELD_ENCRYPTION_KEYS="2WNdbJ0o0fTnuqUMQk4rQ4hYGYQJjFRqWvkMzJ2B3Pk=",
        PERSONAL_DATA_HASH_KEY="a-separate-hash-key-for-the-deploy-check",
        ALLOWED_HOSTS="ikm.malangkota.go.id",
        SESSION_ENGINE="cached_db",
        CACHE_URL="redis://127.0.0.1:6379/3",
        PGBOUNCER_TRANSACTION_MODE="true",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("notifications.deliver", "notifications"),
        ("notifications.sweep_outbox", "notifications"),
        ("partnerships.send_invitation_mail", "notifications"),
        ("training.notify_applicants", "notifications"),
        ("registry.import_rows", "imports"),
        ("imports.process_batch", "imports"),
        ("registry.export_enterprises", "reports"),
        ("training.report_outcomes", "reports"),
        ("reports.monthly", "reports"),
        ("registry.tasks.import_run_task", "imports"),
        ("core.heartbeat", "celery"),
        ("partnerships.agreements_daily", "celery"),
        ("training.screen_application", "celery"),
    ],
)
def test_task_routed_to_its_queue_by_name(task_name, queue, settings):
    # A router built from the settings, as every worker and web process builds it (a test
    # elsewhere may have re-pointed the shared app's routes at a queue of its own).
    from celery.app.routes import Router, prepare

    from ikm_portal.celery import app

    router = Router(
        prepare(settings.CELERY_TASK_ROUTES), app.amqp.Queues(settings.CELERY_TASK_QUEUES), app=app
    )
    assert router.route({}, task_name)["queue"].name == queue


def test_worker_without_queue_option_consumes_every_queue(settings):
    # What a worker started without -Q consumes: every queue declared in CELERY_TASK_QUEUES.
    assert sorted(settings.CELERY_TASK_QUEUES) == ["celery", "imports", "notifications", "reports"]
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "celery"


def test_heartbeat_is_in_the_beat_schedule():
    from ikm_portal.celery import app

    entry = app.conf.beat_schedule["core.heartbeat"]
    assert entry["task"] == "core.heartbeat"
    assert entry["schedule"] == 30.0


def test_s3_storage_signs_private_urls_without_network():
    pytest.importorskip("storages")
    url = value(
        "[type(storages['default']).__name__, storages['default'].url('agreements/a.pdf')]",
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="ikm-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="test-access",
        AWS_SECRET_ACCESS_KEY="test-secret",
    )
    assert url[0] == "S3Storage"
    assert url[1].startswith("http://127.0.0.1:9/ikm-media/media/agreements/a.pdf?")
    assert "X-Amz-Signature=" in url[1]
    assert "X-Amz-Expires=300" in url[1]
