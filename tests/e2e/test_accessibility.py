"""Accessibility of the main pages: axe-core (tests/e2e/vendor, MPL-2.0) runs in the same Chromium
on every page a person meets on the journeys — public pages, the owner's (phone), the office's
(desktop) and the partner reviewer's (phone) — and finds no serious or critical violation of WCAG
2.1 A/AA or the best practices. The pages keep their strict CSP: axe-core comes in as the
browser context's init script, which the policy does not govern (no `bypass_csp`). The check
also asks that no page be wider than its window (reflow, WCAG 1.4.10)."""

import pytest

from ikm_portal.privacy.services import consent_give
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory
from tests.factories.accounts import PASSWORD
from tests.factories.registry import VerifiedEnterpriseFactory
from training.selection import services as selection_services
from training.selection.models import Review

from .helpers import AXE, axe_violations, describe, login
from .scenario import applicants, people, programme

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def axe_page(browser, live_server):
    """`axe_page("phone" | "desktop")`: a page with axe-core loaded in every document."""
    contexts = []

    def make(kind: str):
        size = {"phone": (390, 844), "desktop": (1280, 900)}[kind]
        context = browser.new_context(
            viewport={"width": size[0], "height": size[1]},
            is_mobile=kind == "phone",
            has_touch=kind == "phone",
            locale="id-ID",
            base_url=live_server.url,
        )
        context.set_default_timeout(10_000)
        context.add_init_script(path=str(AXE))
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _world():
    program = programme()
    _sanan, batik = applicants(program, 2)
    cast = people(program)
    stage = program.stages.get(order=1)
    selection_services.assignments_auto(
        stage=stage, actor=cast["staff"], reviewers=[cast["reviewer"]], per_application=1
    )
    review_sanan, review_batik = Review.objects.filter(stage=stage).order_by("application__pk")
    selection_services.review_save(
        review=review_sanan,
        actor=cast["reviewer"],
        scores=dict.fromkeys(
            ["potensi_efisiensi", "kesiapan_usaha", "komitmen", "dampak_tenaga_kerja"], 4
        ),
        comment="Layak dibina.",
    )
    owner = UserFactory(role="ikm_owner", full_name="Siti Aminah")
    draft_business = EnterpriseFactory(owner=owner, name="Sambal Pecel Bu Siti")
    verified = VerifiedEnterpriseFactory(owner=owner, name="Kue Kering Siti")
    VerifiedEnterpriseFactory(owner=owner, name="Keripik Apel Siti")
    draft = ApplicationFactory(program=program, enterprise=verified)
    submitted = EnterpriseFactory(submitted=True, name="Tahu Bakso Pak Karyo")
    news = consent_give(user=owner, purpose="news", context="consents_page", actor=owner)
    return {
        "program": program,
        "stage": stage,
        "owner": owner,
        "draft_business": draft_business,
        "draft_application": draft,
        "submitted_business": submitted,
        "eligible_application": batik,
        "review": review_sanan,
        "news_consent": news,
        "admin": UserFactory(role="office_admin", is_staff=True),
        "open_review": review_batik,
        **cast,
    }


def _check(page, paths, found: list[str]) -> None:
    width = page.viewport_size["width"]
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        violations = axe_violations(page)
        if violations:
            found.append(describe(path, violations))
        # Reflow (WCAG 1.4.10): nothing wider than the window, on the phone and the desktop.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            found.append(f"{path}: {scroll_width} px wide in a window of {width} px")


def _check_current(page, label: str, found: list[str]) -> None:
    violations = axe_violations(page)
    if violations:
        found.append(describe(label, violations))


