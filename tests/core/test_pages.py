import re

import pytest
from django.core.management import call_command

from ikm_portal.accounts.models import User
from partnerships.models import PartnerMember

pytestmark = pytest.mark.django_db


def test_home_for_anonymous_explains_registration(client, settings):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Daftarkan usaha" in body
    assert settings.OFFICE_NAME in body


def test_home_redirects_signed_in_users_to_their_dashboard(client, owner):
    client.force_login(owner)
    assert client.get("/")["Location"] == "/dashboard/"


def test_dashboard_needs_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("fixture", ["owner", "staff", "office_admin", "partner_manager"])
def test_dashboard_shows_the_role(client, request, fixture):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert str(user.role_labels[0]) in response.content.decode()


def test_office_name_comes_from_settings(client, settings):
    settings.OFFICE_NAME = "Dinas Perindustrian Kabupaten Contoh"
    assert "Dinas Perindustrian Kabupaten Contoh" in client.get("/").content.decode()


def test_privacy_page_names_the_data_protection_officer(client, settings):
    body = client.get("/privacy/").content.decode()
    assert settings.DPO_EMAIL in body


def test_pages_use_no_cdn(client):
    body = client.get("/").content.decode()
    sources = re.findall(r'(?:src|href)="(https?://[^"]+)"', body)
    assert sources == []


def test_openapi_schema_and_docs_served_locally(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/accounts/signup/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_load_demo_is_idempotent_and_prints_one_login_per_role(capsys):
    call_command("load_demo")
    first = (User.objects.count(), PartnerMember.objects.count())
    call_command("load_demo")
    assert (User.objects.count(), PartnerMember.objects.count()) == first
    out = capsys.readouterr().out
    for role in [
        "office_admin",
        "office_staff",
        "ikm_owner",
        "partner_manager",
        "partner_reviewer",
    ]:
        assert role in out


def test_demo_logins_work(client, capsys):
    from ikm_portal.core.demo import DEMO_PASSWORD

    call_command("load_demo")
    for email in [
        "admin@demo.ikm.id",
        "staf@demo.ikm.id",
        "pemilik@demo.ikm.id",
        "mitra@demo.ikm.id",
    ]:
        assert client.login(email=email, password=DEMO_PASSWORD), email


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def _is_email_template(path) -> bool:
    parts = path.parts
    in_notifications = "notifications" in parts and not {"log", "inbox"} & set(parts)
    return "email" in parts or (in_notifications and path.name in {"body.html", "email_base.html"})


def test_templates_have_no_inline_script_or_handlers():
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        if _is_email_template(path):
            continue  # mail clients need inline styles; e-mails carry no script
        text = path.read_text()
        for bad in ("<script>", "onclick=", "onchange=", "onsubmit=", "hx-on", "style="):
            if bad in text:
                offenders.append(f"{path.name}: {bad}")
    assert offenders == []


def test_field_include_renders_choice_lists_as_labelled_checks():
    from django import forms
    from django.template.loader import render_to_string

    class F(forms.Form):
        status = forms.MultipleChoiceField(
            label="Status",
            choices=[("draft", "Draf"), ("verified", "Terverifikasi")],
            widget=forms.CheckboxSelectMultiple,
        )

    html = render_to_string("includes/form_fields.html", {"form": F(data={"status": ["verified"]})})
    assert "<legend" in html
    assert html.count('class="form-check-input"') == 2
    assert 'value="verified" id="id_status_1" class="form-check-input" checked' in html
    assert '<label class="form-check-label" for="id_status_0">Draf</label>' in html
