from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ApplicationFactory, EnterpriseFactory, VerifiedEnterpriseFactory
from tests.factories.participation import SessionFactory, answer, enrol
from tests.factories.registry import region
from training.participation.services import (
    attendance_mark,
    participant_complete,
    participant_transition,
)
from training.participation.stats.program import funnel, session_attendance
from training.participation.stats.registry import registry_stats, suppress

pytestmark = pytest.mark.django_db


def test_suppress_hides_counts_under_five():
    rows = suppress(
        [
            {"name": "a", "n": 12},
            {"name": "b", "n": 3},
            {"name": "c", "n": 0},
            {"name": "d", "n": 4},
        ],
        ["n"],
    )
    assert [(r["name"], r["n"], r["suppressed"]) for r in rows] == [
        ("a", 12, []),
        ("b", None, ["n"]),
        ("c", 0, []),
        ("d", None, ["n"]),
    ]


def test_suppress_a_single_small_cell_hides_the_next_smallest_too():
    rows = suppress([{"name": "a", "n": 40}, {"name": "b", "n": 2}, {"name": "c", "n": 9}], ["n"])
    assert [r["n"] for r in rows] == [40, None, None]


def test_suppress_exactly_five_is_shown():
    assert suppress([{"n": 5}, {"n": 6}], ["n"])[0]["n"] == 5


def _register(kecamatan_code, count, **kwargs):
    kel = {"35.73.05": "35.73.05.1004", "35.73.01": "35.73.01.1007", "35.73.02": "35.73.02.1011"}
    for _ in range(count):
        VerifiedEnterpriseFactory(kelurahan=region(kel[kecamatan_code]), **kwargs)


def test_registry_stats_public_suppresses_small_cells_and_holds_no_personal_data():
    _register("35.73.05", 7)
    _register("35.73.01", 2)
    _register("35.73.02", 6)
    EnterpriseFactory(submitted=True)
    stats = registry_stats(public=True)
    by_kec = {r["name"]: r["verified"] for r in stats["by_kecamatan"]}
    assert by_kec["Lowokwaru"] == 7
    assert by_kec["Blimbing"] is None
    assert by_kec["Klojen"] is None  # the next smallest, so the total cannot reveal Blimbing
    assert stats["totals"] == {"verified": 15}
    assert "backlog" not in stats and "by_month" not in stats
    text = str(stats)
    assert "Keripik Tempe" not in text and "+62" not in text


def test_registry_stats_office_has_backlog_months_and_exact_counts():
    _register("35.73.05", 3)
    EnterpriseFactory(submitted=True, kelurahan=region("35.73.01.1007"))
    stats = registry_stats(public=False)
    assert stats["totals"]["registered"] == 4
    assert stats["totals"]["verified"] == 3
    assert stats["backlog"]["waiting"] == 1
    assert stats["backlog"]["median_days_to_verify"] == 1.0
    this_month = timezone.localtime().strftime("%Y-%m")
    assert stats["by_month"][-1]["month"] == this_month
    assert stats["by_month"][-1]["verified"] == 3
    assert sum(m["registered"] for m in stats["by_month"]) == 4
    assert len(stats["by_month"]) == 12
    by_kec = {r["name"]: (r["registered"], r["verified"]) for r in stats["by_kecamatan"]}
    assert by_kec["Lowokwaru"] == (3, 3)
    assert by_kec["Blimbing"] == (1, 0)
    assert stats["by_kbli_division"] == [
        {"division": "10", "title": "KBLI 10", "registered": 4, "verified": 3}
    ]


def test_registry_stats_api_public_for_anonymous_and_full_for_office(api_as, staff, owner):
    _register("35.73.05", 2)
    anonymous = api_as(None).get("/api/v1/stats/registry/")
    assert anonymous.status_code == 200
    assert anonymous.json()["public"] is True
    assert anonymous.json()["totals"] == {"verified": None}
    assert api_as(owner).get("/api/v1/stats/registry/").json()["public"] is True
    office = api_as(staff).get("/api/v1/stats/registry/").json()
    assert office["public"] is False
    assert office["totals"]["verified"] == 2


def test_public_statistics_page_shows_suppressed_cells(client):
    _register("35.73.05", 6)
    _register("35.73.01", 1)
    response = client.get("/statistics/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "&lt;5" in page
    assert 'data-chart="registry-kecamatan"' in page


def test_funnel_counts_each_step(program, tracks, staff):
    for status in ["draft", "submitted", "ineligible", "eligible", "not_selected", "withdrawn"]:
        ApplicationFactory(program=program, status=status)
    first = enrol(program=program)
    second = enrol(program=program)
    enrol(second.application, 2)
    participant_complete(participant=first, actor=staff, override=True, reason="x")
    participant_transition(participant=second, to="dropped", reason="Pindah")
    data = funnel(program=program)
    assert [(s["key"], s["count"]) for s in data["steps"]] == [
        ("applied", 7),
        ("eligible", 4),
        ("stage_1", 2),
        ("stage_2", 1),
        ("completed", 0),
    ]
    assert data["stages"][0]["by_status"]["completed"] == 1
    assert data["stages"][0]["by_status"]["dropped"] == 1


def test_session_attendance_rates(program, stage1, tracks, staff):
    a, b, _c = (enrol(program=program) for _ in range(3))
    start = timezone.now() - timedelta(days=1)
    held = SessionFactory(stage=stage1, starts_at=start, ends_at=start + timedelta(hours=2))
    attendance_mark(
        session=held,
        marks=[
            {"participant": a.pk, "status": "present"},
            {"participant": b.pk, "status": "excused"},
        ],
        actor=staff,
    )
    SessionFactory(
        stage=stage1,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    data = session_attendance(program=program)
    first = data["sessions"][0]
    assert (
        first["expected"],
        first["present"],
        first["excused"],
        first["unmarked"],
        first["rate"],
    ) == (3, 1, 1, 1, 50.0)
    assert data["sessions"][1]["rate"] is None
    assert (data["sessions_held"], data["rate"]) == (1, 50.0)


def test_funnel_outcome_response_rates(program):
    p = enrol(program=program)
    enrol(program=program)
    answer(p.application, "baseline")
    rates = {r["wave"]: r for r in funnel(program=program)["outcomes"]}
    assert (
        rates["baseline"]["requested"],
        rates["baseline"]["answered"],
        rates["baseline"]["rate"],
    ) == (2, 1, 50.0)
    assert rates["endline"]["rate"] is None
