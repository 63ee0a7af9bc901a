import pytest
from django.core import mail
from rest_framework.authtoken.models import Token

from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_token_for_good_credentials(api_client, owner):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": owner.email.upper(), "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=owner).key}


def test_token_for_bad_password_is_400(api_client, owner):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": owner.email, "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Alamat e-mail atau kata sandi salah."]}


def test_token_authenticates_me(api_client, staff):
    token = Token.objects.create(user=staff)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/v1/accounts/me/")
    assert response.status_code == 200
    assert response.json()["email"] == staff.email
    assert response.json()["roles"] == ["office_staff"]


def test_me_anonymous_is_401(api_client):
    assert api_client.get("/api/v1/accounts/me/").status_code == 401


def test_session_api_needs_csrf(client, owner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    response = strict.post("/api/v1/auth/token/", {}, content_type="application/json")
    # The token endpoint takes no session auth, so CSRF does not apply there ...
    assert response.status_code == 400
    # ... but session-authenticated writes elsewhere do; /me/ only allows GET.
    assert strict.post("/api/v1/accounts/me/").status_code == 403


def test_login_page_with_email(client, owner):
    response = client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_login_page_bad_password_message(client, owner):
    response = client.post("/accounts/login/", {"username": owner.email, "password": "nope"})
    assert response.status_code == 200
    assert "Alamat e-mail atau kata sandi salah." in response.content.decode()


def test_language_preference_applies_after_login(client):
    user = UserFactory(role="ikm_owner", language="en")
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    response = client.get("/dashboard/")
    assert response["Content-Language"] == "en"
    assert "Log out" in response.content.decode()


def test_language_switch_persists_to_profile_and_across_login(client, owner):
    client.force_login(owner)
    response = client.post("/accounts/language/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.language == "en"
    client.logout()
    client.cookies.clear()
    client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert client.get("/dashboard/")["Content-Language"] == "en"


def test_language_switch_refuses_foreign_redirect(client):
    response = client.post(
        "/accounts/language/", {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_profile_updates_name_phone_language(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/profile/", {"full_name": "Nama Baru", "phone": "6285712345678", "language": "en"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.full_name, owner.phone, owner.language) == ("Nama Baru", "+6285712345678", "en")


def test_profile_bad_phone_is_a_form_error(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/profile/", {"full_name": "X", "phone": "999", "language": "id"}
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors


def test_password_change(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "gerabah-penanggungan",
            "new_password2": "gerabah-penanggungan",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("gerabah-penanggungan")


def test_password_reset_mails_a_working_link(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1].strip()
    response = client.get(path, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "topeng-malangan-2026", "new_password2": "topeng-malangan-2026"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("topeng-malangan-2026")


def test_password_reset_unknown_email_sends_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.id"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_admin_open_to_office_admin_only(client, office_admin, staff):
    client.force_login(office_admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
