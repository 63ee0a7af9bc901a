import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ikm_portal.core.exceptions import ApplicationError, InvalidTransition, NotEligible
from tests.factories.participation import OutcomeSurveyFactory, SessionFactory
from training.models import Certificate, Participant, Session
from training.participation.certificates import certificate_lines, certificate_pdf
from training.participation.services import (
    attendance_mark,
    certificate_issue,
    certificate_revoke,
    completion_check,
    outcome_request,
    outcome_submit,
    participant_complete,
    participant_transition,
    participants_complete_eligible,
)

pytestmark = pytest.mark.django_db


def _sessions(stage, statuses, participant, staff, hours=2):
    """One ended session per status, marked for the participant."""
    sessions = []
    for i, status in enumerate(statuses):
        start = timezone.now() - timedelta(days=len(statuses) - i, hours=4)
        session = SessionFactory(
            stage=stage,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            title=f"Sesi {i + 1}",
        )
        if status:
            attendance_mark(
                session=session,
                marks=[{"participant": participant.pk, "status": status}],
                actor=staff,
            )
        sessions.append(session)
    return sessions


def _endline(participant, **figures):
    return OutcomeSurveyFactory(application=participant.application, wave="endline", **figures)


def test_completion_check_met_with_80_percent_and_endline(stage1, participant, rule, staff):
    _sessions(stage1, ["present", "present", "late", "present", "absent"], participant, staff)
    _endline(participant)
    results = completion_check(participant=participant)
    assert [(r["rule"], r["ok"]) for r in results] == [("attendance", True), ("endline", True)]


def test_completion_check_below_80_percent_fails_with_reason(stage1, participant, rule, staff):
    _sessions(stage1, ["present", "present", "present", "absent", "absent"], participant, staff)
    _endline(participant)
    results = completion_check(participant=participant)
    assert results[0]["ok"] is False
    assert "60.0%" in results[0]["reason"]
    assert "80%" in results[0]["reason"]


def test_completion_check_excused_sessions_do_not_count_against(stage1, participant, rule, staff):
    _sessions(stage1, ["present", "present", "present", "present", "excused"], participant, staff)
    _endline(participant)
    assert all(r["ok"] for r in completion_check(participant=participant))


def test_completion_check_without_endline_fails(stage1, participant, rule, staff):
    _sessions(stage1, ["present"] * 5, participant, staff)
    results = completion_check(participant=participant)
    assert [(r["rule"], r["ok"]) for r in results] == [("attendance", True), ("endline", False)]


def test_completion_check_rule_without_endline(stage1, participant, rule, staff):
    rule.require_endline = False
    rule.save()
    _sessions(stage1, ["present"] * 5, participant, staff)
    assert [r["rule"] for r in completion_check(participant=participant)] == ["attendance"]


