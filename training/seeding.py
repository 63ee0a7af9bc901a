"""Applications at scale (``manage.py seed_scale --applications M``): one new programme in
review, with five tracks and a first stage, and M applications of verified businesses (one per
business), each with three track preferences. Bulk inserts; reproducible by seed."""

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone

from registry.models import Enterprise

from .choices import ApplicationStatus, ProgramMode, ProgramStatus
from .models import Application, Program, Stage, TrackChoice

TRACKS = ["Pangan olahan", "Kriya dan kerajinan", "Fesyen", "Pemasaran digital", "Kemasan"]


def seed_applications(*, count: int, seed: int) -> dict:
    started = time.perf_counter()
    rng = random.Random(seed)
    enterprise_ids = list(
        Enterprise.objects.filter(status="verified").order_by("id").values_list("id", flat=True)
    )
    if len(enterprise_ids) < count:
        raise ValueError(
            f"{count:,} applications need as many verified businesses; there are "
            f"{len(enterprise_ids):,} (seed more with --enterprises)."
        )
    chosen = sorted(rng.sample(enterprise_ids, count))
    now = timezone.now()
    with transaction.atomic():
        program = Program.objects.create(
            title=f"Pelatihan skala besar (seed {seed})",
            description="Synthetic programme of seed_scale for benchmarks.",
            mode=ProgramMode.CAMPURAN,
            status=ProgramStatus.REVIEWING,
            opens_at=now - datetime.timedelta(days=60),
            closes_at=now - datetime.timedelta(days=30),
        )
        tracks = [
            program.tracks.create(name=name, seats=max(1, count // 50), position=i)
            for i, name in enumerate(TRACKS)
        ]
        Stage.objects.create(program=program, order=1, name="Seleksi", seats=max(1, count // 100))
        start = now - datetime.timedelta(days=59)
        apps = Application.objects.bulk_create(
            [
                Application(
                    program=program,
                    enterprise_id=pk,
                    status=ApplicationStatus.IN_REVIEW,
                    status_changed_at=now,
                    consent_share_with_partner=True,
                    consent_at=start,
                    consent_version="2026-11",
                    eligibility_ok=True,
                    eligibility_checked_at=now,
                    submitted_at=start + datetime.timedelta(seconds=rng.randint(0, 29 * 86400)),
                )
                for pk in chosen
            ],
            batch_size=5000,
        )
        TrackChoice.objects.bulk_create(
            [
                TrackChoice(application=a, track=track, preference=p)
                for a in apps
                for p, track in enumerate(rng.sample(tracks, 3), start=1)
            ],
            batch_size=10000,
        )
    return {
        "program_id": program.pk,
        "applications": len(apps),
        "seconds": time.perf_counter() - started,
    }
