"""Applications at scale (``manage.py seed_scale --applications M``): one new programme in
review, with five tracks and a first stage, and M applications of verified businesses (one per
business), each with three track preferences. Reproducible by seed.

PostgreSQL: the applications and their choices go in with ``COPY`` (100,000 applications in
a few seconds); elsewhere (SQLite, the tests) with ``bulk_create``. Both write the same rows."""

import datetime
import io
import json
import random
import time

from django.db import DatabaseError, connection, transaction
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
        submitted = [
            start + datetime.timedelta(seconds=rng.randint(0, 29 * 86400)) for _pk in chosen
        ]
        preferences = [rng.sample(tracks, 3) for _pk in chosen]
        template = Application(
            program=program,
            enterprise_id=0,
            status=ApplicationStatus.IN_REVIEW,
            status_changed_at=now,
            consent_share_with_partner=True,
            consent_at=start,
            consent_version="2026-11",
            eligibility_ok=True,
            eligibility_checked_at=now,
            created_at=now,
            updated_at=now,
        )
        if connection.vendor == "postgresql":
            _copy_applications(template, chosen, submitted, preferences)
        else:
            apps = Application.objects.bulk_create(
                [
                    Application(
                        **{
                            f.attname: getattr(template, f.attname)
                            for f in Application._meta.concrete_fields
                            if not f.primary_key
                        }
                        | {"enterprise_id": pk, "submitted_at": when}
                    )
                    for pk, when in zip(chosen, submitted, strict=True)
                ],
                batch_size=5000,
            )
            TrackChoice.objects.bulk_create(
                [
                    TrackChoice(application=a, track=track, preference=p)
                    for a, choice in zip(apps, preferences, strict=True)
                    for p, track in enumerate(choice, start=1)
                ],
                batch_size=10000,
            )
    return {
        "program_id": program.pk,
        "applications": count,
        "seconds": time.perf_counter() - started,
    }


def _copy_text(value) -> str:
    """A constant field's value in COPY's text format (no value here needs escaping)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _copy_applications(template: Application, chosen, submitted, preferences) -> None:
    """COPY the applications (every column but the business and the submission time is the
    template's), read their ids back and COPY the track choices."""
    varying = ("enterprise_id", "submitted_at")
    fields = [
        f
        for f in Application._meta.concrete_fields
        if not f.primary_key and f.attname not in varying
    ]
    columns = [f.column for f in fields] + list(varying)
    fixed = "\t".join(_copy_text(getattr(template, f.attname)) for f in fields)
    text = "".join(
        f"{fixed}\t{pk}\t{when.isoformat()}\n" for pk, when in zip(chosen, submitted, strict=True)
    )
    app_table, choice_table = Application._meta.db_table, TrackChoice._meta.db_table
    with connection.cursor() as cursor:
        # The rows refer to businesses, the programme and its tracks that exist: skip the
        # foreign-key triggers (two checks per row, queued to the commit) when the role may.
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            pass
        cursor.copy_expert(
            f"COPY {app_table} ({', '.join(columns)}) FROM STDIN",
            io.BytesIO(text.encode()),
            1 << 20,
        )
        ids = dict(
            Application.objects.filter(program_id=template.program_id).values_list(
                "enterprise_id", "id"
            )
        )
        text = "".join(
            f"{ids[pk]}\t{track.pk}\t{p}\n"
            for pk, choice in zip(chosen, preferences, strict=True)
            for p, track in enumerate(choice, start=1)
        )
        cursor.copy_expert(
            f"COPY {choice_table} (application_id, track_id, preference) FROM STDIN",
            io.BytesIO(text.encode()),
            1 << 20,
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
