"""The impact report against a hand-computed fixture.

Turnover (Rp), baseline → end-line:

| business | group          | track | before     | after      | change     | %      |
|----------|----------------|-------|------------|------------|------------|--------|
| A        | stage 2        | T1    | 10.000.000 | 14.000.000 | +4.000.000 | +40    |
| B        | stage 2        | T1    |  8.000.000 |  9.000.000 | +1.000.000 | +12,5  |
| C        | stage 2        | T1    |  5.000.000 |  7.500.000 | +2.500.000 | +50    |
| D        | stage 1 only   | T1    |  6.000.000 |  6.500.000 |   +500.000 | +8,33… |
| E        | stage 1 only   | T1    |  4.000.000 |  4.000.000 |          0 | 0      |
| F        | stage 1 only   | T2    |  3.000.000 |  4.200.000 | +1.200.000 | +40    |
| G        | stage 1 only   | T2    | 10.000.000 |  9.000.000 | -1.000.000 | -10    |
| K        | stage 1 only   | T2    |  6.000.000 | (none)     |            |        |
| H        | not selected   | T1    |  7.000.000 |  7.700.000 |   +700.000 | +10    |
| I        | not selected   | T1    |  5.000.000 |  5.000.000 |          0 | 0      |
| J        | not selected   | T1    |  6.000.000 | (none)     |            |        |

Quartiles by linear interpolation (position (n-1)·q in the sorted changes):
- stage 2: 1,0 / 2,5 / 4,0 M → Q1 = 1,0 + 0,5·1,5 = 1,75 M; median 2,5 M; Q3 = 2,5 + 0,5·1,5 = 3,25 M;
  median % = 40.
- stage 1 only: -1,0 / 0 / 0,5 / 1,2 M → Q1 = -1,0 + 0,75·1,0 = -0,25 M; median 0,25 M;
  Q3 = 0,5 + 0,25·0,7 = 0,675 M; median % = (0 + 8,33…)/2 = 4,1666… → 4,2.
  T1 alone: 0 / 0,5 M → 0,125 / 0,25 / 0,375 M; T2 alone: -1,0 / 1,2 M → -0,45 / 0,1 / 0,65 M.
- not selected: 0 / 0,7 M → 0,175 / 0,35 / 0,525 M; median % = 5.

Monthly output of stage 2: A 100 → 150 kg (+50), B 80 pcs → 90 pack (units differ: left out),
C 200 → 180 kg (-20): n = 2, median 15, Q1 -2,5, Q3 32,5.
Markets of stage 2: A local → local+marketplace; B local+marketplace → marketplace; C local →
local+export. New market 2 of 3 (66,7 %), new marketplace 1 of 3 (33,3 %), new export 1 of 3;
certifications: A gains halal (1 of 3)."""

from decimal import Decimal as D

import pytest

from tests.factories import ApplicationFactory
from tests.factories.participation import AcceptedApplicationFactory, answer, enrol
from training.participation.stats import impact
from training.participation.stats.program import impact_report

M = D(1_000_000)

TURNOVER = {
    # name: (group, track, before, after)
    "A": ("stage_2", "T1", 10 * M, 14 * M),
    "B": ("stage_2", "T1", 8 * M, 9 * M),
    "C": ("stage_2", "T1", 5 * M, D("7.5") * M),
    "D": ("stage_1", "T1", 6 * M, D("6.5") * M),
    "E": ("stage_1", "T1", 4 * M, 4 * M),
    "F": ("stage_1", "T2", 3 * M, D("4.2") * M),
    "G": ("stage_1", "T2", 10 * M, 9 * M),
    "K": ("stage_1", "T2", 6 * M, None),
    "H": ("not_selected", "T1", 7 * M, D("7.7") * M),
    "I": ("not_selected", "T1", 5 * M, 5 * M),
    "J": ("not_selected", "T1", 6 * M, None),
}
OUTPUT = {
    "A": ((100, "kg"), (150, "kg")),
    "B": ((80, "pcs"), (90, "pack")),
    "C": ((200, "kg"), (180, "Kg ")),
}
MARKETS = {
    "A": (["local"], ["local", "marketplace"]),
    "B": (["local", "marketplace"], ["marketplace"]),
    "C": (["local"], ["export", "local"]),
}
CERTS = {"A": ([], ["halal"])}
GROUPS = ["stage_2", "stage_1", "not_selected"]


