from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from ikm_portal.core.models import ActivityLog
from ikm_portal.datarights.models import AccessLog
from partnerships.demo import minimal_pdf
from registry.choices import SizeClass
from tests.factories import (
    ApplicationFactory,
    EnterpriseFactory,
    ProgramFactory,
    QuestionFactory,
    TrackFactory,
    VerifiedEnterpriseFactory,
)
from training.choices import ApplicationStatus, ProgramStatus, QuestionKind
from training.models import Application
from training.selectors import WITHDRAWN_PLACEHOLDER

pytestmark = pytest.mark.django_db

CONTRACT = {
    "id",
    "program",
    "enterprise",
    "track_choices",
    "answers",
    "consent_share_with_partner",
    "status",
    "eligibility",
    "submitted_at",
}


def create(client, program, enterprise, **extra):
    return client.post(
        "/api/v1/applications/",
        {"program": program.pk, "enterprise": enterprise.pk, **extra},
        format="json",
    )


def test_api_owner_applies_and_submits(
    api_as, owner, enterprise, program, tracks, django_capture_on_commit_callbacks
):
    question = QuestionFactory(program=program, kind=QuestionKind.NUMBER, required=True)
    client = api_as(owner)
    response = create(
        client,
        program,
        enterprise,
        track_choices=[tracks[2].pk, tracks[0].pk],
        answers={str(question.pk): "12"},
        consent_share_with_partner=True,
    )
    assert response.status_code == 201, response.data
    assert set(response.data) >= CONTRACT
    assert response.data["status"] == "draft"
    assert response.data["track_choices"] == [tracks[2].pk, tracks[0].pk]
    assert response.data["answers"] == {str(question.pk): 12}
    assert [r["rule"] for r in response.data["eligibility"]] == ["verified", "size_class", "region"]
    assert all(r["ok"] for r in response.data["eligibility"])
    assert response.data["submitted_at"] is None
    pk = response.data["id"]
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(f"/api/v1/applications/{pk}/submit/")
    assert (submitted.status_code, submitted.data["status"]) == (200, "submitted")
    assert submitted.data["submitted_at"] is not None
    assert Application.objects.get(pk=pk).status == ApplicationStatus.ELIGIBLE
    actions = list(
        ActivityLog.objects.filter(object_id=str(pk), action__startswith="application.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "application.consent_given",
        "application.created",
        "application.submit",
        "application.eligible",
    ]


def test_api_submit_ineligible_business_is_screened_ineligible_with_reason(
    api_as, owner, program, tracks, django_capture_on_commit_callbacks
):
    big = VerifiedEnterpriseFactory(owner=owner, workers_male=30, investment_idr=20_000_000_000)
    assert big.size_class == SizeClass.BESAR
    application = ApplicationFactory(program=program, enterprise=big)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(owner).post(f"/api/v1/applications/{application.pk}/submit/")
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INELIGIBLE
    assert application.eligibility_ok is False
    assert "size_class" in [r["rule"] for r in application.eligibility if not r["ok"]]
    assert application.status_reason != ""


# --- Bad input -----------------------------------------------------------------------------------


def test_api_apply_outside_the_window_is_409(api_as, owner, enterprise):
    closed = ProgramFactory(
        with_setup=True,
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    response = create(api_as(owner), closed, enterprise)
    assert (response.status_code, response.data["code"]) == (409, "window_closed")


def test_api_apply_before_the_window_is_409(api_as, owner, enterprise):
    later = ProgramFactory(with_setup=True, opens_at=timezone.now() + timedelta(days=1))
    response = create(api_as(owner), later, enterprise)
    assert (response.status_code, response.data["code"]) == (409, "window_closed")


def test_api_apply_to_a_reviewing_programme_is_409(api_as, owner, enterprise):
    program = ProgramFactory(with_setup=True, status=ProgramStatus.REVIEWING)
    response = create(api_as(owner), program, enterprise)
    assert (response.status_code, response.data["code"]) == (409, "window_closed")


def test_api_apply_for_someone_elses_business_is_400(api_as, owner, other_enterprise, program):
    response = create(api_as(owner), program, other_enterprise)
    assert response.status_code == 400
    assert list(response.data) == ["enterprise"]
    assert Application.objects.count() == 0


def test_api_apply_for_unverified_business_is_400(api_as, owner, program):
    draft = EnterpriseFactory(owner=owner, submitted=True)
    response = create(api_as(owner), program, draft)
    assert (response.status_code, response.data["code"]) == (400, "not_eligible")
    assert "enterprise" in response.data


def test_api_apply_twice_is_409(api_as, owner, enterprise, program):
    client = api_as(owner)
    assert create(client, program, enterprise).status_code == 201
    response = create(client, program, enterprise)
    assert (response.status_code, response.data["code"]) == (409, "conflict")
    assert Application.objects.count() == 1


def test_application_one_per_business_is_a_database_constraint(enterprise, program):
    ApplicationFactory(program=program, enterprise=enterprise)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(program=program, enterprise=enterprise)


@pytest.mark.parametrize("kind", ["unknown", "other_program", "too_many", "repeated"])
def test_api_apply_with_bad_tracks_is_400(api_as, owner, enterprise, program, tracks, kind):
    choices = {
        "unknown": [999_999],
        "other_program": [TrackFactory().pk],
        "too_many": [t.pk for t in tracks[:4]],
        "repeated": [tracks[0].pk, tracks[0].pk],
    }[kind]
    response = create(api_as(owner), program, enterprise, track_choices=choices)
    assert response.status_code == 400
    assert "track_choices" in response.data
    assert Application.objects.count() == 0


def test_api_submit_without_track_is_400(api_as, owner, enterprise, program):
    application = ApplicationFactory(program=program, enterprise=enterprise, tracks=[])
    response = api_as(owner).post(f"/api/v1/applications/{application.pk}/submit/")
    assert response.status_code == 400
    assert "track_choices" in response.data


def test_api_submit_without_required_answer_is_400(api_as, owner, enterprise, program):
    QuestionFactory(program=program, required=True, text="Berapa karyawan?")
    application = ApplicationFactory(program=program, enterprise=enterprise)
    response = api_as(owner).post(f"/api/v1/applications/{application.pk}/submit/")
    assert response.status_code == 400
    assert len(response.data["answers"]) == 1
    assert "Berapa karyawan?" in response.data["answers"][0]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_api_submit_required_question_of_an_unchosen_track_is_not_required(
    api_as, owner, enterprise, program, tracks
):
    QuestionFactory(program=program, required=True, track=tracks[4])
    application = ApplicationFactory(program=program, enterprise=enterprise, tracks=[tracks[0]])
    response = api_as(owner).post(f"/api/v1/applications/{application.pk}/submit/")
    assert (response.status_code, response.data["status"]) == (200, "submitted")


def test_api_submit_without_consent_is_400(api_as, owner, enterprise, program):
    application = ApplicationFactory(
        program=program, enterprise=enterprise, consent_share_with_partner=False
    )
    response = api_as(owner).post(f"/api/v1/applications/{application.pk}/submit/")
    assert response.status_code == 400
    assert "consent_share_with_partner" in response.data


def test_api_submit_without_consent_to_an_office_programme_is_fine(api_as, owner, enterprise):
    program = ProgramFactory(partner=None, with_setup=True)
    application = ApplicationFactory(
        program=program, enterprise=enterprise, consent_share_with_partner=False
    )
    response = api_as(owner).post(f"/api/v1/applications/{application.pk}/submit/")
    assert (response.status_code, response.data["status"]) == (200, "submitted")


def test_api_submit_after_the_window_closed_is_409(api_as, owner, enterprise, program):
    application = ApplicationFactory(program=program, enterprise=enterprise)
    Program = type(program)
    Program.objects.filter(pk=program.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    response = api_as(owner).post(f"/api/v1/applications/{application.pk}/submit/")
    assert (response.status_code, response.data["code"]) == (409, "window_closed")


@pytest.mark.parametrize(
    ("kind", "options", "value"),
    [
        (QuestionKind.NUMBER, [], "dua belas"),
        (QuestionKind.SINGLE_CHOICE, ["A", "B"], "C"),
        (QuestionKind.MULTIPLE_CHOICE, ["A", "B"], ["A", "Z"]),
        (QuestionKind.YES_NO, [], "mungkin"),
        (QuestionKind.SHORT_TEXT, [], "x" * 201),
    ],
)
def test_api_bad_answer_is_400(api_as, owner, enterprise, program, kind, options, value):
    question = QuestionFactory(program=program, kind=kind, options=options)
    response = create(api_as(owner), program, enterprise, answers={str(question.pk): value})
    assert response.status_code == 400
    assert "answers" in response.data
    assert Application.objects.count() == 0


def test_api_answer_to_another_programmes_question_is_400(api_as, owner, enterprise, program):
    foreign = QuestionFactory()
    response = create(api_as(owner), program, enterprise, answers={str(foreign.pk): "x"})
    assert response.status_code == 400
    assert "answers" in response.data


def test_api_edit_after_submission_is_409(api_as, owner, enterprise, program, tracks):
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.SUBMITTED
    )
    response = api_as(owner).patch(
        f"/api/v1/applications/{application.pk}/", {"track_choices": [tracks[1].pk]}, format="json"
    )
    assert response.status_code == 409


def test_api_upload_file_answer_checked_by_content(api_as, owner, enterprise, program):
    question = QuestionFactory(program=program, kind=QuestionKind.FILE)
    application = ApplicationFactory(program=program, enterprise=enterprise)
    client = api_as(owner)
    url = f"/api/v1/applications/{application.pk}/upload/"
    bad = client.post(
        url,
        {"question": question.pk, "file": SimpleUploadedFile("a.pdf", b"MZ\x90 exe")},
        format="multipart",
    )
    assert (bad.status_code, list(bad.data)[-1]) == (400, "file")
    big = SimpleUploadedFile("b.pdf", minimal_pdf("x")[:-6] + b"0" * (5 * 1024 * 1024) + b"%%EOF\n")
    assert (
        client.post(url, {"question": question.pk, "file": big}, format="multipart").status_code
        == 400
    )
    good = client.post(
        url,
        {"question": question.pk, "file": SimpleUploadedFile("profil.pdf", minimal_pdf("x"))},
        format="multipart",
    )
    assert good.status_code == 200
    assert good.data["answers"][str(question.pk)]["name"] == "profil.pdf"
    download = client.get(f"/api/v1/applications/{application.pk}/files/{question.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


# --- Withdraw and screen ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ApplicationStatus.DRAFT, 200),
        (ApplicationStatus.SUBMITTED, 200),
        (ApplicationStatus.ELIGIBLE, 200),
        (ApplicationStatus.INELIGIBLE, 200),
        (ApplicationStatus.IN_REVIEW, 200),
        (ApplicationStatus.SELECTED, 409),
        (ApplicationStatus.NOT_SELECTED, 409),
    ],
)
def test_api_withdraw_until_a_decision_is_published(
    api_as, owner, enterprise, program, status, expected
):
    application = ApplicationFactory(program=program, enterprise=enterprise, status=status)
    response = api_as(owner).post(
        f"/api/v1/applications/{application.pk}/withdraw/", {}, format="json"
    )
    assert response.status_code == expected
    application.refresh_from_db()
    assert application.status == (ApplicationStatus.WITHDRAWN if expected == 200 else status)


def test_api_staff_screen_overrides_with_reason(api_as, staff, program):
    application = ApplicationFactory(
        program=program, status=ApplicationStatus.INELIGIBLE, eligibility_ok=False
    )
    client = api_as(staff)
    url = f"/api/v1/applications/{application.pk}/screen/"
    assert client.post(url, {"eligible": True}, format="json").status_code == 400
    response = client.post(
        url, {"eligible": True, "reason": "NIB sedang diproses, diterima."}, format="json"
    )
    assert (response.status_code, response.data["status"]) == (200, "eligible")
    application.refresh_from_db()
    assert (
        application.screening_overridden,
        application.screened_by,
        application.status_reason,
    ) == (
        True,
        staff,
        "NIB sedang diproses, diterima.",
    )


def test_api_screen_a_draft_is_409(api_as, staff, program):
    application = ApplicationFactory(program=program)
    response = api_as(staff).post(
        f"/api/v1/applications/{application.pk}/screen/",
        {"eligible": True, "reason": "x"},
        format="json",
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("owner", 403),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 403),
        ("partner_of_other", 404),
    ],
)
def test_api_screen_visibility(api_as, users, enterprise, program, who, expected):
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.ELIGIBLE
    )
    response = api_as(users[who]).post(
        f"/api/v1/applications/{application.pk}/screen/",
        {"eligible": False, "reason": "x"},
        format="json",
    )
    assert response.status_code == expected


