"""The ranking gives exactly the results of the implementation before issue 9: on fixed random
pools (their digests computed with that implementation are kept in ranking_expected.json),
against the reference copy of it (ranking_reference.py), and on hypothesis's pools."""

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.selection import ranking

from . import ranking_reference

EXPECTED = Path(__file__).with_name("ranking_expected.json")
KECAMATAN = ["Blimbing", "Kedungkandang", "Klojen", "Lowokwaru", "Sukun", "Batu"]
QUOTA_KECAMATAN = KECAMATAN[:5]
T0 = datetime(2026, 4, 20, tzinfo=UTC)


def fixed_pool(n: int, seed: int) -> list[ranking.Candidate]:
    """Ties everywhere: whole-number scores (some missing), submissions on the same minute
    (some missing), small workforces, zero to three tracks, a kecamatan outside the quotas."""
    rng = random.Random(seed)
    pool = []
    for i in rng.sample(range(1, 10 * n), n):
        pool.append(
            ranking.Candidate(
                id=i,
                score=None if rng.random() < 0.05 else float(rng.randint(40, 100)),
                submitted_at=(
                    None if rng.random() < 0.03 else T0 + timedelta(minutes=rng.randint(0, 600))
                ),
                workers=rng.randint(1, 19),
                tracks=tuple(rng.sample([1, 2, 3, 4, 5], rng.randint(0, 3))),
                kecamatan=rng.choice(KECAMATAN),
                woman_owned=rng.random() < 0.4,
            )
        )
    return pool


CASES = {
    "quotas_tracks_lottery": ranking.Params(
        seats=300,
        track_seats=dict.fromkeys(range(1, 6), 70),
        kecamatan_min=dict.fromkeys(QUOTA_KECAMATAN, 30),
        kecamatan_max=dict.fromkeys(QUOTA_KECAMATAN, 90),
        women_min_share=0.3,
        tie_breakers=("submitted_at", "lottery"),
        waitlist_length=50,
    ),
    "no_tracks_workers": ranking.Params(
        seats=250, kecamatan_max={"Klojen": 20}, tie_breakers=("workers",), waitlist_length=0
    ),
    "quotas_short": ranking.Params(
        seats=200,
        track_seats={1: 10, 2: 10, 3: 500},
        kecamatan_min={"Sukun": 400, "Klojen": 10},
        women_min_share=0.5,
        tie_breakers=("lottery", "submitted_at", "workers"),
        waitlist_length=30,
    ),
    "no_seats": ranking.Params(seats=0, waitlist_length=5),
    "everyone": ranking.Params(seats=10_000, tie_breakers=(), waitlist_length=10),
    "tight_max_long_waitlist": ranking.Params(
        seats=400,
        track_seats={1: 100, 2: 100, 3: 100, 4: 100},
        kecamatan_max=dict.fromkeys(KECAMATAN, 40),
        tie_breakers=("workers", "submitted_at"),
        waitlist_length=600,
    ),
}
POOLS = {"small": (300, 7), "large": (3000, 2017)}


def digest(outcome: ranking.Outcome) -> str:
    data = (
        [list(r) for r in outcome.results],
        [[s.quota, s.group, s.wanted, s.got] for s in outcome.shortfalls],
    )
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


@pytest.mark.parametrize("pool_name", sorted(POOLS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_rank_equals_the_previous_implementation_on_fixed_pools(case, pool_name):
    pool = fixed_pool(*POOLS[pool_name])
    params = CASES[case]
    for seed in (0, 42):
        got = ranking.rank(pool, params, seed=seed)
        assert got == ranking_reference.rank(pool, params, seed=seed)
        expected = json.loads(EXPECTED.read_text())[f"{case}/{pool_name}/{seed}"]
        assert digest(got) == expected


candidates = st.lists(
    st.builds(
        ranking.Candidate,
        id=st.integers(1, 60),
        score=st.one_of(st.none(), st.sampled_from([10.0, 50.0, 50.5, 90.0]), st.floats(0, 100)),
        submitted_at=st.one_of(
            st.none(),
            st.sampled_from([T0, T0 + timedelta(hours=1)]),
            st.datetimes(timezones=st.just(UTC)),
        ),
        workers=st.integers(0, 5),
        tracks=st.lists(st.sampled_from([1, 2, 3]), max_size=3, unique=True).map(tuple),
        kecamatan=st.sampled_from(KECAMATAN[:3]),
        woman_owned=st.booleans(),
    ),
    max_size=50,
)
params = st.builds(
    ranking.Params,
    seats=st.integers(0, 20),
    track_seats=st.one_of(
        st.none(), st.dictionaries(st.sampled_from([1, 2, 3]), st.integers(0, 8))
    ),
    kecamatan_min=st.dictionaries(st.sampled_from(KECAMATAN[:3]), st.integers(0, 6), max_size=3),
    kecamatan_max=st.dictionaries(st.sampled_from(KECAMATAN[:3]), st.integers(0, 8), max_size=3),
    women_min_share=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    tie_breakers=st.lists(st.sampled_from(ranking.TIE_BREAKERS), max_size=4).map(tuple),
    waitlist_length=st.integers(0, 10),
)


@settings(max_examples=400, deadline=None)
@given(candidates, params, st.integers(0, 2**32))
def test_property_rank_equals_the_previous_implementation(pool, p, seed):
    """Any pool (duplicate ids and repeated tie-breakers included) and any parameters."""
    assert ranking.rank(pool, p, seed) == ranking_reference.rank(pool, p, seed)