def _answers(name):
    group, track, before, after = TURNOVER[name]
    out = OUTPUT.get(name, ((1000, "pcs"), (1000, "pcs")))
    markets = MARKETS.get(name, (["local"], ["local"]))
    certs = CERTS.get(name, ([], []))
    common = {"unit_cost": D(5000), "selling_price": D(8000), "workers": 3}
    first = dict(
        common,
        monthly_turnover=before,
        monthly_output=D(out[0][0]),
        output_unit=out[0][1],
        markets=markets[0],
        certifications=certs[0],
    )
    second = None
    if after is not None:
        second = dict(
            common,
            monthly_turnover=after,
            monthly_output=D(out[1][0]),
            output_unit=out[1][1],
            markets=markets[1],
            certifications=certs[1],
        )
    return group, track, first, second


def _answer_obj(values):
    if values is None:
        return None
    return impact.Answer(
        monthly_output=values["monthly_output"],
        output_unit=values["output_unit"],
        unit_cost=values["unit_cost"],
        selling_price=values["selling_price"],
        monthly_turnover=values["monthly_turnover"],
        workers=values["workers"],
        certifications=frozenset(values["certifications"]),
        markets=frozenset(values["markets"]),
    )


def _subjects():
    subjects = []
    for name in TURNOVER:
        group, track, first, second = _answers(name)
        subjects.append(
            impact.Subject(
                group, {"T1": 1, "T2": 2}[track], _answer_obj(first), _answer_obj(second)
            )
        )
    return subjects


def test_quantile_interpolates_between_order_statistics():
    values = [D(4), D(1), D(3), D(2)]
    assert impact.quantile(values, D("0.5")) == D("2.5")
    assert impact.quantile(values, D("0.25")) == D("1.75")
    assert impact.quantile(values, D("0.75")) == D("3.25")
    assert impact.quantile([D(7)], D("0.25")) == D(7)
    assert impact.quantile([], D("0.5")) is None


def test_impact_compute_turnover_medians_per_group_against_the_hand_computed_fixture():
    report = impact.compute(_subjects(), groups=GROUPS, tracks=[1, 2])
    got = {g: report.numeric[("monthly_turnover", None, g)] for g in GROUPS}
    assert (got["stage_2"].n, got["stage_2"].q1, got["stage_2"].median, got["stage_2"].q3) == (
        3,
        D("1.75") * M,
        D("2.5") * M,
        D("3.25") * M,
    )
    assert got["stage_2"].median_percent == D("40.0")
    assert (got["stage_1"].n, got["stage_1"].q1, got["stage_1"].median, got["stage_1"].q3) == (
        4,
        D("-0.25") * M,
        D("0.25") * M,
        D("0.675") * M,
    )
    assert got["stage_1"].median_percent == D("4.2")
    assert (
        got["not_selected"].n,
        got["not_selected"].q1,
        got["not_selected"].median,
        got["not_selected"].q3,
    ) == (
        2,
        D("0.175") * M,
        D("0.35") * M,
        D("0.525") * M,
    )
    assert got["not_selected"].median_percent == D("5.0")


def test_impact_compute_per_track():
    report = impact.compute(_subjects(), groups=GROUPS, tracks=[1, 2])
    t1 = report.numeric[("monthly_turnover", 1, "stage_1")]
    t2 = report.numeric[("monthly_turnover", 2, "stage_1")]
    assert (t1.n, t1.q1, t1.median, t1.q3) == (2, D("0.125") * M, D("0.25") * M, D("0.375") * M)
    assert (t2.n, t2.q1, t2.median, t2.q3) == (2, D("-0.45") * M, D("0.1") * M, D("0.65") * M)
    empty = report.numeric[("monthly_turnover", 2, "stage_2")]
    assert (empty.n, empty.median, empty.q1, empty.q3) == (0, None, None, None)


def test_impact_compute_counts_members_and_answers():
    report = impact.compute(_subjects(), groups=GROUPS, tracks=[1, 2])
    counts = {g: report.counts[(None, g)] for g in GROUPS}
    assert [
        (c.members, c.answered_before, c.answered_after, c.answered_both) for c in counts.values()
    ] == [
        (3, 3, 3, 3),
        (5, 5, 4, 4),
        (3, 3, 2, 2),
    ]


def test_impact_compute_output_in_different_units_is_left_out():
    report = impact.compute(_subjects(), groups=GROUPS, tracks=[1, 2])
    output = report.numeric[("monthly_output", None, "stage_2")]
    assert (output.n, output.q1, output.median, output.q3) == (2, D("-2.5"), D(15), D("32.5"))


def test_impact_compute_shares_of_new_markets_and_certifications():
    report = impact.compute(_subjects(), groups=GROUPS, tracks=[1, 2])
    shares = {f: report.shares[(f, None, "stage_2")] for f in impact.SHARE_FIGURES_ORDER}
    assert [(s.n, s.count, s.share) for s in shares.values()] == [
        (3, 1, D("33.3")),  # new certification
        (3, 2, D("66.7")),  # new market
        (3, 1, D("33.3")),  # new marketplace
        (3, 1, D("33.3")),  # new export
    ]
    none = report.shares[("new_market", None, "stage_1")]
    assert (none.n, none.count, none.share) == (4, 0, D("0.0"))


