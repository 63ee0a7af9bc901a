from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ikm_portal.accounts.models import User
from ikm_portal.core.exceptions import Conflict
from partnerships import services
from partnerships.models import PartnerInvitation, PartnerMember
from partnerships.services import InvitationInvalid
from tests.factories import PartnerInvitationFactory, PartnerMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_invitation_create_sends_single_use_link(
    manager_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            partner=manager_member.partner,
            email="Dewi@Sampoerna.example",
            actor=manager_member.user,
        )
    assert invitation.email == "dewi@sampoerna.example"
    assert invitation.role == "partner_reviewer"
    assert token not in invitation.token_hash
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dewi@sampoerna.example"]
    assert f"/partners/invitation/{token}/" in mail.outbox[0].body
    assert (invitation.expires_at - timezone.now()).days == 6  # 7 days less a moment


def test_invitation_accept_creates_account_and_member(manager_member):
    invitation = PartnerInvitationFactory(partner=manager_member.partner, token="rahasia-1")
    member = services.invitation_accept(
        token="rahasia-1", full_name="Dewi Lestari", password="kata-sandi-panjang-1"
    )
    user = User.objects.get(email=invitation.email)
    assert member.user == user
    assert member.partner == manager_member.partner
    assert user.roles == ["partner_reviewer"]
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.status) == (user, "accepted")


def test_invitation_accept_signed_in_user_with_invited_address():
    user = UserFactory(email="rudi@mitra.example")
    invitation = PartnerInvitationFactory(email="rudi@mitra.example", token="rahasia-2")
    member = services.invitation_accept(token="rahasia-2", user=user)
    assert (member.user, member.partner) == (user, invitation.partner)


def test_invitation_reused_is_refused(manager_member):
    PartnerInvitationFactory(partner=manager_member.partner, token="sekali")
    services.invitation_accept(token="sekali", full_name="A", password="kata-sandi-panjang-1")
    with pytest.raises(InvitationInvalid) as info:
        services.invitation_accept(token="sekali", full_name="B", password="kata-sandi-panjang-2")
    assert info.value.code == "used"
    assert PartnerMember.objects.filter(partner=manager_member.partner).count() == 2


def test_invitation_expired_is_refused():
    PartnerInvitationFactory(token="lama", expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvitationInvalid) as info:
        services.invitation_accept(token="lama", full_name="A", password="kata-sandi-panjang-1")
    assert info.value.code == "expired"
    assert PartnerMember.objects.count() == 0


def test_invitation_revoked_is_refused(manager_member):
    invitation = PartnerInvitationFactory(partner=manager_member.partner, token="ditarik")
    services.invitation_revoke(invitation=invitation, actor=manager_member.user)
    with pytest.raises(InvitationInvalid) as info:
        services.invitation_accept(token="ditarik", full_name="A", password="kata-sandi-panjang-1")
    assert info.value.code == "revoked"


def test_invitation_unknown_token_is_refused():
    with pytest.raises(InvitationInvalid) as info:
        services.invitation_accept(token="tidak-ada", full_name="A", password="x" * 12)
    assert info.value.code == "invitation_invalid"


def test_invitation_of_another_partner_refused_for_a_member(manager_member, other_member):
    """A member belongs to exactly one partner: another partner's invitation is refused."""
    invitation = PartnerInvitationFactory(
        partner=other_member.partner, email=manager_member.user.email, token="lain"
    )
    with pytest.raises(Conflict):
        services.invitation_accept(token="lain", user=manager_member.user)
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert PartnerMember.objects.get(user=manager_member.user).partner == manager_member.partner


def test_invitation_accept_by_another_signed_in_user_is_refused(owner):
    PartnerInvitationFactory(email="diundang@mitra.example", token="salah-orang")
    with pytest.raises(InvitationInvalid) as info:
        services.invitation_accept(token="salah-orang", user=owner)
    assert info.value.code == "wrong_user"


def test_invitation_create_for_existing_member_is_refused(manager_member, other_member):
    with pytest.raises(Conflict):
        services.invitation_create(
            partner=manager_member.partner, email=other_member.user.email, actor=manager_member.user
        )


def test_invitation_create_replaces_pending_one(manager_member):
    first, _ = services.invitation_create(
        partner=manager_member.partner, email="a@mitra.example", actor=manager_member.user
    )
    services.invitation_create(
        partner=manager_member.partner, email="a@mitra.example", actor=manager_member.user
    )
    first.refresh_from_db()
    assert first.status == "revoked"


def test_invitation_mail_goes_through_the_outbox_once(
    manager_member, django_capture_on_commit_callbacks
):
    from ikm_portal.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            partner=manager_member.partner, email="tono@mitra.example", actor=manager_member.user
        )
    row = Notification.objects.get()
    assert (row.template, row.channel, row.address, row.status) == (
        "partner_invitation",
        "email",
        "tono@mitra.example",
        "sent",
    )
    assert row.key == f"partner-invitation:{invitation.pk}:email"
    assert token not in row.key


# --- API ---------------------------------------------------------------------------------------


def test_api_manager_invites_reviewer_and_gets_link_once(api_as, manager_member):
    client = api_as(manager_member.user)
    response = client.post(
        f"/api/v1/partners/{manager_member.partner_id}/invitations/",
        {"email": "baru@mitra.example"},
        format="json",
    )
    assert response.status_code == 201
    assert response.data["status"] == "pending"
    assert "/partners/invitation/" in response.data["link"]
    listed = client.get(f"/api/v1/partners/{manager_member.partner_id}/invitations/")
    assert listed.data["count"] == 1
    assert "link" not in listed.data["results"][0]


