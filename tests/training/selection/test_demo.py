"""`make run`'s demo: the first batch of the Sampoerna-like programme, selected through the
services (150 applicants, four partner reviewers, 100 then 20 seats)."""

from collections import Counter

import pytest
from django.core.management import call_command

from training.models import Application, Program
from training.selection import services
from training.selection.choices import Decision, RunStatus
from training.selection.demo import TITLE

pytestmark = pytest.mark.django_db


def test_demo_selection_story(capsys):
    call_command("load_demo")
    program = Program.objects.get(title=TITLE)
    stage1, stage2 = program.stages.order_by("order")
    assert program.applications.count() == 150
    reviewers = set(stage1.reviews.values_list("reviewer__email", flat=True))
    assert reviewers == {
        "reviewer@demo.ikm.id",
        "reviewer2@demo.ikm.id",
        "reviewer3@demo.ikm.id",
        "reviewer4@demo.ikm.id",
    }
    assert stage1.reviews.filter(status="submitted").count() == 300
    run1 = stage1.selection_runs.get(status=RunStatus.PUBLISHED)
    published = Counter(r["decision"] for r in run1.results)
    assert published == {"selected": 100, "waitlisted": 10, "not_selected": 40}
    per_track = Counter(r["track"] for r in run1.results if r["decision"] == "selected")
    for track in program.tracks.all():
        assert per_track[track.pk] <= track.seats
    statuses = Counter(stage1.decisions.values_list("status", flat=True))
    assert (statuses[Decision.DECLINED], statuses[Decision.LAPSED]) == (5, 3)
    promoted = stage1.decisions.filter(promoted_at__isnull=False)
    assert promoted.count() >= 2
    assert statuses[Decision.ACCEPTED] <= stage1.seats
    assert services.selection_rerun(run1)["identical"] is True
    run2 = stage2.selection_runs.get(status=RunStatus.PUBLISHED)
    assert Counter(r["decision"] for r in run2.results)["selected"] == 20
    assert {c["id"] for c in run2.candidates} == set(
        stage1.decisions.filter(status=Decision.ACCEPTED).values_list("application_id", flat=True)
    )
    assert set(stage2.criteria.values_list("key", flat=True)) == {
        "kemajuan_penerapan",
        "potensi_pertumbuhan",
        "kesiapan_pendampingan",
    }
    demo_owner = Application.objects.get(
        program=program, enterprise__owner__email="pemilik@demo.ikm.id"
    )
    assert services.open_offer(demo_owner).stage == stage2
    # Loading again changes nothing.
    call_command("load_demo")
    assert Program.objects.filter(title=TITLE).count() == 1
    assert "already loaded" in capsys.readouterr().out
