"""Participation journeys in the browser: a facilitator marks attendance on a phone, a
participant checks in from the QR link, the office dashboard draws its charts (CSP-clean)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.participation import AcceptedApplicationFactory, SessionFactory, enrol
from tests.factories.registry import VerifiedEnterpriseFactory
from tests.factories.training import ProgramFactory
from training.models import Attendance
from training.participation import checkin

from .helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def session_with_participants():
    program = ProgramFactory(with_setup=True)
    stage = program.stages.get(order=1)
    participants = [enrol(AcceptedApplicationFactory(program=program)) for _ in range(3)]
    start = timezone.now() - timedelta(minutes=5)
    session = SessionFactory(stage=stage, starts_at=start, ends_at=start + timedelta(hours=2))
    return session, participants


def test_facilitator_marks_attendance_on_a_phone(phone, session_with_participants):
    from tests.factories import UserFactory

    session, participants = session_with_participants
    staff = UserFactory(role="office_staff")
    login(phone, staff)
    phone.goto(f"/programs/sessions/{session.pk}/")
    second = participants[1].enterprise.name
    phone.locator("fieldset", has_text=second).get_by_text("Terlambat").click()
    phone.get_by_role("button", name="Simpan kehadiran").click()
    phone.wait_for_url(f"**/programs/sessions/{session.pk}/")
    assert "Kehadiran telah disimpan." in phone.content()
    marks = dict(Attendance.objects.values_list("participant_id", "status"))
    assert marks == {
        participants[0].pk: "present",
        participants[1].pk: "late",
        participants[2].pk: "present",
    }
    assert phone.csp_errors == []


def test_participant_checks_in_from_the_qr_link(phone, session_with_participants):
    session, participants = session_with_participants
    owner = participants[0].enterprise.owner
    login(phone, owner)
    phone.goto(f"/programs/sessions/{session.pk}/checkin/?token={checkin.token_for(session)}")
    phone.get_by_role("button", name="Saya hadir").click()
    phone.wait_for_url("**/programs/my-training/")
    assert Attendance.objects.get().status == "present"
    assert phone.csp_errors == []


def test_office_dashboard_draws_charts_without_csp_errors(desktop):
    from tests.factories import UserFactory

    for _ in range(3):
        VerifiedEnterpriseFactory()
    staff = UserFactory(role="office_staff")
    errors = []
    desktop.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(desktop, staff)
    desktop.goto("/programs/reports/")
    chart = desktop.locator('canvas[data-chart="registry-month"]')
    chart.wait_for(state="visible")
    assert chart.bounding_box()["height"] > 100
    assert errors == []
