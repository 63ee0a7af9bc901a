"""Properties of the pure ranking function (training/selection/ranking.py)."""

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.selection.ranking import (
    NOT_SELECTED,
    SELECTED,
    WAITLISTED,
    Candidate,
    Params,
    Shortfall,
    rank,
)

T0 = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)
KECAMATAN = ["Blimbing", "Kedungkandang", "Klojen", "Lowokwaru", "Sukun"]
TRACKS = [1, 2, 3, 4, 5]


def cand(i, score, **kw):
    kw.setdefault("submitted_at", T0 + timedelta(minutes=i))
    return Candidate(id=i, score=score, **kw)


def test_rank_by_score_then_earlier_submission():
    out = rank(
        [cand(1, 70), cand(2, 90), cand(3, 70, submitted_at=T0 - timedelta(days=1))],
        Params(seats=2),
    )
    assert [(r.id, r.rank, r.decision) for r in out.results] == [
        (2, 1, SELECTED),
        (3, 2, SELECTED),
        (1, 3, NOT_SELECTED),
    ]
    assert out.results[2].reason == "seats_full"


def test_rank_smaller_workforce_breaks_ties_when_configured():
    out = rank(
        [cand(1, 80, workers=12), cand(2, 80, workers=3)],
        Params(seats=1, tie_breakers=("workers",)),
    )
    assert [r.id for r in out.by_decision(SELECTED)] == [2]


def test_rank_lottery_is_reproducible_by_seed():
    pool = [cand(i, 50) for i in range(1, 40)]
    params = Params(seats=5, tie_breakers=("lottery",))
    first = [r.id for r in rank(pool, params, seed=7).by_decision(SELECTED)]
    assert first == [r.id for r in rank(list(reversed(pool)), params, seed=7).by_decision(SELECTED)]
    assert first != [r.id for r in rank(pool, params, seed=8).by_decision(SELECTED)]


def test_rank_track_seats_use_highest_preference_with_room():
    pool = [cand(1, 90, tracks=(1, 2)), cand(2, 80, tracks=(1, 2)), cand(3, 70, tracks=(1,))]
    out = rank(pool, Params(seats=3, track_seats={1: 1, 2: 1}))
    assert [(r.id, r.decision, r.track, r.reason) for r in out.results] == [
        (1, SELECTED, 1, "merit"),
        (2, SELECTED, 2, "merit"),
        (3, NOT_SELECTED, None, "no_track_seat"),
    ]


def test_rank_kecamatan_minimum_selected_first_and_reported_when_short():
    pool = [
        cand(1, 90, kecamatan="Klojen"),
        cand(2, 80, kecamatan="Klojen"),
        cand(3, 10, kecamatan="Sukun"),
    ]
    out = rank(pool, Params(seats=2, kecamatan_min={"Sukun": 1, "Blimbing": 1}))
    assert [(r.id, r.decision, r.reason) for r in out.results] == [
        (1, SELECTED, "merit"),
        (2, NOT_SELECTED, "seats_full"),
        (3, SELECTED, "kecamatan_min"),
    ]
    assert out.shortfalls == [Shortfall("kecamatan_min", "Blimbing", 1, 0)]


def test_rank_kecamatan_maximum_and_waitlist():
    pool = [cand(i, 100 - i, kecamatan="Klojen" if i < 4 else "Sukun") for i in range(1, 8)]
    out = rank(pool, Params(seats=3, kecamatan_max={"Klojen": 2}, waitlist_length=2))
    assert [(r.id, r.decision, r.reason) for r in out.results] == [
        (1, SELECTED, "merit"),
        (2, SELECTED, "merit"),
        (3, NOT_SELECTED, "kecamatan_max"),
        (4, SELECTED, "merit"),
        (5, WAITLISTED, "waitlist"),
        (6, WAITLISTED, "waitlist"),
        (7, NOT_SELECTED, "seats_full"),
    ]


def test_rank_women_minimum_share():
    pool = [cand(i, 100 - i, woman_owned=i > 6) for i in range(1, 11)]
    out = rank(pool, Params(seats=5, women_min_share=0.4))
    selected = out.by_decision(SELECTED)
    assert sum(1 for r in selected if r.id > 6) == 2
    assert [r.id for r in selected] == [1, 2, 3, 7, 8]


