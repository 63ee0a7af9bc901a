"""An owner's way in, through the real pages: she signs up on a phone, registers her business
step by step (the kecamatan choice narrows the kelurahan list through htmx), corrects it when the
office asks, and once the office has verified it applies to the partner's programme — two tracks,
the questions (one appears only for the track chosen), the consent to share — and submits. The
automatic check finds no NIB; the office screens the application by hand and she reads why.
Screenshots of every step: artifacts/test_owner_signs_up_registers_and_applies/."""

import re

import pytest

from ikm_portal.accounts.models import User
from registry.models import Enterprise
from training.models import Application

from .helpers import Shots, login, reference
from .scenario import PARTNER, PROGRAMME, people, programme

pytestmark = pytest.mark.django_db(transaction=True)


def _next(page):
    page.get_by_role("button", name="Simpan dan lanjutkan").click()


def test_owner_signs_up_registers_and_applies(phone, desktop, request):
    shot = Shots(request.node.name)
    reference()
    program = programme(require_nib=True)
    staff = people(program)["staff"]

    # Sign up on the phone.
    phone.goto("/")
    shot(phone, "home")
    phone.get_by_role("link", name="Daftarkan usaha").first.click()
    phone.get_by_label("Alamat e-mail").fill("siti@example.id")
    phone.get_by_label("Nama lengkap").fill("Siti Aminah")
    phone.get_by_label("Nomor ponsel").fill("0813 3333 4444")
    phone.locator("#id_password1").fill("tempe-sanan-2026")
    phone.locator("#id_password2").fill("tempe-sanan-2026")
    phone.get_by_label("Saya menyetujui ketentuan penggunaan dan pemberitahuan privasi.").check()
    shot(phone, "signup")
    phone.get_by_role("button", name="Daftar", exact=True).click()
    phone.wait_for_url("**/dashboard/")
    assert "Halo, Siti" in phone.content()
    owner = User.objects.get(email="siti@example.id")
    assert owner.phone == "+6281333334444"
    shot(phone, "dashboard")

    # Register the business, five steps and a review, one column on the phone.
    phone.goto("/registry/register/")
    phone.get_by_label("NIK pemilik").fill("3573 0545 1285 0001")
    phone.get_by_label("Perempuan").check()
    phone.get_by_label("Saya telah membaca pemberitahuan privasi").check()
    shot(phone, "register-owner")
    _next(phone)
    phone.get_by_label("Nama usaha").fill("Keripik Tempe Sanan Jaya")
    phone.get_by_label("Bentuk usaha").select_option("ud")
    phone.get_by_label("Tahun berdiri").fill("2015")
    shot(phone, "register-business")
    _next(phone)
    phone.get_by_label("Alamat usaha").fill("Jl. Sanan No. 12")
    with phone.expect_response("**/kelurahan-options/**"):
        phone.get_by_label("Kecamatan").select_option("35.73.01")
    options = phone.locator("#id_kelurahan option").all_inner_texts()
    assert "Purwantoro" in options and "Dinoyo" not in options
    phone.get_by_label("Kelurahan").select_option("35.73.01.1007")
    shot(phone, "register-location")
    _next(phone)
    phone.get_by_label("Tenaga kerja laki-laki").fill("2")
    phone.get_by_label("Tenaga kerja perempuan").fill("3")
    phone.get_by_label("Investasi (Rp)").fill("75.000.000")
    phone.get_by_label("Omzet tahunan (Rp)").fill("360.000.000")
    shot(phone, "register-workforce")
    _next(phone)
    phone.locator("#id_products-0-kbli").select_option(label="10391 Industri Tempe Kedelai")
    phone.locator("#id_products-0-name").fill("Keripik tempe")
    shot(phone, "register-products")
    phone.get_by_role("button", name="Simpan dan tinjau").click()
    assert "Rp 75.000.000" in phone.content()
    assert "Industri kecil" in phone.content()
    shot(phone, "register-review")
    phone.get_by_role("button", name="Ajukan ke dinas").click()
    phone.wait_for_url("**/registry/business/*/")
    enterprise = Enterprise.objects.get()
    assert (enterprise.status, enterprise.kecamatan_id, enterprise.postal_code) == (
        "submitted",
        "35.73.01",
        "65122",
    )
    # The page fits the phone: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "register-submitted")

    # The office asks for a revision (desktop) ...
    login(desktop, staff)
    desktop.goto("/registry/queue/")
    assert "Keripik Tempe Sanan Jaya" in desktop.content()
    shot(desktop, "staff-queue")
    desktop.get_by_role("link", name="Periksa").first.click()
    desktop.get_by_role("link", name="Minta perbaikan").click()
    desktop.get_by_label("Alasan").fill("Lengkapi RT/RW.")
    desktop.get_by_role("button", name="Minta perbaikan").click()
    enterprise.refresh_from_db()
    assert enterprise.status == "needs_revision"

    # ... the owner reads it, corrects the location and submits again ...
    phone.goto(f"/registry/business/{enterprise.pk}/")
    assert "Lengkapi RT/RW." in phone.content()
    shot(phone, "revision-asked")
    phone.get_by_role("link", name="Perbaiki dan ajukan kembali").first.click()
    phone.get_by_role("link", name="3. Lokasi").click()
    phone.get_by_label("RT/RW").fill("003/005")
    _next(phone)
    phone.goto(f"/registry/business/{enterprise.pk}/review/")
    phone.get_by_role("button", name="Ajukan ke dinas").click()
    phone.wait_for_url("**/registry/business/*/")
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.rt_rw) == ("submitted", "003/005")

    # ... and the office verifies it.
    desktop.goto("/registry/queue/")
    desktop.get_by_role("link", name="Periksa").first.click()
    desktop.get_by_role("link", name="Verifikasi", exact=True).click()
    shot(desktop, "staff-verify")
    desktop.get_by_role("button", name="Verifikasi", exact=True).click()
    enterprise.refresh_from_db()
    assert enterprise.status == "verified"

    # The owner applies to the programme.
    phone.goto("/programs/")
    shot(phone, "programmes")
    phone.get_by_role("link", name=PROGRAMME).first.click()
    shot(phone, "programme")
    phone.get_by_role("link", name="Daftar sekarang").click()
    phone.get_by_role("button", name="Mulai pendaftaran").click()
    phone.wait_for_url("**/programs/applications/*/edit/")
    phone.get_by_label("Pilihan pertama").select_option(label="Efisiensi Produksi")
    phone.get_by_label("Pilihan kedua (opsional)").select_option(label="Pemasaran Digital")
    phone.get_by_label("Apa kendala produksi terbesar usaha Anda?").fill(
        "Penggorengan masih manual sehingga hasil tidak seragam."
    )
    phone.get_by_label(re.compile(f"dibagikan kepada {PARTNER}")).check()
    phone.get_by_role("button", name="Simpan draf").click()
    # The first track's question appears once the track is saved.
    phone.get_by_label("Apakah usaha Anda sudah memakai mesin produksi?").select_option(label="Ya")
    shot(phone, "application-form")
    phone.get_by_role("button", name="Simpan dan tinjau").click()
    phone.wait_for_url("**/submit/")
    shot(phone, "application-review")
    phone.get_by_role("button", name="Ajukan pendaftaran").click()
    phone.wait_for_url("**/programs/applications/*/")
    application = Application.objects.get()
    assert [c.track.name for c in application.track_choices.order_by("preference")] == [
        "Efisiensi Produksi",
        "Pemasaran Digital",
    ]
    assert application.consent_share_with_partner is True
    # Screening ran after the commit: no NIB.
    assert application.status == "ineligible"
    shot(phone, "application-submitted")

    # The office screens it by hand: the NIB is being issued.
    desktop.goto(f"/programs/{program.pk}/applications/")
    shot(desktop, "staff-applications")
    desktop.get_by_role("link", name="Keripik Tempe Sanan Jaya").click()
    desktop.get_by_label("Memenuhi syarat", exact=True).check()
    desktop.get_by_label("Alasan (dibaca pemilik usaha)").fill("NIB sedang diterbitkan OSS.")
    desktop.get_by_role("button", name="Catat keputusan").click()
    application.refresh_from_db()
    assert (application.status, application.status_reason) == (
        "eligible",
        "NIB sedang diterbitkan OSS.",
    )
    shot(desktop, "staff-screened")

    phone.reload()
    assert "NIB sedang diterbitkan OSS." in phone.content()
    shot(phone, "application-eligible")
    assert phone.csp_errors == []
