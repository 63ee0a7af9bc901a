"""The first privacy notice version, and the acknowledgements users already gave at sign-up
(User.privacy_version) recorded as consents for the register."""

import datetime

from django.conf import settings
from django.db import migrations

TEXT_ID = """Dinas mengelola pendaftaran Industri Kecil dan Menengah (IKM) sebagai pelayanan publik, berdasarkan Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi.

Kami mengumpulkan data akun Anda (nama, e-mail, nomor ponsel), data usaha Anda, dan NIK pemilik. NIK disimpan terenkripsi dan selalu ditampilkan tersamar.

Data usaha dan NIK digunakan untuk menjaga daftar IKM, memverifikasi bahwa usaha itu milik Anda, dan melayani Anda. Untuk itu kami tidak meminta persetujuan: dinas menjalankan tugas pelayanan publik.

Lamaran Anda ke program pelatihan yang diselenggarakan bersama perusahaan mitra hanya dibagikan kepada mitra tersebut dengan persetujuan Anda, per program. Berita dari dinas hanya dikirim jika Anda menyetujuinya. Kedua persetujuan itu dapat Anda tarik kapan saja di halaman "Persetujuan saya"; penarikan berlaku sejak saat itu.

Setiap kali pengguna mitra melihat data pribadi pelamar, hal itu dicatat."""

TEXT_EN = """The office keeps the register of small and medium industry (IKM) as a public service, under Law 27/2022 on Personal Data Protection.

We collect your account data (name, e-mail, mobile number), your business data and the owner's NIK. The NIK is stored encrypted and always shown masked.

The business data and NIK are used to keep the register, to verify that the business is yours, and to serve you. For this we do not ask for consent: the office carries out a public-service duty.

Your applications to training programmes run with a partner company are shared with that partner only with your consent, per programme. News from the office is sent only if you agree. You can withdraw either consent at any time on the "My consents" page; the withdrawal applies from then on.

Every time a partner user views an applicant's personal data, it is logged."""


def seed(apps, schema_editor):
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    Consent = apps.get_model("privacy", "Consent")
    User = apps.get_model("accounts", "User")
    version = settings.PRIVACY_NOTICE_VERSION
    PrivacyNotice.objects.get_or_create(
        version=version,
        defaults={
            "effective_on": datetime.date(2026, 11, 1),
            "text_id": TEXT_ID,
            "text_en": TEXT_EN,
        },
    )
    rows = []
    for user in User.objects.exclude(privacy_version="").exclude(terms_accepted_at=None):
        rows.append(
            Consent(
                user=user,
                purpose="registry",
                notice_version=user.privacy_version,
                given_at=user.terms_accepted_at,
                given_context="signup",
                given_channel="page",
            )
        )
    Consent.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
