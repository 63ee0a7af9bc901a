from django.core.management.base import BaseCommand, CommandError

from registry.services.reference import BUNDLED_KBLI, ReferenceFileError, kbli_load


class Command(BaseCommand):
    help = (
        "Load KBLI codes from a CSV (columns code,title_id,title_en) as one version "
        "(default 2020). Idempotent. Without FILE, the bundled KBLI 2020 section C."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(BUNDLED_KBLI))
        parser.add_argument("--kbli-version", dest="kbli_version", default="2020")

    def handle(self, *args, file, kbli_version, **options):
        try:
            counts = kbli_load(file, version=kbli_version)
        except ReferenceFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"KBLI {kbli_version} from {file}: {counts['total']} rows, {counts['created']} "
            f"created, {counts['updated']} updated (section {counts['section']}, division "
            f"{counts['division']}, group {counts['group']}, subgroup {counts['subgroup']}, "
            f"class {counts['class']})"
        )
