"""The production settings' security headers and cookies, applied to this test process: the
names are read from ikm_portal.settings.production itself, so a change there is tested here."""

import importlib
import os

import pytest
from django.test import Client

from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

HTTPS = {"secure": True, "HTTP_X_FORWARDED_PROTO": "https"}


def _production_module():
    saved = dict(os.environ)
    try:
        os.environ.setdefault("SECRET_KEY", "x" * 60)
        return importlib.import_module("ikm_portal.settings.production")
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def production(settings):
    module = _production_module()
    for name in dir(module):
        if name.startswith(("SECURE_", "SESSION_COOKIE", "CSRF_COOKIE", "LANGUAGE_COOKIE")) or (
            name in {"X_FRAME_OPTIONS", "CONTENT_SECURITY_POLICY"}
        ):
            setattr(settings, name, getattr(module, name))
    return settings


def test_plain_http_is_redirected_to_https(production):
    response = Client().get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_https_responses_carry_the_security_headers(production):
    response = Client().get("/accounts/login/", **HTTPS)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_session_csrf_and_language_cookies_are_secure(production, owner):
    client = Client()
    response = client.get("/accounts/login/", **HTTPS)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    response = client.post(
        "/accounts/login/", {"username": owner.email, "password": PASSWORD}, **HTTPS
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    language = response.cookies["ikm_language"]
    assert language["secure"] is True


def test_uploads_have_no_public_url(production, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "secret.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert Client().get("/media/private/secret.pdf", **HTTPS).status_code == 404