@pytest.fixture
def fixture_program(program, tracks):
    """The fixture above in the database: participants through the service, surveys answered."""
    track = {"T1": tracks[0], "T2": tracks[1]}
    for name in TURNOVER:
        group, code, first, second = _answers(name)
        if group == "not_selected":
            application = ApplicationFactory(
                program=program, status="not_selected", tracks=[track[code], tracks[4]]
            )
        else:
            application = AcceptedApplicationFactory(
                program=program, tracks=[tracks[4], track[code]]
            )
            enrol(application, 1, track=track[code])
            if group == "stage_2":
                enrol(application, 2, track=track[code])
        answer(application, "baseline", **first)
        if second is not None:
            answer(application, "endline", **second)
    # Not in any group: a declined offer, an ineligible applicant.
    answer(ApplicationFactory(program=program, status="declined"), "baseline")
    answer(ApplicationFactory(program=program, status="ineligible"), "baseline")
    return program


def _cell(report, key, group, track=None):
    figure = next(f for f in report["figures"] if f["key"] == key)
    return next(c for c in figure["cells"] if c["group"] == group and c["track"] == track)


def test_impact_report_from_the_database_matches_the_fixture(fixture_program, tracks):
    report = impact_report(program=fixture_program)
    assert [g["key"] for g in report["groups"]] == ["stage_2", "stage_1", "not_selected"]
    assert report["groups"][0]["label"].endswith("(Pembinaan Lanjutan)")
    turnover = {g: _cell(report, "monthly_turnover", g) for g in GROUPS}
    assert turnover["stage_2"] == {
        "track": None,
        "group": "stage_2",
        "n": 3,
        "median": 2500000.0,
        "q1": 1750000.0,
        "q3": 3250000.0,
        "median_percent": 40.0,
    }
    assert turnover["stage_1"] == {
        "track": None,
        "group": "stage_1",
        "n": 4,
        "median": 250000.0,
        "q1": -250000.0,
        "q3": 675000.0,
        "median_percent": 4.2,
    }
    assert turnover["not_selected"] == {
        "track": None,
        "group": "not_selected",
        "n": 2,
        "median": 350000.0,
        "q1": 175000.0,
        "q3": 525000.0,
        "median_percent": 5.0,
    }
    t2 = _cell(report, "monthly_turnover", "stage_1", tracks[1].pk)
    assert (t2["n"], t2["median"], t2["q1"], t2["q3"]) == (2, 100000.0, -450000.0, 650000.0)
    counts = {(c["track"], c["group"]): c for c in report["counts"]}
    assert counts[(None, "stage_1")]["members"] == 5
    assert counts[(None, "not_selected")]["answered_both"] == 2
    assert "not prove" in report["caveat"] or "tidak membuktikan" in report["caveat"]


def test_impact_report_api_serves_the_same(fixture_program, api_as, staff):
    response = api_as(staff).get(f"/api/v1/stats/programs/{fixture_program.pk}/impact/")
    assert response.status_code == 200
    assert response.json()["figures"] == impact_report(program=fixture_program)["figures"]


def test_impact_report_followup_without_answers_has_no_changes(fixture_program):
    report = impact_report(program=fixture_program, after="followup")
    assert report["after"] == "followup"
    assert _cell(report, "monthly_turnover", "stage_2")["n"] == 0


def test_impact_export_csv_and_xlsx(fixture_program, client_as, staff):
    import io

    from openpyxl import load_workbook

    client = client_as(staff)
    csv = client.get(f"/programs/{fixture_program.pk}/impact/?format=csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "2500000.0" in text
    xlsx = client.get(f"/programs/{fixture_program.pk}/impact/?format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + len(impact.NUMERIC_FIGURES_ORDER + impact.SHARE_FIGURES_ORDER) * 3 * 6
    medians = [r[7] for r in rows[1:] if r[0] == rows[1][0] and r[2] == rows[1][2]]
    assert len(medians) == 3


def test_impact_page_shows_the_groups_side_by_side_and_prints(fixture_program, client_as, staff):
    response = client_as(staff).get(f"/programs/{fixture_program.pk}/impact/")
    assert response.status_code == 200
    page = response.content.decode()
    for label in [g["label"] for g in response.context["report"]["groups"]]:
        assert label in page
    assert "Rp 2.500.000" in page
    assert "data-print" in page
