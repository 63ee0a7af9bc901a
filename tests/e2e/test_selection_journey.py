"""Review and selection, through the real pages, carrying on from where the owner's journey ends
(three eligible applications, consented to share with the partner): the office shares them out to
the partner's reviewer, who scores each on a phone against the rubric; the office computes the
preview, checks it and publishes it after the confirmation step; the owners read their decision.
Screenshots of every step: artifacts/test_partner_scores_and_the_office_publishes_the_selection/."""

import pytest

from training.models import Application
from training.selection.models import Review, SelectionRun, StageSettings

from .helpers import Shots, login
from .scenario import applicants, people, programme

pytestmark = pytest.mark.django_db(transaction=True)

CRITERIA = ["Potensi efisiensi", "Kesiapan usaha", "Komitmen", "Dampak tenaga kerja"]
LEVEL = {"Keripik Tempe Sanan Jaya": 5, "Batik Celaket": 4, "Kripik Buah Dewi": 2}


def _score(page, level: int) -> None:
    for label in CRITERIA:
        # The scale is a row of toggle buttons: the radio is hidden behind its label.
        page.get_by_role("group", name=label).locator("label", has_text=str(level)).click()
    page.get_by_label("Komentar").fill(f"Dinilai {level} pada setiap kriteria.")


def test_partner_scores_and_the_office_publishes_the_selection(phone, desktop, request):
    shot = Shots(request.node.name)
    program = programme()
    program.stages.update(seats=2)
    stage = program.stages.get(order=1)
    StageSettings.objects.filter(stage=stage).update(waitlist_length=1)
    sanan, _batik, _dewi = applicants(program, 3)
    cast = people(program)

    # The office shares the applications out among the partner's reviewers.
    login(desktop, cast["staff"])
    desktop.goto("/programs/selection/")
    shot(desktop, "selection-home")
    desktop.get_by_role("link", name="Buka").first.click()
    desktop.get_by_role("link", name="Penilai", exact=True).click()
    desktop.get_by_label("Penilai per pendaftaran").fill("1")
    shot(desktop, "assignments")
    desktop.get_by_role("button", name="Tugaskan", exact=True).click()
    assert Review.objects.filter(stage=stage, reviewer=cast["reviewer"]).count() == 3
    shot(desktop, "assigned")

    # The partner's reviewer scores all three on a phone, one after the other.
    login(phone, cast["reviewer"])
    phone.goto("/programs/reviews/")
    shot(phone, "review-queue")
    phone.get_by_role("link", name="Mulai dari yang berikutnya").click()
    for n in range(3):
        phone.wait_for_url("**/programs/reviews/*/")
        name = phone.get_by_role("heading", level=1).inner_text().strip()
        _score(phone, LEVEL[name])
        shot(phone, f"review-{n + 1}")
        phone.get_by_role("button", name="Simpan dan lanjut").click()
    phone.wait_for_url("**/programs/reviews/")
    assert sorted(Review.objects.values_list("status", flat=True)) == ["submitted"] * 3
    shot(phone, "reviews-done")

    # The office computes the preview, checks it and publishes after the confirmation step.
    desktop.goto(f"/programs/{program.pk}/stages/1/")
    desktop.locator(".nav-tabs").get_by_role("link", name="Seleksi").click()
    desktop.get_by_role("button", name="Hitung pratinjau").click()
    shot(desktop, "preview")
    desktop.get_by_role("link", name="Umumkan keputusan…").click()
    shot(desktop, "publish-confirm")
    desktop.get_by_role("button", name="Umumkan sekarang").click()
    desktop.wait_for_url("**/programs/selection/runs/*/")
    shot(desktop, "published")
    assert SelectionRun.objects.get().status == "published"
    statuses = dict(Application.objects.values_list("enterprise__name", "status"))
    assert statuses == {
        "Keripik Tempe Sanan Jaya": "selected",
        "Batik Celaket": "selected",
        "Kripik Buah Dewi": "waitlisted",
    }

    # An owner reads the decision.
    phone.context.clear_cookies()
    login(phone, sanan.enterprise.owner)
    phone.goto("/programs/applications/")
    assert "Terpilih" in phone.locator("main").inner_text()
    shot(phone, "owner-decision")
    assert phone.csp_errors == []
    assert desktop.csp_errors == []
