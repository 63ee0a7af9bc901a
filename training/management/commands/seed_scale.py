"""`python manage.py seed_scale --enterprises N --applications M --seed S` (docs/performance.md).

Lives in training because it fills both floors: the businesses come from ``registry.seeding``
(COPY on PostgreSQL), the applications to a programme from ``training.seeding``."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Synthetic, reproducible data at scale for benchmarks (businesses and applications)."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=0, help="businesses to add")
        parser.add_argument(
            "--applications", type=int, default=0, help="applications to one new programme"
        )
        parser.add_argument("--seed", type=int, default=2026, help="the same seed, the same data")
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="processes generating businesses while this one writes (the rows do not "
            "depend on it)",
        )
        parser.add_argument(
            "--chunk",
            type=int,
            default=50_000,
            help="businesses per generated chunk (the rows depend on it, as on the seed)",
        )

    def handle(self, *args, enterprises, applications, seed, workers, chunk, **options):
        from registry.seeding import seed_enterprises

        if enterprises < 0 or applications < 0:
            raise CommandError("Counts are 0 or more.")
        if workers < 1 or chunk < 1:
            raise CommandError("--workers and --chunk are 1 or more.")
        if enterprises:
            self.stdout.write(f"Seeding {enterprises:,} businesses (seed {seed}) …")
            done = seed_enterprises(
                count=enterprises, seed=seed, chunk=chunk, workers=workers, log=self.stdout.write
            )
            times = ", ".join(f"{k} {v:.1f} s" for k, v in done.seconds.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"{done.enterprises:,} businesses, {done.products:,} products, "
                    f"{done.certifications:,} certifications, {done.activity:,} decisions, "
                    f"{done.history:,} field changes ({times})"
                )
            )
        if applications:
            from training.seeding import seed_applications

            self.stdout.write(f"Seeding {applications:,} applications (seed {seed}) …")
            result = seed_applications(count=applications, seed=seed)
            self.stdout.write(
                self.style.SUCCESS(
                    f"programme {result['program_id']}: {result['applications']:,} applications "
                    f"in {result['seconds']:.1f} s"
                )
            )
