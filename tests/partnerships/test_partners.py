import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ikm_portal.core.exceptions import ApplicationError
from partnerships import services
from partnerships.models import Partner, PartnerMember
from tests.factories import PartnerFactory, PartnerMemberFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def test_api_staff_creates_partner_with_profile_and_logo(api_as, staff):
    response = api_as(staff).post(
        "/api/v1/partners/",
        {
            "name": "PT HM Sampoerna Tbk",
            "kind": "perusahaan",
            "description": "CSR",
            "address": "Surabaya",
            "contact_person": "Andi",
            "email": "csr@sampoerna.example",
            "phone": "0812-3000-0100",
            "website": "https://www.sampoerna.com",
            "logo": SimpleUploadedFile("logo.png", PNG),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.data
    partner = Partner.objects.get()
    assert partner.phone == "+6281230000100"
    assert partner.logo.name.startswith("partners/logos/")
    assert response.data["logo"].endswith(f"/partners/{partner.pk}/logo/")


def test_api_partner_logo_not_an_image_is_400(api_as, staff):
    response = api_as(staff).post(
        "/api/v1/partners/",
        {"name": "PT X", "logo": SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "logo" in response.data


def test_api_partner_duplicate_name_is_409(api_as, staff):
    PartnerFactory(name="PT Sama")
    response = api_as(staff).post("/api/v1/partners/", {"name": "pt sama"}, format="json")
    assert response.status_code == 409
    assert "name" in response.data


def test_api_partner_kind_unknown_is_400(api_as, staff):
    response = api_as(staff).post("/api/v1/partners/", {"name": "PT Y", "kind": "x"}, format="json")
    assert response.status_code == 400
    assert list(response.data) == ["kind"]


@pytest.mark.parametrize(
    ("who", "list_count", "detail", "create", "members"),
    [
        ("anonymous", None, 401, 401, 401),
        ("owner", 0, 404, 403, 404),
        ("staff", 2, 200, 201, 200),
        ("manager", 1, 200, 403, 200),
        ("reviewer", 1, 200, 403, 404),
        ("other_manager", 1, 404, 403, 404),
    ],
)
def test_api_partners_visibility(
    api_as,
    owner,
    staff,
    manager_member,
    reviewer_member,
    other_member,
    who,
    list_count,
    detail,
    create,
    members,
):
    user = {
        "anonymous": None,
        "owner": owner,
        "staff": staff,
        "manager": manager_member.user,
        "reviewer": reviewer_member.user,
        "other_manager": other_member.user,
    }[who]
    client = api_as(user)
    response = client.get("/api/v1/partners/")
    if list_count is None:
        assert response.status_code == 401
    else:
        assert (response.status_code, response.data["count"]) == (200, list_count)
    partner_id = manager_member.partner_id
    assert client.get(f"/api/v1/partners/{partner_id}/").status_code == detail
    assert (
        client.post("/api/v1/partners/", {"name": f"PT {who}"}, format="json").status_code == create
    )
    assert client.get(f"/api/v1/partners/{partner_id}/members/").status_code == members


def test_api_manager_lists_and_removes_own_member(api_as, manager_member, reviewer_member):
    client = api_as(manager_member.user)
    listed = client.get(f"/api/v1/partners/{manager_member.partner_id}/members/")
    assert [m["user"]["email"] for m in listed.data["results"]] == sorted(
        [manager_member.user.email, reviewer_member.user.email],
        key=lambda e: e != manager_member.user.email,
    )
    response = client.delete(
        f"/api/v1/partners/{manager_member.partner_id}/members/{reviewer_member.pk}/"
    )
    assert response.status_code == 204
    assert not PartnerMember.objects.filter(pk=reviewer_member.pk).exists()
    reviewer_member.user.refresh_from_db()
    assert list(reviewer_member.user.groups.values_list("name", flat=True)) == []


def test_api_manager_cannot_remove_another_partners_member(api_as, manager_member, other_member):
    victim = PartnerMemberFactory(partner=other_member.partner)
    client = api_as(manager_member.user)
    assert (
        client.delete(
            f"/api/v1/partners/{other_member.partner_id}/members/{victim.pk}/"
        ).status_code
        == 404
    )
    assert (
        client.delete(
            f"/api/v1/partners/{manager_member.partner_id}/members/{victim.pk}/"
        ).status_code
        == 404
    )
    assert PartnerMember.objects.filter(pk=victim.pk).exists()


def test_member_remove_self_is_refused(manager_member):
    with pytest.raises(ApplicationError):
        services.member_remove(member=manager_member, actor=manager_member.user)


def test_api_staff_sees_all_members(api_as, staff, manager_member, other_member):
    client = api_as(staff)
    assert client.get(f"/api/v1/partners/{manager_member.partner_id}/members/").data["count"] == 1
    assert client.get(f"/api/v1/partners/{other_member.partner_id}/members/").data["count"] == 1


def test_api_partner_list_query_count_same_for_1_and_20(api_as, staff):
    client = api_as(staff)
    PartnerMemberFactory()
    client.get("/api/v1/partners/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/partners/").data["count"] == 1
    for _ in range(19):
        PartnerMemberFactory()
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/api/v1/partners/").data["count"] == 20
    assert len(one) == len(twenty)


def test_api_members_and_invitations_lists_query_count_same_for_1_and_20(api_as, staff):
    from tests.factories import PartnerInvitationFactory

    partner = PartnerFactory()
    client = api_as(staff)
    PartnerMemberFactory(partner=partner)
    PartnerInvitationFactory(partner=partner)
    client.get(f"/api/v1/partners/{partner.pk}/members/")
    counts = {}
    for label in ("one", "twenty"):
        with CaptureQueriesContext(connection) as members:
            client.get(f"/api/v1/partners/{partner.pk}/members/")
        with CaptureQueriesContext(connection) as invitations:
            client.get(f"/api/v1/partners/{partner.pk}/invitations/")
        counts[label] = (len(members), len(invitations))
        for _ in range(19):
            PartnerMemberFactory(partner=partner)
            PartnerInvitationFactory(partner=partner)
    assert counts["one"] == counts["twenty"]


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "partners", "detail", "members", "agreements"),
    [
        ("anonymous", 302, 302, 302, 302),
        ("owner", 404, 404, 404, 404),
        ("staff", 200, 200, 200, 200),
        ("manager", 302, 200, 200, 200),
        ("reviewer", 302, 200, 404, 200),
        ("other_manager", 302, 404, 404, 200),
    ],
)
def test_pages_partners_visibility(
    client_as,
    owner,
    staff,
    manager_member,
    reviewer_member,
    other_member,
    who,
    partners,
    detail,
    members,
    agreements,
):
    user = {
        "anonymous": None,
        "owner": owner,
        "staff": staff,
        "manager": manager_member.user,
        "reviewer": reviewer_member.user,
        "other_manager": other_member.user,
    }[who]
    client = client_as(user)
    pid = manager_member.partner_id
    assert client.get("/partners/").status_code == partners
    assert client.get(f"/partners/{pid}/").status_code == detail
    assert client.get(f"/partners/{pid}/members/").status_code == members
    assert client.get("/partners/agreements/").status_code == agreements


def test_page_partner_create_and_edit(client_as, staff):
    client = client_as(staff)
    response = client.post("/partners/new/", {"name": "PT Baru", "kind": "bumn", "active": "on"})
    partner = Partner.objects.get()
    assert response["Location"] == f"/partners/{partner.pk}/"
    response = client.post(
        f"/partners/{partner.pk}/edit/",
        {"name": "PT Baru Sekali", "kind": "bumn", "active": "on", "contact_person": "Budi"},
    )
    partner.refresh_from_db()
    assert (response.status_code, partner.name, partner.contact_person) == (
        302,
        "PT Baru Sekali",
        "Budi",
    )


def test_page_member_remove_confirm_then_remove(client_as, manager_member, reviewer_member):
    client = client_as(manager_member.user)
    url = f"/partners/{manager_member.partner_id}/members/{reviewer_member.pk}/remove/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not PartnerMember.objects.filter(pk=reviewer_member.pk).exists()


def test_page_logo_served_by_view(client, staff):
    partner = services.partner_create(
        actor=staff, name="PT Logo", logo=SimpleUploadedFile("l.png", PNG)
    )
    response = client.get(f"/partners/{partner.pk}/logo/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
