"""Two-factor sign-in in the browser: an office administrator without an authenticator is sent
to the enrolment, scans (here: reads) the key, confirms a code, keeps the recovery codes, and
signs in again in two steps. The QR code is a data: image, so the CSP stays strict."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _password_step(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Alamat e-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_office_admin_enrols_and_signs_in_with_a_code(phone):
    admin = UserFactory(role="office_admin", is_staff=True, two_factor=False)
    _password_step(phone, admin.email)
    phone.wait_for_url("**/accounts/two-factor/setup/")
    qr = phone.get_by_role("img", name="Kode QR untuk aplikasi autentikator")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = phone.locator("code").inner_text()
    phone.get_by_label("Kode dari aplikasi").fill(_code(secret))
    phone.get_by_role("button", name="Aktifkan").click()
    codes = phone.locator("ul.font-monospace li").all_inner_texts()
    assert len(codes) == 10
    phone.get_by_role("link", name="Sudah saya simpan").click()
    phone.wait_for_url("**/accounts/two-factor/")

    phone.context.clear_cookies()
    _password_step(phone, admin.email)
    phone.wait_for_url("**/accounts/login/verify/")
    phone.get_by_label("Kode autentikasi").fill(_code(secret, steps_ahead=1))
    phone.get_by_role("button", name="Lanjutkan").click()
    phone.wait_for_url("**/dashboard/")
    assert phone.csp_errors == []
