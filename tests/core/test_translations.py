"""Indonesian is the default language: every msgid needs an Indonesian msgstr, and the compiled
.mo must match its .po (run `python manage.py i18n` then `--compile`)."""

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

CATALOGUES = sorted(
    p
    for p in Path(settings.BASE_DIR).glob("**/locale/id/LC_MESSAGES/django.po")
    if ".venv" not in p.parts
)


def test_catalogues_found():
    assert Path(settings.BASE_DIR, "locale/id/LC_MESSAGES/django.po") in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent))
def test_indonesian_catalogue_complete(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert missing == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent))
def test_compiled_catalogue_matches_source(po_path):
    po = polib.pofile(str(po_path))
    with open(po_path.with_suffix(".mo"), "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        e.msgid
        for e in po
        if not e.msgid_plural and not e.msgctxt and compiled.gettext(e.msgid) != e.msgstr
    ]
    assert stale == []


def test_default_language_is_indonesian(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Masuk" in response.content.decode()
    assert response["Content-Language"] == "id"


def test_english_shows_msgids():
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
    with translation.override("id"):
        assert translation.gettext("Log in") == "Masuk"
