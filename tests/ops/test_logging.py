import json
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from ikm_portal.core import logging as portal_logging
from ikm_portal.core.logging import (
    ContextFilter,
    JsonFormatter,
    PlainFormatter,
    logging_config,
    request_id_var,
    scrub,
    user_id_var,
)

NIK = "3573011203900001"


def make_record(msg, *args, **extra):
    record = logging.LogRecord("ikm.test", logging.INFO, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def render_json(record) -> dict:
    ContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_scrub_masks_a_nik_written_plain_or_spaced():
    assert scrub(f"NIK {NIK} ok") == "NIK [NIK] ok"
    assert scrub("357301 120390 0001") == "[NIK]"
    assert scrub("3573.0112.0390.0001 and 3573-011203-900001") == "[NIK] and [NIK]"
    assert scrub(f"NIK {NIK} 2 kali") == "NIK [NIK] 2 kali"
    assert scrub("phone 081234567890 stays") == "phone 081234567890 stays"
    assert scrub("17 digits 35730112039000012") == "17 digits 35730112039000012"


def test_json_line_carries_request_and_user_id_and_no_nik():
    rid = request_id_var.set("req-12345678")
    uid = user_id_var.set(42)
    try:
        payload = render_json(make_record("owner typed %s", NIK, nik_field=NIK, rows=3))
    finally:
        request_id_var.reset(rid)
        user_id_var.reset(uid)
    assert payload["message"] == "owner typed [NIK]"
    assert payload["request_id"] == "req-12345678"
    assert payload["user_id"] == 42
    assert payload["nik_field"] == "[NIK]"
    assert payload["rows"] == 3
    assert payload["level"] == "INFO"
    assert payload["logger"] == "ikm.test"
    assert NIK not in json.dumps(payload)


def test_json_line_masks_nik_in_exception_text():
    try:
        raise ValueError(f"bad NIK {NIK}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    payload = render_json(record)
    assert "ValueError: bad NIK [NIK]" in payload["exception"]
    assert NIK not in payload["exception"]


def test_plain_line_has_request_id_and_masks_nik():
    record = make_record("saved %s", NIK)
    ContextFilter().filter(record)
    line = PlainFormatter().format(record)
    assert line.endswith("INFO ikm.test [- user=None] saved [NIK]")


def test_log_format_other_than_json_or_plain_is_refused():
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be 'json' or 'plain'"):
        logging_config(log_format="xml")


@pytest.mark.django_db
def test_response_carries_a_new_request_id(client):
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_sane_incoming_request_id_is_kept_and_insane_one_replaced(client):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert kept["X-Request-ID"] == "lb-0123456789abcdef"
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(replaced["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_access_line_has_user_id_and_path_without_query(client_as, owner, caplog):
    caplog.set_level(logging.INFO, logger="ikm_portal.request")
    response = client_as(owner).get(f"/dashboard/?q={NIK}", HTTP_X_REQUEST_ID="req-abcdefgh")
    assert response.status_code == 200
    [record] = [r for r in caplog.records if r.name == "ikm_portal.request"]
    assert record.getMessage() == "GET /dashboard/ 200"
    assert record.path == "/dashboard/"
    assert record.status == 200
    assert record.request_id == "req-abcdefgh"
    assert record.user_id == owner.pk
    payload = json.loads(JsonFormatter().format(record))
    assert payload["user_id"] == owner.pk
    assert NIK not in json.dumps(payload)


@pytest.mark.django_db
def test_access_line_of_anonymous_request_has_no_user_id(client, caplog):
    caplog.set_level(logging.INFO, logger="ikm_portal.request")
    client.get("/healthz")
    [record] = [r for r in caplog.records if r.name == "ikm_portal.request"]
    assert record.user_id is None


def test_task_publish_carries_request_id_and_prerun_restores_it():
    class Request:
        ikm_request_id = "req-from-web-1"
        headers = None

    class Task:
        request = Request()

    headers: dict = {}
    token = request_id_var.set("req-from-web-1")
    try:
        portal_logging._before_task_publish(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {"ikm_request_id": "req-from-web-1"}
    portal_logging._task_prerun(task=Task(), task_id="task-1")
    assert request_id_var.get() == "req-from-web-1"
    portal_logging._task_postrun()
    assert request_id_var.get() == ""


def test_task_without_origin_logs_under_its_task_id():
    class Task:
        class request:
            headers = {}

    portal_logging._task_prerun(task=Task(), task_id="celery-task-id-1")
    assert request_id_var.get() == "celery-task-id-1"
    portal_logging._task_postrun()
