from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ikm_portal.core.exceptions import ApplicationError, InvalidTransition
from tests.factories.participation import SessionFactory
from training.models import Attendance, Participant
from training.participation import checkin
from training.participation.choices import CheckinResult
from training.participation.selectors import participant_attendance
from training.participation.services import (
    CheckinRefused,
    attendance_checkin,
    attendance_mark,
    participant_transition,
    session_cancel,
)

pytestmark = pytest.mark.django_db


# --- Marking by a facilitator ----------------------------------------------------------------


def test_attendance_mark_in_bulk_records_each_status(
    past_session, participant, other_participant, staff
):
    rows = attendance_mark(
        session=past_session,
        marks=[
            {"participant": participant.pk, "status": "present"},
            {"participant": other_participant.pk, "status": "excused", "note": "Sakit"},
        ],
        actor=staff,
    )
    assert len(rows) == 2
    marks = dict(Attendance.objects.values_list("participant_id", "status"))
    assert marks == {participant.pk: "present", other_participant.pk: "excused"}
    assert Attendance.objects.get(participant=other_participant).note == "Sakit"


def test_attendance_mark_again_changes_the_mark(past_session, participant, staff):
    attendance_mark(
        session=past_session,
        marks=[{"participant": participant.pk, "status": "absent"}],
        actor=staff,
    )
    attendance_mark(
        session=past_session, marks=[{"participant": participant.pk, "status": "late"}], actor=staff
    )
    assert list(Attendance.objects.values_list("status", flat=True)) == ["late"]


def test_attendance_mark_present_activates_an_enrolled_participant(
    past_session, participant, staff
):
    attendance_mark(
        session=past_session,
        marks=[{"participant": participant.pk, "status": "present"}],
        actor=staff,
    )
    assert Participant.objects.get(pk=participant.pk).status == "active"


def test_attendance_mark_absent_leaves_the_participant_enrolled(past_session, participant, staff):
    attendance_mark(
        session=past_session,
        marks=[{"participant": participant.pk, "status": "absent"}],
        actor=staff,
    )
    assert Participant.objects.get(pk=participant.pk).status == "enrolled"


def test_attendance_mark_before_the_session_only_excused(future_session, participant, staff):
    with pytest.raises(ApplicationError) as exc:
        attendance_mark(
            session=future_session,
            marks=[{"participant": participant.pk, "status": "present"}],
            actor=staff,
        )
    assert "marks" in exc.value.field_errors
    attendance_mark(
        session=future_session,
        marks=[{"participant": participant.pk, "status": "excused"}],
        actor=staff,
    )
    assert Attendance.objects.get().status == "excused"


def test_attendance_mark_cancelled_session_is_refused(past_session, participant, staff):
    session_cancel(session=past_session, actor=staff, reason="Banjir")
    with pytest.raises(InvalidTransition):
        attendance_mark(
            session=past_session,
            marks=[{"participant": participant.pk, "status": "present"}],
            actor=staff,
        )


def test_attendance_mark_participant_of_another_track_is_refused(
    program, stage1, tracks, participant, staff
):
    session = SessionFactory(stage=stage1, track=tracks[3])
    with pytest.raises(ApplicationError):
        attendance_mark(
            session=session,
            marks=[{"participant": participant.pk, "status": "present"}],
            actor=staff,
        )
    assert Attendance.objects.count() == 0


def test_attendance_mark_participant_of_another_stage_is_refused(stage2, participant, staff):
    session = SessionFactory(stage=stage2)
    with pytest.raises(ApplicationError):
        attendance_mark(
            session=session,
            marks=[{"participant": participant.pk, "status": "present"}],
            actor=staff,
        )


def test_attendance_mark_dropped_participant_is_refused(past_session, participant, staff):
    participant_transition(participant=participant, to="dropped", reason="Pindah kota")
    with pytest.raises(ApplicationError):
        attendance_mark(
            session=past_session,
            marks=[{"participant": participant.pk, "status": "present"}],
            actor=staff,
        )


