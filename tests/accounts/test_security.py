import pytest
from django.test import Client
from django.utils import timezone

from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_locks_out_after_five_failures(owner):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": owner.email, "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_token_endpoint_locks_out_after_five_failures(api_client, owner):
    for _ in range(5):
        api_client.post(
            "/api/v1/auth/token/", {"email": owner.email, "password": "x"}, format="json"
        )
    response = api_client.post(
        "/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_lockout_is_per_account_not_global(owner, other_owner):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": owner.email, "password": "wrong-password"})
    response = client.post(
        "/accounts/login/", {"username": other_owner.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_success_resets_the_failure_count(owner):
    client = Client()
    for _ in range(4):
        client.post("/accounts/login/", {"username": owner.email, "password": "wrong-password"})
    assert (
        client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code
        == 302
    )
    client.logout()
    for _ in range(4):
        client.post("/accounts/login/", {"username": owner.email, "password": "wrong-password"})
    assert (
        client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code
        == 302
    )


def test_login_cycles_the_session_key(owner):
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen"
    client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert client.cookies["sessionid"].value != "attacker-chosen"


def _age_session(client, *, login_ago=0, seen_ago=0):
    session = client.session
    now = int(timezone.now().timestamp())
    session["_auth_login_at"] = now - login_ago
    session["_auth_seen_at"] = now - seen_ago
    session.save()


def test_idle_session_expires(client, owner, settings):
    client.force_login(owner)
    _age_session(client, seen_ago=settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/dashboard/").status_code == 302


def test_absolute_session_timeout(client, owner, settings):
    client.force_login(owner)
    _age_session(client, login_ago=settings.SESSION_ABSOLUTE_TIMEOUT + 5)
    assert client.get("/dashboard/").status_code == 302


def test_active_session_stays(client, owner, settings):
    client.force_login(owner)
    _age_session(client, login_ago=60, seen_ago=settings.SESSION_IDLE_TIMEOUT - 60)
    assert client.get("/dashboard/").status_code == 200


def test_expired_session_on_api_is_401(client, owner, settings):
    client.force_login(owner)
    _age_session(client, seen_ago=settings.SESSION_IDLE_TIMEOUT + 5)
    assert client.get("/api/v1/accounts/me/").status_code == 401


def test_password_change_ends_other_sessions_and_tokens(owner):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=owner)
    other = Client()
    other.force_login(owner)
    me = Client()
    me.force_login(owner)
    response = me.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "sanan-tempe-99x",
            "new_password2": "sanan-tempe-99x",
        },
    )
    assert response.status_code == 302
    assert me.get("/dashboard/").status_code == 200
    assert other.get("/dashboard/").status_code == 302
    assert not Token.objects.filter(key=token.key).exists()


def test_password_reset_ends_every_session_and_token(
    client, owner, django_capture_on_commit_callbacks
):
    from django.core import mail
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=owner)
    laptop, phone = Client(), Client()
    laptop.force_login(owner)
    phone.force_login(owner)
    assert laptop.get("/dashboard/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": owner.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    response = client.get(link.split("testserver", 1)[1].strip(), follow=True)
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "topeng-malangan-2026", "new_password2": "topeng-malangan-2026"},
    )
    assert response.status_code == 302
    assert laptop.get("/dashboard/").status_code == 302
    assert phone.get("/dashboard/").status_code == 302
    assert not Token.objects.filter(key=token.key).exists()
    assert "_auth_user_id" not in client.session  # the reset itself signs nobody in


def test_login_with_two_factor_cycles_the_session_key_too():
    from tests.factories.accounts import UserFactory, totp_code

    user = UserFactory(role="office_staff", two_factor=True)
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen"
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    pending = client.cookies["sessionid"].value
    client.post("/accounts/login/verify/", {"code": totp_code(user)})
    assert client.cookies["sessionid"].value not in {"attacker-chosen", pending}
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("tempe-san", "Kata sandi terlalu pendek. Harus mengandung setidaknya 10 karakter."),
        ("qwertyuiop", "Kata sandi ini terlalu umum."),
        ("password1234", "Kata sandi ini terlalu umum."),
        ("tempe-sana", None),  # exactly 10 characters, not common
    ],
)
def test_password_rules_on_change(client, owner, password, error):
    client.force_login(owner)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    if error is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["new_password2"] == [error]