def test_participant_complete_when_the_rule_is_met_issues_a_certificate(
    stage1, participant, rule, staff, django_capture_on_commit_callbacks
):
    _sessions(stage1, ["present"] * 4 + ["late"], participant, staff, hours=3)
    _endline(participant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = participant_complete(participant=participant, actor=staff)
    assert done.status == "completed"
    assert done.completed_at is not None
    certificate = Certificate.objects.get(participant=participant)
    assert certificate.hours == 15
    assert len(mail.outbox) == 1
    assert certificate.number in mail.outbox[0].body


def test_participant_complete_when_the_rule_is_not_met_is_refused(stage1, participant, rule, staff):
    _sessions(stage1, ["present", "absent", "absent"], participant, staff)
    with pytest.raises(NotEligible) as exc:
        participant_complete(participant=participant, actor=staff)
    assert exc.value.code == "completion_rule_not_met"
    assert len(exc.value.field_errors["completion"]) == 2
    assert Participant.objects.get(pk=participant.pk).status == "active"
    assert Certificate.objects.count() == 0


def test_participant_complete_override_needs_a_reason(participant, rule, staff):
    with pytest.raises(ApplicationError) as exc:
        participant_complete(participant=participant, actor=staff, override=True, reason="")
    assert list(exc.value.field_errors) == ["reason"]
    done = participant_complete(
        participant=participant, actor=staff, override=True, reason="Sakit, menyusul materi"
    )
    assert done.status == "completed"
    assert done.completion_overridden is True


def test_participant_complete_dropped_is_refused(participant, rule, staff):
    participant_transition(participant=participant, to="dropped", reason="Pindah")
    with pytest.raises(InvalidTransition):
        participant_complete(participant=participant, actor=staff, override=True, reason="x")


def test_participant_complete_twice_keeps_one_certificate(stage1, participant, rule, staff):
    _sessions(stage1, ["present"] * 5, participant, staff)
    _endline(participant)
    participant_complete(participant=participant, actor=staff)
    participant_complete(participant=participant, actor=staff)
    assert Certificate.objects.count() == 1


def test_endline_answer_completes_the_participants_who_meet_the_rule(
    stage1, participant, other_participant, rule, staff, owner
):
    _sessions(stage1, ["present"] * 5, participant, staff)
    survey = outcome_request(application=participant.application, wave="endline", notify=False)
    from tests.factories.participation import FIGURES

    outcome_submit(survey=survey, actor=owner, data=dict(FIGURES))
    assert Participant.objects.get(pk=participant.pk).status == "completed"
    assert Participant.objects.get(pk=other_participant.pk).status == "enrolled"


def test_participants_complete_eligible_counts(stage1, participant, other_participant, rule, staff):
    for session in _sessions(stage1, ["present"] * 5, participant, staff):
        attendance_mark(
            session=session,
            marks=[{"participant": other_participant.pk, "status": "absent"}],
            actor=staff,
        )
    _endline(participant)
    _endline(other_participant)
    other_participant.refresh_from_db()
    Participant.objects.filter(pk=other_participant.pk).update(status="active")
    counts = participants_complete_eligible(program=participant.program, actor=staff)
    assert counts == {"completed": 1, "waiting": 1}


# --- Certificates ------------------------------------------------------------------------------


@pytest.fixture
def certificate(stage1, participant, rule, staff):
    _sessions(stage1, ["present"] * 5, participant, staff, hours=3)
    _endline(participant)
    participant_complete(participant=participant, actor=staff)
    return Certificate.objects.get(participant=participant)


def test_certificate_holds_name_business_programme_partner_dates_hours_number(
    certificate, participant
):
    enterprise = participant.enterprise
    program = participant.program
    assert certificate.holder_name == enterprise.owner_name
    assert certificate.business_name == enterprise.name
    assert certificate.program_title == program.title
    assert certificate.partner_name == program.partner.name
    assert certificate.stage_name == "Pembinaan"
    assert certificate.track_name == participant.track.name
    assert certificate.hours == 15
    sessions = list(Session.objects.filter(program=program).order_by("starts_at"))
    assert certificate.starts_on == timezone.localtime(sessions[0].starts_at).date()
    assert certificate.ends_on == timezone.localtime(sessions[-1].ends_at).date()
    year = timezone.now().year
    assert certificate.number == f"SERT-IKM/{year}/P{program.pk:03d}-T1/0001"
    assert len(certificate.code) == 12


def test_certificate_numbers_run_per_stage(certificate, stage1, other_participant, staff):
    other = participant_complete(
        participant=other_participant, actor=staff, override=True, reason="x"
    )
    number = Certificate.objects.get(participant=other).number
    assert number.endswith("/0002")


def test_certificate_pdf_carries_the_texts(certificate, participant):
    from pypdf import PdfReader

    pdf = certificate_pdf(certificate, signatory_name="Kepala Dinas", signatory_title="Diskopindag")
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    lines = certificate_lines(certificate)
    for value in (
        certificate.holder_name,
        certificate.business_name,
        certificate.program_title,
        certificate.number,
        lines["code"],
        "SERTIFIKAT",
        "Sertifikat ini diberikan kepada",
        "15 jam pelatihan",
        "15 training hours",
        "Kepala Dinas",
        participant.program.partner.name,
    ):
        assert value in text, value
    assert f"/certificates/verify/{certificate.code}/" in text.replace("\n", "")


def test_certificate_issue_for_a_participant_not_completed_is_refused(participant):
    with pytest.raises(InvalidTransition):
        certificate_issue(participant=participant)


def test_certificate_verification_page_shows_validity_name_and_programme_only(client, certificate):
    response = client.get(f"/certificates/verify/{certificate.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert certificate.holder_name in page
    assert certificate.program_title in page
    assert certificate.business_name not in page
    assert certificate.number not in page
    assert "Sertifikat sah" in page


def test_certificate_verification_accepts_the_printed_form_of_the_code(client, certificate):
    printed = certificate.code_display.lower()
    response = client.get(f"/certificates/verify/{printed}/")
    assert response.status_code == 200
    assert response.context["certificate"] == certificate


def test_certificate_verification_of_a_revoked_certificate(client, certificate, staff):
    certificate_revoke(certificate=certificate, actor=staff, reason="Data keliru")
    response = client.get(f"/certificates/verify/{certificate.code}/")
    assert response.status_code == 200
    assert response.context["certificate"].is_valid is False
    assert "Sertifikat ini tidak berlaku lagi" in response.content.decode()


def test_certificate_verification_of_an_unknown_code_is_404(client, certificate):
    response = client.get("/certificates/verify/AAAABBBBCCCC/")
    assert response.status_code == 404
    assert response.context["certificate"] is None


def test_certificate_verification_form_redirects_to_the_code(client, certificate):
    response = client.get("/certificates/verify/", {"code": certificate.code_display})
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/verify/{certificate.code}/"


def test_certificate_revoke_needs_a_reason(certificate, staff):
    with pytest.raises(ApplicationError):
        certificate_revoke(certificate=certificate, actor=staff, reason="")
    assert Certificate.objects.get().revoked_at is None


def test_certificate_dates_fall_back_to_the_programme_without_sessions(participant, rule, staff):
    program = participant.program
    program.starts_on, program.ends_on = date(2026, 1, 5), date(2026, 3, 5)
    program.save()
    done = participant_complete(participant=participant, actor=staff, override=True, reason="x")
    certificate = Certificate.objects.get(participant=done)
    assert (certificate.starts_on, certificate.ends_on, certificate.hours) == (
        date(2026, 1, 5),
        date(2026, 3, 5),
        0,
    )