def test_rank_unscored_candidates_come_last_and_never_wait():
    out = rank([cand(1, None), cand(2, 10)], Params(seats=0, waitlist_length=5))
    assert [(r.id, r.decision, r.reason) for r in out.results] == [
        (2, WAITLISTED, "waitlist"),
        (1, NOT_SELECTED, "no_score"),
    ]


def test_params_refuse_nonsense():
    with pytest.raises(ValueError):
        Params(seats=-1)
    with pytest.raises(ValueError):
        Params(seats=1, tie_breakers=("astrology",))
    with pytest.raises(ValueError):
        Params(seats=1, women_min_share=1.5)


candidates = st.lists(
    st.builds(
        Candidate,
        id=st.integers(1, 10**6),
        score=st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
        submitted_at=st.datetimes().map(lambda d: d.replace(tzinfo=UTC)),
        workers=st.integers(0, 100),
        tracks=st.lists(st.sampled_from(TRACKS), max_size=3, unique=True).map(tuple),
        kecamatan=st.sampled_from(KECAMATAN),
        woman_owned=st.booleans(),
    ),
    max_size=40,
    unique_by=lambda c: c.id,
)
params = st.builds(
    Params,
    seats=st.integers(0, 30),
    track_seats=st.one_of(st.none(), st.dictionaries(st.sampled_from(TRACKS), st.integers(0, 10))),
    kecamatan_min=st.dictionaries(st.sampled_from(KECAMATAN), st.integers(0, 5), max_size=3),
    kecamatan_max=st.dictionaries(st.sampled_from(KECAMATAN), st.integers(0, 10), max_size=3),
    women_min_share=st.sampled_from([0.0, 0.2, 0.3, 0.5]),
    tie_breakers=st.lists(st.sampled_from(["submitted_at", "workers", "lottery"]), unique=True).map(
        tuple
    ),
    waitlist_length=st.integers(0, 10),
)


@settings(max_examples=150, deadline=None)
@given(candidates, params, st.integers(0, 2**32))
def test_property_seats_and_quotas(pool, p, seed):
    out = rank(pool, p, seed)
    selected = out.by_decision(SELECTED)
    assert len(out.results) == len(pool)
    assert len(selected) <= p.seats
    assert len(out.by_decision(WAITLISTED)) <= p.waitlist_length
    per_kec = Counter(c.kecamatan for c in pool if c.id in {r.id for r in selected})
    for kec, cap in p.kecamatan_max.items():
        assert per_kec[kec] <= cap
    if p.track_seats is not None:
        per_track = Counter(r.track for r in selected)
        for track, n in per_track.items():
            assert n <= p.track_seats.get(track, 0)
    reported = {(s.quota, s.group) for s in out.shortfalls}
    for kec, minimum in p.kecamatan_min.items():
        if ("kecamatan_min", kec) not in reported:
            assert per_kec[kec] >= minimum
    if p.women_min_share and ("women_min", "women") not in reported:
        women = sum(1 for c in pool if c.woman_owned and c.id in {r.id for r in selected})
        assert women >= math.ceil(p.women_min_share * p.seats - 1e-9)


@settings(max_examples=100, deadline=None)
@given(candidates, params, st.integers(0, 2**32))
def test_property_same_input_and_seed_same_result(pool, p, seed):
    assert rank(pool, p, seed) == rank(list(reversed(pool)), p, seed)


@settings(max_examples=150, deadline=None)
@given(candidates, params, st.integers(0, 2**32))
def test_property_higher_score_never_below_lower_in_one_quota_group(pool, p, seed):
    out = rank(pool, p, seed)
    by_id = {c.id: c for c in pool}
    decision = {r.id: r.decision for r in out.results}
    order = {SELECTED: 0, WAITLISTED: 1, NOT_SELECTED: 2}
    groups: dict = {}
    for c in pool:
        groups.setdefault((c.kecamatan, c.woman_owned, c.tracks), []).append(c)
    for members in groups.values():
        for a in members:
            for b in members:
                if a.score is not None and b.score is not None and a.score > b.score:
                    assert order[decision[a.id]] <= order[decision[b.id]], (
                        by_id[a.id],
                        by_id[b.id],
                    )