def test_main_pages_have_no_serious_or_critical_violations(axe_page):
    w = _world()
    p, s = w["program"].pk, w["stage"].order
    found: list[str] = []

    public = axe_page("phone")
    # The harness works: axe is there under the CSP and reports a known fault.
    public.set_content(
        '<html lang="id"><head><title>Uji</title></head>'
        '<body><main><img src="x.png"></main></body></html>'
    )
    assert "image-alt" in [v["id"] for v in axe_violations(public)]
    public_pages = [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/programs/",
        f"/programs/{p}/",
        "/privacy/",
        "/terms/",
    ]
    _check(public, public_pages, found)
    # A form with its errors: summary on top, each beside its field.
    public.goto("/accounts/signup/")
    with public.expect_navigation():
        public.get_by_role("button", name="Daftar", exact=True).click()
    assert public.locator(".invalid-feedback").count() > 0
    _check_current(public, "/accounts/signup/ (errors)", found)
    _check(axe_page("desktop"), public_pages, found)

    owner = axe_page("phone")
    login(owner, w["owner"])
    d, a = w["draft_business"].pk, w["draft_application"].pk
    _check(
        owner,
        [
            "/dashboard/",
            "/registry/",
            "/registry/register/",
            *(
                f"/registry/business/{d}/step/{step}/"
                for step in ("owner", "business", "location", "workforce", "products")
            ),
            f"/registry/business/{d}/review/",
            f"/registry/business/{d}/",
            f"/programs/{p}/apply/",
            f"/programs/applications/{a}/edit/",
            f"/programs/applications/{a}/submit/",
            f"/programs/applications/{a}/",
            "/programs/applications/",
            "/accounts/profile/",
            "/notifications/",
            "/privacy/consents/",
            f"/privacy/consents/{w['news_consent'].pk}/withdraw/",
            "/privacy/acknowledge/",
            "/data/mine/",
            "/data/mine/who-saw/",
        ],
        found,
    )

    owner.goto(f"/registry/business/{d}/step/business/")
    owner.get_by_label("Nama usaha").fill("")
    with owner.expect_navigation():
        owner.get_by_role("button", name="Simpan dan lanjutkan").click()
    assert owner.locator(".invalid-feedback").count() > 0
    _check_current(owner, f"/registry/business/{d}/step/business/ (errors)", found)

    office = axe_page("desktop")
    login(office, w["staff"])
    _check(
        office,
        [
            "/dashboard/",
            "/registry/queue/",
            "/registry/list/",
            f"/registry/business/{w['submitted_business'].pk}/",
            f"/registry/business/{w['submitted_business'].pk}/action/verify/",
            f"/programs/{p}/applications/",
            f"/programs/applications/{w['eligible_application'].pk}/",
            "/programs/selection/",
            f"/programs/{p}/stages/{s}/",
            f"/programs/{p}/stages/{s}/settings/",
            f"/programs/{p}/stages/{s}/assignments/",
        ],
        found,
    )
    reviewer = axe_page("phone")
    login(reviewer, w["reviewer"])
    _check(
        reviewer,
        [
            "/programs/partner/",
            "/programs/reviews/",
            f"/programs/reviews/{w['review'].pk}/",
            f"/programs/reviews/{w['open_review'].pk}/",
        ],
        found,
    )

    selection_services.selection_preview(stage=w["stage"], actor=w["staff"])
    _check(
        office,
        [f"/programs/{p}/stages/{s}/selection/", f"/programs/{p}/stages/{s}/selection/publish/"],
        found,
    )
    run = selection_services.selection_publish(stage=w["stage"], actor=w["staff"])
    _check(
        office,
        [
            f"/programs/selection/runs/{run.pk}/",
            f"/programs/{p}/stages/{s}/decisions/",
            "/data/access-log/",
            "/data/requests/",
            "/accounts/two-factor/",
            "/accounts/two-factor/setup/",
        ],
        found,
    )

    # An office admin's second sign-in step (admins always have an authenticator).
    admin = axe_page("phone")
    admin.goto("/accounts/login/")
    admin.get_by_label("Alamat e-mail").fill(w["admin"].email)
    admin.get_by_label("Kata sandi").fill(PASSWORD)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Masuk").click()
    assert admin.url.endswith("/accounts/login/verify/")
    _check_current(admin, "/accounts/login/verify/", found)

    assert not found, "\n".join(found)