def test_attendance_mark_unknown_status_is_refused(past_session, participant, staff):
    with pytest.raises(ApplicationError):
        attendance_mark(
            session=past_session,
            marks=[{"participant": participant.pk, "status": "hadir"}],
            actor=staff,
        )


# --- The attendance rate ---------------------------------------------------------------------


def _session(stage, days_ago, **kwargs):
    start = timezone.now() - timedelta(days=days_ago, hours=3)
    return SessionFactory(
        stage=stage, starts_at=start, ends_at=start + timedelta(hours=2), **kwargs
    )


def test_attendance_rate_counts_attended_over_held_minus_excused(stage1, participant, staff):
    sessions = [_session(stage1, d) for d in (6, 5, 4, 3, 2, 1)]
    statuses = ["present", "late", "excused", "absent", "present", "present"]
    for session, status in zip(sessions, statuses, strict=True):
        attendance_mark(
            session=session, marks=[{"participant": participant.pk, "status": status}], actor=staff
        )
    _session(stage1, 7)  # held, not marked: counts as not attended
    cancelled = _session(stage1, 8)
    session_cancel(session=cancelled, actor=staff, reason="Libur")
    SessionFactory(
        stage=stage1,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=2),
    )
    summary = participant_attendance(participant=participant)
    assert (summary.held, summary.attended, summary.excused) == (7, 4, 1)
    assert summary.rate == Decimal("66.7")


def test_attendance_rate_is_none_before_any_session(participant, future_session):
    assert participant_attendance(participant=participant).rate is None


def test_attendance_rate_counts_only_sessions_of_the_participants_track(
    stage1, tracks, participant, staff
):
    mine = _session(stage1, 2, track=tracks[0])
    _session(stage1, 1, track=tracks[1])
    attendance_mark(
        session=mine, marks=[{"participant": participant.pk, "status": "present"}], actor=staff
    )
    summary = participant_attendance(participant=participant)
    assert (summary.held, summary.attended, summary.rate) == (1, 1, Decimal("100.0"))


# --- QR self check-in ------------------------------------------------------------------------


def test_checkin_with_a_fresh_token_marks_present(live_session, participant, owner):
    token = checkin.token_for(live_session)
    rows = attendance_checkin(session=live_session, user=owner, token=token)
    assert [(r.participant_id, r.status, r.method) for r in rows] == [
        (participant.pk, "present", "qr")
    ]
    assert Participant.objects.get(pk=participant.pk).status == "active"


def test_checkin_after_the_late_threshold_marks_late(stage1, participant, owner):
    start = timezone.now() - timedelta(minutes=40)
    session = SessionFactory(stage=stage1, starts_at=start, ends_at=start + timedelta(hours=2))
    rows = attendance_checkin(session=session, user=owner, code=checkin.code_for(session))
    assert rows[0].status == "late"


def test_checkin_with_the_previous_minutes_token_is_accepted(live_session, participant, owner):
    token = checkin.token_for(
        live_session, timezone.now() - timedelta(seconds=checkin.step_seconds())
    )
    assert attendance_checkin(session=live_session, user=owner, token=token)[0].status == "present"


def test_checkin_with_an_expired_token_is_refused(live_session, participant, owner):
    old = timezone.now() - timedelta(seconds=3 * checkin.step_seconds())
    with pytest.raises(CheckinRefused) as exc:
        attendance_checkin(
            session=live_session, user=owner, token=checkin.token_for(live_session, old)
        )
    assert exc.value.code == CheckinResult.EXPIRED
    assert Attendance.objects.count() == 0


def test_checkin_with_a_forged_token_is_refused(live_session, participant, owner):
    step = checkin.step_at(timezone.now())
    with pytest.raises(CheckinRefused) as exc:
        attendance_checkin(session=live_session, user=owner, token=f"{step}-AAAAAAAA")
    assert exc.value.code == CheckinResult.FORGED
    assert Attendance.objects.count() == 0


def test_checkin_with_another_sessions_token_is_refused(live_session, stage1, participant, owner):
    other = SessionFactory(
        stage=stage1, starts_at=live_session.starts_at, ends_at=live_session.ends_at
    )
    with pytest.raises(CheckinRefused) as exc:
        attendance_checkin(session=live_session, user=owner, token=checkin.token_for(other))
    assert exc.value.code == CheckinResult.FORGED


