"""A real Celery worker and beat against the Redis broker write their heartbeats; a worker that
stops cleanly removes its own."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from ikm_portal.core import heartbeats

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis]


def celery(*args, tmp_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ikm_portal.settings.test",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "HEARTBEAT_INTERVAL": "1",
    }
    log = open(tmp_path / f"{args[0]}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ikm_portal", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(predicate, seconds=40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    return predicate()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_worker_heartbeat_written_and_removed_on_clean_stop(tmp_path):
    tag = uuid.uuid4().hex[:8]
    hostname = f"hbtest-{tag}@localhost"
    # Queues of this test's own: the worker must not eat other tests' messages.
    queues = [f"hbtest-{tag}-a", f"hbtest-{tag}-b"]
    worker = celery(
        "worker",
        "-n",
        hostname,
        "-Q",
        ",".join(queues),
        "-P",
        "solo",
        "--without-mingle",
        "-l",
        "info",
        tmp_path=tmp_path,
    )
    try:
        beat = wait_for(lambda: heartbeats.read_workers().get(hostname))
        assert beat, (tmp_path / "worker.log").read_text()[-3000:]
        assert beat["queues"] == queues
        assert time.time() - beat["at"] < 30
    finally:
        stop(worker)
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert hostname not in heartbeats.read_workers()


def test_beat_heartbeat_written_as_beat_publishes(tmp_path):
    heartbeats.client().delete(heartbeats.BEAT_KEY)
    started = time.time()
    beat = celery("beat", "--schedule", str(tmp_path / "schedule"), "-l", "info", tmp_path=tmp_path)
    try:
        seen = wait_for(lambda: (heartbeats.read_beat() or 0) >= started)
        assert seen, (tmp_path / "beat.log").read_text()[-3000:]
        first = heartbeats.read_beat()
        # Beat keeps publishing core.heartbeat every HEARTBEAT_INTERVAL (1 s here).
        assert wait_for(lambda: heartbeats.read_beat() > first, seconds=20)
    finally:
        stop(beat)
        client = heartbeats.client()
        client.delete(heartbeats.BEAT_KEY, "celery")
