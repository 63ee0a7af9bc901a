"""The impact report: how the figures of a programme's businesses changed between the baseline
and a later survey, side by side for stage-2 participants, stage-1-only participants and
eligible applicants who were not selected, per track.

The arithmetic is a pure function over plain data (no database), so it is checked against a
hand-computed fixture. Medians and quartiles use linear interpolation between order statistics
(numpy's default, Excel's QUARTILE.INC), in exact decimals.

A comparison, never a proof: participants were chosen by selection, and applicants who were not
selected answer if they wish; the report says so."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from ..choices import NUMERIC_FIGURES, SHARE_FIGURES

FIGURE_LABELS = {
    "monthly_output": _("Monthly output"),
    "unit_cost": _("Production cost per unit"),
    "selling_price": _("Selling price per unit"),
    "monthly_turnover": _("Monthly turnover"),
    "workers": _("Workers"),
    "new_certification": _("Gained a certification"),
    "new_market": _("Reached a new market"),
    "new_marketplace": _("Started selling on an online marketplace"),
    "new_export": _("Started exporting"),
}
FIGURE_UNITS = {
    "monthly_output": "unit",
    "unit_cost": "Rp",
    "selling_price": "Rp",
    "monthly_turnover": "Rp",
    "workers": "people",
}
NOT_SELECTED = "not_selected"
CAVEAT = _(
    "This report compares groups; it does not prove that the programme caused the changes. "
    "Participants were chosen by selection and may differ from those who were not, and "
    "applicants who were not selected answered only if they wished. Read small groups with care."
)


@dataclass(frozen=True)
class Answer:
    monthly_output: Decimal | None = None
    output_unit: str = ""
    unit_cost: Decimal | None = None
    selling_price: Decimal | None = None
    monthly_turnover: Decimal | None = None
    workers: int | None = None
    certifications: frozenset = frozenset()
    markets: frozenset = frozenset()


@dataclass(frozen=True)
class Subject:
    """One application: its group (e.g. "stage_2", "stage_1", "not_selected"), its track, and
    its answers before and after (None when not answered)."""

    group: str
    track_id: int | None
    before: Answer | None = None
    after: Answer | None = None


@dataclass
class Summary:
    n: int = 0
    median: Decimal | None = None
    q1: Decimal | None = None
    q3: Decimal | None = None
    median_percent: Decimal | None = None
    n_percent: int = 0


@dataclass
class Share:
    n: int = 0
    count: int = 0
    share: Decimal | None = None


@dataclass
class GroupCount:
    members: int = 0
    answered_before: int = 0
    answered_after: int = 0
    answered_both: int = 0


@dataclass
class Report:
    groups: list[str]
    tracks: list[int | None]
    counts: dict = field(default_factory=dict)  # (track, group) -> GroupCount
    numeric: dict = field(default_factory=dict)  # (figure, track, group) -> Summary
    shares: dict = field(default_factory=dict)  # (figure, track, group) -> Share


def quantile(values: list[Decimal], q: Decimal) -> Decimal | None:
    """Linear interpolation between order statistics (type 7). `values` need not be sorted."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    fraction = position - low
    if low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + (ordered[low + 1] - ordered[low]) * fraction


def summarise(changes: list[Decimal], percents: list[Decimal]) -> Summary:
    return Summary(
        n=len(changes),
        median=quantile(changes, Decimal("0.5")),
        q1=quantile(changes, Decimal("0.25")),
        q3=quantile(changes, Decimal("0.75")),
        median_percent=_round(quantile(percents, Decimal("0.5")), "0.1"),
        n_percent=len(percents),
    )


def _round(value: Decimal | None, places: str) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _unit(text: str) -> str:
    return " ".join((text or "").lower().split())


def numeric_change(
    figure: str, before: Answer, after: Answer
) -> tuple[Decimal, Decimal | None] | None:
    """(absolute change, percent change or None) of one figure; None when it cannot be
    compared (a missing answer, or output counted in different units)."""
    old, new = getattr(before, figure), getattr(after, figure)
    if old is None or new is None:
        return None
    if figure == "monthly_output" and _unit(before.output_unit) != _unit(after.output_unit):
        return None
    old, new = Decimal(old), Decimal(new)
    change = new - old
    percent = change * 100 / old if old > 0 else None
    return change, percent


def share_change(figure: str, before: Answer, after: Answer) -> bool:
    if figure == "new_certification":
        return bool(set(after.certifications) - set(before.certifications))
    if figure == "new_market":
        return bool(set(after.markets) - set(before.markets))
    channel = {"new_marketplace": "marketplace", "new_export": "export"}[figure]
    return channel in after.markets and channel not in before.markets


def compute(subjects: Iterable[Subject], *, groups: list[str], tracks: list[int]) -> Report:
    """Per track (and `None` for all tracks together) and group: the counts, and for each
    figure the median and quartiles of the change (numeric) or the share with something new."""
    subjects = list(subjects)
    track_keys: list[int | None] = [None, *tracks]
    report = Report(groups=list(groups), tracks=track_keys)
    for track in track_keys:
        for group in groups:
            members = [
                s for s in subjects if s.group == group and (track is None or s.track_id == track)
            ]
            both = [s for s in members if s.before is not None and s.after is not None]
            report.counts[(track, group)] = GroupCount(
                members=len(members),
                answered_before=sum(1 for s in members if s.before is not None),
                answered_after=sum(1 for s in members if s.after is not None),
                answered_both=len(both),
            )
            for figure in NUMERIC_FIGURES:
                changes, percents = [], []
                for s in both:
                    result = numeric_change(figure, s.before, s.after)
                    if result is None:
                        continue
                    changes.append(result[0])
                    if result[1] is not None:
                        percents.append(result[1])
                report.numeric[(figure, track, group)] = summarise(changes, percents)
            for figure in SHARE_FIGURES:
                yes = sum(1 for s in both if share_change(figure, s.before, s.after))
                n = len(both)
                report.shares[(figure, track, group)] = Share(
                    n=n,
                    count=yes,
                    share=_round(Decimal(yes * 100) / Decimal(n), "0.1") if n else None,
                )
    return report


NUMERIC_FIGURES_ORDER = list(NUMERIC_FIGURES)
SHARE_FIGURES_ORDER = list(SHARE_FIGURES)