def test_checkin_with_a_future_step_is_refused(live_session, participant, owner):
    later = timezone.now() + timedelta(seconds=5 * checkin.step_seconds())
    with pytest.raises(CheckinRefused) as exc:
        attendance_checkin(
            session=live_session, user=owner, token=checkin.token_for(live_session, later)
        )
    assert exc.value.code == CheckinResult.FORGED


def test_checkin_with_a_wrong_typed_code_is_refused(live_session, participant, owner):
    with pytest.raises(CheckinRefused) as exc:
        attendance_checkin(session=live_session, user=owner, code="ZZZZ-ZZZZ")
    assert exc.value.code == CheckinResult.FORGED


def test_checkin_with_the_typed_code_lowercase_and_dash_is_accepted(
    live_session, participant, owner
):
    code = checkin.code_for(live_session)
    typed = f"{code[:4].lower()}-{code[4:].lower()}"
    assert attendance_checkin(session=live_session, user=owner, code=typed)[0].status == "present"


def test_checkin_before_the_session_is_refused(stage1, participant, owner):
    start = timezone.now() + timedelta(hours=3)
    session = SessionFactory(stage=stage1, starts_at=start, ends_at=start + timedelta(hours=2))
    with pytest.raises(CheckinRefused) as exc:
        attendance_checkin(session=session, user=owner, token=checkin.token_for(session))
    assert exc.value.code == CheckinResult.OUTSIDE


def test_checkin_after_the_session_is_refused(past_session, participant, owner):
    with pytest.raises(CheckinRefused) as exc:
        attendance_checkin(session=past_session, user=owner, token=checkin.token_for(past_session))
    assert exc.value.code == CheckinResult.OUTSIDE
    assert Attendance.objects.count() == 0


def test_checkin_within_the_early_window_is_accepted(stage1, participant, owner):
    start = timezone.now() + timedelta(minutes=checkin.early_minutes() - 5)
    session = SessionFactory(stage=stage1, starts_at=start, ends_at=start + timedelta(hours=2))
    assert (
        attendance_checkin(session=session, user=owner, token=checkin.token_for(session))[0].status
        == "present"
    )


def test_checkin_of_a_cancelled_session_is_refused(live_session, participant, owner, staff):
    session_cancel(session=live_session, actor=staff, reason="Listrik padam")
    with pytest.raises(CheckinRefused) as exc:
        attendance_checkin(session=live_session, user=owner, token=checkin.token_for(live_session))
    assert exc.value.code == CheckinResult.OUTSIDE


def test_checkin_by_someone_who_is_not_a_participant_is_refused(
    live_session, participant, other_owner
):
    with pytest.raises(CheckinRefused) as exc:
        attendance_checkin(
            session=live_session, user=other_owner, token=checkin.token_for(live_session)
        )
    assert exc.value.code == CheckinResult.NOT_PARTICIPANT


def test_checkin_twice_keeps_the_first_mark(live_session, participant, owner):
    first = attendance_checkin(
        session=live_session, user=owner, code=checkin.code_for(live_session)
    )
    second = attendance_checkin(
        session=live_session, user=owner, code=checkin.code_for(live_session)
    )
    assert second[0].pk == first[0].pk
    assert second[0].marked_at == first[0].marked_at
    assert Attendance.objects.count() == 1


def test_checkin_after_being_marked_absent_turns_present(live_session, participant, owner, staff):
    attendance_mark(
        session=live_session,
        marks=[{"participant": participant.pk, "status": "absent"}],
        actor=staff,
    )
    attendance_checkin(session=live_session, user=owner, code=checkin.code_for(live_session))
    assert Attendance.objects.get().status == "present"


def test_checkin_codes_change_every_step(live_session):
    now = timezone.now()
    later = now + timedelta(seconds=checkin.step_seconds())
    assert checkin.code_for(live_session, now) != checkin.code_for(live_session, later)
