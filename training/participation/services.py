"""Writes of participation and outcomes. Pages, API and beat tasks call these same functions.

The participant state machine has one transition service (`participant_transition`): lock the
row → no-op if already there → check the table → save the changed fields → activity log →
notifications on commit (the outbox writes its rows in this transaction and sends after it)."""

import calendar
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.exceptions import ApplicationError, InvalidTransition, NotEligible
from ikm_portal.core.services import activity_log
from registry.choices import CertificationKind
from training.choices import ApplicationStatus, ProgramStatus
from training.models import Application, Program, Stage, Track

from . import checkin
from .certificates import certificate_number, new_code
from .choices import (
    ATTENDED,
    PARTICIPANT_ACTIONS,
    PARTICIPANT_CURRENT,
    PARTICIPANT_REASON_REQUIRED,
    PARTICIPANT_TRANSITIONS,
    AttendanceMethod,
    AttendanceStatus,
    CheckinResult,
    MarketChannel,
    OutcomeStatus,
    OutcomeWave,
    ParticipantStatus,
)
from .models import Attendance, Certificate, CompletionRule, OutcomeSurvey, Participant, Session
from .selectors import (
    comparison_applications,
    completion_rule_of,
    participant_attendance,
    sessions_expected_participants,
)

logger = logging.getLogger(__name__)

# Applications that hold a seat: accepted (and selected, until the offer is answered).
ENROLLABLE_STATUSES = frozenset({ApplicationStatus.ACCEPTED, ApplicationStatus.SELECTED})


class CheckinRefused(ApplicationError):
    status_code = 400
    code = "checkin_refused"
    default_message = _("The check-in was refused.")


def _field_error(field: str, message) -> ApplicationError:
    return ApplicationError(message, field_errors={field: [message]})


def _due_days() -> int:
    return int(getattr(settings, "PARTICIPATION_OUTCOME_DUE_DAYS", 14))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# =============================================================================================
# Notifications (through the one outbox)
# =============================================================================================


_quiet: ContextVar[bool] = ContextVar("participation_quiet", default=False)


@contextmanager
def quiet():
    """Write no messages inside this block (demo data and bulk loads of past programmes)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _notify(*, recipient, template: str, context: dict, related, key: str) -> None:
    from ikm_portal.notifications.services import notification_queue

    if recipient is None or _quiet.get():
        return
    notification_queue(
        recipient=recipient,
        template=template,
        context=context,
        channels=["email", "in_app", "whatsapp"],
        related=related,
        key=key,
    )


def partner_views_record(*, user, application_ids, channel: str, path: str = "") -> int:
    """A partner user looking at participants' personal data is logged (UU 27/2022), as for
    applications (training.services.data_access_record)."""
    from partnerships.permissions import is_office, membership_of
    from training.services import data_access_record

    ids = {pk for pk in application_ids if pk}
    if not ids or is_office(user) or membership_of(user) is None:
        return 0
    applications = Application.objects.filter(pk__in=ids).select_related("program", "enterprise")
    return data_access_record(user=user, applications=applications, channel=channel, path=path)


# =============================================================================================
# Participants
# =============================================================================================


def _default_track(application: Application) -> Track | None:
    choice = application.track_choices.select_related("track").order_by("preference").first()
    return choice.track if choice else None


@transaction.atomic
def participant_enroll(
    *, application: Application, stage: Stage, actor=None, track: Track | None = None
) -> Participant:
    """Enrol an accepted application in a stage (one row per application and stage).
    Idempotent: enrolling twice returns the first row. The baseline survey is requested from
    the owner at the first enrolment. Called by the selection's accept service."""
    existing = Participant.objects.filter(application_id=application.pk, stage_id=stage.pk).first()
    if existing is not None:
        return existing
    application = Application.objects.select_related("program", "enterprise").get(pk=application.pk)
    if stage.program_id != application.program_id:
        raise _field_error("stage", _("The stage is not a stage of the application's programme."))
    if application.status not in ENROLLABLE_STATUSES:
        raise InvalidTransition(
            _("Only an accepted application can be enrolled (this one is %(status)s).")
            % {"status": ApplicationStatus(application.status).label}
        )
    if track is None:
        track = _default_track(application)
    elif track.program_id != application.program_id:
        raise _field_error("track", _("The track is not a track of the application's programme."))
    now = timezone.now()
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                program_id=application.program_id,
                stage=stage,
                application=application,
                enterprise_id=application.enterprise_id,
                track=track,
                status=ParticipantStatus.ENROLLED,
                status_changed_at=now,
                enrolled_at=now,
            )
    except IntegrityError:
        # A concurrent enrolment of the same application and stage won.
        return Participant.objects.get(application_id=application.pk, stage_id=stage.pk)
    activity_log(
        target=participant,
        action="participant.enrol",
        actor=actor,
        to_state=ParticipantStatus.ENROLLED,
        data={"application": application.pk, "stage": stage.order},
    )
    outcome_request(application=application, wave=OutcomeWave.BASELINE, actor=actor)
    return participant


