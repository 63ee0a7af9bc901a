"""Ranking and quota-aware selection as a pure function over plain data.

No database, no Django: the selection service builds `Candidate`s from applications and reviews,
calls `rank()`, and stores the `Outcome` (with the parameters and the seed) in a selection run,
so a run can be re-computed to the same result. The decision rules, in order:

1. Merit order: score (higher first; no score last), then the configured tie-breakers
   (``submitted_at``: earlier first; ``workers``: smaller workforce first; ``lottery``: a random
   key drawn from ``seed``), then the candidate id, so the order is total and reproducible.
2. Minimum quotas are filled first, each from the top of its own group in merit order:
   minimum per kecamatan, then the minimum share of women-owned businesses.
3. The remaining seats go in merit order.
4. Every pick respects the stage's seats, the maximum per kecamatan and the seats per track:
   a candidate takes the highest-preference track that still has room.
5. The next ``waitlist_length`` candidates in merit order that could take a seat form the
   waitlist; everyone else is not selected, with the rule that decided.

Within one quota group (same kecamatan, same sex of owner, same track preferences) a higher
score therefore never ranks below a lower one. A quota that cannot be met is reported, never
silently dropped.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import NamedTuple

SELECTED = "selected"
WAITLISTED = "waitlisted"
NOT_SELECTED = "not_selected"

TIE_BREAKERS = ("submitted_at", "workers", "lottery")


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    score: float | None
    submitted_at: datetime | None = None
    workers: int = 0
    tracks: tuple[Hashable, ...] = ()  # preference order; empty = the stage has no tracks
    kecamatan: str = ""
    woman_owned: bool = False


@dataclass(frozen=True)
class Params:
    seats: int
    track_seats: dict[Hashable, int] | None = None  # None: tracks do not limit seats
    kecamatan_min: dict[str, int] = field(default_factory=dict)
    kecamatan_max: dict[str, int] = field(default_factory=dict)
    women_min_share: float = 0.0
    tie_breakers: tuple[str, ...] = ("submitted_at",)
    waitlist_length: int = 0

    def __post_init__(self):
        if self.seats < 0:
            raise ValueError("seats must be >= 0")
        if not 0 <= self.women_min_share <= 1:
            raise ValueError("women_min_share must be between 0 and 1")
        unknown = set(self.tie_breakers) - set(TIE_BREAKERS)
        if unknown:
            raise ValueError(f"unknown tie-breakers: {sorted(unknown)}")


class Result(NamedTuple):
    id: int
    rank: int  # 1-based position in merit order
    decision: str
    track: Hashable | None
    reason: str  # a reason code; the caller words it for people
    score: float | None


@dataclass(frozen=True)
class Shortfall:
    quota: str  # "kecamatan_min" | "women_min"
    group: str
    wanted: int
    got: int


@dataclass(frozen=True)
class Outcome:
    results: list[Result]
    shortfalls: list[Shortfall]
    seed: int

    def by_decision(self, decision: str) -> list[Result]:
        return [r for r in self.results if r.decision == decision]


def merit_order(
    candidates: Iterable[Candidate], tie_breakers: Sequence[str], seed: int
) -> list[Candidate]:
    # Stable sorts from the least to the most significant key: each pass is a plain C sort.
    pool = sorted(candidates, key=attrgetter("id"))
    rng = random.Random(seed)
    for breaker in reversed(tie_breakers):
        if breaker == "lottery":
            draws = [rng.random() for _ in pool]  # drawn in id order: independent of input order
            lottery = {c.id: d for c, d in zip(pool, draws, strict=True)}
            pool.sort(key=lambda c: lottery[c.id])
        elif breaker == "submitted_at":
            pool.sort(key=lambda c: c.submitted_at.timestamp() if c.submitted_at else math.inf)
        else:
            pool.sort(key=attrgetter("workers"))
    pool.sort(key=lambda c: -c.score if c.score is not None else math.inf)
    return pool


class _Seats:
    def __init__(self, params: Params):
        self.params = params
        self.total = 0
        self.per_kecamatan: Counter[str] = Counter()
        self.per_track: Counter[Hashable] = Counter()
        self.women = 0

    def track_for(self, c: Candidate) -> tuple[Hashable | None, str | None]:
        """The track this candidate would take now, or the reason it cannot take a seat."""
        # A permanent bar (the kecamatan's maximum) is reported before a full house, so two
        # candidates of one group always get the same reason.
        cap = self.params.kecamatan_max.get(c.kecamatan)
        if cap is not None and self.per_kecamatan[c.kecamatan] >= cap:
            return None, "kecamatan_max"
        if self.total >= self.params.seats:
            return None, "seats_full"
        if self.params.track_seats is None:
            return (c.tracks[0] if c.tracks else None), None
        for track in c.tracks:
            if self.per_track[track] < self.params.track_seats.get(track, 0):
                return track, None
        return None, "no_track_seat"

    def take(self, c: Candidate, track: Hashable | None) -> None:
        self.total += 1
        self.per_kecamatan[c.kecamatan] += 1
        if track is not None:
            self.per_track[track] += 1
        if c.woman_owned:
            self.women += 1


def rank(candidates: Iterable[Candidate], params: Params, seed: int = 0) -> Outcome:
    order = merit_order(candidates, params.tie_breakers, seed)
    seats = _Seats(params)
    chosen: dict[int, tuple[Hashable | None, str]] = {}
    shortfalls: list[Shortfall] = []

    def fill(group: Iterable[Candidate], wanted: int, reason: str) -> int:
        got = 0
        for c in group:
            if got >= wanted:
                break
            if c.id in chosen:
                continue
            track, why = seats.track_for(c)
            if why is None:
                seats.take(c, track)
                chosen[c.id] = (track, reason)
                got += 1
        return got

    # Each quota group is read lazily, in merit order, only as far as its quota needs (the
    # top of a large pool fills it).
    if params.kecamatan_min:
        for kecamatan, minimum in sorted(params.kecamatan_min.items()):
            group = (c for c in order if c.kecamatan == kecamatan)
            already = seats.per_kecamatan[kecamatan]
            got = already + fill(group, max(0, minimum - already), "kecamatan_min")
            if got < minimum:
                shortfalls.append(Shortfall("kecamatan_min", kecamatan, minimum, got))

    if params.women_min_share > 0:
        wanted = math.ceil(params.women_min_share * params.seats - 1e-9)
        women = (c for c in order if c.woman_owned)
        got = seats.women + fill(women, max(0, wanted - seats.women), "women_min")
        if got < wanted:
            shortfalls.append(Shortfall("women_min", "women", wanted, got))

    results: list[Result] = []
    waitlisted = 0
    caps = params.kecamatan_max
    position = 0
    for c in order:
        if seats.total >= params.seats and waitlisted >= params.waitlist_length:
            break  # the rest is decided at once, below
        position += 1
        picked = chosen.get(c.id)
        if picked is None and seats.total < params.seats:
            track, why = seats.track_for(c)
            if why is None:
                seats.take(c, track)
                picked = (track, "merit")
        if picked is not None:
            results.append(Result(c.id, position, SELECTED, picked[0], picked[1], c.score))
            continue
        if seats.total < params.seats:
            why = seats.track_for(c)[1]
        else:
            # The house is full; same precedence as _Seats.track_for.
            cap = caps.get(c.kecamatan)
            why = (
                "kecamatan_max"
                if cap is not None and seats.per_kecamatan[c.kecamatan] >= cap
                else "seats_full"
            )
        # Only someone who could take a freed seat waits: not one barred by their kecamatan's
        # maximum, and not one without a score.
        if why != "kecamatan_max" and c.score is not None and waitlisted < params.waitlist_length:
            waitlisted += 1
            track = c.tracks[0] if c.tracks else None
            results.append(Result(c.id, position, WAITLISTED, track, "waitlist", c.score))
        else:
            reason = "no_score" if c.score is None else why
            results.append(Result(c.id, position, NOT_SELECTED, None, reason, c.score))
    if position < len(order):
        # The house and the waitlist are full: nobody else takes a seat or waits, and the
        # kecamatan counts no longer change. Each remaining candidate is selected if a quota
        # chose them, else not selected for their kecamatan's reason (the loop above would say
        # the same, one candidate at a time; most of a large pool is decided here).
        full = {
            kecamatan: "kecamatan_max" if seats.per_kecamatan[kecamatan] >= cap else "seats_full"
            for kecamatan, cap in caps.items()
        }
        reason_of = full.get
        picked_of = chosen.get
        append = results.append
        new = tuple.__new__  # what Result._make does, without a Python call per result
        for rank_, c in enumerate(order[position:], position + 1):
            picked = picked_of(c.id)
            score = c.score
            if picked is not None:
                append(new(Result, (c.id, rank_, SELECTED, picked[0], picked[1], score)))
            elif score is None:
                append(new(Result, (c.id, rank_, NOT_SELECTED, None, "no_score", None)))
            else:
                reason = reason_of(c.kecamatan, "seats_full")
                append(new(Result, (c.id, rank_, NOT_SELECTED, None, reason, score)))
    return Outcome(results=results, shortfalls=shortfalls, seed=seed)
