from django.core.management.base import BaseCommand, CommandError

from registry.services.reference import (
    BUNDLED_POSTAL_CODES,
    BUNDLED_REGIONS,
    ReferenceFileError,
    postal_codes_load,
    regions_load,
)


class Command(BaseCommand):
    help = (
        "Load Kemendagri regions from a CSV (columns kode,nama,tingkat,parent_kode). Idempotent. "
        "Without FILE, --bundled malang (default) or --bundled jatim (East Java, for scale "
        "tests) loads a file shipped in registry/data/."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a CSV of the reference files' shape")
        parser.add_argument("--bundled", choices=sorted(BUNDLED_REGIONS), default=None)
        parser.add_argument(
            "--postal-codes",
            nargs="?",
            const=str(BUNDLED_POSTAL_CODES),
            default=None,
            help="also set kelurahan postal codes (columns kode,kodepos); "
            "without a value, the bundled Kota Malang file",
        )

    def handle(self, *args, file=None, bundled=None, postal_codes=None, **options):
        path = file or BUNDLED_REGIONS[bundled or "malang"]
        try:
            counts = regions_load(path)
            self.stdout.write(
                f"Regions from {path}: {counts['total']} rows, {counts['created']} created, "
                f"{counts['updated']} updated ("
                + ", ".join(
                    f"{level} {n}"
                    for level, n in counts.items()
                    if level not in ("created", "updated", "total") and n
                )
                + ")"
            )
            if postal_codes:
                pc = postal_codes_load(postal_codes)
                self.stdout.write(
                    f"Postal codes from {postal_codes}: {pc['total']} rows, {pc['updated']} set"
                )
        except ReferenceFileError as exc:
            raise CommandError(str(exc)) from exc
