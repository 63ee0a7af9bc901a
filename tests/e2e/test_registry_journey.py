"""The register's journey on a phone: an owner registers a business step by step (the kecamatan
choice narrows the kelurahan list through htmx), submits, and reads the office's request for a
revision; office staff find it in the queue on a desktop."""

import pytest

from registry.models import Enterprise
from registry.services.reference import (
    BUNDLED_KBLI,
    BUNDLED_POSTAL_CODES,
    BUNDLED_REGIONS,
    kbli_load,
    postal_codes_load,
    regions_load,
)
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _reference():
    regions_load(BUNDLED_REGIONS["malang"])
    postal_codes_load(BUNDLED_POSTAL_CODES)
    kbli_load(BUNDLED_KBLI)


def _login(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Alamat e-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/dashboard/")


def test_owner_registers_a_business_on_a_phone(phone, desktop):
    _reference()
    owner = UserFactory(role="ikm_owner", email="siti@example.id", full_name="Siti Aminah")
    staff = UserFactory(role="office_staff", email="staf@example.id")
    _login(phone, owner.email)
    phone.goto("/registry/register/")
    phone.get_by_label("NIK pemilik").fill("3573 0545 1285 0001")
    phone.get_by_label("Perempuan").check()
    phone.get_by_label("Saya telah membaca pemberitahuan privasi").check()
    phone.get_by_role("button", name="Simpan dan lanjutkan").click()

    phone.get_by_label("Nama usaha").fill("Keripik Tempe Sanan Jaya")
    phone.get_by_label("Bentuk usaha").select_option("ud")
    phone.get_by_label("Tahun berdiri").fill("2015")
    phone.get_by_role("button", name="Simpan dan lanjutkan").click()

    phone.get_by_label("Alamat usaha").fill("Jl. Sanan No. 12")
    with phone.expect_response("**/kelurahan-options/**"):
        phone.get_by_label("Kecamatan").select_option("35.73.01")
    options = phone.locator("#id_kelurahan option").all_inner_texts()
    assert "Purwantoro" in options and "Dinoyo" not in options
    phone.get_by_label("Kelurahan").select_option("35.73.01.1007")
    phone.get_by_role("button", name="Simpan dan lanjutkan").click()

    phone.get_by_label("Tenaga kerja laki-laki").fill("2")
    phone.get_by_label("Tenaga kerja perempuan").fill("3")
    phone.get_by_label("Investasi (Rp)").fill("75.000.000")
    phone.get_by_label("Omzet tahunan (Rp)").fill("360.000.000")
    phone.get_by_role("button", name="Simpan dan lanjutkan").click()

    phone.locator("#id_products-0-kbli").select_option(label="10391 Industri Tempe Kedelai")
    phone.locator("#id_products-0-name").fill("Keripik tempe")
    phone.get_by_role("button", name="Simpan dan tinjau").click()

    assert "Rp 75.000.000" in phone.content()
    assert "Industri kecil" in phone.content()
    phone.get_by_role("button", name="Ajukan ke dinas").click()
    phone.wait_for_url("**/registry/business/*/")
    enterprise = Enterprise.objects.get()
    assert (enterprise.status, enterprise.kecamatan_id, enterprise.postal_code) == (
        "submitted",
        "35.73.01",
        "65122",
    )
    assert phone.csp_errors == []
    # The page fits the phone: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    _login(desktop, staff.email)
    desktop.goto("/registry/queue/")
    assert "Keripik Tempe Sanan Jaya" in desktop.content()
    desktop.get_by_role("link", name="Periksa").first.click()
    desktop.get_by_role("link", name="Minta perbaikan").click()
    desktop.get_by_label("Alasan").fill("Lengkapi RT/RW.")
    desktop.get_by_role("button", name="Minta perbaikan").click()
    enterprise.refresh_from_db()
    assert enterprise.status == "needs_revision"

    phone.goto(f"/registry/business/{enterprise.pk}/")
    assert "Lengkapi RT/RW." in phone.content()
