import pytest

from ikm_portal.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_signs_up_on_a_phone(phone):
    phone.goto("/")
    phone.get_by_role("link", name="Daftarkan usaha").first.click()
    phone.get_by_label("Alamat e-mail").fill("ani@example.id")
    phone.get_by_label("Nama lengkap").fill("Ani Rahmawati")
    phone.get_by_label("Nomor ponsel").fill("0813 3333 4444")
    phone.locator("#id_password1").fill("batik-celaket-2026")
    phone.locator("#id_password2").fill("batik-celaket-2026")
    phone.get_by_label("Saya menyetujui ketentuan penggunaan dan pemberitahuan privasi.").check()
    phone.get_by_role("button", name="Daftar").click()
    phone.wait_for_url("**/dashboard/")
    assert "Halo, Ani" in phone.content()
    assert User.objects.get().phone == "+6281333334444"
    assert phone.csp_errors == []


def test_signup_errors_are_shown_beside_the_fields(phone):
    phone.goto("/accounts/signup/")
    phone.get_by_label("Nomor ponsel").fill("12345")
    phone.get_by_role("button", name="Daftar").click()
    error = phone.locator("#id_phone_error")
    assert "nomor ponsel Indonesia" in error.inner_text()
    assert phone.get_by_label("Nomor ponsel").get_attribute("aria-invalid") == "true"


def test_language_switch_to_english(phone):
    phone.goto("/accounts/login/")
    phone.get_by_role("button", name="Menu").click()
    with phone.expect_navigation():
        phone.get_by_label("Bahasa", exact=True).select_option("en")
    assert phone.get_by_role("heading", name="Log in").is_visible()
