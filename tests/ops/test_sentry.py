import pytest

from ikm_portal.core.logging import request_id_var
from ikm_portal.core.sentry import scrub_breadcrumb, scrub_event, scrub_text

NIK = "3573011203900001"


def test_scrub_text_masks_nik_email_and_phone():
    text = f"owner budi@example.id NIK {NIK} phone +6281234567890 or 0812-3456-7890"
    assert scrub_text(text) == "owner [email] NIK [NIK] phone [phone] or [phone]"


def test_scrub_event_keeps_only_user_id_and_safe_request_parts():
    event = {
        "message": f"failed for {NIK}",
        "user": {"id": 7, "email": "budi@example.id", "username": "budi@example.id"},
        "request": {
            "url": "https://ikm.example.id/registry/",
            "method": "POST",
            "data": {"nik": NIK},
            "cookies": {"sessionid": "abc"},
            "query_string": f"q={NIK}",
            "env": {"REMOTE_ADDR": "10.1.2.3"},
            "headers": {"User-Agent": "Firefox", "Cookie": "sessionid=abc", "X-Request-ID": "r1"},
        },
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": f"bad NIK {NIK}",
                    "stacktrace": {"frames": [{"function": "save", "vars": {"nik": NIK}}]},
                }
            ]
        },
        "extra": {"note": "call 081234567890"},
    }
    token = request_id_var.set("req-123456789")
    try:
        scrubbed = scrub_event(event, {})
    finally:
        request_id_var.reset(token)
    assert scrubbed["message"] == "failed for [NIK]"
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["request"] == {
        "url": "https://ikm.example.id/registry/",
        "method": "POST",
        "headers": {"User-Agent": "Firefox", "X-Request-ID": "r1"},
    }
    assert scrubbed["exception"]["values"][0]["value"] == "bad NIK [NIK]"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "save"}]
    assert scrubbed["extra"] == {"note": "call [phone]"}
    assert scrubbed["tags"] == {"request_id": "req-123456789"}


def test_scrub_event_without_user():
    assert scrub_event({"message": "x"}, None) == {"message": "x", "user": {}}


def test_scrub_breadcrumb_masks_sql_parameters():
    crumb = {"category": "query", "message": f"SELECT … WHERE nik = '{NIK}'"}
    assert scrub_breadcrumb(crumb)["message"] == "SELECT … WHERE nik = '[NIK]'"


def test_sentry_initialised_only_with_a_dsn_and_without_pii():
    sentry_sdk = pytest.importorskip("sentry_sdk")
    import subprocess
    import sys

    from tests.ops.test_settings_ops import PROD_KEY, ROOT

    code = (
        "import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); "
        "o = c.options; print(c.is_active(), o['send_default_pii'], o['include_local_variables'], "
        "o['before_send'].__name__, o['max_request_body_size'])"
    )
    import os

    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(
        DJANGO_SETTINGS_MODULE="ikm_portal.settings.production",
        SECRET_KEY=PROD_KEY,
        SENTRY_DSN="https://public@sentry.invalid/1",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False", "scrub_event", "never"]
    assert sentry_sdk  # imported only to skip without the extra
