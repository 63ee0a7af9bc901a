"""`make run`'s demo: the Sampoerna-like programme with about 150 applications."""

import io
from importlib import import_module

import pytest

from ikm_portal.accounts.models import User
from training.choices import ApplicationStatus, ProgramStatus
from training.demo import TITLE
from training.models import Application, Program
from training.selectors import application_list

# The demo loaders this programme stands on, in the order `manage.py load_demo` runs them (the
# selection and participation demos that follow are left out: they are slow and tested apart).
MODULES = ["ikm_portal.accounts.demo", "registry.demo", "partnerships.demo", "training.demo"]


def load(out):
    modules = [import_module(name) for name in MODULES]
    for module in modules:
        if hasattr(module, "load_reference"):
            module.load_reference(out)
    for module in modules:
        module.load_demo(out)


@pytest.mark.django_db
def test_demo_holds_the_sampoerna_programme_with_about_150_applications(client):
    out = io.StringIO()
    load(out)
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
    seen = application_list(user=reviewer).filter(program=program)
    assert set(seen.values_list("status", flat=True)) == {ApplicationStatus.ELIGIBLE}
    assert set(seen.values_list("consent_share_with_partner", flat=True)) == {True}
    other = User.objects.get(email="mitra-ub@demo.ikm.id")
    assert application_list(user=other).count() == 0
    # Both demo owners can still apply: through the pages and through the API.
    for email in ("pemilik@demo.ikm.id", "pemilik2@demo.ikm.id"):
        assert client.login(email=email, password="ikm-demo-2026")
        assert client.get(f"/programs/{program.pk}/").context["can_apply"] is True
        client.logout()
    # Loading again adds nothing.
    load(io.StringIO())
    assert Application.objects.filter(program=program).count() == count
