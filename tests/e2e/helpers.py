"""What the browser journeys share: logging in through the real page, numbered screenshots of
each main step, the bundled reference data and axe-core."""

import json
import re
from pathlib import Path

from tests.factories.accounts import PASSWORD

ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def login(page, user, password: str = PASSWORD) -> None:
    """Log in through the login page and land on the dashboard. A user with a two-factor device
    (office admins always) gets the second step: the current code of the device, or the next
    one when this code was already used in the same 30 s (django-otp refuses a code twice)."""
    page.goto("/accounts/login/")
    page.get_by_label("Alamat e-mail").fill(user.email)
    page.get_by_label("Kata sandi").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()
    for steps_ahead in (0, 1):
        if "/accounts/login/verify/" not in page.url:
            break
        from tests.factories.accounts import totp_code

        page.get_by_label("Kode autentikasi").fill(totp_code(user, steps_ahead=steps_ahead))
        with page.expect_navigation():
            page.get_by_role("button", name="Lanjutkan").click()
    page.wait_for_url("**/dashboard/")


class Shots:
    """`shot(page, "signed-up")` keeps artifacts/<test>/<nn>-signed-up.png: a journey's screenshots
    in the order of its steps, for a human to look through (full page)."""

    def __init__(self, name: str):
        self.folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page, step: str) -> None:
        self.count += 1
        # CSS pixels: half the bytes of the phone's device pixels, and quicker to take.
        page.screenshot(
            path=str(self.folder / f"{self.count:02d}-{step}.png"), full_page=True, scale="css"
        )


def reference() -> None:
    """The bundled Malang regions, postal codes and KBLI, as `load_demo --reference-only`
    loads them (the kecamatan → kelurahan choice needs the real lists)."""
    from registry.services.reference import (
        BUNDLED_KBLI,
        BUNDLED_POSTAL_CODES,
        BUNDLED_REGIONS,
        kbli_load,
        postal_codes_load,
        regions_load,
    )

    regions_load(BUNDLED_REGIONS["malang"])
    postal_codes_load(BUNDLED_POSTAL_CODES)
    kbli_load(BUNDLED_KBLI)


# axe-core: WCAG 2.1 A and AA rules plus the best practices (landmarks, one h1, …).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """Run axe-core in the page and return the violations of the given impacts. The page's
    context must have axe as an init script (the `axe_page` fixture): init scripts are exempt
    from the page's Content-Security-Policy, which forbids injecting a script any other way."""
    result = page.evaluate("options => window.axe.run(document, options)", AXE_OPTIONS)
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(url: str, violations: list[dict]) -> str:
    """One readable line per violation and node, for a failing assertion."""
    lines = []
    for v in violations:
        for node in v["nodes"][:5]:
            lines.append(
                f"{url}: [{v['impact']}] {v['id']}: {v['help']} — {json.dumps(node['target'])} "
                f"{node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return "\n".join(lines)
