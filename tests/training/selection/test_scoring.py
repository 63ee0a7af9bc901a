"""Rubric arithmetic and bands (training/selection/scoring.py), pure functions."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.selection.scoring import (
    Rule,
    check_scores,
    rank_band,
    score_band,
    summarize,
    weighted_total,
)

RULES = [
    Rule("potensi_efisiensi", 1, 5, Decimal(3)),
    Rule("kesiapan_usaha", 1, 5, Decimal(2)),
    Rule("dampak", 0, 10, Decimal(1)),
    Rule("catatan", 1, 5, Decimal(1), counted=False),
]


def test_weighted_total_top_and_bottom_of_every_scale():
    top = {"potensi_efisiensi": 5, "kesiapan_usaha": 5, "dampak": 10, "catatan": 1}
    bottom = {"potensi_efisiensi": 1, "kesiapan_usaha": 1, "dampak": 0, "catatan": 5}
    assert weighted_total(RULES, top) == Decimal("100.00")
    assert weighted_total(RULES, bottom) == Decimal("0.00")


def test_weighted_total_weighs_each_criterion_on_its_own_scale():
    # potensi 3/4 of its range (weight 3), kesiapan 1/2 (weight 2), dampak 3/10 (weight 1):
    # (3·0.75 + 2·0.5 + 1·0.3) / 6 · 100 = 59.1666… → 59.17
    scores = {"potensi_efisiensi": 4, "kesiapan_usaha": 3, "dampak": 3}
    assert weighted_total(RULES, scores) == Decimal("59.17")


def test_weighted_total_ignores_optional_criterion():
    base = {"potensi_efisiensi": 4, "kesiapan_usaha": 3, "dampak": 3}
    assert weighted_total(RULES, {**base, "catatan": 1}) == weighted_total(
        RULES, {**base, "catatan": 5}
    )


def test_weighted_total_none_without_counted_scores():
    assert weighted_total(RULES, {"catatan": 3}) is None


def test_check_scores_reports_each_problem():
    errors = check_scores(RULES, {"potensi_efisiensi": 6, "kesiapan_usaha": "3", "unknown": 1})
    assert errors == {
        "unknown": "unknown",
        "potensi_efisiensi": "out_of_scale",
        "kesiapan_usaha": "not_integer",
        "dampak": "required",
    }


def test_check_scores_optional_may_be_missing():
    assert check_scores(RULES, {"potensi_efisiensi": 1, "kesiapan_usaha": 1, "dampak": 0}) == {}


def test_summarize_mean_count_spread_and_flag():
    s = summarize([Decimal("80"), Decimal("40"), Decimal("60")], spread_threshold=30)
    assert (s.score, s.count, s.spread, s.flagged) == (
        Decimal("60.00"),
        3,
        Decimal("40.00"),
        True,
    )
    calm = summarize([Decimal("70"), Decimal("75")], spread_threshold=30)
    assert (calm.score, calm.spread, calm.flagged) == (Decimal("72.50"), Decimal("5.00"), False)


def test_summarize_single_review_never_flagged_and_empty_has_no_score():
    assert summarize([Decimal("10")], spread_threshold=0).flagged is False
    empty = summarize([], spread_threshold=30)
    assert (empty.score, empty.count, empty.spread, empty.flagged) == (None, 0, None, False)


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "0–9"), (9.99, "0–9"), (10, "10–19"), (64.5, "60–69"), (90, "90–100"), (100, "90–100")],
)
def test_score_band(score, band):
    assert score_band(score) == band


def test_score_band_without_score_is_empty():
    assert score_band(None) == ""


@pytest.mark.parametrize(
    ("rank", "of", "band"),
    [(1, 150, "1–10"), (10, 150, "1–10"), (11, 150, "11–20"), (145, 150, "141–150"), (3, 3, "1–3")],
)
def test_rank_band(rank, of, band):
    assert rank_band(rank, of) == band


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(0, 10)), min_size=1, max_size=5
    )
)
def test_property_total_within_0_100_and_mean_between_min_and_max(rows):
    totals = [
        weighted_total(RULES, {"potensi_efisiensi": a, "kesiapan_usaha": b, "dampak": c})
        for a, b, c in rows
    ]
    assert all(Decimal(0) <= t <= Decimal(100) for t in totals)
    s = summarize(totals, spread_threshold=30)
    assert min(totals) - Decimal("0.01") <= s.score <= max(totals) + Decimal("0.01")
    assert s.spread == max(totals) - min(totals)
