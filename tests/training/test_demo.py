"""`make run`'s demo: the Sampoerna-like programme with about 150 applications."""

import io

import pytest
from django.core.management import call_command

from ikm_portal.accounts.models import User
from training.choices import ApplicationStatus, ProgramStatus
from training.demo import TITLE
from training.models import Application, Program
from training.selectors import application_list


@pytest.mark.django_db
def test_demo_holds_the_sampoerna_programme_with_about_150_applications(client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    program = Program.objects.get(title=TITLE)
    assert program.status == ProgramStatus.OPEN
    assert program.partner.name == "PT HM Sampoerna Tbk"
    assert program.agreement.partner == program.partner
    assert (program.venue_name, program.venue_address) == ("PPK Sampoerna", "Sukorejo, Pasuruan")
    assert list(program.tracks.values_list("name", flat=True)) == [
        "Efisiensi Produksi",
        "Pengemasan & Label",
        "Pemasaran Digital",
        "Manajemen Keuangan",
        "Pengolahan Pangan",
    ]
    assert list(program.stages.values_list("order", "name", "seats")) == [
        (1, "Pembinaan", 100),
        (2, "Pembinaan Lanjutan", 20),
    ]
    count = program.applications.count()
    assert 140 <= count <= 160
    # The partner's reviewer sees only the eligible applicants who consented.
    reviewer = User.objects.get(email="reviewer@demo.ikm.id")
    seen = set(application_list(user=reviewer).values_list("status", flat=True))
    assert seen == {ApplicationStatus.ELIGIBLE}
    other = User.objects.get(email="mitra-ub@demo.ikm.id")
    assert application_list(user=other).count() == 0
    # Both demo owners can still apply: through the pages and through the API.
    for email in ("pemilik@demo.ikm.id", "pemilik2@demo.ikm.id"):
        assert client.login(email=email, password="ikm-demo-2026")
        assert client.get(f"/programs/{program.pk}/").context["can_apply"] is True
        client.logout()
    # Loading again adds nothing.
    call_command("load_demo", stdout=io.StringIO())
    assert Application.objects.filter(program=program).count() == count
