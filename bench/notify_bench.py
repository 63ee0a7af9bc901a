"""Issue 9, item 6: notifications delivered by a Celery worker (2 processes) over Redis to the
file e-mail backend; the worker is killed with SIGKILL mid-run and restarted; every message is
then counted by its X-IKM-Notification header: no loss, duplicates counted."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from .common import ROOT, result, use_broker


def _worker(env: dict, queue: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ikm_portal",
            "worker",
            "-c",
            "2",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def notifications(*, count: int) -> list[dict]:
    from django.conf import settings
    from django.utils import timezone

    from ikm_portal.notifications.choices import Channel
    from ikm_portal.notifications.models import Notification
    from ikm_portal.notifications.services import notification_enqueue, notification_sweep

    broker = (
        os.environ.get("BENCH_BROKER_URL")
        or os.environ.get("CELERY_BROKER_URL_FOR_BENCH")
        or "redis://127.0.0.1:6379/3"
    )
    queue = f"ikm-bench-{int(time.time())}"
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    outbox = Path(tempfile.mkdtemp(prefix="mail-", dir=ROOT / "bench" / "results"))
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        # django-environ reads filemail:///x as the path "x", relative to the worker's cwd.
        "EMAIL_URL": f"filemail:///{outbox.relative_to(ROOT)}",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    use_broker(broker, queue)
    run = f"bench{int(time.time())}"
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                address=f"ikm{i}@bench.example",
                channel=Channel.EMAIL,
                template="enterprise_verified",
                language="id",
                subject=f"Usaha Anda terverifikasi ({i})",
                body="Selamat, usaha Anda sudah terverifikasi di register IKM.",
                key=f"{run}:{i}:email",
                next_attempt_at=now,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    ids = [r.pk for r in rows]
    mine = Notification.objects.filter(key__startswith=f"{run}:")
    worker = _worker(env, queue)
    t0 = time.perf_counter()
    published = notification_enqueue(notification_ids=ids)
    killed_at = None
    last, stalled = -1, 0
    deadline = time.perf_counter() + max(120, count / 20)
    while time.perf_counter() < deadline:
        sent = mine.filter(status="sent").count()
        if killed_at is None and sent >= count * 0.3:
            _stop(worker, signal.SIGKILL)  # mid-run, no warning: tasks in hand are lost
            killed_at = sent
            worker = _worker(env, queue)
        if sent >= count:
            break
        stalled = stalled + 1 if sent == last else 0
        last = sent
        if killed_at is not None and stalled >= 4:
            # What the broker lost with the killed worker (unacknowledged messages come back
            # only after the visibility timeout) is found by the periodic sweep; run it as
            # beat would once the task time limit has passed.
            later = timezone.now() + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60 + 130)
            notification_sweep(now=later)
            stalled = 0
        time.sleep(0.5)
    elapsed = time.perf_counter() - t0
    _stop(worker)
    sent = mine.filter(status="sent").count()
    headers = Counter()
    for path in outbox.iterdir():
        for key in re.findall(r"^X-IKM-Notification: (\S+)$", path.read_text(), re.M):
            headers[key] += 1
    delivered = sum(1 for k in headers if k.startswith(f"{run}:"))
    duplicates = sum(n - 1 for k, n in headers.items() if k.startswith(f"{run}:") and n > 1)
    lost = count - delivered
    shutil.rmtree(outbox, ignore_errors=True)
    mine.delete()
    return [
        result(
            "6",
            f"notifications: {count:,} e-mails by a Celery worker (2 processes) over Redis, "
            f"SIGKILL at {killed_at or 0:,} sent, restarted ({published:,} published)",
            figure=delivered / elapsed,
            unit="msg/s",
            target="no loss, no duplicate",
            ok=lost == 0 and duplicates == 0,
            delivered=delivered,
            marked_sent=sent,
            lost=lost,
            duplicates=duplicates,
            seconds=round(elapsed, 1),
        )
    ]
