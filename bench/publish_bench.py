"""Issue 9, item 5 (second half): publish 1,000 selection decisions with their notifications
queued, through ``selection_publish`` (one transaction), on a programme made by seed_scale.

The stage is set up as a real one is: two submitted reviews for nine applicants in ten (the
tenth has none: not selected, no score), a fifth of the pool still eligible (so their
transition goes eligible → in review → decision, with the in-review message), 10% of the
pool selected within five track quotas, a waitlist of 5%. Every applicant's owner gets the
decision by e-mail and in-app."""

import os
import random
import time

from .common import result


def publish(*, count: int = 1000) -> list[dict]:
    from django.db import transaction
    from django.db.models import Count

    from ikm_portal.celery import app
    from ikm_portal.notifications.models import Notification
    from training.choices import ApplicationStatus
    from training.models import Application
    from training.seeding import seed_applications
    from training.selection import services
    from training.selection.choices import ReviewStatus
    from training.selection.models import Review, StageDecision

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
    stage.seats = max(1, count // 10)
    stage.save(update_fields=["seats"])
    config = services.stage_settings_get(stage)
    tracks = list(program.tracks.order_by("position"))
    config.waitlist_length = max(1, count // 20)
    config.use_track_seats = True
    config.track_seats = {str(t.pk): -(-stage.seats // len(tracks)) for t in tracks}
    config.save()
    services.rubric_ensure_default(stage=stage)
    rng = random.Random(run)
    applications = list(program.applications.order_by("pk").values_list("pk", flat=True))
    Application.objects.filter(pk__in=applications[::5]).update(status=ApplicationStatus.ELIGIBLE)
    reviewers = User.objects.bulk_create(
        [
            User(email=f"reviewer{run}-{i}@bench.example", full_name=f"Penilai {i}", password="!")
            for i in range(2)
        ]
    )
    Review.objects.bulk_create(
        [
            Review(
                stage=stage,
                application_id=pk,
                reviewer=reviewer,
                status=ReviewStatus.SUBMITTED,
                total=round(rng.uniform(40, 100), 2),
                submitted_at=program.closes_at,
            )
            for i, pk in enumerate(applications)
            if i % 10 != 9
            for reviewer in reviewers
        ]
    )
    # Notifications are published to a queue nobody reads (then dropped): "queued" is the
    # figure, not their delivery (that is the notifications benchmark).
    broker = os.environ.get("BENCH_BROKER_URL") or "redis://127.0.0.1:6379/3"
    sink = f"ikm-bench-sink-{int(time.time())}"
    use_broker(broker, sink)
    # Warm, as a serving process is: the URLconf imported (the messages link to pages) and a
    # connection to the broker open (an empty batch, purged with the rest).
    from django.urls import reverse

    from ikm_portal.notifications.tasks import deliver_many

    reverse("training:selection_mine_detail", args=[1])
    deliver_many.apply_async(args=[[]])
    before = Notification.objects.count()
    t0 = time.perf_counter()
    with transaction.atomic():
        services.selection_publish(stage=stage, actor=admin)
    elapsed = time.perf_counter() - t0
    decisions = StageDecision.objects.filter(stage=stage).count()
    mix = dict(
        StageDecision.objects.filter(stage=stage)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
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
            decisions=mix,
        )
    ]
