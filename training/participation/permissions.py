"""One scoping function per model of participation, used by selectors, pages and every API
get_queryset. What a user may not see is a 404 for them.

- The office sees everything.
- A partner's members (managers and reviewers, who facilitate) see the sessions of their
  partner's programmes, and the participants, attendance, outcomes and certificates of the
  applicants who consented to share their data with the partner.
- An owner sees their own participation: their sessions, attendance, surveys, certificates."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from partnerships.permissions import is_office, membership_of
from training.permissions import can_manage_program

from .models import Attendance, Certificate, OutcomeSurvey, Participant, Session


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _partner_id(user) -> int | None:
    membership = membership_of(user)
    return membership.partner_id if membership else None


def sessions_visible_to(user) -> QuerySet[Session]:
    if not _active(user):
        return Session.objects.none()
    if is_office(user):
        return Session.objects.all()
    q = Q(pk__in=[])
    partner_id = _partner_id(user)
    if partner_id is not None:
        q |= Q(program__partner_id=partner_id)
    mine = Participant.objects.filter(stage=OuterRef("stage"), enterprise__owner=user)
    q |= Q(track__isnull=True) & Exists(mine)
    q |= Q(track__isnull=False) & Exists(mine.filter(track=OuterRef("track")))
    return Session.objects.filter(q)


def _shared_with_partner(prefix: str, partner_id: int) -> Q:
    # Consent given once: a participant who later withdraws it stays on the partner's lists
    # (attendance for the place they hold, the certificate) without their personal data
    # (training.permissions.shares_personal_data, the owner_name_for filter).
    return Q(
        **{
            f"{prefix}program__partner_id": partner_id,
            f"{prefix}consent_at__isnull": False,
        }
    )


def participants_visible_to(user) -> QuerySet[Participant]:
    if not _active(user):
        return Participant.objects.none()
    if is_office(user):
        return Participant.objects.all()
    q = Q(enterprise__owner=user)
    partner_id = _partner_id(user)
    if partner_id is not None:
        q |= _shared_with_partner("application__", partner_id)
    return Participant.objects.filter(q)


def attendance_visible_to(user) -> QuerySet[Attendance]:
    if not _active(user):
        return Attendance.objects.none()
    if is_office(user):
        return Attendance.objects.all()
    q = Q(participant__enterprise__owner=user)
    partner_id = _partner_id(user)
    if partner_id is not None:
        q |= _shared_with_partner("participant__application__", partner_id)
    return Attendance.objects.filter(q)


def outcomes_visible_to(user) -> QuerySet[OutcomeSurvey]:
    if not _active(user):
        return OutcomeSurvey.objects.none()
    if is_office(user):
        return OutcomeSurvey.objects.all()
    q = Q(application__enterprise__owner=user)
    partner_id = _partner_id(user)
    if partner_id is not None:
        q |= _shared_with_partner("application__", partner_id)
    return OutcomeSurvey.objects.filter(q)


def certificates_visible_to(user) -> QuerySet[Certificate]:
    if not _active(user):
        return Certificate.objects.none()
    if is_office(user):
        return Certificate.objects.all()
    q = Q(participant__enterprise__owner=user)
    partner_id = _partner_id(user)
    if partner_id is not None:
        q |= _shared_with_partner("participant__application__", partner_id)
    return Certificate.objects.filter(q)


def is_program_member(user, program) -> bool:
    partner_id = _partner_id(user)
    return bool(partner_id and program.partner_id == partner_id)


def can_manage_sessions(user, program) -> bool:
    """Schedule, change and cancel sessions: the office, or the partner's manager when the
    office lets the partner co-manage the programme."""
    return can_manage_program(user, program)


def can_mark_attendance(user, program) -> bool:
    """Mark attendance and show the QR code: the office and the partner's members
    (facilitators)."""
    return is_office(user) or is_program_member(user, program)


def can_manage_participants(user, program) -> bool:
    """Pause, drop, reinstate, complete participants; edit the completion rule: the office, or a
    co-managing partner manager."""
    return can_manage_program(user, program)


def can_override_completion(user) -> bool:
    return is_office(user)


def can_revoke_certificate(user) -> bool:
    return is_office(user)


def can_view_program_reports(user, program) -> bool:
    """Funnel, attendance, outcomes and the impact report of a programme."""
    return is_office(user) or is_program_member(user, program)


def can_view_office_dashboard(user) -> bool:
    return is_office(user)


def can_view_partner_dashboard(user) -> bool:
    return _partner_id(user) is not None


def can_enter_outcome(user, survey: OutcomeSurvey) -> bool:
    """The owner answers; office staff may enter the answers on the owner's behalf."""
    if not _active(user):
        return False
    return is_office(user) or survey.application.enterprise.owner_id == user.pk


def can_request_outcomes(user, program) -> bool:
    return can_manage_program(user, program)