# --- Visibility, masking, logging -------------------------------------------------------------

VISIBILITY = [
    # who, sees draft, sees submitted, sees eligible with consent, sees eligible without consent
    ("anonymous", 401, 401, 401, 401),
    ("owner", 200, 200, 200, 200),
    ("other_owner", 404, 404, 404, 404),
    ("staff", 200, 200, 200, 200),
    ("partner_of_program", 404, 404, 200, 404),
    ("partner_of_other", 404, 404, 404, 404),
]


@pytest.mark.parametrize(("who", "draft", "submitted", "eligible", "no_consent"), VISIBILITY)
def test_api_applications_visibility(
    api_as, users, owner, program, who, draft, submitted, eligible, no_consent
):
    rows = {
        "draft": ApplicationFactory(
            program=program, enterprise=VerifiedEnterpriseFactory(owner=owner)
        ),
        "submitted": ApplicationFactory(
            program=program,
            enterprise=VerifiedEnterpriseFactory(owner=owner),
            status=ApplicationStatus.SUBMITTED,
        ),
        "eligible": ApplicationFactory(
            program=program,
            enterprise=VerifiedEnterpriseFactory(owner=owner),
            status=ApplicationStatus.ELIGIBLE,
        ),
        "no_consent": ApplicationFactory(
            program=program,
            enterprise=VerifiedEnterpriseFactory(owner=owner),
            status=ApplicationStatus.ELIGIBLE,
            consent_share_with_partner=False,
        ),
    }
    expected = {
        "draft": draft,
        "submitted": submitted,
        "eligible": eligible,
        "no_consent": no_consent,
    }
    client = api_as(users[who])
    for name, application in rows.items():
        assert (
            client.get(f"/api/v1/applications/{application.pk}/").status_code == expected[name]
        ), name
    listed = client.get("/api/v1/applications/")
    if who == "anonymous":
        assert listed.status_code == 401
    else:
        assert listed.data["count"] == sum(1 for v in expected.values() if v == 200)


