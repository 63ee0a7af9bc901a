"""A real Celery worker on the real Redis (CI's): the worker runs in a subprocess against this
test database, so these tests commit (transactional_db) and need PostgreSQL — an in-memory
SQLite database cannot be shared with another process."""

import logging
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ikm_portal.notifications.models import Notification
from ikm_portal.notifications.services import notification_sweep

from .conftest import closed_port

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


def _database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test_<name>)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def start_worker(broker):
    """`start_worker()` points the app at the real Redis and starts `celery worker` on this
    test's queue; it returns `wait_for(pk, status)`. The worker is stopped at teardown."""
    started = []

    def start():
        broker.use(broker.real_url)
        process, log = _spawn(broker)
        started.append((process, log))
        return _waiter(process, log)

    yield start
    for process, log in started:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)
    _purge(broker)


def _spawn(broker):
    # The worker writes its log here for as long as it runs; closed at teardown.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115
        prefix="ikm-worker-", suffix=".log", delete=False
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ikm_portal.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker.real_url,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ikm_portal",
            "worker",
            "--pool=solo",
            "--queues",
            broker.queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def _waiter(process, log):
    def wait_for(pk: int, status: str, timeout: float = 60) -> Notification:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = Notification.objects.get(pk=pk)
            if row.status == status:
                return row
            if process.poll() is not None:
                break
            time.sleep(0.2)
        log.flush()
        output = Path(log.name).read_text(errors="replace")[-4000:]
        pytest.fail(f"notification {pk} is {row.status!r}, not {status!r}; worker log:\n{output}")

    return wait_for


def _purge(broker):
    import redis

    redis.Redis.from_url(broker.real_url).delete(broker.queue)


def test_worker_delivers_a_password_reset_queued_by_a_request(client, owner, start_worker):
    wait_for = start_worker()
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    email = Notification.objects.get(channel="email", recipient=owner)
    sent = wait_for(email.pk, "sent")
    assert sent.attempts == 1
    assert sent.last_error == ""
    assert Notification.objects.get(channel="in_app", recipient=owner).status == "sent"


def test_broker_down_request_succeeds_row_waits_and_the_sweep_delivers_it(
    client, owner, broker, start_worker, caplog
):
    # The broker is a closed port: the publish fails at once, the request does not.
    broker.use(f"redis://127.0.0.1:{closed_port()}/0")
    with caplog.at_level(logging.ERROR, logger="ikm_portal.notifications.services"):
        response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    email = Notification.objects.get(channel="email", recipient=owner)
    assert (email.status, email.attempts) == ("queued", 0)
    assert email.last_error.startswith("Could not reach the task broker")
    assert "Could not publish 1 notification(s) to the broker" in caplog.text

    # The broker is back (the real Redis) and a worker runs: the beat sweep sends it.
    Notification.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    wait_for = start_worker()
    assert notification_sweep() == {"due": 1, "unstuck": 0, "enqueued": 1}
    sent = wait_for(email.pk, "sent")
    assert (sent.attempts, sent.last_error) == (1, "")


def test_worker_delivers_a_batch_queued_by_many_events_once_each(start_worker, settings):
    from django.db import transaction

    from ikm_portal.notifications.services import notification_queue_many
    from tests.factories import UserFactory

    settings.NOTIFICATIONS_TASK_BATCH = 2  # three e-mails: a batch of two and one alone
    people = [UserFactory() for _ in range(3)]
    wait_for = start_worker()
    with transaction.atomic():
        notification_queue_many(
            messages=[
                {
                    "recipient": person,
                    "template": "application_selected",
                    "context": {"program_title": "Program"},
                    "channels": ["email", "in_app"],
                    "key": f"worker-batch:{person.pk}",
                }
                for person in people
            ]
        )
    for email in Notification.objects.filter(channel="email", key__startswith="worker-batch:"):
        sent = wait_for(email.pk, "sent")
        assert (sent.attempts, sent.last_error) == (1, "")
