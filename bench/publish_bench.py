"""Issue 9, item 5 (second half): publish 1,000 selection decisions with their notifications
queued, through ``selection_publish`` (one transaction), on a programme made by seed_scale."""

import os
import time

from .common import result


def publish(*, count: int = 1000) -> list[dict]:
    from django.db import transaction

    from ikm_portal.celery import app
    from ikm_portal.notifications.models import Notification
    from training.seeding import seed_applications
    from training.selection import services
    from training.selection.models import StageDecision

    from .common import bench_user, use_broker

    admin = bench_user("office_admin", "bench-admin@bench.ikm.id")
    made = seed_applications(count=count, seed=int(time.time()) % 10_000)
    from training.models import Program

    program = Program.objects.get(pk=made["program_id"])
    # Each applicant hears through their owner account: give the businesses owners.
    from ikm_portal.accounts.models import User
    from registry.models import Enterprise

    run = made["program_id"]
    ids = list(
        Enterprise.objects.filter(applications__program=program).values_list("id", flat=True)
    )
    owners = User.objects.bulk_create(
        [
            User(email=f"owner{run}-{i}@bench.example", full_name=f"Pemilik {i}", password="!")
            for i in range(len(ids))
        ]
    )
    for enterprise_id, owner in zip(ids, owners, strict=True):
        Enterprise.objects.filter(pk=enterprise_id).update(owner=owner)
    stage = program.stages.get(order=1)
    services.stage_settings_get(stage)
    services.rubric_ensure_default(stage=stage)
    # Notifications are published to a queue nobody reads (then dropped): "queued" is the
    # figure, not their delivery (that is the notifications benchmark).
    broker = os.environ.get("BENCH_BROKER_URL") or "redis://127.0.0.1:6379/3"
    sink = f"ikm-bench-sink-{int(time.time())}"
    use_broker(broker, sink)
    before = Notification.objects.count()
    t0 = time.perf_counter()
    with transaction.atomic():
        services.selection_publish(stage=stage, actor=admin)
    elapsed = time.perf_counter() - t0
    decisions = StageDecision.objects.filter(stage=stage).count()
    queued = Notification.objects.count() - before
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(sink)
    # Floor: writing the same number of decision rows in one bulk insert.
    with transaction.atomic():
        rows = list(StageDecision.objects.filter(stage=stage).order_by("id"))
        sid = transaction.savepoint()
        StageDecision.objects.filter(stage=stage).delete()
        for r in rows:
            r.pk = None
        t0 = time.perf_counter()
        StageDecision.objects.bulk_create(rows, batch_size=1000)
        floor = time.perf_counter() - t0
        transaction.savepoint_rollback(sid)
    return [
        result(
            "5",
            f"publish {decisions:,} decisions, {queued:,} notifications queued (one transaction)",
            figure=elapsed,
            unit="s",
            floor=floor,
            floor_name="bulk insert of the same decision rows",
            target="≤ 3 s",
            ok=elapsed <= 3,
        )
    ]
