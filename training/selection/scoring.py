"""Rubric arithmetic and the bands an applicant reads, as pure functions over plain data.

A review's total is the weighted mean of its counted criteria, each scaled to 0-1 on its own
scale, times 100: criteria on 1-5 and 0-10 scales weigh what their weights say, not what their
scales say. An application's score at a stage is the mean of its submitted reviews' totals,
with the number of reviews and their spread (highest minus lowest total)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    """One criterion as the arithmetic sees it."""

    key: str
    scale_min: int
    scale_max: int
    weight: Decimal
    counted: bool = True


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def round2(value: Decimal) -> Decimal:
    """Two decimal places, half up (the precision of every total and score)."""
    return _round(Decimal(value))


def check_scores(rules: Sequence[Rule], scores: Mapping[str, object]) -> dict[str, str]:
    """Errors by criterion key (empty when the scores are complete and within their scales).
    Every counted criterion needs a score; an optional one may be left out."""
    errors: dict[str, str] = {}
    known = {r.key for r in rules}
    for key in scores:
        if key not in known:
            errors[str(key)] = "unknown"
    for rule in rules:
        value = scores.get(rule.key)
        if value is None or value == "":
            if rule.counted:
                errors[rule.key] = "required"
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors[rule.key] = "not_integer"
        elif not rule.scale_min <= value <= rule.scale_max:
            errors[rule.key] = "out_of_scale"
    return errors


def weighted_total(rules: Sequence[Rule], scores: Mapping[str, int]) -> Decimal | None:
    """The review's total on 0-100, or None when no counted criterion has a score."""
    weight_sum = Decimal(0)
    acc = Decimal(0)
    for rule in rules:
        if not rule.counted or scores.get(rule.key) is None:
            continue
        span = Decimal(rule.scale_max - rule.scale_min)
        acc += rule.weight * (Decimal(scores[rule.key]) - rule.scale_min) / span
        weight_sum += rule.weight
    if weight_sum == 0:
        return None
    return _round(acc / weight_sum * 100)


@dataclass(frozen=True)
class Summary:
    score: Decimal | None
    count: int
    spread: Decimal | None
    flagged: bool


def summarize(totals: Iterable[Decimal], *, spread_threshold: int | float) -> Summary:
    """Mean, count and spread of the submitted totals; flagged when two or more reviewers
    differ by at least the threshold."""
    values = [Decimal(t) for t in totals if t is not None]
    if not values:
        return Summary(score=None, count=0, spread=None, flagged=False)
    mean = _round(sum(values) / len(values))
    spread = _round(max(values) - min(values))
    flagged = len(values) >= 2 and spread >= Decimal(str(spread_threshold))
    return Summary(score=mean, count=len(values), spread=spread, flagged=flagged)


def score_band(score) -> str:
    """A ten-point band, "60-69" (with an en dash); the top band is "90-100"."""
    if score is None:
        return ""
    low = min(int(Decimal(score) // 10) * 10, 90)
    high = 100 if low == 90 else low + 9
    return f"{low}–{high}"


def rank_band(rank: int | None, of: int, width: int = 10) -> str:
    """Ranks in groups of ten, "11-20" (with an en dash); the last group ends at the number of candidates."""
    if not rank or not of:
        return ""
    low = (rank - 1) // width * width + 1
    high = min(low + width - 1, of)
    return f"{low}–{high}" if high > low else str(low)