def test_api_partner_sees_masked_nik_and_is_logged(api_as, program_reviewer, owner, program):
    enterprise = VerifiedEnterpriseFactory(owner=owner, owner_nik="3573054508850001")
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.ELIGIBLE
    )
    response = api_as(program_reviewer).get(f"/api/v1/applications/{application.pk}/")
    assert response.data["applicant"]["owner_nik"] == "************0001"
    assert "npwp" not in response.data["applicant"]
    assert "address" not in response.data["applicant"]
    log = AccessLog.objects.get()
    assert (log.action, log.actor, log.target, log.subject, log.subject_user) == (
        "partner_view",
        program_reviewer,
        application,
        enterprise,
        owner,
    )
    assert (log.channel, log.organisation) == ("api_detail", program.partner.name)
    assert log.subject_name == enterprise.owner_name


def test_api_partner_list_logs_each_applicant_shown(api_as, program_reviewer, program):
    for _ in range(3):
        ApplicationFactory(program=program, status=ApplicationStatus.ELIGIBLE)
    ApplicationFactory(program=program, status=ApplicationStatus.SUBMITTED)
    response = api_as(program_reviewer).get("/api/v1/applications/")
    assert response.data["count"] == 3
    assert AccessLog.objects.filter(channel="api_list", actor=program_reviewer).count() == 3


