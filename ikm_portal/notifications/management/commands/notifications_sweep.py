"""Run the outbox sweep (and optionally the staff digest) once, in process.

For installations without Celery beat — e.g. the embedded default, where delivery runs in
process and a transient failure waits for a sweep — run it from cron every few minutes:

    */5 * * * *  python manage.py notifications_sweep
    0 7 * * *    python manage.py notifications_sweep --digest
"""

from django.core.management.base import BaseCommand

from ikm_portal.notifications import services


class Command(BaseCommand):
    help = "Send outbox rows that are due again (and the daily staff digest with --digest)."

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="also send today's digest")

    def handle(self, *args, digest=False, **options):
        result = services.notification_sweep()
        self.stdout.write(
            f"{result['due']} due, {result['unstuck']} unstuck, {result['enqueued']} enqueued"
        )
        if digest:
            sent = services.staff_digest_send()
            self.stdout.write(f"Staff digest: {sent} recipient(s)")
