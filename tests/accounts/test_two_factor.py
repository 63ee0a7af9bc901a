import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from ikm_portal.core.models import ActivityLog
from tests.factories.accounts import PASSWORD, UserFactory, give_totp_device, totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/login/verify/"
SETUP = "/accounts/two-factor/setup/"


@pytest.fixture
def staff_2fa(db):
    return UserFactory(role="office_staff", two_factor=True)


def _password_step(client, user, next_url=""):
    data = {"username": user.email, "password": PASSWORD}
    url = f"{LOGIN}?next={next_url}" if next_url else LOGIN
    return client.post(url, data)


# --- The two-step sign-in ---------------------------------------------------------------------


def test_password_alone_does_not_sign_in_a_user_with_two_factor(staff_2fa):
    client = Client()
    response = _password_step(client, staff_2fa)
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/").status_code == 302


def test_the_right_code_completes_the_sign_in_with_a_new_session_key(staff_2fa):
    client = Client()
    _password_step(client, staff_2fa, next_url="/notifications/")
    before = client.cookies["sessionid"].value
    response = client.post(VERIFY, {"code": totp_code(staff_2fa)})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    assert client.cookies["sessionid"].value != before
    assert client.session["_auth_user_id"] == str(staff_2fa.pk)
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_code_is_a_form_error_and_no_sign_in(staff_2fa):
    client = Client()
    _password_step(client, staff_2fa)
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Kode tidak benar."]}
    assert "_auth_user_id" not in client.session


