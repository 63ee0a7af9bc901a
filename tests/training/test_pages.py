import csv
import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from ikm_portal.datarights.models import AccessLog
from tests.factories import (
    AgreementFactory,
    ApplicationFactory,
    PartnerFactory,
    ProgramFactory,
    QuestionFactory,
    VerifiedEnterpriseFactory,
)
from training.choices import ApplicationStatus, ProgramStatus, QuestionKind
from training.models import Application, Program

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other_owner", "staff", "partner_of_program", "partner_of_other"]


def expect(table: dict, who: str) -> int:
    return table[who]


PAGE_MATRIX = [
    # (path template, {role: status})
    ("/programs/", dict.fromkeys(ROLES, 200)),
    ("/programs/{open}/", dict.fromkeys(ROLES, 200)),
    (
        "/programs/{draft}/",
        {
            "anonymous": 404,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 200,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/new/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/{open}/edit/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/{open}/tracks/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/{open}/stages/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/{open}/eligibility/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/{open}/questions/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/{open}/status/cancel/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/{open}/applications/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 200,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/{open}/applications/export/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/applications/{eligible}/",
        {
            "anonymous": 302,
            "owner": 200,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 200,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/applications/{submitted}/",
        {
            "anonymous": 302,
            "owner": 200,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/applications/{draft_app}/edit/",
        {
            "anonymous": 302,
            "owner": 200,
            "other_owner": 404,
            "staff": 404,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/applications/{draft_app}/submit/",
        {
            "anonymous": 302,
            "owner": 200,
            "other_owner": 404,
            "staff": 404,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/applications/{eligible}/withdraw/",
        {
            "anonymous": 302,
            "owner": 200,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/applications/",
        {
            "anonymous": 302,
            "owner": 200,
            "other_owner": 200,
            "staff": 200,
            "partner_of_program": 200,
            "partner_of_other": 200,
        },
    ),
    (
        "/programs/partner/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 404,
            "partner_of_program": 200,
            "partner_of_other": 200,
        },
    ),
    (
        "/data/access-log/",
        {
            "anonymous": 302,
            "owner": 404,
            "other_owner": 404,
            "staff": 200,
            "partner_of_program": 404,
            "partner_of_other": 404,
        },
    ),
    (
        "/programs/{open}/apply/",
        {
            "anonymous": 302,
            "owner": 200,
            "other_owner": 200,
            "staff": 200,
            "partner_of_program": 200,
            "partner_of_other": 200,
        },
    ),
]


@pytest.mark.parametrize("who", ROLES)
def test_pages_visibility_matrix(client_as, users, enterprise, program, who):
    draft = ProgramFactory(partner=program.partner, status=ProgramStatus.DRAFT, with_setup=True)
    ids = {
        "open": program.pk,
        "draft": draft.pk,
        "eligible": ApplicationFactory(
            program=program, enterprise=enterprise, status=ApplicationStatus.ELIGIBLE
        ).pk,
        "submitted": ApplicationFactory(
            program=program,
            enterprise=VerifiedEnterpriseFactory(owner=enterprise.owner),
            status=ApplicationStatus.SUBMITTED,
        ).pk,
        "draft_app": ApplicationFactory(
            program=program, enterprise=VerifiedEnterpriseFactory(owner=enterprise.owner)
        ).pk,
    }
    client = client_as(users[who])
    got = {path: client.get(path.format(**ids)).status_code for path, _ in PAGE_MATRIX}
    assert got == {path: table[who] for path, table in PAGE_MATRIX}


def test_page_owner_journey_apply_fill_review_submit(
    client_as, owner, enterprise, program, tracks, django_capture_on_commit_callbacks
):
    question = QuestionFactory(
        program=program, kind=QuestionKind.YES_NO, required=True, text="Bersedia menginap?"
    )
    client = client_as(owner)
    detail = client.get(f"/programs/{program.pk}/")
    assert detail.context["can_apply"] is True
    response = client.post(f"/programs/{program.pk}/apply/", {"enterprise": enterprise.pk})
    application = Application.objects.get()
    assert response["Location"] == f"/programs/applications/{application.pk}/edit/"
    response = client.post(
        f"/programs/applications/{application.pk}/edit/",
        {
            "track_1": tracks[1].pk,
            "track_2": tracks[3].pk,
            "track_3": "",
            f"q_{question.pk}": "yes",
            "consent_share_with_partner": "on",
            "next": "review",
        },
    )
    assert response["Location"] == f"/programs/applications/{application.pk}/submit/"
    review = client.get(response["Location"])
    assert review.status_code == 200
    assert review.context["missing"] == []
    assert [r.rule for r in review.context["results"]] == ["verified", "size_class", "region"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/programs/applications/{application.pk}/submit/")
    assert response["Location"] == f"/programs/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ELIGIBLE
    assert [c.track for c in application.track_choices.all()] == [tracks[1], tracks[3]]
    assert application.answers.get().value is True
    assert application.consent_share_with_partner is True


def test_page_submit_missing_answer_shows_message(client_as, owner, enterprise, program):
    QuestionFactory(program=program, required=True, text="Jumlah mesin?")
    application = ApplicationFactory(program=program, enterprise=enterprise)
    response = client_as(owner).post(f"/programs/applications/{application.pk}/submit/")
    assert response.status_code == 200
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Jumlah mesin?" in t for t in texts)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_page_edit_duplicate_track_is_a_form_error(client_as, owner, enterprise, program, tracks):
    application = ApplicationFactory(program=program, enterprise=enterprise)
    response = client_as(owner).post(
        f"/programs/applications/{application.pk}/edit/",
        {"track_1": tracks[0].pk, "track_2": tracks[0].pk, "consent_share_with_partner": "on"},
    )
    assert response.status_code == 200
    assert "track_2" in response.context["form"].errors


def test_page_apply_with_someone_elses_business_is_a_form_error(
    client_as, owner, enterprise, other_enterprise, program
):
    response = client_as(owner).post(
        f"/programs/{program.pk}/apply/", {"enterprise": other_enterprise.pk}
    )
    assert response.status_code == 200
    assert "enterprise" in response.context["form"].errors
    assert Application.objects.count() == 0


def test_page_apply_when_closed_redirects_with_message(client_as, owner, enterprise):
    program = ProgramFactory(
        with_setup=True,
        closes_at=timezone.now() - timedelta(hours=1),
        opens_at=timezone.now() - timedelta(days=3),
    )
    response = client_as(owner).get(f"/programs/{program.pk}/apply/")
    assert response["Location"] == f"/programs/{program.pk}/"
    assert len(list(get_messages(response.wsgi_request))) == 1


def test_page_staff_creates_programme_step_by_step_and_opens_it(client_as, staff):
    partner = PartnerFactory(name="PT HM Sampoerna Tbk")
    agreement = AgreementFactory(partner=partner)
    client = client_as(staff)
    now = timezone.localtime()
    response = client.post(
        "/programs/new/",
        {
            "title": "Program Efisiensi Produk untuk IKM Kota Malang",
            "description": "Bersama PT HM Sampoerna Tbk",
            "partner": partner.pk,
            "agreement": agreement.pk,
            "venue_name": "PPK Sampoerna",
            "venue_address": "Sukorejo, Pasuruan",
            "mode": "tatap_muka",
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "starts_on": (now + timedelta(days=40)).strftime("%Y-%m-%d"),
            "ends_on": (now + timedelta(days=100)).strftime("%Y-%m-%d"),
        },
    )
    program = Program.objects.get()
    assert response["Location"] == f"/programs/{program.pk}/tracks/"
    names = [
        "Efisiensi Produksi",
        "Pengemasan & Label",
        "Pemasaran Digital",
        "Manajemen Keuangan",
        "Pengolahan Pangan",
    ]
    data = {"tracks-TOTAL_FORMS": "6", "tracks-INITIAL_FORMS": "0"}
    for i, name in enumerate(names):
        data |= {f"tracks-{i}-name": name, f"tracks-{i}-seats": "20"}
    response = client.post(f"/programs/{program.pk}/tracks/", data)
    assert response["Location"] == f"/programs/{program.pk}/stages/"
    response = client.post(
        f"/programs/{program.pk}/stages/",
        {
            "stages-TOTAL_FORMS": "3",
            "stages-INITIAL_FORMS": "0",
            "stages-0-name": "Pembinaan",
            "stages-0-seats": "100",
            "stages-1-name": "Pembinaan Lanjutan",
            "stages-1-seats": "20",
        },
    )
    assert response["Location"] == f"/programs/{program.pk}/eligibility/"
    response = client.post(
        f"/programs/{program.pk}/eligibility/",
        {
            "size_classes": ["kecil", "menengah"],
            "kbli_divisions": "10, 11",
            "min_years_operating": "1",
        },
    )
    assert response["Location"] == f"/programs/{program.pk}/questions/"
    response = client.post(f"/programs/{program.pk}/status/open/")
    program.refresh_from_db()
    assert program.status == ProgramStatus.OPEN
    assert list(program.tracks.values_list("name", flat=True)) == names
    assert list(program.stages.values_list("order", "seats")) == [(1, 100), (2, 20)]
    assert (program.eligibility.kbli_divisions, program.eligibility.min_years_operating) == (
        ["10", "11"],
        1,
    )


def test_page_stage_seats_growing_is_shown_as_error(client_as, staff, program):
    response = client_as(staff).post(
        f"/programs/{program.pk}/stages/",
        {
            "stages-TOTAL_FORMS": "2",
            "stages-INITIAL_FORMS": "0",
            "stages-0-name": "A",
            "stages-0-seats": "20",
            "stages-1-name": "B",
            "stages-1-seats": "100",
        },
    )
    assert response.status_code == 200
    assert len(response.context["formset"].non_form_errors()) == 1


def test_page_open_without_tracks_shows_message(client_as, staff):
    program = ProgramFactory(status=ProgramStatus.DRAFT)
    response = client_as(staff).post(f"/programs/{program.pk}/status/open/")
    assert response["Location"] == f"/programs/{program.pk}/"
    program.refresh_from_db()
    assert program.status == ProgramStatus.DRAFT
    assert len(list(get_messages(response.wsgi_request))) >= 1


def test_page_partner_sees_only_eligible_applicants_and_views_are_logged(
    client_as, program, program_reviewer
):
    eligible = ApplicationFactory(program=program, status=ApplicationStatus.ELIGIBLE)
    ApplicationFactory(program=program, status=ApplicationStatus.SUBMITTED)
    ApplicationFactory(program=program, status=ApplicationStatus.INELIGIBLE)
    ApplicationFactory(
        program=program, status=ApplicationStatus.ELIGIBLE, consent_share_with_partner=False
    )
    client = client_as(program_reviewer)
    response = client.get(f"/programs/{program.pk}/applications/")
    assert [a.pk for a in response.context["page"].object_list] == [eligible.pk]
    client.get(f"/programs/applications/{eligible.pk}/")
    assert list(AccessLog.objects.order_by("id").values_list("channel", "object_id")) == [
        ("page_list", eligible.pk),
        ("page_detail", eligible.pk),
    ]
    detail = client.get(f"/programs/applications/{eligible.pk}/")
    assert detail.context["shared"]["owner_nik"] == "*" * 12 + eligible.enterprise.owner_nik[-4:]
    assert eligible.enterprise.owner_nik.encode() not in detail.content


def test_page_staff_bulk_screening(client_as, staff, program):
    a = ApplicationFactory(program=program, status=ApplicationStatus.ELIGIBLE)
    b = ApplicationFactory(program=program, status=ApplicationStatus.ELIGIBLE)
    c = ApplicationFactory(program=program, status=ApplicationStatus.SUBMITTED)
    client = client_as(staff)
    response = client.post(
        f"/programs/{program.pk}/applications/", {"action": "review", "ids": [a.pk, b.pk, c.pk]}
    )
    assert response.status_code == 302
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "in_review", b.pk: "in_review", c.pk: "submitted"}
    response = client.post(
        f"/programs/{program.pk}/applications/", {"action": "ineligible", "ids": [c.pk]}
    )
    assert response.status_code == 200
    assert "reason" in response.context["bulk_form"].errors
    client.post(
        f"/programs/{program.pk}/applications/",
        {"action": "ineligible", "reason": "Di luar wilayah", "ids": [c.pk]},
    )
    c.refresh_from_db()
    assert (c.status, c.status_reason) == ("ineligible", "Di luar wilayah")


def test_page_staff_filters_applications(client_as, staff, program, tracks):
    a = ApplicationFactory(program=program, status=ApplicationStatus.ELIGIBLE, tracks=[tracks[2]])
    ApplicationFactory(program=program, status=ApplicationStatus.ELIGIBLE, tracks=[tracks[0]])
    ApplicationFactory(
        program=program,
        status=ApplicationStatus.INELIGIBLE,
        tracks=[tracks[2]],
        eligibility_ok=False,
    )
    response = client_as(staff).get(
        f"/programs/{program.pk}/applications/",
        {
            "status": "eligible",
            "track": tracks[2].pk,
            "eligibility": "met",
            "size_class": "kecil",
            "kecamatan": "35.73.05",
        },
    )
    assert [x.pk for x in response.context["page"].object_list] == [a.pk]


def test_page_export_masks_nik_and_neutralises_formulas(client_as, staff, program, owner):
    enterprise = VerifiedEnterpriseFactory(
        owner=owner, name='=HYPERLINK("http://x")', owner_nik="3573051208850007"
    )
    ApplicationFactory(program=program, enterprise=enterprise, status=ApplicationStatus.ELIGIBLE)
    response = client_as(staff).get(f"/programs/{program.pk}/applications/export/?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    assert row[header.index("NIK")] == "************0007"
    assert row[header.index("Nama Usaha")] == '\'=HYPERLINK("http://x")'
    log = AccessLog.objects.get()
    assert (log.action, log.actor, log.subject_user, log.details) == (
        "export",
        staff,
        owner,
        {"format": "csv", "program": program.pk},
    )


def test_page_export_xlsx(client_as, staff, program):
    ApplicationFactory(program=program, status=ApplicationStatus.ELIGIBLE)
    response = client_as(staff).get(f"/programs/{program.pk}/applications/export/?format=xlsx")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_page_owner_withdraws(client_as, owner, enterprise, program):
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.SUBMITTED
    )
    response = client_as(owner).post(
        f"/programs/applications/{application.pk}/withdraw/", {"reason": "Berhalangan"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.status_reason) == ("withdrawn", "Berhalangan")


def test_page_partner_home_counts(client_as, program, program_reviewer):
    ApplicationFactory(program=program, status=ApplicationStatus.ELIGIBLE)
    ApplicationFactory(program=program, status=ApplicationStatus.IN_REVIEW)
    ApplicationFactory(program=program, status=ApplicationStatus.SUBMITTED)
    response = client_as(program_reviewer).get("/programs/partner/")
    assert response.context["totals"] == {
        "programs": 1,
        "visible": 2,
        "eligible": 1,
        "in_review": 1,
    }
    assert response.context["waiting"][0] == ("eligible", program)


def test_dashboard_panels_render_for_every_role(client_as, users, program):
    for who, user in users.items():
        if user is None:
            continue
        assert client_as(user).get("/dashboard/").status_code == 200, who


def test_page_staff_list_sorts_drafts_last(client_as, staff, program):
    draft = ApplicationFactory(program=program)
    first = ApplicationFactory(
        program=program,
        status=ApplicationStatus.ELIGIBLE,
        submitted_at=timezone.now() - timedelta(days=2),
    )
    second = ApplicationFactory(program=program, status=ApplicationStatus.SUBMITTED)
    client = client_as(staff)
    oldest = client.get(f"/programs/{program.pk}/applications/")
    assert [a.pk for a in oldest.context["page"].object_list] == [first.pk, second.pk, draft.pk]
    newest = client.get(f"/programs/{program.pk}/applications/", {"sort": "-submitted"})
    assert [a.pk for a in newest.context["page"].object_list] == [second.pk, first.pk, draft.pk]
