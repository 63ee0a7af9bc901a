"""Pages: the visibility matrix, the attendance sheet, the check-in page, surveys, certificates,
reports and dashboards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ikm_portal.datarights.models import AccessLog
from tests.factories.participation import FIGURES, SessionFactory
from training.models import Attendance, Certificate, OutcomeSurvey, Session
from training.participation import checkin
from training.participation.services import attendance_mark, participant_complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, participant, past_session, staff):
    attendance_mark(
        session=past_session,
        marks=[{"participant": participant.pk, "status": "present"}],
        actor=staff,
    )
    participant_complete(participant=participant, actor=staff, override=True, reason="Uji")
    return {
        "participant": participant,
        "session": past_session,
        "program": participant.program,
        "certificate": Certificate.objects.get(participant=participant),
        "survey": OutcomeSurvey.objects.get(application=participant.application),
    }


STAFF_PAGES = [
    "/programs/{program}/participation/",
    "/programs/{program}/participants/",
    "/programs/{program}/outcomes/",
    "/programs/{program}/impact/",
    "/programs/{program}/report/",
    "/programs/sessions/{session}/",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("owner", 404),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 200),
        ("partner_of_other", 404),
    ],
)
def test_pages_programme_participation_visibility(client_as, users, world, path, role, expected):
    url = path.format(program=world["program"].pk, session=world["session"].pk)
    assert client_as(users[role]).get(url).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("owner", 200),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 200),
        ("partner_of_other", 404),
    ],
)
def test_pages_participant_detail_and_certificate_visibility(
    client_as, users, world, role, expected
):
    client = client_as(users[role])
    assert client.get(f"/programs/participants/{world['participant'].pk}/").status_code == expected
    assert (
        client.get(f"/programs/certificates/{world['certificate'].pk}/pdf/").status_code == expected
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("owner", 200),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 200),
        ("partner_of_other", 404),
    ],
)
def test_pages_outcome_survey_visibility(client_as, users, world, role, expected):
    assert (
        client_as(users[role]).get(f"/programs/outcomes/{world['survey'].pk}/").status_code
        == expected
    )


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/programs/{program}/sessions/new/", {"staff"}),
        ("/programs/sessions/{session}/edit/", {"staff"}),
        ("/programs/sessions/{session}/cancel/", {"staff"}),
        ("/programs/{program}/completion-rule/", {"staff"}),
    ],
)
def test_pages_management_only_for_the_office(client_as, users, world, path, allowed):
    url = path.format(program=world["program"].pk, session=world["session"].pk)
    for role in ["owner", "other_owner", "staff", "partner_of_program", "partner_of_other"]:
        assert client_as(users[role]).get(url).status_code == (200 if role in allowed else 404), (
            role
        )


def test_pages_dashboards_by_role(client_as, users, world):
    assert client_as(users["staff"]).get("/programs/reports/").status_code == 200
    assert client_as(users["partner_of_program"]).get("/programs/reports/").status_code == 404
    assert client_as(users["owner"]).get("/programs/reports/").status_code == 404
    assert (
        client_as(users["partner_of_program"]).get("/programs/partner/reports/").status_code == 200
    )
    assert client_as(users["staff"]).get("/programs/partner/reports/").status_code == 404
    assert client_as(users["owner"]).get("/programs/partner/reports/").status_code == 404
    assert client_as(users["anonymous"]).get("/statistics/").status_code == 200
    assert client_as(users["owner"]).get("/programs/my-training/").status_code == 200


def test_page_office_dashboard_shows_figures_and_charts(client_as, staff, world):
    response = client_as(staff).get("/programs/reports/")
    page = response.content.decode()
    assert 'data-chart="registry-month"' in page
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in page
    assert world["program"].title in page
    assert response.context["failed_notifications"] == 0


def test_page_partner_dashboard_lists_only_their_programmes(
    client_as, program_reviewer, other_reviewer, world
):
    mine = client_as(program_reviewer).get("/programs/partner/reports/")
    assert [p.pk for p, _f, _a in mine.context["items"]] == [world["program"].pk]
    theirs = client_as(other_reviewer).get("/programs/partner/reports/")
    assert world["program"].pk not in [p.pk for p, _f, _a in theirs.context["items"]]


def test_page_partner_dashboard_exports_xlsx(client_as, program_reviewer, world):
    import io

    from openpyxl import load_workbook

    response = client_as(program_reviewer).get("/programs/partner/reports/?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 4
    funnel = list(book.worksheets[0].iter_rows(values_only=True))
    assert funnel[1][0] == world["program"].title
    assert len(funnel) == 1 + 5


def test_page_attendance_sheet_marks_in_bulk(client_as, staff, world, other_participant):
    session = world["session"]
    client = client_as(staff)
    page = client.get(f"/programs/sessions/{session.pk}/")
    assert page.status_code == 200
    response = client.post(
        f"/programs/sessions/{session.pk}/",
        {f"p{world['participant'].pk}": "late", f"p{other_participant.pk}": "absent"},
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("participant_id", "status")) == {
        world["participant"].pk: "late",
        other_participant.pk: "absent",
    }


def test_page_attendance_sheet_partner_views_are_logged(client_as, program_reviewer, world):
    client_as(program_reviewer).get(f"/programs/sessions/{world['session'].pk}/")
    assert AccessLog.objects.filter(actor=program_reviewer, channel="page_list").count() == 1


def test_page_attendance_sheet_error_shows_on_the_page(client_as, staff, participant, stage1):
    start = timezone.now() + timedelta(days=2)
    session = SessionFactory(stage=stage1, starts_at=start, ends_at=start + timedelta(hours=1))
    response = client_as(staff).post(
        f"/programs/sessions/{session.pk}/", {f"p{participant.pk}": "present"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Attendance.objects.count() == 0


def test_page_session_create_and_cancel(client_as, staff, program, stage1):
    client = client_as(staff)
    response = client.post(
        f"/programs/{program.pk}/sessions/new/",
        {
            "title": "Tata letak produksi",
            "stage": stage1.pk,
            "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-01T12:00",
            "place": "PPK Sampoerna",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert timezone.localtime(session.starts_at).hour == 9
    bad = client.post(
        f"/programs/{program.pk}/sessions/new/",
        {
            "title": "X",
            "stage": stage1.pk,
            "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-01T08:00",
        },
    )
    assert bad.status_code == 200
    assert "ends_at" in bad.context["form"].errors
    client.post(f"/programs/sessions/{session.pk}/cancel/", {"reason": "Hujan"})
    assert Session.objects.get().cancelled_at is not None


def test_page_qr_screen_and_svg_during_the_session(client_as, staff, participant, live_session):
    client = client_as(staff)
    page = client.get(f"/programs/sessions/{live_session.pk}/qr/")
    assert page.status_code == 200
    assert page.context["code"] == checkin.code_for(live_session)
    assert f"/programs/sessions/{live_session.pk}/checkin/?token=" in page.context["link"]
    svg = client.get(f"/programs/sessions/{live_session.pk}/qr.svg")
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    state = client.get(f"/programs/sessions/{live_session.pk}/qr.json").json()
    assert state["open"] is True
    assert state["code"] == checkin.code_for(live_session)


def test_page_qr_svg_outside_the_session_is_404(client_as, staff, world):
    assert (
        client_as(staff).get(f"/programs/sessions/{world['session'].pk}/qr.svg").status_code == 404
    )


def test_page_qr_screen_not_for_owners(client_as, owner, participant, live_session):
    assert client_as(owner).get(f"/programs/sessions/{live_session.pk}/qr/").status_code == 404


def test_page_checkin_from_the_qr_link(client_as, owner, participant, live_session):
    client = client_as(owner)
    token = checkin.token_for(live_session)
    page = client.get(f"/programs/sessions/{live_session.pk}/checkin/?token={token}")
    assert page.status_code == 200
    response = client.post(f"/programs/sessions/{live_session.pk}/checkin/", {"token": token})
    assert response.status_code == 302
    assert Attendance.objects.get().status == "present"


def test_page_checkin_with_an_expired_token_shows_the_message(
    client_as, owner, participant, live_session
):
    old = checkin.token_for(live_session, timezone.now() - timedelta(minutes=10))
    response = client_as(owner).post(
        f"/programs/sessions/{live_session.pk}/checkin/", {"token": old}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert Attendance.objects.count() == 0


def test_page_checkin_needs_sign_in(client, live_session):
    response = client.get(f"/programs/sessions/{live_session.pk}/checkin/?token=1-AAAA")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_page_owner_answers_the_baseline(client_as, owner, participant):
    survey = OutcomeSurvey.objects.get()
    client = client_as(owner)
    data = {k: v for k, v in FIGURES.items() if not isinstance(v, list)}
    data["markets"] = ["local", "marketplace"]
    bad = client.post(f"/programs/outcomes/{survey.pk}/", {**data, "monthly_turnover": "-3"})
    assert bad.status_code == 200
    assert "monthly_turnover" in bad.context["form"].errors
    response = client.post(f"/programs/outcomes/{survey.pk}/", data)
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.status, survey.markets) == ("submitted", ["local", "marketplace"])
    read_only = client.get(f"/programs/outcomes/{survey.pk}/")
    assert read_only.context["form"] is None
    assert client.post(f"/programs/outcomes/{survey.pk}/", data).status_code == 404


def test_page_staff_enter_answers_on_behalf(client_as, staff, participant, program):
    survey = OutcomeSurvey.objects.get()
    data = {k: v for k, v in FIGURES.items() if not isinstance(v, list)}
    response = client_as(staff).post(f"/programs/outcomes/{survey.pk}/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/programs/{program.pk}/outcomes/"
    assert OutcomeSurvey.objects.get().on_behalf is True


def test_page_outcomes_lists_who_has_not_answered(
    client_as, staff, participant, other_participant, program
):
    response = client_as(staff).get(f"/programs/{program.pk}/outcomes/")
    assert {s.application_id for s in response.context["page"].object_list} == {
        participant.application_id,
        other_participant.application_id,
    }
    requested = client_as(staff).post(
        f"/programs/{program.pk}/outcomes/", {"wave": "endline", "who": "participants"}
    )
    assert requested.status_code == 302
    assert OutcomeSurvey.objects.filter(wave="endline").count() == 2


def test_page_participants_export_csv(client_as, staff, world):
    response = client_as(staff).get(f"/programs/{world['program'].pk}/participants/?format=csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert world["participant"].enterprise.name in text
    assert world["certificate"].number in text
    assert list(AccessLog.objects.values_list("action", "actor", "object_id")) == [
        ("export", staff.pk, world["participant"].application_id)
    ]


def test_page_participant_complete_button(client_as, staff, other_participant):
    response = client_as(staff).post(
        f"/programs/participants/{other_participant.pk}/",
        {"action": "complete", "complete-override": "on", "complete-reason": "Keputusan dinas"},
    )
    assert response.status_code == 302
    assert Certificate.objects.filter(participant=other_participant).exists()


def test_page_participant_complete_refused_shows_the_reasons(client_as, staff, other_participant):
    response = client_as(staff).post(
        f"/programs/participants/{other_participant.pk}/", {"action": "complete"}
    )
    assert response.status_code == 200
    assert response.context["complete_form"].errors
    assert not Certificate.objects.filter(participant=other_participant).exists()


def test_page_participant_status_change_by_partner_is_404(client_as, program_reviewer, world):
    response = client_as(program_reviewer).post(
        f"/programs/participants/{world['participant'].pk}/",
        {"action": "status", "status-to": "paused", "status-reason": "x"},
    )
    assert response.status_code == 404


def test_page_my_training_lists_sessions_surveys_and_certificate(client_as, owner, world):
    response = client_as(owner).get("/programs/my-training/")
    page = response.content.decode()
    assert world["program"].title in page
    assert f"/programs/certificates/{world['certificate'].pk}/pdf/" in page
    assert f"/programs/outcomes/{world['survey'].pk}/" in page


def test_pages_dashboard_panels_for_each_role(client_as, users, world):
    for role in ["owner", "staff", "partner_of_program"]:
        response = client_as(users[role]).get("/dashboard/")
        assert response.status_code == 200, role


def test_pages_navigation_links(client_as, users, world):
    assert "/statistics/" in client_as(None).get("/").content.decode()
    assert "/programs/reports/" in client_as(users["staff"]).get("/dashboard/").content.decode()
    assert (
        "/programs/partner/reports/"
        in client_as(users["partner_of_program"]).get("/dashboard/").content.decode()
    )
    assert "/programs/my-training/" in client_as(users["owner"]).get("/dashboard/").content.decode()


@pytest.mark.parametrize(
    "model",
    ["session", "participant", "attendance", "completionrule", "certificate", "outcomesurvey"],
)
def test_admin_lists_participation_models(client_as, office_admin, world, model):
    assert client_as(office_admin).get(f"/admin/training/{model}/").status_code == 200


def test_page_outcomes_filter_by_wave(client_as, staff, participant, program):
    from training.participation.services import outcome_request

    outcome_request(application=participant.application, wave="endline", notify=False)
    response = client_as(staff).get(f"/programs/{program.pk}/outcomes/?wave=endline")
    assert [s.wave for s in response.context["page"].object_list] == ["endline"]


def test_page_checkin_of_a_session_one_cannot_see_is_404(
    client_as, other_owner, participant, live_session
):
    token = checkin.token_for(live_session)
    assert (
        client_as(other_owner)
        .get(f"/programs/sessions/{live_session.pk}/checkin/?token={token}")
        .status_code
        == 404
    )
