"""`manage.py tally [--compact] [--rebuild]`: check the register's maintained counts
(registry/models/tally.py) against the table, fold their deltas, or recount them."""

from django.core.management.base import BaseCommand, CommandError

from registry.services.tally import tally_compact, tally_enabled, tally_mismatches, tally_rebuild


class Command(BaseCommand):
    help = "Check, compact or rebuild the business counts kept by the database triggers."

    def add_arguments(self, parser):
        parser.add_argument("--compact", action="store_true", help="Fold deltas into buckets.")
        parser.add_argument("--rebuild", action="store_true", help="Recount every bucket.")

    def handle(self, *args, compact=False, rebuild=False, **options):
        if not tally_enabled():
            self.stdout.write("The tally is kept on PostgreSQL only; nothing to do here.")
            return
        if rebuild:
            self.stdout.write(f"Rebuilt: {tally_rebuild():,} buckets.")
        if compact:
            done = tally_compact()
            self.stdout.write(f"Compacted: {done['before']:,} rows into {done['after']:,}.")
        wrong = tally_mismatches()
        for kecamatan, status, size, tally, real in wrong[:50]:
            self.stdout.write(f"{kecamatan} {status} {size or '-'}: tally {tally}, table {real}")
        if wrong:
            raise CommandError(f"{len(wrong)} buckets differ; run with --rebuild.")
        self.stdout.write("The tally matches the table.")