def test_api_staff_and_owner_views_are_not_logged(api_as, staff, owner, enterprise, program):
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.ELIGIBLE
    )
    api_as(staff).get(f"/api/v1/applications/{application.pk}/")
    api_as(owner).get(f"/api/v1/applications/{application.pk}/")
    assert AccessLog.objects.count() == 0


def test_api_owner_withdraws_consent_and_partner_loses_the_personal_data(
    api_as, owner, enterprise, program, program_reviewer
):
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.ELIGIBLE
    )
    response = api_as(owner).patch(
        f"/api/v1/applications/{application.pk}/",
        {"consent_share_with_partner": False},
        format="json",
    )
    assert (response.status_code, response.data["consent_share_with_partner"]) == (200, False)
    seen = api_as(program_reviewer).get(f"/api/v1/applications/{application.pk}/")
    assert seen.status_code == 200
    with translation.override("id"):
        placeholder = str(WITHDRAWN_PLACEHOLDER)
    assert seen.data["applicant"]["owner_name"] == placeholder != enterprise.owner_name
    assert seen.data["applicant"]["personal_data_withdrawn"] is True
    assert ActivityLog.objects.filter(action="application.consent_withdrawn").count() == 1


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("owner", 404), ("staff", 200), ("partner_of_program", 404)],
)
def test_api_personal_data_access_log_is_for_the_office(api_as, users, who, expected):
    assert api_as(users[who]).get("/api/v1/personal-data-access/").status_code == expected


@pytest.mark.parametrize("who", ["staff", "partner_of_program"])
def test_api_application_list_query_count_same_for_1_and_20(api_as, users, program, tracks, who):
    client = api_as(users[who])
    question = QuestionFactory(program=program)

    def add():
        application = ApplicationFactory(
            program=program, status=ApplicationStatus.ELIGIBLE, tracks=tracks[:2]
        )
        application.answers.create(question=question, value="x")

    add()
    client.get("/api/v1/applications/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/applications/").data["count"] == 1
    for _ in range(19):
        add()
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/api/v1/applications/").data["count"] == 20
    assert len(one) == len(twenty)