def test_the_code_step_without_the_password_step_goes_back_to_login(staff_2fa):
    response = Client().post(VERIFY, {"code": totp_code(staff_2fa)})
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_wrong_codes_count_towards_the_lockout(staff_2fa):
    client = Client()
    _password_step(client, staff_2fa)
    statuses = [client.post(VERIFY, {"code": "000000"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post(VERIFY, {"code": totp_code(staff_2fa)})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The password step is locked too.
    assert _password_step(Client(), staff_2fa).status_code == 429


def test_a_recovery_code_signs_in_once(staff_2fa):
    from ikm_portal.accounts.twofactor import recovery_codes_regenerate

    codes = recovery_codes_regenerate(user=staff_2fa)
    client = Client()
    _password_step(client, staff_2fa)
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "9 left" in response.content.decode() or "tersisa 9" in response.content.decode()
    assert StaticToken.objects.filter(device__user=staff_2fa).count() == 9
    again = Client()
    _password_step(again, staff_2fa)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert "_auth_user_id" not in again.session


def test_a_session_opened_before_two_factor_was_set_up_is_ended(staff):
    client = Client()
    client.force_login(staff)
    assert client.get("/dashboard/").status_code == 200
    give_totp_device(staff)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_admin_login_form_redirects_to_the_two_step_login():
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


# --- Required for office administrators -------------------------------------------------------


def test_office_admin_without_two_factor_reaches_only_the_enrolment(client):
    admin = UserFactory(role="office_admin", is_staff=True, two_factor=False)
    client.force_login(admin)
    for url in ["/dashboard/", "/admin/", "/registry/list/", "/accounts/profile/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SETUP
    response = client.get("/api/v1/accounts/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"
    assert client.get(SETUP).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_office_admin_without_two_factor_gets_no_api_token(api_client):
    admin = UserFactory(role="office_admin", is_staff=True, two_factor=False)
    response = api_client.post(
        "/api/v1/auth/token/", {"email": admin.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["otp"]
    assert not Token.objects.filter(user=admin).exists()


def test_office_admin_with_two_factor_signs_in_with_the_code(office_admin):
    client = Client()
    assert _password_step(client, office_admin)["Location"] == VERIFY
    client.post(VERIFY, {"code": totp_code(office_admin)})
    assert client.get("/admin/").status_code == 200


# --- Enrolment, recovery codes, turning off ---------------------------------------------------


def test_enrolment_with_qr_code_and_confirmation(client, staff):
    Token.objects.create(user=staff)
    client.force_login(staff)
    response = client.get(SETUP)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.get(SETUP).status_code == 200  # reloading keeps the same device
    assert TOTPDevice.objects.filter(user=staff).count() == 1

    response = client.post(SETUP, {"code": totp_code_for(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)) == (
        set(codes)
    )
    assert not Token.objects.filter(user=staff).exists()
    assert ActivityLog.objects.filter(action="user.two_factor_enabled").count() == 1
    # This session was verified by the confirmation: it goes on.
    assert client.get("/dashboard/").status_code == 200


def test_enrolment_with_a_wrong_code_stays_off(client, staff):
    client.force_login(staff)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "123456"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def totp_code_for(device):
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_owners_are_not_offered_two_factor(client, owner):
    client.force_login(owner)
    assert client.get("/accounts/two-factor/").status_code == 404
    assert client.get(SETUP).status_code == 404


def test_partner_users_are_offered_two_factor(client, partner_reviewer):
    client.force_login(partner_reviewer)
    assert "/accounts/two-factor/" in client.get("/accounts/profile/").content.decode()
    assert client.get("/accounts/two-factor/").status_code == 200


def test_turning_off_needs_the_password(client, staff_2fa):
    client.force_login(staff_2fa)
    client.post("/accounts/two-factor/disable/", {"off-password": "wrong-password"})
    assert TOTPDevice.objects.filter(user=staff_2fa).exists()
    response = client.post("/accounts/two-factor/disable/", {"off-password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff_2fa).exists()
    assert _password_step(Client(), staff_2fa)["Location"] == "/dashboard/"


def test_new_recovery_codes_replace_the_old(client, staff_2fa):
    from ikm_portal.accounts.twofactor import recovery_codes_regenerate

    old = recovery_codes_regenerate(user=staff_2fa)
    client.force_login(staff_2fa)
    response = client.post("/accounts/two-factor/recovery-codes/", {"renew-password": PASSWORD})
    new = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(new) == 10
    assert not StaticToken.objects.filter(token__in=old).exists()


# --- The token endpoint -----------------------------------------------------------------------


def _token(api_client, user, **extra):
    return api_client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": PASSWORD, **extra}, format="json"
    )


def test_token_needs_the_code_when_two_factor_is_on(api_client, staff_2fa):
    response = _token(api_client, staff_2fa)
    assert response.status_code == 400
    assert response.json() == {"otp": ["Masukkan kode dari aplikasi autentikator Anda."]}
    response = _token(api_client, staff_2fa, otp=totp_code(staff_2fa))
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=staff_2fa).key}


def test_token_with_a_wrong_code_is_400_on_the_otp_field(api_client, staff_2fa):
    response = _token(api_client, staff_2fa, otp="000000")
    assert response.status_code == 400
    assert response.json() == {"otp": ["Kode tidak benar."]}
    assert not Token.objects.filter(user=staff_2fa).exists()


def test_token_wrong_codes_lock_out(api_client, staff_2fa):
    statuses = [_token(api_client, staff_2fa, otp="000000").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    assert _token(api_client, staff_2fa, otp=totp_code(staff_2fa)).status_code == 429


def test_token_without_two_factor_keeps_its_contract(api_client, staff):
    response = _token(api_client, staff)
    assert response.status_code == 200
    assert list(response.json()) == ["token"]


# --- Demo ----------------------------------------------------------------------------------------


def test_demo_admin_signs_in_with_the_documented_key_or_a_recovery_code():
    from base64 import b32decode

    from ikm_portal.accounts.demo import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRET, load_demo
    from ikm_portal.core.demo import DEMO_PASSWORD

    load_demo(None)
    load_demo(None)  # idempotent: still one device, all codes back
    admin_device = TOTPDevice.objects.get(user__email="admin@demo.ikm.id")
    assert admin_device.key == b32decode(DEMO_TOTP_SECRET).hex()
    client = Client()
    client.post(LOGIN, {"username": "admin@demo.ikm.id", "password": DEMO_PASSWORD})
    assert client.post(VERIFY, {"code": DEMO_RECOVERY_CODES[0]}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client = Client()
    client.post(LOGIN, {"username": "admin@demo.ikm.id", "password": DEMO_PASSWORD})
    assert client.post(VERIFY, {"code": totp_code_for(admin_device)}).status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_admin_lists_devices_without_their_keys(client, office_admin, staff_2fa):
    client.force_login(office_admin)
    device = TOTPDevice.objects.get(user=staff_2fa)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page


def test_unverified_session_on_the_api_is_401(staff):
    client = Client()
    client.force_login(staff)
    give_totp_device(staff)
    assert client.get("/api/v1/accounts/me/").status_code == 401


def test_recovery_codes_are_never_all_digits(staff_2fa):
    from ikm_portal.accounts.twofactor import recovery_codes_regenerate

    for _ in range(20):
        assert not any(code.isdigit() for code in recovery_codes_regenerate(user=staff_2fa))


def test_two_factor_page_has_unique_field_ids(client, staff_2fa):
    client.force_login(staff_2fa)
    page = client.get("/accounts/two-factor/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert 'id="id_renew-password"' in page and 'id="id_off-password"' in page
