import pytest
from django.contrib.auth.models import Permission

from ikm_portal.datarights.models import AccessLog
from tests.factories import ApplicationFactory, UserFactory
from training.choices import ApplicationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewed(program, enterprise, program_reviewer, client_as):
    """The programme's reviewer opened the owner's application once."""
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.ELIGIBLE
    )
    assert (
        client_as(program_reviewer).get(f"/programs/applications/{application.pk}/").status_code
        == 200
    )
    return application


def test_partner_view_is_one_row_with_owner_and_organisation(viewed, owner, program_reviewer):
    log = AccessLog.objects.get()
    assert (log.action, log.actor, log.subject_user, log.target, log.organisation) == (
        "partner_view",
        program_reviewer,
        owner,
        viewed,
        viewed.program.partner.name,
    )
    assert log.request_id  # the request id of the page view (core/logging.py)


def test_owner_sees_who_saw_their_data(viewed, owner, program_reviewer, client_as):
    response = client_as(owner).get("/data/mine/who-saw/")
    assert response.status_code == 200
    body = response.content.decode()
    assert program_reviewer.full_name in body
    assert viewed.program.partner.name in body


def test_owner_api_who_saw_my_data_lists_only_their_own(
    viewed, owner, other_owner, program_reviewer, api_as
):
    data = api_as(owner).get("/api/v1/my-data/access-log/").json()
    assert [(r["who"], r["organisation"]) for r in data["results"]] == [
        (program_reviewer.full_name, viewed.program.partner.name)
    ]
    assert api_as(other_owner).get("/api/v1/my-data/access-log/").json()["count"] == 0


@pytest.mark.parametrize(
    ("who", "page", "api"),
    [
        ("anonymous", 302, 401),
        ("owner", 404, 404),
        ("staff", 200, 200),
        ("partner_reviewer", 404, 404),
    ],
)
def test_access_log_is_for_the_office(who, page, api, request, client_as, api_as):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    assert client_as(user).get("/data/access-log/").status_code == page
    assert api_as(user).get("/api/v1/personal-data-access/").status_code == api


def test_staff_read_the_log_of_one_person_and_one_business(
    viewed, enterprise, owner, staff, api_as, client_as
):
    other = ApplicationFactory(program=viewed.program, status=ApplicationStatus.ELIGIBLE)
    reviewer = AccessLog.objects.get().actor
    client_as(reviewer).get(f"/programs/applications/{other.pk}/")
    assert AccessLog.objects.count() == 2
    client = api_as(staff)
    by_person = client.get(f"/api/v1/personal-data-access/?person={owner.pk}").json()
    assert [r["subject"] for r in by_person["results"]] == [f"registry.enterprise:{enterprise.pk}"]
    by_record = client.get(
        f"/api/v1/personal-data-access/?record=registry.enterprise:{enterprise.pk}"
    ).json()
    assert by_record["count"] == 1
    page = client_as(staff).get(f"/data/access-log/?person={owner.pk}")
    assert page.context["count"] == 1


def test_business_detail_links_to_its_access_log(enterprise, staff, client_as):
    page = client_as(staff).get(f"/registry/business/{enterprise.pk}/")
    assert page.context["access_log_url"] == (
        f"/data/access-log/?record=registry.enterprise%3A{enterprise.pk}"
    )


def test_page_unmask_shows_the_nik_once_and_logs_who_whose_why(enterprise, owner, client_as):
    admin = UserFactory(role="office_staff")
    admin.user_permissions.add(Permission.objects.get(codename="unmask_nik"))
    client = client_as(admin)
    page = client.get(f"/registry/business/{enterprise.pk}/")
    assert page.context["nik"] == "************0001"
    assert b"3573054512850001" not in page.content
    assert page.context["can_unmask"] is True
    refused = client.post(f"/registry/business/{enterprise.pk}/unmask-nik/", {"reason": ""})
    assert refused.status_code == 200
    assert refused.context["unmask_form"].errors
    assert AccessLog.objects.count() == 0
    shown = client.post(
        f"/registry/business/{enterprise.pk}/unmask-nik/", {"reason": "Verifikasi KTP asli"}
    )
    assert shown.status_code == 200
    assert shown.context["nik"] == "3573054512850001"
    assert shown["Cache-Control"] == "no-store"
    log = AccessLog.objects.get()
    assert (log.action, log.actor, log.subject_user, log.reason, log.channel) == (
        "unmask",
        admin,
        owner,
        "Verifikasi KTP asli",
        "page_detail",
    )


def test_page_unmask_without_the_permission_is_403(enterprise, staff, client_as):
    page = client_as(staff).get(f"/registry/business/{enterprise.pk}/")
    assert page.context["can_unmask"] is False
    response = client_as(staff).post(
        f"/registry/business/{enterprise.pk}/unmask-nik/", {"reason": "Verifikasi KTP asli"}
    )
    assert response.status_code == 403
    assert AccessLog.objects.count() == 0


def test_owner_always_sees_their_own_nik(enterprise, owner, client_as):
    page = client_as(owner).get(f"/registry/business/{enterprise.pk}/")
    assert page.context["nik"] == "3573054512850001"
    assert AccessLog.objects.count() == 0


def test_access_log_list_query_count_same_for_1_and_20(staff, api_as, django_assert_num_queries):
    from ikm_portal.datarights.services import Subject, access_log_record
    from tests.factories import VerifiedEnterpriseFactory

    client = api_as(staff)

    def add(n):
        for _ in range(n):
            e = VerifiedEnterpriseFactory()
            access_log_record(
                action="export", actor=staff, subjects=[Subject.of(record=e, user_id=e.owner_id)]
            )

    add(1)
    client.get("/api/v1/personal-data-access/")  # warm the content-type cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/personal-data-access/").json()["count"] == 1
    add(19)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/api/v1/personal-data-access/").json()["count"] == 20
    assert len(one) == len(twenty)


def test_staff_edit_form_never_holds_the_nik_and_empty_keeps_it(enterprise, staff, client_as):
    client = client_as(staff)
    page = client.get(f"/registry/business/{enterprise.pk}/step/owner/")
    assert page.status_code == 200
    assert b"3573054512850001" not in page.content
    response = client.post(
        f"/registry/business/{enterprise.pk}/step/owner/",
        {
            "owner_name": "Siti Aminah Baru",
            "owner_nik": "",
            "owner_gender": "female",
            "phone": "081234567890",
            "email": "",
        },
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.owner_name, enterprise.owner_nik) == ("Siti Aminah Baru", "3573054512850001")


def test_admin_change_form_never_holds_the_nik(enterprise, office_admin, client_as):
    page = client_as(office_admin).get(f"/admin/registry/enterprise/{enterprise.pk}/change/")
    assert page.status_code == 200
    assert b"3573054512850001" not in page.content
    assert b"************0001" in page.content
