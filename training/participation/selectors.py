"""Reads of participation and outcomes, always through the scoping functions."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from training.choices import ApplicationStatus
from training.models import Application, Program, Stage, TrackChoice

from .choices import (
    ATTENDED,
    PARTICIPANT_CURRENT,
    AttendanceStatus,
    OutcomeStatus,
    OutcomeWave,
    ParticipantStatus,
)
from .models import Attendance, Certificate, CompletionRule, OutcomeSurvey, Participant, Session
from .permissions import (
    attendance_visible_to,
    certificates_visible_to,
    outcomes_visible_to,
    participants_visible_to,
    sessions_visible_to,
)

# Eligible applicants who were not selected: the comparison group of the impact report.
COMPARISON_STATUSES = frozenset(
    {
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.NOT_SELECTED,
    }
)


# --- Attendance arithmetic ---------------------------------------------------------------------


def sessions_for_participant_q(prefix: str = "") -> Q:
    """Sessions that expect a participant: of their stage, for all tracks or their track."""
    return Q(stage=OuterRef(f"{prefix}stage")) & (
        Q(track__isnull=True) | Q(track=OuterRef(f"{prefix}track"))
    )


def _count(queryset, key: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(key).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def with_attendance(queryset: QuerySet[Participant], now=None) -> QuerySet[Participant]:
    """Annotate `sessions_held`, `sessions_attended`, `sessions_excused`. A session counts once
    it has ended and was not cancelled."""
    now = now or timezone.now()
    held = Session.objects.filter(
        sessions_for_participant_q(), cancelled_at__isnull=True, ends_at__lte=now
    )
    marks = Attendance.objects.filter(
        participant=OuterRef("pk"), session__cancelled_at__isnull=True, session__ends_at__lte=now
    )
    return queryset.annotate(
        sessions_held=_count(held, "stage"),
        sessions_attended=_count(marks.filter(status__in=sorted(ATTENDED)), "participant"),
        sessions_excused=_count(marks.filter(status=AttendanceStatus.EXCUSED), "participant"),
    )


@dataclass(frozen=True)
class AttendanceSummary:
    held: int
    attended: int
    excused: int

    @property
    def counted(self) -> int:
        return max(self.held - self.excused, 0)

    @property
    def rate(self) -> Decimal | None:
        """Attended ÷ (held - excused), in percent with one decimal; None before any session."""
        return attendance_rate(self.attended, self.held, self.excused)


def attendance_rate(attended: int, held: int, excused: int) -> Decimal | None:
    counted = held - excused
    if counted <= 0:
        return None
    rate = Decimal(attended * 100) / Decimal(counted)
    return min(rate, Decimal(100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def participant_attendance(*, participant: Participant, now=None) -> AttendanceSummary:
    row = with_attendance(Participant.objects.filter(pk=participant.pk), now=now).values(
        "sessions_held", "sessions_attended", "sessions_excused"
    )[0]
    return AttendanceSummary(
        held=row["sessions_held"],
        attended=row["sessions_attended"],
        excused=row["sessions_excused"],
    )


def summary_of(participant: Participant) -> AttendanceSummary:
    """From the annotations of `with_attendance`."""
    return AttendanceSummary(
        held=participant.sessions_held,
        attended=participant.sessions_attended,
        excused=participant.sessions_excused,
    )


# --- Completion rule ---------------------------------------------------------------------------


def completion_rule_of(program: Program) -> CompletionRule:
    try:
        return program.completion_rule
    except CompletionRule.DoesNotExist:
        return CompletionRule(program=program)


# --- Sessions ----------------------------------------------------------------------------------


def session_list(*, user) -> QuerySet[Session]:
    return sessions_visible_to(user).select_related("program", "stage", "track")


def sessions_expected_participants(*, session: Session) -> QuerySet[Participant]:
    """Who a session expects: the stage's participants (of its track) still taking part, and
    anyone already marked."""
    q = Q(stage_id=session.stage_id)
    if session.track_id:
        q &= Q(track_id=session.track_id)
    marked = Attendance.objects.filter(session=session, participant=OuterRef("pk"))
    return (
        Participant.objects.filter(q)
        .filter(Q(status__in=sorted(PARTICIPANT_CURRENT)) | Exists(marked))
        .select_related("enterprise", "track", "application", "program")
        .order_by("enterprise__name", "id")
    )


def session_attendance_counts(sessions) -> dict[int, dict[str, int]]:
    ids = [s.pk for s in sessions]
    counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    rows = (
        Attendance.objects.filter(session_id__in=ids)
        .values("session_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["session_id"]][row["status"]] = row["n"]
    return counts


# --- Participants ------------------------------------------------------------------------------


def participant_list(*, user, now=None) -> QuerySet[Participant]:
    return with_attendance(
        participants_visible_to(user).select_related(
            "program",
            "program__partner",
            "stage",
            "track",
            "enterprise",
            "enterprise__kecamatan",
            "application",
            "certificate",
        ),
        now=now,
    )


def participants_of_owner(*, user) -> QuerySet[Participant]:
    if user is None or not user.is_authenticated:
        return Participant.objects.none()
    return participant_list(user=user).filter(enterprise__owner=user)


# --- Attendance --------------------------------------------------------------------------------


def attendance_list(*, user) -> QuerySet[Attendance]:
    return attendance_visible_to(user).select_related(
        "session", "participant", "participant__enterprise"
    )


# --- Certificates ------------------------------------------------------------------------------


def certificate_list(*, user) -> QuerySet[Certificate]:
    return certificates_visible_to(user).select_related(
        "participant", "participant__program", "participant__stage"
    )


def certificate_by_code(code: str) -> Certificate | None:
    from .certificates import normalise_code

    return Certificate.objects.filter(code=normalise_code(code)).first()


# --- Outcomes ----------------------------------------------------------------------------------


def outcome_list(*, user) -> QuerySet[OutcomeSurvey]:
    return outcomes_visible_to(user).select_related(
        "application", "application__program", "application__enterprise"
    )


def outcomes_of_owner(*, user) -> QuerySet[OutcomeSurvey]:
    if user is None or not user.is_authenticated:
        return OutcomeSurvey.objects.none()
    return outcome_list(user=user).filter(application__enterprise__owner=user)


def outcome_response_rates(*, program: Program) -> list[dict]:
    """Per wave: requested, answered, waiting, and the response rate in percent."""
    rows = (
        OutcomeSurvey.objects.filter(application__program=program)
        .values("wave")
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=Q(status=OutcomeStatus.SUBMITTED)),
        )
    )
    by_wave = {r["wave"]: r for r in rows}
    result = []
    for wave in OutcomeWave:
        row = by_wave.get(wave.value, {"total": 0, "answered": 0})
        total, answered = row["total"], row["answered"]
        result.append(
            {
                "wave": wave.value,
                "label": str(wave.label),
                "requested": total,
                "answered": answered,
                "waiting": total - answered,
                "rate": _percent(answered, total),
            }
        )
    return result


def outcomes_waiting(*, program: Program) -> QuerySet[OutcomeSurvey]:
    """Who has not answered: the staff's list to call or visit."""
    return (
        OutcomeSurvey.objects.filter(application__program=program, status=OutcomeStatus.REQUESTED)
        .select_related("application", "application__enterprise", "application__enterprise__owner")
        .order_by("due_on", "wave", "application__enterprise__name")
    )


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- Groups of the impact report --------------------------------------------------------------


def comparison_applications(*, program: Program) -> QuerySet[Application]:
    """Eligible applicants who were not selected (and never became participants)."""
    return (
        Application.objects.filter(program=program, status__in=sorted(COMPARISON_STATUSES))
        .exclude(Exists(Participant.objects.filter(application=OuterRef("pk"))))
        .select_related("enterprise")
    )


def first_track_choice_prefetch():
    return Prefetch(
        "track_choices",
        queryset=TrackChoice.objects.select_related("track").order_by("preference"),
    )


def stages_of(program: Program) -> list[Stage]:
    return list(program.stages.order_by("order"))


def participant_status_counts(*, program: Program) -> dict[int, dict[str, int]]:
    """{stage_id: {status: n}} for a programme."""
    rows = (
        Participant.objects.filter(program=program)
        .values("stage_id", "status")
        .annotate(n=Count("pk"))
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["stage_id"], dict.fromkeys(ParticipantStatus.values, 0))
        result[row["stage_id"]][row["status"]] = row["n"]
    return result
