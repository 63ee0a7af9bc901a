"""Seats are never over-filled: 50 owners accept at the same moment, one seat is left, exactly
one wins (PostgreSQL row locks; SQLite serialises writes and is skipped)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import ApplicationFactory, ProgramFactory, VerifiedEnterpriseFactory
from training.choices import ApplicationStatus
from training.models import Application
from training.selection.choices import Decision, RunStatus
from training.selection.models import SelectionRun, StageDecision


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_accepts_for_the_last_seat_exactly_one_wins():
    program = ProgramFactory(with_setup=True)
    stage = program.stages.get(order=1)
    stage.seats = 3
    stage.save(update_fields=["seats"])
    run = SelectionRun.objects.create(
        stage=stage,
        status=RunStatus.PUBLISHED,
        params={"seats": 3, "track_seats": None, "waitlist_length": 0, "tie_breakers": []},
        published_at=timezone.now(),
    )
    deadline = timezone.now() + timedelta(days=3)
    contenders = []
    for rank in range(1, 53):
        accepted = rank <= 2  # two seats are taken already: one is left
        application = ApplicationFactory(
            program=program,
            enterprise=VerifiedEnterpriseFactory(),
            status=ApplicationStatus.ACCEPTED if accepted else ApplicationStatus.SELECTED,
        )
        StageDecision.objects.create(
            stage=stage,
            application=application,
            run=run,
            status=Decision.ACCEPTED if accepted else Decision.SELECTED,
            published_decision=Decision.SELECTED,
            rank=rank,
            rank_of=52,
            reason="merit",
            response_deadline=deadline,
        )
        if not accepted:
            contenders.append(application)
    assert len(contenders) == 50
    barrier = threading.Barrier(len(contenders))
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def accept(application):
        client = APIClient()
        client.force_authenticate(application.enterprise.owner)
        try:
            barrier.wait(timeout=30)
            response = client.post(
                f"/api/v1/applications/{application.pk}/respond/", {"accept": True}, format="json"
            )
            with lock:
                results.append((response.status_code, response.data.get("code", "")))
        except BaseException as exc:  # reported below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(a,)) for a in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(results) == [(200, "")] + [(409, "capacity_full")] * 49
    assert StageDecision.objects.filter(stage=stage, status=Decision.ACCEPTED).count() == 3
    assert (
        Application.objects.filter(program=program, status=ApplicationStatus.ACCEPTED).count() == 3
    )
