"""The API contract: paths, fields, and the visibility matrix per role."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.participation import FIGURES, SessionFactory, enrol
from training.models import Attendance, OutcomeSurvey, Participant
from training.participation import checkin
from training.participation.services import attendance_mark

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other_owner", "staff", "partner_of_program", "partner_of_other"]


@pytest.fixture
def world(users, participant, past_session, staff):
    attendance_mark(
        session=past_session,
        marks=[{"participant": participant.pk, "status": "present"}],
        actor=staff,
    )
    return {"participant": participant, "session": past_session, "program": participant.program}


def _status(api_as, users, role, method, path, data=None):
    client = api_as(users[role])
    response = (
        getattr(client, method)(path, data, format="json")
        if data is not None
        else getattr(client, method)(path)
    )
    return response.status_code


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("owner", 200),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 200),
        ("partner_of_other", 404),
    ],
)
def test_api_program_sessions_list_visibility(api_as, users, world, role, expected):
    assert (
        _status(api_as, users, role, "get", f"/api/v1/programs/{world['program'].pk}/sessions/")
        == expected
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("owner", 200),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 200),
        ("partner_of_other", 404),
    ],
)
def test_api_program_session_detail_visibility(api_as, users, world, role, expected):
    path = f"/api/v1/programs/{world['program'].pk}/sessions/{world['session'].pk}/"
    assert _status(api_as, users, role, "get", path) == expected


def test_api_program_sessions_fields(api_as, owner, world):
    body = api_as(owner).get(f"/api/v1/programs/{world['program'].pk}/sessions/").json()
    assert body["count"] == 1
    assert set(body["results"][0]) == {
        "id",
        "program",
        "stage",
        "stage_order",
        "track",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "place",
        "online_link",
        "facilitator",
        "hours",
        "credit_hours",
        "cancelled",
        "cancelled_at",
        "cancel_reason",
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("owner", 403),
        ("other_owner", 404),
        ("staff", 201),
        ("partner_of_program", 403),
        ("partner_of_other", 404),
    ],
)
def test_api_program_session_create_by_role(api_as, users, world, role, expected):
    program = world["program"]
    start = timezone.now() + timedelta(days=3)
    data = {
        "stage": program.stages.get(order=1).pk,
        "title": "Pengemasan vakum",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "place": "PPK Sampoerna",
    }
    assert (
        _status(api_as, users, role, "post", f"/api/v1/programs/{program.pk}/sessions/", data)
        == expected
    )


def test_api_program_session_create_bad_input_is_400(api_as, staff, world, other_reviewer):
    program = world["program"]
    start = timezone.now() + timedelta(days=3)
    foreign_stage = program.__class__.objects.exclude(pk=program.pk).first().stages.first()
    client = api_as(staff)
    ends_before = client.post(
        f"/api/v1/programs/{program.pk}/sessions/",
        {
            "stage": program.stages.get(order=1).pk,
            "title": "X",
            "starts_at": start.isoformat(),
            "ends_at": (start - timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert ends_before.status_code == 400
    assert "ends_at" in ends_before.json()
    other_stage = client.post(
        f"/api/v1/programs/{program.pk}/sessions/",
        {
            "stage": foreign_stage.pk,
            "title": "X",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert other_stage.status_code == 400
    assert "stage" in other_stage.json()


def test_api_program_session_cancel(api_as, staff, world):
    path = f"/api/v1/programs/{world['program'].pk}/sessions/{world['session'].pk}/cancel/"
    assert api_as(staff).post(path, {}, format="json").status_code == 400
    response = api_as(staff).post(path, {"reason": "Hujan deras"}, format="json")
    assert response.status_code == 200
    assert response.json()["cancelled"] is True


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("owner", 1),
        ("other_owner", 0),
        ("staff", 1),
        ("partner_of_program", 1),
        ("partner_of_other", 0),
    ],
)
def test_api_participants_list_visibility(api_as, users, world, role, count):
    response = api_as(users[role]).get("/api/v1/participants/")
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("owner", 200),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 200),
        ("partner_of_other", 404),
    ],
)
def test_api_participant_detail_visibility(api_as, users, world, role, expected):
    assert (
        _status(api_as, users, role, "get", f"/api/v1/participants/{world['participant'].pk}/")
        == expected
    )


def test_api_participant_fields(api_as, owner, world):
    body = api_as(owner).get(f"/api/v1/participants/{world['participant'].pk}/").json()
    assert body["status"] == "active"
    assert body["attendance_rate"] == 100.0
    assert body["certificate"] is None
    assert {
        "status",
        "attendance_rate",
        "certificate",
        "program",
        "stage",
        "track",
        "application",
    } <= set(body)


def test_api_participant_without_consent_is_hidden_from_the_partner(
    api_as, program_reviewer, world
):
    # Never given (a withdrawn consent keeps the participant visible without personal data:
    # tests/privacy/test_partner_after_withdrawal.py).
    world["participant"].application.__class__.objects.filter(
        pk=world["participant"].application_id
    ).update(consent_share_with_partner=False, consent_at=None)
    assert (
        api_as(program_reviewer).get(f"/api/v1/participants/{world['participant'].pk}/").status_code
        == 404
    )


def test_api_participant_transition_and_complete(api_as, staff, program_reviewer, owner, world):
    path = f"/api/v1/participants/{world['participant'].pk}/"
    assert (
        api_as(program_reviewer)
        .post(path + "transition/", {"to": "paused", "reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_as(owner)
        .post(path + "transition/", {"to": "paused", "reason": "x"}, format="json")
        .status_code
        == 403
    )
    missing = api_as(staff).post(path + "transition/", {"to": "paused"}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()
    paused = api_as(staff).post(
        path + "transition/", {"to": "paused", "reason": "Panen"}, format="json"
    )
    assert paused.json()["status"] == "paused"
    refused = api_as(staff).post(path + "complete/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "completion_rule_not_met"
    check = api_as(staff).get(path + "completion/").json()
    assert [r["rule"] for r in check] == ["attendance", "endline"]
    done = api_as(staff).post(
        path + "complete/", {"override": True, "reason": "Keputusan dinas"}, format="json"
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "completed"
    assert body["certificate"]["valid"] is True
    pdf = api_as(owner).get(path + "certificate/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        api_as(program_reviewer)
        .post(path + "certificate/revoke/", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    revoked = api_as(staff).post(
        path + "certificate/revoke/", {"reason": "Data keliru"}, format="json"
    )
    assert revoked.json()["certificate"]["valid"] is False


def test_api_participant_enrol_by_office(api_as, staff, owner, accepted, stage1):
    body = {"application": accepted.pk, "stage": stage1.pk}
    assert api_as(owner).post("/api/v1/participants/", body, format="json").status_code == 403
    first = api_as(staff).post("/api/v1/participants/", body, format="json")
    second = api_as(staff).post("/api/v1/participants/", body, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert Participant.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("owner", 1),
        ("other_owner", 0),
        ("staff", 1),
        ("partner_of_program", 1),
        ("partner_of_other", 0),
    ],
)
def test_api_attendance_list_visibility(api_as, users, world, role, count):
    response = api_as(users[role]).get("/api/v1/attendance/")
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("owner", 403),
        ("other_owner", 404),
        ("staff", 201),
        ("partner_of_program", 201),
        ("partner_of_other", 404),
    ],
)
def test_api_attendance_bulk_mark_by_role(api_as, users, world, role, expected):
    data = {
        "session": world["session"].pk,
        "marks": [{"participant": world["participant"].pk, "status": "late"}],
    }
    assert _status(api_as, users, role, "post", "/api/v1/attendance/", data) == expected


def test_api_attendance_mark_one_and_bad_input(api_as, staff, world):
    client = api_as(staff)
    one = client.post(
        "/api/v1/attendance/",
        {
            "session": world["session"].pk,
            "participant": world["participant"].pk,
            "status": "excused",
        },
        format="json",
    )
    assert one.status_code == 201
    assert Attendance.objects.get().status == "excused"
    bad = client.post(
        "/api/v1/attendance/",
        {
            "session": world["session"].pk,
            "marks": [{"participant": world["participant"].pk, "status": "hadir"}],
        },
        format="json",
    )
    assert bad.status_code == 400
    empty = client.post("/api/v1/attendance/", {"session": world["session"].pk}, format="json")
    assert empty.status_code == 400
    assert "marks" in empty.json()


def test_api_attendance_checkin(api_as, owner, other_owner, staff, participant, stage1):
    start = timezone.now() - timedelta(minutes=5)
    session = SessionFactory(stage=stage1, starts_at=start, ends_at=start + timedelta(hours=1))
    forged = api_as(owner).post(
        "/api/v1/attendance/checkin/",
        {"session": session.pk, "token": f"{checkin.step_at(timezone.now())}-AAAAAAAA"},
        format="json",
    )
    assert forged.status_code == 400
    assert forged.json()["code"] == "checkin_invalid"
    stranger = api_as(other_owner).post(
        "/api/v1/attendance/checkin/",
        {"session": session.pk, "code": checkin.code_for(session)},
        format="json",
    )
    assert stranger.status_code == 404
    facilitator = api_as(staff).post(
        "/api/v1/attendance/checkin/",
        {"session": session.pk, "code": checkin.code_for(session)},
        format="json",
    )
    assert facilitator.status_code == 400
    assert facilitator.json()["code"] == "checkin_not_participant"
    ok = api_as(owner).post(
        "/api/v1/attendance/checkin/",
        {"session": session.pk, "token": checkin.token_for(session)},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()[0]["status"] == "present"
    assert ok.json()[0]["method"] == "qr"


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("owner", 1),
        ("other_owner", 0),
        ("staff", 1),
        ("partner_of_program", 1),
        ("partner_of_other", 0),
    ],
)
def test_api_outcomes_list_visibility(api_as, users, world, role, count):
    response = api_as(users[role]).get("/api/v1/outcomes/")
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_api_outcomes_owner_answers_the_requested_survey(api_as, owner, other_owner, world):
    survey = OutcomeSurvey.objects.get()
    data = {k: str(v) if not isinstance(v, list) else v for k, v in FIGURES.items()}
    assert (
        api_as(other_owner).patch(f"/api/v1/outcomes/{survey.pk}/", data, format="json").status_code
        == 404
    )
    bad = api_as(owner).patch(
        f"/api/v1/outcomes/{survey.pk}/", {**data, "monthly_turnover": "-1"}, format="json"
    )
    assert bad.status_code == 400
    assert "monthly_turnover" in bad.json()
    response = api_as(owner).patch(f"/api/v1/outcomes/{survey.pk}/", data, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    again = api_as(owner).patch(f"/api/v1/outcomes/{survey.pk}/", {"workers": 9}, format="json")
    assert again.status_code == 409


def test_api_outcomes_create_needs_a_request_for_the_owner(api_as, owner, staff, world):
    application = world["participant"].application
    data = {
        "application": application.pk,
        "wave": "endline",
        **{k: str(v) if not isinstance(v, list) else v for k, v in FIGURES.items()},
    }
    refused = api_as(owner).post("/api/v1/outcomes/", data, format="json")
    assert refused.status_code == 400
    assert "wave" in refused.json()
    created = api_as(staff).post("/api/v1/outcomes/", data, format="json")
    assert created.status_code == 201
    assert created.json()["on_behalf"] is True


def test_api_outcomes_request_for_the_programme(api_as, staff, program_reviewer, world):
    body = {"program": world["program"].pk, "wave": "endline", "who": "participants"}
    assert (
        api_as(program_reviewer).post("/api/v1/outcomes/request/", body, format="json").status_code
        == 404
    )
    response = api_as(staff).post("/api/v1/outcomes/request/", body, format="json")
    assert response.json() == {"requested": 1}


@pytest.mark.parametrize("kind", ["funnel", "impact"])
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("owner", 404),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 200),
        ("partner_of_other", 404),
    ],
)
def test_api_program_stats_visibility(api_as, users, world, kind, role, expected):
    assert (
        _status(api_as, users, role, "get", f"/api/v1/stats/programs/{world['program'].pk}/{kind}/")
        == expected
    )


def test_api_program_funnel_shape(api_as, staff, world):
    body = api_as(staff).get(f"/api/v1/stats/programs/{world['program'].pk}/funnel/").json()
    assert [s["key"] for s in body["steps"]] == [
        "applied",
        "eligible",
        "stage_1",
        "stage_2",
        "completed",
    ]
    assert body["attendance"]["rate"] == 100.0
    assert [o["wave"] for o in body["outcomes"]] == ["baseline", "endline", "followup"]


def _many(program, count, staff):
    session = SessionFactory(stage=program.stages.get(order=1))
    participants = [enrol(program=program) for _ in range(count)]
    attendance_mark(
        session=session,
        marks=[{"participant": p.pk, "status": "present"} for p in participants],
        actor=staff,
    )
    return session


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/participants/",
        "/api/v1/attendance/",
        "/api/v1/outcomes/",
        "/api/v1/programs/{program}/sessions/",
    ],
)
def test_api_list_query_count_is_the_same_for_1_and_20_rows(api_as, staff, program, path):
    from tests.factories import ProgramFactory

    other = ProgramFactory(with_setup=True)
    client = api_as(staff)
    _many(program, 1, staff)
    if "sessions" in path:
        SessionFactory(stage=program.stages.get(order=1))
    _many(other, 20, staff)
    for _ in range(19 if "sessions" in path else 0):
        SessionFactory(stage=other.stages.get(order=1))
    one_path = path.format(program=program.pk)
    twenty_path = path.format(program=other.pk)
    if "sessions" not in path:
        one_path += f"?program={program.pk}"
        twenty_path += f"?program={other.pk}"
    client.get(one_path)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        first = client.get(one_path)
    with CaptureQueriesContext(connection) as twenty:
        second = client.get(twenty_path)
    assert first.status_code == second.status_code == 200
    assert first.json()["count"] < second.json()["count"]
    assert second.json()["count"] >= 20
    assert len(one) == len(twenty)


def test_api_participants_partner_views_are_logged(api_as, program_reviewer, staff, world):
    from ikm_portal.datarights.models import AccessLog

    api_as(program_reviewer).get("/api/v1/participants/")
    api_as(program_reviewer).get(f"/api/v1/participants/{world['participant'].pk}/")
    api_as(staff).get("/api/v1/participants/")
    channels = sorted(AccessLog.objects.values_list("channel", flat=True))
    assert channels == ["api_detail", "api_list"]
