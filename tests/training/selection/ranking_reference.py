"""The ranking as it was before issue 9 (training/selection/ranking.py at that time), kept as
the reference the faster implementation must equal, result for result. Do not edit: the
digests in ranking_expected.json were computed with it."""

import math
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from operator import attrgetter

from training.selection.ranking import (
    NOT_SELECTED,
    SELECTED,
    WAITLISTED,
    Candidate,
    Outcome,
    Params,
    Result,
    Shortfall,
)


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

    def fill(group: list[Candidate], wanted: int, reason: str) -> int:
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

    if params.kecamatan_min:
        groups: dict[str, list[Candidate]] = {k: [] for k in params.kecamatan_min}
        for c in order:
            if c.kecamatan in groups:
                groups[c.kecamatan].append(c)
        for kecamatan, minimum in sorted(params.kecamatan_min.items()):
            group = groups[kecamatan]
            already = seats.per_kecamatan[kecamatan]
            got = already + fill(group, max(0, minimum - already), "kecamatan_min")
            if got < minimum:
                shortfalls.append(Shortfall("kecamatan_min", kecamatan, minimum, got))

    if params.women_min_share > 0:
        wanted = math.ceil(params.women_min_share * params.seats - 1e-9)
        women = [c for c in order if c.woman_owned]
        got = seats.women + fill(women, max(0, wanted - seats.women), "women_min")
        if got < wanted:
            shortfalls.append(Shortfall("women_min", "women", wanted, got))

    results: list[Result] = []
    waitlisted = 0
    caps = params.kecamatan_max
    for position, c in enumerate(order, 1):
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
    return Outcome(results=results, shortfalls=shortfalls, seed=seed)
