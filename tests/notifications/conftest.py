"""Fixtures for the outbox tests: a clean mail outbox, a fake HTTP gateway on 127.0.0.1, a
test e-mail backend that fails the way SMTP servers do, and a switch to a real Redis broker."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from ikm_portal.celery import app as celery_app


@pytest.fixture(autouse=True)
def _clean_outbox():
    mail.outbox = []


@pytest.fixture
def deliver_on_commit(django_capture_on_commit_callbacks):
    """`with deliver_on_commit(): ...` runs the on-commit delivery the way a request would."""

    def make():
        return django_capture_on_commit_callbacks(execute=True)

    return make


# --- SMTP behaviour without an SMTP server ---


@pytest.fixture
def smtp_failures(settings):
    """Queue SMTP errors for the next sends: `smtp_failures.extend([exc, ...])`."""
    from tests.notifications import backends

    backends.FAILURES.clear()
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
    yield backends.FAILURES
    backends.FAILURES.clear()


# --- A fake WhatsApp/SMS gateway ---


class FakeGateway:
    def __init__(self):
        self.requests: list[dict] = []
        self.responses: list[tuple[int, dict, float]] = []  # (status, json body, delay s)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.release = threading.Event()
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def reply(self, status: int, body: dict | None = None, delay: float = 0.0):
        self.responses.append((status, body or {}, delay))

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": json.loads(self.rfile.read(length) or b"{}"),
                    }
                )
                status, body, delay = (
                    gateway.responses.pop(0) if gateway.responses else (200, {}, 0)
                )
                if delay:
                    # Slower than the client's time-out; released at teardown.
                    gateway.release.wait(delay)
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (time-out)

        return Handler

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    """A gateway on 127.0.0.1 configured for WhatsApp and SMS, with a short time-out."""
    fake = FakeGateway()
    settings.WHATSAPP_API_URL = fake.url
    settings.WHATSAPP_API_TOKEN = "wa-secret"
    settings.WHATSAPP_SENDER = "+6281100000000"
    settings.WHATSAPP_TIMEOUT = 0.5
    settings.SMS_API_URL = fake.url
    settings.SMS_API_TOKEN = "sms-secret"
    settings.SMS_SENDER = "DISKOPINDAG"
    settings.SMS_TIMEOUT = 0.5
    yield fake
    fake.close()


def closed_port() -> int:
    """A local TCP port nobody listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- A real broker (tests marked redis) ---


@pytest.fixture
def broker(settings, monkeypatch):
    """`broker.use(url)` points the Celery app at that broker (not eager) on a queue of this
    test's own, so a worker started by the test consumes only this test's messages."""

    class Switch:
        real_url = settings.CELERY_BROKER_URL
        queue = f"ikm-test-{int(time.time() * 1000)}"

        def use(self, url):
            # Celery reads CELERY_BROKER_URL from the environment before its own setting.
            monkeypatch.setenv("CELERY_BROKER_URL", url)
            celery_app.conf.broker_url = url
            celery_app.conf.task_always_eager = False
            # Routing by task name (CELERY_TASK_ROUTES) would send notifications.* elsewhere.
            celery_app.conf.task_routes = {"*": {"queue": self.queue}}
            _forget_connections()

    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager", "task_routes")}
    switch = Switch()
    yield switch
    for key, value in saved.items():
        celery_app.conf[key] = value
    _forget_connections()


def _forget_connections():
    """Drop pooled connections so the next publish connects to the broker now configured
    (what Celery itself does after a fork)."""
    from kombu import pools

    pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
        amqp.flush_routes()
        # Cached from the configuration of the moment: rebuilt on next use.
        for name in ("router", "queues", "default_queue", "send_task_message"):
            amqp.__dict__.pop(name, None)