@transaction.atomic
def participant_transition(
    *, participant: Participant, to: str, actor=None, reason: str = "", data: dict | None = None
) -> Participant:
    """The one way a participant changes status: lock → no-op → table → save → log → notify."""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("program", "enterprise", "stage")
        .get(pk=participant.pk)
    )
    source = participant.status
    if source == to:
        return participant
    if to not in PARTICIPANT_TRANSITIONS.get(source, frozenset()):
        raise InvalidTransition(
            _("A participant cannot go from %(source)s to %(target)s.")
            % {
                "source": ParticipantStatus(source).label,
                "target": ParticipantStatus(to).label if to in ParticipantStatus.values else to,
            }
        )
    reason = (reason or "").strip()
    if to in PARTICIPANT_REASON_REQUIRED and not reason:
        raise _field_error("reason", _("Give a reason."))
    now = timezone.now()
    participant.status = to
    participant.status_changed_at = now
    participant.status_reason = reason
    fields = ["status", "status_changed_at", "status_reason", "updated_at"]
    if to == ParticipantStatus.COMPLETED:
        participant.completed_at = now
        participant.completion_overridden = bool(data and data.get("override"))
        fields += ["completed_at", "completion_overridden"]
    participant.save(update_fields=fields)
    activity_log(
        target=participant,
        action=f"participant.{PARTICIPANT_ACTIONS.get(to, to)}",
        actor=actor,
        from_state=source,
        to_state=to,
        reason=reason,
        data=data,
    )
    if to in (ParticipantStatus.PAUSED, ParticipantStatus.DROPPED) or (
        to == ParticipantStatus.ACTIVE
        and source in (ParticipantStatus.PAUSED, ParticipantStatus.DROPPED)
    ):
        _notify(
            recipient=participant.enterprise.owner,
            template="participation_status_changed",
            context={
                "program_title": participant.program.title,
                "stage_name": participant.stage.name,
                "business_name": participant.enterprise.name,
                "status": to,
                "reason": reason,
                "url": reverse("training:participation_mine"),
            },
            related=participant,
            key=f"participant:{participant.pk}:{to}:{now.isoformat()}",
        )
    return participant


def completion_check(*, participant: Participant, now=None) -> list[dict]:
    """The programme's completion rule, each part with whether it is met and why:
    `[{rule, ok, reason}]`."""
    rule = completion_rule_of(participant.program)
    summary = participant_attendance(participant=participant, now=now)
    rate = summary.rate
    results = []
    ok = rate is not None and rate >= rule.min_attendance_percent
    if rate is None:
        reason = gettext("No session has been held yet.")
    else:
        reason = gettext(
            "Attendance %(rate)s%% of %(sessions)s sessions (at least %(min)s%% needed)."
        ) % {"rate": rate, "sessions": summary.counted, "min": rule.min_attendance_percent}
    results.append({"rule": "attendance", "ok": ok, "reason": reason})
    if rule.require_endline:
        answered = OutcomeSurvey.objects.filter(
            application_id=participant.application_id,
            wave=OutcomeWave.ENDLINE,
            status=OutcomeStatus.SUBMITTED,
        ).exists()
        results.append(
            {
                "rule": "endline",
                "ok": answered,
                "reason": gettext("The end-line survey is answered.")
                if answered
                else gettext("The end-line survey is not answered yet."),
            }
        )
    return results


