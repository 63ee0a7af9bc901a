import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("module", "extra"),
    [
        ("ikm_portal.settings.local", {}),
        ("ikm_portal.settings.test", {}),
        ("ikm_portal.settings.production", {"SECRET_KEY": "x" * 60}),
    ],
)
def test_settings_load_for_each_environment(module, extra):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.TIME_ZONE, settings.LANGUAGE_CODE, settings.REGION_CODE)"
    )
    result = run_python(code, DJANGO_SETTINGS_MODULE=module, **extra)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Asia/Jakarta", "id", "35.73"]


def test_production_without_secret_key_refuses_to_start():
    result = run_python(
        "import django; django.setup()", DJANGO_SETTINGS_MODULE="ikm_portal.settings.production"
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_off_without_secret_key_refuses_to_start_even_locally():
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="ikm_portal.settings.local",
        DEBUG="false",
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_embedded_default_is_sqlite_and_eager_tasks():
    env = {"DJANGO_SETTINGS_MODULE": "ikm_portal.settings.local", "DATABASE_URL": ""}
    code = (
        "import os; os.environ.pop('DATABASE_URL', None); os.environ.pop('CELERY_BROKER_URL', None);"
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.EMAIL_BACKEND)"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_broker_url_switches_tasks_to_the_broker():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL)"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE="ikm_portal.settings.local",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/9",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "redis://127.0.0.1:6379/9"]


PRODUCTION_KEYS = {
    "FIELD_ENCRYPTION_KEYS": "2WNdbJ0o0fTnuqUMQk4rQ4hYGYQJjFRqWvkMzJ2B3Pk=",
    "PERSONAL_DATA_HASH_KEY": "a-separate-hash-key-for-the-deploy-check",
}


def _check_deploy(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="ikm_portal.settings.production",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="ikm.malangkota.go.id",
    )
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_refuses_personal_data_keys_derived_from_the_secret_key():
    result = _check_deploy()
    assert result.returncode == 1
    assert "core.E001" in result.stderr


def test_check_deploy_has_no_warnings_in_production():
    result = _check_deploy(**PRODUCTION_KEYS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
