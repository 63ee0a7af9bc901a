"""Keeping the business counts of ``EnterpriseTally`` compact and right (PostgreSQL only).

The triggers of migration 0007 append deltas; ``tally_compact`` folds them into one row per
bucket (hourly, Celery beat), ``tally_rebuild`` recounts the table from scratch (after a bulk
load that bypassed triggers, or when ``tally_mismatches`` finds a difference: it never should).
"""

from django.db import connection, transaction

TABLE = "registry_enterprisetally"

_GROUPED = "SELECT kecamatan_id, status, size_class, count(*) AS n FROM registry_enterprise GROUP BY 1, 2, 3"


def tally_enabled() -> bool:
    return connection.vendor == "postgresql"


def tally_compact() -> dict:
    """One row per (kecamatan, status, size class); buckets that sum to zero disappear.
    Concurrent writers go on: their new deltas are not in this statement's snapshot and stay."""
    if not tally_enabled():
        return {"before": 0, "after": 0}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 - constant table name
        before = cur.fetchone()[0]
        cur.execute(
            f"WITH gone AS (DELETE FROM {TABLE} RETURNING kecamatan_id, status, size_class, n) "  # noqa: S608
            f"INSERT INTO {TABLE} (kecamatan_id, status, size_class, n) "
            "SELECT kecamatan_id, status, size_class, sum(n) FROM gone "
            "GROUP BY 1, 2, 3 HAVING sum(n) <> 0"
        )
        after = cur.rowcount
    return {"before": before, "after": after}


def tally_rebuild() -> int:
    """Recount every bucket. Writers of businesses wait for the few seconds it takes (a SHARE
    lock), so no change falls between the recount and the swap."""
    if not tally_enabled():
        return 0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("LOCK TABLE registry_enterprise IN SHARE MODE")
        cur.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        cur.execute(f"INSERT INTO {TABLE} (kecamatan_id, status, size_class, n) {_GROUPED}")
        return cur.rowcount


def tally_mismatches() -> list[tuple]:
    """(kecamatan, status, size class, tally, real count) of every bucket that differs."""
    if not tally_enabled():
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(t.kecamatan_id, r.kecamatan_id), coalesce(t.status, r.status),"  # noqa: S608
            " coalesce(t.size_class, r.size_class), coalesce(t.n, 0), coalesce(r.n, 0)"
            f" FROM (SELECT kecamatan_id, status, size_class, sum(n) AS n FROM {TABLE}"
            "        GROUP BY 1, 2, 3 HAVING sum(n) <> 0) AS t"
            f" FULL JOIN ({_GROUPED}) AS r"
            # FULL JOIN needs a hashable condition: no IS NOT DISTINCT FROM
            " ON coalesce(t.kecamatan_id, '') = coalesce(r.kecamatan_id, '')"
            " AND t.status = r.status AND t.size_class = r.size_class"
            " WHERE coalesce(t.n, 0) <> coalesce(r.n, 0)"
            " ORDER BY 1, 2, 3"
        )
        return cur.fetchall()