@transaction.atomic
def participant_complete(
    *, participant: Participant, actor=None, override: bool = False, reason: str = ""
) -> Participant:
    """Complete a participant who meets the completion rule (or, for the office, by decision
    with a reason) and issue their certificate."""
    participant = Participant.objects.select_related("program").get(pk=participant.pk)
    if participant.status == ParticipantStatus.COMPLETED:
        return participant
    results = completion_check(participant=participant)
    unmet = [r for r in results if not r["ok"]]
    if unmet and not override:
        raise NotEligible(
            " ".join(r["reason"] for r in unmet),
            field_errors={"completion": [r["reason"] for r in unmet]},
            code="completion_rule_not_met",
        )
    if override and unmet and not (reason or "").strip():
        raise _field_error("reason", _("Give a reason for completing without the rule met."))
    if participant.status == ParticipantStatus.DROPPED:
        raise InvalidTransition(_("Reinstate the participant before completing them."))
    if participant.status in (ParticipantStatus.ENROLLED, ParticipantStatus.PAUSED):
        participant_transition(
            participant=participant, to=ParticipantStatus.ACTIVE, actor=actor, reason=reason
        )
    participant = participant_transition(
        participant=participant,
        to=ParticipantStatus.COMPLETED,
        actor=actor,
        reason=reason,
        data={"rule": results, "override": bool(override and unmet)},
    )
    certificate_issue(participant=participant, actor=actor)
    return participant


def participants_complete_eligible(*, program: Program, actor=None, participants=None) -> dict:
    """Complete every active participant of a programme who meets the rule (the office's
    button, and after an end-line answer). Returns {completed, waiting}."""
    qs = participants
    if qs is None:
        qs = Participant.objects.filter(program=program)
    qs = qs.filter(status=ParticipantStatus.ACTIVE).select_related("program")
    completed = waiting = 0
    for participant in qs:
        if all(r["ok"] for r in completion_check(participant=participant)):
            participant_complete(participant=participant, actor=actor)
            completed += 1
        else:
            waiting += 1
    return {"completed": completed, "waiting": waiting}


COMPLETION_RULE_FIELDS = [
    "min_attendance_percent",
    "require_endline",
    "follow_up_months",
    "signatory_name",
    "signatory_title",
]


