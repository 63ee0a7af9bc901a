"""Keep the translation catalogues: one per domain app (and notifications), one for the platform.

    python manage.py i18n            extract strings (needs GNU gettext's xgettext), move each
                                     entry to the catalogue of the app that uses it, keep every
                                     translation already made, report what is untranslated
    python manage.py i18n --compile  compile every .po to .mo (pure Python, no gettext needed)

Msgids are English; Indonesian is the default language, so every `id` msgstr must be filled
(tests/core/test_translations.py checks it). English needs no msgstr: Django shows the msgid.

Strings in `templates/<app>/` belong to `<app>`, which lets parallel work on different apps
touch different catalogues."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

LANGS = ["id", "en"]
# path prefix of a source file -> the app directory whose locale/ holds its strings
APP_DIRS = {
    "training/selection": "training/selection",  # before "training": the first match wins
    "registry": "registry",
    "training": "training",
    "partnerships": "partnerships",
    "ikm_portal/notifications": "ikm_portal/notifications",
    "ikm_portal/datarights": "ikm_portal/datarights",
    "datarights": "ikm_portal/datarights",
    # The data-rights messages' templates (before "notifications": the first match wins).
    "notifications/datarights_request_answered": "ikm_portal/datarights",
    "notifications/datarights_request_due": "ikm_portal/datarights",
    "notifications": "ikm_portal/notifications",
    "ikm_portal/privacy": "ikm_portal/privacy",
    "privacy": "ikm_portal/privacy",
}
IGNORE = [".venv", ".venv/*", "staticfiles/*", "tests/*", "bench/*", "node_modules/*", "media/*"]


def _key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _owner(path: str) -> str | None:
    path = path.removeprefix("./")
    if path.startswith("templates/"):
        path = path.removeprefix("templates/")
    for prefix, app_dir in APP_DIRS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return app_dir
    return None


def _translated(entry) -> bool:
    if "fuzzy" in entry.flags or entry.obsolete:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


class Command(BaseCommand):
    help = "Extract, distribute per app and compile the translation catalogues."

    def add_arguments(self, parser):
        parser.add_argument("--compile", action="store_true", help="only compile .po to .mo")

    def catalogue(self, app_dir: str | None, lang: str) -> Path:
        root = Path(settings.BASE_DIR) / (app_dir or "locale")
        if app_dir:
            root = root / "locale"
        return root / lang / "LC_MESSAGES" / "django.po"

    def all_catalogues(self):
        base = Path(settings.BASE_DIR)
        for po in sorted(base.glob("**/locale/*/LC_MESSAGES/django.po")):
            if ".venv" not in po.parts:
                yield po

    def handle(self, *args, compile=False, **options):
        if not compile:
            self.extract()
        for po_path in self.all_catalogues():
            po = polib.pofile(str(po_path))
            po.save_as_mofile(str(po_path.with_suffix(".mo")))
        self.stdout.write("Compiled the .mo files.")

    def extract(self):
        # Remember every translation made so far, wherever it lives.
        memory: dict[str, dict] = {lang: {} for lang in LANGS}
        for po_path in self.all_catalogues():
            lang = po_path.parts[-3]
            for entry in polib.pofile(str(po_path)):
                if lang in memory and _translated(entry):
                    memory[lang][_key(entry)] = entry
        for app_dir in set(APP_DIRS.values()):
            for lang in LANGS:
                self.catalogue(app_dir, lang).parent.mkdir(parents=True, exist_ok=True)
                path = self.catalogue(app_dir, lang)
                if not path.exists():
                    path.write_text(_HEADER.format(lang=lang), encoding="utf-8")
        call_command(
            "makemessages",
            locale=LANGS,
            ignore_patterns=IGNORE,
            no_obsolete=True,
            verbosity=0,
            add_location="file",
        )
        # Split the platform catalogue: entries used only by one app move to that app.
        for lang in LANGS:
            project = polib.pofile(str(self.catalogue(None, lang)))
            apps_po = {
                app_dir: polib.pofile(str(self.catalogue(app_dir, lang)))
                for app_dir in set(APP_DIRS.values())
            }
            keep = []
            for entry in project:
                owners = {_owner(path) for path, _ in entry.occurrences}
                if len(owners) == 1 and None not in owners:
                    target = apps_po[owners.pop()]
                    existing = target.find(entry.msgid, msgctxt=entry.msgctxt)
                    if existing is None:
                        target.append(entry)
                    else:
                        existing.occurrences = sorted(
                            set(existing.occurrences) | set(entry.occurrences)
                        )
                else:
                    keep.append(entry)
            project[:] = keep
            for po in [project, *apps_po.values()]:
                self.fill(po, memory[lang])
                po.sort(key=lambda e: (e.msgctxt or "", e.msgid))
            project.save()
            for app_dir, po in apps_po.items():
                po.save(str(self.catalogue(app_dir, lang)))
        for po_path in self.all_catalogues():
            if po_path.parts[-3] != "id":
                continue
            po = polib.pofile(str(po_path))
            missing = [e for e in po if not _translated(e)]
            rel = po_path.relative_to(settings.BASE_DIR)
            self.stdout.write(f"{rel}: {len(po)} entries, {len(missing)} untranslated")
            for entry in missing[:200]:
                self.stdout.write(f"    {entry.msgid[:90]!r}")

    @staticmethod
    def fill(po, memory):
        for entry in po:
            if _translated(entry):
                continue
            known = memory.get(_key(entry))
            if known is None:
                continue
            entry.msgstr = known.msgstr
            entry.msgstr_plural = dict(known.msgstr_plural)
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None


_HEADER = """msgid ""
msgstr ""
"Project-Id-Version: IKM Portal\\n"
"Language: {lang}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""
