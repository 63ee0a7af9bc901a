"""A programme's figures: the funnel, attendance, outcome response rates and the impact report,
as plain dictionaries that the API serves and the pages, exports and charts read."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from training.choices import PARTNER_VISIBLE_STATUSES, ApplicationStatus
from training.models import Application, Program, TrackChoice

from ..choices import ATTENDED, AttendanceStatus, OutcomeStatus, OutcomeWave, ParticipantStatus
from ..models import Attendance, OutcomeSurvey, Participant, Session
from ..selectors import comparison_applications, outcome_response_rates
from . import impact

# An application "eligible" in the funnel passed screening, whatever happened next.
ELIGIBLE_OR_LATER = frozenset(PARTNER_VISIBLE_STATUSES)


def _percent(part, whole) -> float | None:
    if not whole:
        return None
    return float((Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _num(value) -> float | None:
    if value is None:
        return None
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --- Attendance ----------------------------------------------------------------------------------


def session_attendance(*, program: Program, now=None) -> dict:
    """Per session: expected participants (of its stage and track, not dropped out), the marks,
    and the rate attended ÷ (expected - excused); and the rate over the sessions held."""
    from django.utils import timezone

    now = now or timezone.now()
    sessions = list(
        Session.objects.filter(program=program)
        .select_related("stage", "track")
        .order_by("starts_at", "id")
    )
    roster = defaultdict(int)  # (stage_id, track_id) -> participants not dropped
    for row in (
        Participant.objects.filter(program=program)
        .exclude(status=ParticipantStatus.DROPPED)
        .values("stage_id", "track_id")
        .annotate(n=Count("pk"))
    ):
        roster[(row["stage_id"], row["track_id"])] += row["n"]
    marks = defaultdict(lambda: defaultdict(int))
    for row in (
        Attendance.objects.filter(session__program=program)
        .values("session_id", "status")
        .annotate(n=Count("pk"))
    ):
        marks[row["session_id"]][row["status"]] = row["n"]
    rows = []
    attended_total = counted_total = 0
    for s in sessions:
        if s.track_id:
            expected = roster[(s.stage_id, s.track_id)]
        else:
            expected = sum(n for (stage_id, _t), n in roster.items() if stage_id == s.stage_id)
        m = marks[s.pk]
        expected = max(expected, sum(m.values()))
        attended = sum(m[st] for st in ATTENDED)
        counted = expected - m[AttendanceStatus.EXCUSED]
        held = s.cancelled_at is None and s.ends_at <= now
        if held:
            attended_total += attended
            counted_total += counted
        rows.append(
            {
                "id": s.pk,
                "title": s.title,
                "starts_at": s.starts_at,
                "stage": s.stage.order,
                "track": s.track.name if s.track_id else "",
                "held": held,
                "cancelled": s.cancelled_at is not None,
                "expected": expected,
                **{status: m[status] for status in AttendanceStatus.values},
                "unmarked": max(expected - sum(m.values()), 0),
                "rate": _percent(attended, counted) if held else None,
            }
        )
    return {
        "sessions_held": sum(1 for r in rows if r["held"]),
        "rate": _percent(attended_total, counted_total),
        "sessions": rows,
    }


# --- Funnel ------------------------------------------------------------------------------------


def funnel(*, program: Program, now=None) -> dict:
    """applied → eligible → stage 1 → stage 2 … → completed (the final stage), with each stage's
    participants by status, attendance and the outcome response rates."""
    apps = Application.objects.filter(program=program).aggregate(
        applied=Count("pk", filter=Q(submitted_at__isnull=False)),
        eligible=Count("pk", filter=Q(status__in=sorted(ELIGIBLE_OR_LATER))),
        withdrawn=Count("pk", filter=Q(status=ApplicationStatus.WITHDRAWN)),
    )
    stages = list(program.stages.order_by("order"))
    by_stage = defaultdict(lambda: dict.fromkeys(ParticipantStatus.values, 0))
    for row in (
        Participant.objects.filter(program=program)
        .values("stage_id", "status")
        .annotate(n=Count("pk"))
    ):
        by_stage[row["stage_id"]][row["status"]] = row["n"]
    steps = [
        {"key": "applied", "label": gettext("Applied"), "count": apps["applied"]},
        {"key": "eligible", "label": gettext("Eligible"), "count": apps["eligible"]},
    ]
    stage_rows = []
    for stage in stages:
        counts = by_stage[stage.pk]
        total = sum(counts.values())
        steps.append(
            {
                "key": f"stage_{stage.order}",
                "label": gettext("Stage %(order)s: %(name)s")
                % {"order": stage.order, "name": stage.name},
                "count": total,
            }
        )
        stage_rows.append(
            {
                "order": stage.order,
                "name": stage.name,
                "seats": stage.seats,
                "participants": total,
                "by_status": counts,
                "completed": counts[ParticipantStatus.COMPLETED],
                "completion_rate": _percent(counts[ParticipantStatus.COMPLETED], total),
            }
        )
    final_completed = stage_rows[-1]["completed"] if stage_rows else 0
    steps.append({"key": "completed", "label": gettext("Completed"), "count": final_completed})
    attendance = session_attendance(program=program, now=now)
    return {
        "program": program.pk,
        "title": program.title,
        "status": program.status,
        "steps": steps,
        "withdrawn": apps["withdrawn"],
        "stages": stage_rows,
        "attendance": attendance,
        "outcomes": [
            {**row, "rate": float(row["rate"]) if row["rate"] is not None else None}
            for row in outcome_response_rates(program=program)
        ],
    }


# --- Impact --------------------------------------------------------------------------------------


def _answer(survey: OutcomeSurvey) -> impact.Answer:
    return impact.Answer(
        monthly_output=survey.monthly_output,
        output_unit=survey.output_unit,
        unit_cost=survey.unit_cost,
        selling_price=survey.selling_price,
        monthly_turnover=survey.monthly_turnover,
        workers=survey.workers,
        certifications=frozenset(survey.certifications or ()),
        markets=frozenset(survey.markets or ()),
    )


def group_labels(stages) -> list[tuple[str, str]]:
    """Highest stage first, then lower stages ("only"), then the comparison group."""
    labels = []
    orders = [s.order for s in stages]
    for stage in sorted(stages, key=lambda s: -s.order):
        if stage.order == max(orders) and len(orders) > 1:
            label = gettext("Stage %(order)s participants (%(name)s)")
        elif len(orders) > 1:
            label = gettext("Stage %(order)s only (%(name)s)")
        else:
            label = gettext("Participants (%(name)s)")
        labels.append((f"stage_{stage.order}", label % {"order": stage.order, "name": stage.name}))
    labels.append((impact.NOT_SELECTED, gettext("Eligible, not selected")))
    return labels


def impact_subjects(*, program: Program, after: str = OutcomeWave.ENDLINE) -> list[impact.Subject]:
    """Every participant's application (in the group of the highest stage it reached, with its
    track there) and every comparison applicant (with their first-choice track)."""
    highest: dict[int, tuple[int, int | None]] = {}
    for app_id, order, track_id in Participant.objects.filter(program=program).values_list(
        "application_id", "stage__order", "track_id"
    ):
        if app_id not in highest or order > highest[app_id][0]:
            highest[app_id] = (order, track_id)
    comparison = list(comparison_applications(program=program).values_list("pk", flat=True))
    first_track = {}
    for app_id, track_id in (
        TrackChoice.objects.filter(application_id__in=comparison)
        .order_by("application_id", "-preference")
        .values_list("application_id", "track_id")
    ):
        first_track[app_id] = track_id  # the last written is preference 1
    surveys: dict[tuple[int, str], OutcomeSurvey] = {
        (s.application_id, s.wave): s
        for s in OutcomeSurvey.objects.filter(
            application__program=program,
            status=OutcomeStatus.SUBMITTED,
            wave__in=[OutcomeWave.BASELINE, after],
        )
    }

    def answers(app_id):
        before = surveys.get((app_id, OutcomeWave.BASELINE))
        later = surveys.get((app_id, after))
        return (_answer(before) if before else None, _answer(later) if later else None)

    subjects = []
    for app_id, (order, track_id) in sorted(highest.items()):
        before, later = answers(app_id)
        subjects.append(impact.Subject(f"stage_{order}", track_id, before, later))
    for app_id in sorted(comparison):
        before, later = answers(app_id)
        subjects.append(impact.Subject(impact.NOT_SELECTED, first_track.get(app_id), before, later))
    return subjects


def impact_report(*, program: Program, after: str = OutcomeWave.ENDLINE) -> dict:
    if after not in (OutcomeWave.ENDLINE, OutcomeWave.FOLLOWUP):
        after = OutcomeWave.ENDLINE
    stages = list(program.stages.order_by("order"))
    tracks = list(program.tracks.order_by("position", "id"))
    groups = group_labels(stages)
    report = impact.compute(
        impact_subjects(program=program, after=after),
        groups=[key for key, _label in groups],
        tracks=[t.pk for t in tracks],
    )
    track_names = {None: gettext("All tracks"), **{t.pk: t.name for t in tracks}}
    figures = []
    for key in [*impact.NUMERIC_FIGURES_ORDER, *impact.SHARE_FIGURES_ORDER]:
        numeric = key in impact.NUMERIC_FIGURES_ORDER
        cells = []
        for track in report.tracks:
            for group in report.groups:
                if numeric:
                    s = report.numeric[(key, track, group)]
                    cells.append(
                        {
                            "track": track,
                            "group": group,
                            "n": s.n,
                            "median": _num(s.median),
                            "q1": _num(s.q1),
                            "q3": _num(s.q3),
                            "median_percent": _num(s.median_percent),
                        }
                    )
                else:
                    s = report.shares[(key, track, group)]
                    cells.append(
                        {
                            "track": track,
                            "group": group,
                            "n": s.n,
                            "count": s.count,
                            "share": _num(s.share),
                        }
                    )
        figures.append(
            {
                "key": key,
                "label": str(impact.FIGURE_LABELS[key]),
                "kind": "numeric" if numeric else "share",
                "unit": impact.FIGURE_UNITS.get(key, "%"),
                "cells": cells,
            }
        )
    return {
        "program": program.pk,
        "title": program.title,
        "before": OutcomeWave.BASELINE.value,
        "after": after,
        "caveat": str(impact.CAVEAT),
        "method": str(METHOD),
        "groups": [{"key": key, "label": label} for key, label in groups],
        "tracks": [{"id": t, "name": track_names[t]} for t in report.tracks],
        "counts": [
            {
                "track": track,
                "group": group,
                "members": c.members,
                "answered_before": c.answered_before,
                "answered_after": c.answered_after,
                "answered_both": c.answered_both,
            }
            for (track, group), c in report.counts.items()
        ],
        "figures": figures,
    }


METHOD = _(
    "For each business that answered both surveys: the change is the later figure minus the "
    "baseline figure. The median is the middle change; the spread is the interquartile range "
    "(from the first to the third quartile), so half of the businesses lie within it. Output is "
    "compared only when both answers use the same unit. Percent change is against the baseline "
    "and left out when the baseline is zero. Participants are counted in the highest stage they "
    "reached, whatever their status, and in the track they were placed in; applicants who were "
    "not selected in their first-choice track."
)