@transaction.atomic
def completion_rule_update(*, program: Program, actor, data: dict) -> CompletionRule:
    rule, _created = CompletionRule.objects.get_or_create(program=program)
    data = {k: v for k, v in data.items() if k in COMPLETION_RULE_FIELDS}
    errors: dict[str, list] = {}
    percent = data.get("min_attendance_percent")
    if percent is not None and not (0 <= int(percent) <= 100):
        errors["min_attendance_percent"] = [_("Enter a percentage from 0 to 100.")]
    months = data.get("follow_up_months")
    if months is not None and not (1 <= int(months) <= 36):
        errors["follow_up_months"] = [_("Enter 1 to 36 months.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors)
    changed = [k for k, v in data.items() if getattr(rule, k) != v]
    for k in changed:
        setattr(rule, k, data[k])
    if changed:
        rule.save(update_fields=changed)
        activity_log(
            target=program,
            action="program.completion_rule",
            actor=actor,
            data={k: str(data[k]) for k in changed},
        )
    return rule


# =============================================================================================
# Sessions
# =============================================================================================

SESSION_FIELDS = [
    "stage",
    "track",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_link",
    "facilitator",
    "hours",
]


def _check_session(program: Program, values: dict) -> None:
    errors: dict[str, list] = {}
    if not (values.get("title") or "").strip():
        errors["title"] = [_("This field is required.")]
    stage = values.get("stage")
    if stage is None or stage.program_id != program.pk:
        errors["stage"] = [_("Choose a stage of this programme.")]
    track = values.get("track")
    if track is not None and track.program_id != program.pk:
        errors["track"] = [_("Choose a track of this programme.")]
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if not starts_at:
        errors["starts_at"] = [_("This field is required.")]
    if not ends_at:
        errors["ends_at"] = [_("This field is required.")]
    elif starts_at and ends_at <= starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    hours = values.get("hours")
    if hours is not None and hours < 0:
        errors["hours"] = [_("Enter zero or more hours.")]
    if program.status in (ProgramStatus.CANCELLED, ProgramStatus.COMPLETED):
        errors["program"] = [_("A completed or cancelled programme gets no new sessions.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors)


@transaction.atomic
def session_create(*, program: Program, actor, **fields) -> Session:
    values = {k: v for k, v in fields.items() if k in SESSION_FIELDS}
    values.setdefault("track", None)
    _check_session(program, values)
    values["title"] = values["title"].strip()
    session = Session.objects.create(
        program=program,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    activity_log(target=session, action="session.created", actor=actor)
    return session


@transaction.atomic
def session_update(*, session: Session, actor, data: dict) -> Session:
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("program").get(pk=session.pk)
    )
    if session.is_cancelled:
        raise InvalidTransition(_("A cancelled session cannot be changed."))
    data = {k: v for k, v in data.items() if k in SESSION_FIELDS}
    values = {f: getattr(session, f) for f in SESSION_FIELDS}
    values.update(data)
    if values.get("stage") != session.stage and session.attendance.exists():
        raise _field_error("stage", _("The stage cannot change once attendance is recorded."))
    _check_session(session.program, values)
    changed = [f for f, v in data.items() if getattr(session, f) != v]
    for f in changed:
        setattr(session, f, data[f])
    if changed:
        session.save(update_fields=[*changed, "updated_at"])
        activity_log(
            target=session, action="session.updated", actor=actor, data={"fields": changed}
        )
    return session


@transaction.atomic
def session_cancel(*, session: Session, actor, reason: str) -> Session:
    session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if session.is_cancelled:
        return session
    if not (reason or "").strip():
        raise _field_error("reason", _("Give a reason for cancelling the session."))
    session.cancelled_at = timezone.now()
    session.cancel_reason = reason.strip()[:255]
    session.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
    activity_log(target=session, action="session.cancelled", actor=actor, reason=reason)
    return session


# =============================================================================================
# Attendance
# =============================================================================================


def _activate_on_attendance(participant: Participant, actor) -> None:
    if participant.status == ParticipantStatus.ENROLLED:
        participant_transition(
            participant=participant,
            to=ParticipantStatus.ACTIVE,
            actor=actor,
            data={"automatic": True, "cause": "attendance"},
        )


@transaction.atomic
def attendance_mark(
    *, session: Session, marks: list[dict], actor, now: datetime | None = None
) -> list[Attendance]:
    """Mark several participants of a session at once: `[{participant, status, note?}]`
    (participant is an id or a Participant).

    Rules: not for a cancelled session; present, late and absent only from the opening of the
    session's check-in (before that only "excused", for someone who sent word); only the
    participants the session expects (its stage and track, still taking part) or already
    marked."""
    now = now or timezone.now()
    session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if session.is_cancelled:
        raise InvalidTransition(_("The session was cancelled."))
    expected = {p.pk: p for p in sessions_expected_participants(session=session)}
    opens, _closes = checkin.checkin_window(session)
    errors = []
    cleaned = []
    for mark in marks:
        pid = getattr(mark.get("participant"), "pk", mark.get("participant"))
        status = mark.get("status")
        if status not in AttendanceStatus.values:
            errors.append(gettext("Unknown attendance status: %(status)s.") % {"status": status})
            continue
        participant = expected.get(pid)
        if participant is None:
            errors.append(
                gettext("Participant %(id)s is not expected at this session.") % {"id": pid}
            )
            continue
        if status != AttendanceStatus.EXCUSED and now < opens:
            errors.append(
                gettext("The session has not started: only “excused” can be marked before it.")
            )
            continue
        cleaned.append((participant, status, (mark.get("note") or "").strip()[:255]))
    if errors:
        raise ApplicationError(errors[0], field_errors={"marks": errors})
    existing = {
        a.participant_id: a
        for a in Attendance.objects.filter(
            session=session, participant_id__in=[p.pk for p, _s, _n in cleaned]
        )
    }
    user = actor if getattr(actor, "is_authenticated", False) else None
    results = []
    changed = 0
    for participant, status, note in cleaned:
        row = existing.get(participant.pk)
        if row is None:
            row = Attendance.objects.create(
                session=session,
                participant=participant,
                status=status,
                method=AttendanceMethod.MANUAL,
                marked_at=now,
                marked_by=user,
                note=note,
            )
            changed += 1
        elif row.status != status or row.note != note:
            row.status, row.note = status, note
            row.method, row.marked_at, row.marked_by = AttendanceMethod.MANUAL, now, user
            row.save(update_fields=["status", "note", "method", "marked_at", "marked_by"])
            changed += 1
        if status in ATTENDED:
            _activate_on_attendance(participant, actor)
        results.append(row)
    if changed:
        activity_log(
            target=session,
            action="session.attendance",
            actor=actor,
            data={"marked": changed},
        )
    return results


@transaction.atomic
def attendance_checkin(
    *, session: Session, user, token: str = "", code: str = "", now: datetime | None = None
) -> list[Attendance]:
    """A participant checks in with the session's QR code (or its short code): present, or late
    after PARTICIPATION_LATE_AFTER_MINUTES. A second check-in changes nothing."""
    now = now or timezone.now()
    session = Session.objects.get(pk=session.pk)
    verdict = checkin.verify(session, token=token, code=code, moment=now)
    if not verdict.ok:
        raise CheckinRefused(CheckinResult(verdict.result).label, code=verdict.result)
    mine = [
        p
        for p in sessions_expected_participants(session=session)
        if user is not None and user.is_authenticated and p.enterprise.owner_id == user.pk
    ]
    mine = [p for p in mine if p.status in PARTICIPANT_CURRENT]
    if not mine:
        raise CheckinRefused(
            CheckinResult.NOT_PARTICIPANT.label, code=CheckinResult.NOT_PARTICIPANT
        )
    late = now > session.starts_at + timedelta(minutes=checkin.late_after_minutes())
    status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
    rows = []
    for participant in mine:
        row = (
            Attendance.objects.select_for_update()
            .filter(session=session, participant=participant)
            .first()
        )
        if row is None:
            row = Attendance.objects.create(
                session=session,
                participant=participant,
                status=status,
                method=AttendanceMethod.QR,
                marked_at=now,
                marked_by=user,
            )
            activity_log(
                target=session,
                action="session.checkin",
                actor=user,
                data={"participant": participant.pk, "status": status},
            )
        elif row.status not in ATTENDED:
            row.status, row.method, row.marked_at, row.marked_by = (
                status,
                AttendanceMethod.QR,
                now,
                user,
            )
            row.save(update_fields=["status", "method", "marked_at", "marked_by"])
            activity_log(
                target=session,
                action="session.checkin",
                actor=user,
                data={"participant": participant.pk, "status": status},
            )
        _activate_on_attendance(participant, user)
        rows.append(row)
    return rows


# =============================================================================================
# Certificates
# =============================================================================================


@transaction.atomic
def certificate_issue(*, participant: Participant, actor=None) -> Certificate:
    """The certificate of a completed participant (idempotent)."""
    existing = Certificate.objects.filter(participant_id=participant.pk).first()
    if existing is not None:
        return existing
    participant = Participant.objects.select_related(
        "program", "program__partner", "stage", "track", "enterprise", "enterprise__owner"
    ).get(pk=participant.pk)
    if participant.status != ParticipantStatus.COMPLETED:
        raise InvalidTransition(_("Only a participant who completed gets a certificate."))
    # Numbers run per programme stage: lock the stage so two issues never take one number.
    stage = Stage.objects.select_for_update().get(pk=participant.stage_id)
    attended = list(
        Session.objects.filter(
            attendance__participant=participant,
            attendance__status__in=sorted(ATTENDED),
            cancelled_at__isnull=True,
        ).order_by("starts_at")
    )
    hours = sum((s.credit_hours for s in attended), Decimal(0))
    program = participant.program
    if attended:
        starts_on = timezone.localtime(attended[0].starts_at).date()
        ends_on = timezone.localtime(attended[-1].ends_at).date()
    else:
        starts_on, ends_on = program.starts_on, program.ends_on
    now = timezone.now()
    sequence = Certificate.objects.filter(participant__stage=stage).count() + 1
    enterprise = participant.enterprise
    holder = enterprise.owner_name or (enterprise.owner.full_name if enterprise.owner else "")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    participant=participant,
                    number=certificate_number(
                        program=program, stage=stage, sequence=sequence, year=now.year
                    ),
                    code=new_code(),
                    holder_name=(holder or enterprise.name)[:200],
                    business_name=enterprise.name[:200],
                    program_title=program.title[:255],
                    partner_name=program.partner.name if program.partner_id else "",
                    stage_name=stage.name,
                    track_name=participant.track.name if participant.track_id else "",
                    starts_on=starts_on,
                    ends_on=ends_on,
                    hours=hours,
                    issued_at=now,
                    issued_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            break
        except IntegrityError:
            # A code collision (1 in 10^17) or a number taken by a revoked-and-reissued row.
            sequence += 1
    else:  # pragma: no cover - five collisions in a row
        raise ApplicationError(_("The certificate could not be numbered; try again."))
    activity_log(
        target=participant,
        action="certificate.issued",
        actor=actor,
        data={"number": certificate.number},
    )
    _notify(
        recipient=enterprise.owner,
        template="participation_certificate_issued",
        context={
            "program_title": program.title,
            "stage_name": stage.name,
            "business_name": enterprise.name,
            "number": certificate.number,
            "url": reverse("training:certificate_pdf", args=[certificate.pk]),
        },
        related=certificate,
        key=f"certificate:{certificate.pk}:issued",
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        return certificate
    if not (reason or "").strip():
        raise _field_error("reason", _("Give a reason for revoking the certificate."))
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason.strip()[:255]
    certificate.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
    activity_log(
        target=certificate.participant,
        action="certificate.revoked",
        actor=actor,
        reason=reason,
        data={"number": certificate.number},
    )
    return certificate


# =============================================================================================
# Outcome surveys
# =============================================================================================

OUTCOME_FIGURES = [
    "monthly_output",
    "output_unit",
    "unit_cost",
    "selling_price",
    "monthly_turnover",
    "workers",
    "certifications",
    "markets",
    "what_changed",
]
REQUIRED_FIGURES = [
    "monthly_output",
    "output_unit",
    "unit_cost",
    "selling_price",
    "monthly_turnover",
    "workers",
]
MONEY_MAX = Decimal("99999999999999")
WHAT_CHANGED_MAX = 5000


def _survey_url(survey: OutcomeSurvey) -> str:
    return reverse("training:outcome_answer", args=[survey.pk])


@transaction.atomic
def outcome_request(
    *,
    application: Application,
    wave: str,
    actor=None,
    due_on: date | None = None,
    notify: bool = True,
) -> OutcomeSurvey:
    """Ask the owner for one wave of figures (idempotent: one survey per application and
    wave)."""
    if wave not in OutcomeWave.values:
        raise _field_error("wave", _("Unknown survey."))
    now = timezone.now()
    survey, created = OutcomeSurvey.objects.get_or_create(
        application=application,
        wave=wave,
        defaults={
            "requested_at": now,
            "due_on": due_on or (timezone.localdate() + timedelta(days=_due_days())),
        },
    )
    if not created:
        return survey
    activity_log(target=application, action=f"outcome.requested.{wave}", actor=actor)
    if notify:
        application = Application.objects.select_related("program", "enterprise__owner").get(
            pk=application.pk
        )
        _notify(
            recipient=application.enterprise.owner,
            template="participation_outcome_request",
            context={
                "program_title": application.program.title,
                "business_name": application.enterprise.name,
                "wave": wave,
                "due_on": survey.due_on,
                "url": _survey_url(survey),
            },
            related=survey,
            key=f"outcome:{survey.pk}:request",
        )
    return survey


def _decimal(field: str, value, errors: dict, *, integer: bool = False):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(" ", ""))
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not number.is_finite():
        errors[field] = [_("Enter a number.")]
        return None
    if number < 0:
        errors[field] = [_("Enter zero or more.")]
        return None
    if number > MONEY_MAX:
        errors[field] = [_("This number is too large.")]
        return None
    if integer:
        if number != number.to_integral_value():
            errors[field] = [_("Enter a whole number.")]
            return None
        return int(number)
    return number.quantize(Decimal("0.01"))


def clean_outcome(data: dict) -> dict:
    """Validate a survey's answers; raise ApplicationError with field errors."""
    errors: dict[str, list] = {}
    cleaned = {}
    for field in ("monthly_output", "unit_cost", "selling_price", "monthly_turnover"):
        cleaned[field] = _decimal(field, data.get(field), errors)
    cleaned["workers"] = _decimal("workers", data.get("workers"), errors, integer=True)
    cleaned["output_unit"] = str(data.get("output_unit") or "").strip()[:30]
    for field in REQUIRED_FIGURES:
        if cleaned.get(field) in (None, "") and field not in errors:
            errors[field] = [_("This field is required.")]
    for field, allowed in (
        ("certifications", CertificationKind.values),
        ("markets", MarketChannel.values),
    ):
        values = data.get(field) or []
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list | tuple):
            errors[field] = [_("Give a list.")]
            continue
        unknown = [v for v in values if v not in allowed]
        if unknown:
            errors[field] = [
                _("Unknown choice: %(value)s.") % {"value": ", ".join(map(str, unknown))}
            ]
        cleaned[field] = sorted(set(values) - set(unknown))
    what = str(data.get("what_changed") or "").strip()
    if len(what) > WHAT_CHANGED_MAX:
        errors["what_changed"] = [_("Write at most 5000 characters.")]
    cleaned["what_changed"] = what
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors)
    return cleaned


@transaction.atomic
def outcome_submit(*, survey: OutcomeSurvey, actor, data: dict) -> OutcomeSurvey:
    """The owner answers a survey, or office staff enter the answers on their behalf (and may
    correct them later). An end-line answer completes the participants who now meet the rule."""
    from partnerships.permissions import is_office

    survey = (
        OutcomeSurvey.objects.select_for_update(of=("self",))
        .select_related("application", "application__enterprise", "application__program")
        .get(pk=survey.pk)
    )
    staff = is_office(actor)
    owner = survey.application.enterprise.owner_id == getattr(actor, "pk", None)
    if not (staff or owner):
        raise InvalidTransition(_("Only the owner or the office can answer this survey."))
    if survey.status == OutcomeStatus.SUBMITTED and not staff:
        raise InvalidTransition(_("This survey is already answered; ask the office to correct it."))
    cleaned = clean_outcome(data)
    first_answer = survey.status != OutcomeStatus.SUBMITTED
    for field, value in cleaned.items():
        setattr(survey, field, value)
    fields = [*cleaned.keys(), "updated_at"]
    if first_answer:
        survey.status = OutcomeStatus.SUBMITTED
        survey.submitted_at = timezone.now()
        survey.submitted_by = actor
        survey.on_behalf = staff and not owner
        fields += ["status", "submitted_at", "submitted_by", "on_behalf"]
    survey.save(update_fields=fields)
    activity_log(
        target=survey.application,
        action=f"outcome.{'submitted' if first_answer else 'corrected'}.{survey.wave}",
        actor=actor,
        data={"on_behalf": survey.on_behalf},
    )
    if survey.wave == OutcomeWave.ENDLINE:
        participants_complete_eligible(
            program=survey.application.program,
            actor=None,
            participants=Participant.objects.filter(application=survey.application),
        )
    return survey


def outcomes_request_now(*, program: Program, wave: str, who: str, actor) -> int:
    """Ask now: `who` is "participants" (those still taking part or completed) or
    "comparison" (eligible applicants who were not selected; they answer if they wish).
    Returns how many surveys were newly requested."""
    if wave not in OutcomeWave.values:
        raise _field_error("wave", _("Unknown survey."))
    if who == "comparison":
        app_ids = list(comparison_applications(program=program).values_list("pk", flat=True))
    else:
        app_ids = list(
            Participant.objects.filter(program=program)
            .filter(status__in=[*sorted(PARTICIPANT_CURRENT), ParticipantStatus.COMPLETED])
            .values_list("application_id", flat=True)
            .distinct()
        )
    already = set(
        OutcomeSurvey.objects.filter(application_id__in=app_ids, wave=wave).values_list(
            "application_id", flat=True
        )
    )
    count = 0
    for app_id in sorted(set(app_ids) - already):
        outcome_request(application=Application(pk=app_id), wave=wave, actor=actor)
        count += 1
    return count


def outcomes_request_due(*, today: date | None = None) -> dict[str, int]:
    """Beat, daily. When a programme's end date has passed, ask its participants (those still
    taking part or completed) and the comparison applicants who answered the baseline for the
    end-line; `follow_up_months` later, ask everyone who answered the end-line for the
    follow-up."""
    today = today or timezone.localdate()
    counts = {"endline": 0, "followup": 0}
    programs = Program.objects.filter(ends_on__lte=today).exclude(
        status__in=[ProgramStatus.DRAFT, ProgramStatus.CANCELLED]
    )
    for program in programs:
        rule = completion_rule_of(program)
        had_endline = set(
            OutcomeSurvey.objects.filter(
                application__program=program, wave=OutcomeWave.ENDLINE
            ).values_list("application_id", flat=True)
        )
        participant_apps = set(
            Participant.objects.filter(program=program)
            .filter(status__in=[*sorted(PARTICIPANT_CURRENT), ParticipantStatus.COMPLETED])
            .values_list("application_id", flat=True)
        )
        comparison_apps = set(
            OutcomeSurvey.objects.filter(
                application__program=program,
                wave=OutcomeWave.BASELINE,
                status=OutcomeStatus.SUBMITTED,
            )
            .filter(application__in=comparison_applications(program=program))
            .values_list("application_id", flat=True)
        )
        for app_id in sorted((participant_apps | comparison_apps) - had_endline):
            outcome_request(application=Application(pk=app_id), wave=OutcomeWave.ENDLINE)
            counts["endline"] += 1
        if add_months(program.ends_on, rule.follow_up_months) <= today:
            answered = OutcomeSurvey.objects.filter(
                application__program=program,
                wave=OutcomeWave.ENDLINE,
                status=OutcomeStatus.SUBMITTED,
            ).values_list("application_id", flat=True)
            had_followup = set(
                OutcomeSurvey.objects.filter(
                    application__program=program, wave=OutcomeWave.FOLLOWUP
                ).values_list("application_id", flat=True)
            )
            for app_id in sorted(set(answered) - had_followup):
                outcome_request(application=Application(pk=app_id), wave=OutcomeWave.FOLLOWUP)
                counts["followup"] += 1
    return counts


def outcomes_remind(*, now: datetime | None = None) -> int:
    """Beat, daily: remind owners who have not answered, every OUTCOME_REMINDER_EVERY_DAYS days,
    at most OUTCOME_REMINDERS_MAX times. Each reminder is claimed with a conditional UPDATE,
    so a second run the same day sends nothing."""
    from .choices import OUTCOME_REMINDER_EVERY_DAYS, OUTCOME_REMINDERS_MAX

    now = now or timezone.now()
    since = now - timedelta(days=OUTCOME_REMINDER_EVERY_DAYS)
    due = OutcomeSurvey.objects.filter(
        status=OutcomeStatus.REQUESTED, reminders_sent__lt=OUTCOME_REMINDERS_MAX
    ).filter(
        Q(last_reminded_at__lte=since) | Q(last_reminded_at__isnull=True, requested_at__lte=since)
    )
    sent = 0
    for survey_id, count in due.values_list("pk", "reminders_sent"):
        with transaction.atomic():
            claimed = OutcomeSurvey.objects.filter(pk=survey_id, reminders_sent=count).update(
                reminders_sent=count + 1, last_reminded_at=now
            )
            if not claimed:
                continue
            survey = OutcomeSurvey.objects.select_related(
                "application__program", "application__enterprise__owner"
            ).get(pk=survey_id)
            _notify(
                recipient=survey.application.enterprise.owner,
                template="participation_outcome_reminder",
                context={
                    "program_title": survey.application.program.title,
                    "business_name": survey.application.enterprise.name,
                    "wave": survey.wave,
                    "due_on": survey.due_on,
                    "url": _survey_url(survey),
                },
                related=survey,
                key=f"outcome:{survey.pk}:reminder:{count + 1}",
            )
            sent += 1
    return sent