def test_api_manager_cannot_invite_a_manager(api_as, manager_member):
    response = api_as(manager_member.user).post(
        f"/api/v1/partners/{manager_member.partner_id}/invitations/",
        {"email": "boss@mitra.example", "role": "partner_manager"},
        format="json",
    )
    assert response.status_code == 403
    assert PartnerInvitation.objects.count() == 0


def test_api_staff_may_invite_a_manager(api_as, staff, manager_member):
    response = api_as(staff).post(
        f"/api/v1/partners/{manager_member.partner_id}/invitations/",
        {"email": "boss@mitra.example", "role": "partner_manager"},
        format="json",
    )
    assert (response.status_code, response.data["role"]) == (201, "partner_manager")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("owner", 404),
        ("reviewer", 404),
        ("other_manager", 404),
        ("manager", 200),
        ("staff", 200),
    ],
)
def test_api_invitations_visibility(
    api_as, owner, staff, manager_member, reviewer_member, other_member, who, expected
):
    PartnerInvitationFactory(partner=manager_member.partner)
    user = {
        "anonymous": None,
        "owner": owner,
        "staff": staff,
        "manager": manager_member.user,
        "reviewer": reviewer_member.user,
        "other_manager": other_member.user,
    }[who]
    response = api_as(user).get(f"/api/v1/partners/{manager_member.partner_id}/invitations/")
    assert response.status_code == expected


def test_api_other_partners_manager_cannot_revoke(api_as, manager_member, other_member):
    invitation = PartnerInvitationFactory(partner=manager_member.partner)
    response = api_as(other_member.user).delete(
        f"/api/v1/partners/{manager_member.partner_id}/invitations/{invitation.pk}/"
    )
    assert response.status_code == 404
    response = api_as(other_member.user).delete(
        f"/api/v1/partners/{other_member.partner_id}/invitations/{invitation.pk}/"
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_api_manager_revokes_own_invitation(api_as, manager_member):
    invitation = PartnerInvitationFactory(partner=manager_member.partner)
    response = api_as(manager_member.user).delete(
        f"/api/v1/partners/{manager_member.partner_id}/invitations/{invitation.pk}/"
    )
    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_api_accept_invitation_anonymous_creates_account(api_as, manager_member):
    PartnerInvitationFactory(
        partner=manager_member.partner, email="siti@mitra.example", token="api-token"
    )
    response = api_as(None).post(
        "/api/v1/partners/invitations/accept/",
        {"token": "api-token", "full_name": "Siti Aminah", "password": "kata-sandi-panjang-1"},
        format="json",
    )
    assert response.status_code == 201
    assert response.data["user"]["email"] == "siti@mitra.example"
    again = api_as(None).post(
        "/api/v1/partners/invitations/accept/",
        {"token": "api-token", "full_name": "Siti", "password": "kata-sandi-panjang-1"},
        format="json",
    )
    assert (again.status_code, again.data["code"]) == (400, "used")


def test_api_accept_invitation_without_name_and_password_is_400(api_as):
    PartnerInvitationFactory(token="kosong")
    response = api_as(None).post(
        "/api/v1/partners/invitations/accept/", {"token": "kosong"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.data) >= {"full_name", "password"}


# --- Pages -------------------------------------------------------------------------------------


def test_page_invitation_accept_new_account(client, manager_member):
    PartnerInvitationFactory(
        partner=manager_member.partner, email="yoga@mitra.example", token="halaman"
    )
    page = client.get("/partners/invitation/halaman/")
    assert page.status_code == 200
    response = client.post(
        "/partners/invitation/halaman/",
        {
            "full_name": "Yoga Pratama",
            "phone": "0812 3456 7890",
            "password1": "kata-sandi-panjang-1",
            "password2": "kata-sandi-panjang-1",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302
    member = PartnerMember.objects.get(user__email="yoga@mitra.example")
    assert (member.partner, member.user.phone) == (manager_member.partner, "+6281234567890")


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"expires_at": timezone.now() - timedelta(days=1)}, 410),
        ({"accepted_at": timezone.now()}, 410),
        ({"revoked_at": timezone.now()}, 410),
    ],
)
def test_page_invitation_unusable_says_why(client, kwargs, status):
    PartnerInvitationFactory(token="tidak-berlaku", **kwargs)
    assert client.get("/partners/invitation/tidak-berlaku/").status_code == status


def test_page_invitation_unknown_is_404(client):
    assert client.get("/partners/invitation/siapa/").status_code == 404


def test_page_members_manager_invites(
    client_as, manager_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(manager_member.user).post(
            f"/partners/{manager_member.partner_id}/members/",
            {"email": "rina@mitra.example", "role": "partner_reviewer"},
        )
    assert response.status_code == 200
    assert "/partners/invitation/" in response.context["new_link"]
    assert len(mail.outbox) == 1


def test_page_members_existing_user_invitation_asks_to_log_in(client):
    UserFactory(email="ada@mitra.example")
    PartnerInvitationFactory(email="ada@mitra.example", token="masuk")
    response = client.get("/partners/invitation/masuk/")
    assert (response.status_code, response.context["has_account"], response.context["form"]) == (
        200,
        True,
        None,
    )


def test_member_factory_for_other_partner_is_separate(manager_member, other_member):
    assert manager_member.partner != other_member.partner
    assert PartnerMemberFactory(partner=manager_member.partner).partner == manager_member.partner
