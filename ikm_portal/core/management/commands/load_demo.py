from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from ikm_portal.core.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Load reference data and demo data from every app that declares a demo_module. "
        "Idempotent: running it twice duplicates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reference-only", action="store_true")

    def handle(self, *args, reference_only=False, **options):
        modules = []
        for config in apps.get_app_configs():
            declared = getattr(config, "demo_module", None) or ()
            # One dotted path, or a sequence of them run in order (areas of one app).
            for path in [declared] if isinstance(declared, str) else declared:
                modules.append(import_module(path))
        for module in modules:
            if hasattr(module, "load_reference"):
                with transaction.atomic():
                    module.load_reference(self.stdout)
        if reference_only:
            return
        # (role, e-mail) or (role, e-mail, note), e.g. how the demo admin passes two-factor.
        logins: list[tuple[str, ...]] = []
        for module in modules:
            if hasattr(module, "load_demo"):
                with transaction.atomic():
                    logins.extend(module.load_demo(self.stdout) or [])
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for role, email, *note in logins:
            self.stdout.write(f"  {role:<18} {email}")
            for line in note:
                self.stdout.write(f"  {'':<18} {line}")
