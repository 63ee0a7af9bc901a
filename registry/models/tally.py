"""Counts of businesses per (kecamatan, status, size class), kept by the database.

A million-row register cannot afford ``COUNT(*)`` of a busy filter on every list request (an
exact count of the 7,000 verified small businesses of one kecamatan costs more than the page).
On PostgreSQL, statement-level triggers on ``registry_enterprise`` (migration 0007) append one
delta row per (kecamatan, status, size class) that an INSERT, UPDATE, DELETE or COPY changed —
insert-only, so concurrent writers never wait for each other on a counter row. The count of a
filter on these three columns is the sum of its rows' ``n``: exact, and read from a few hundred
rows instead of thousands. ``services.tally.tally_compact`` (hourly, Celery beat) folds the
deltas into one row per bucket. Elsewhere (SQLite) the table stays empty and is never read.
"""

from django.db import models


class EnterpriseTally(models.Model):
    kecamatan_id = models.CharField(max_length=13, null=True, blank=True)
    status = models.CharField(max_length=14)
    size_class = models.CharField(max_length=8, blank=True)
    n = models.BigIntegerField()

    class Meta:
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["kecamatan_id", "status", "size_class"],
                include=["n"],
                name="registry_tally_bucket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kecamatan_id} {self.status} {self.size_class}: {self.n}"
