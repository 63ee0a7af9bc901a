"""Browser journeys: Playwright drives Debian's Chromium (`apt-get install chromium`; no browser
download). Skipped with a reason where that browser is missing. Screenshots of every journey
land in tests/e2e/artifacts/ (ignored by git)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
# A step that waits longer than this has failed: a missing button should not cost 30 s.
TIMEOUT_MS = 10_000
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM
    # calls from the test body; the live server itself runs in another thread. Only for the
    # browser tests, and taken back afterwards (check --deploy must never see it).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            yield b
            b.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def phone(browser, live_server, request):
    """A phone-sized page (390 x 844, touch) on the live server, in Indonesian."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        base_url=live_server.url,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.csp_errors = errors
    yield page
    _last_screenshot(page, request, "phone")
    context.close()


@pytest.fixture
def desktop(browser, live_server, request):
    """A desktop page (1280 x 900) on the live server, in Indonesian."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="id-ID", base_url=live_server.url
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.csp_errors = errors
    yield page
    _last_screenshot(page, request, "desktop")
    context.close()


def _last_screenshot(page, request, kind: str) -> None:
    """Where each page ended (also when the test failed): artifacts/<test>-<phone|desktop>.png."""
    if page.url == "about:blank":
        return
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS / f"{request.node.name}-{kind}.png"), full_page=True, scale="css"
    )
