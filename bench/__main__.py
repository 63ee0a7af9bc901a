"""`make bench`: the benchmarks of issue 9, each figure beside a floor measured in the same run.

Prints a table and saves it as JSON in bench/results/ (docs/performance.md).

Environment:
- BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ikm_bench): a PostgreSQL
  database of its own; created, migrated and filled by seed_scale up to the scale when needed.
- BENCH_SCALES (default 100000): comma-separated register sizes, e.g. 100000,1000000.
- BENCH_SECONDS (default 10; the issue's figure is 30): duration of each HTTP load.
- BENCH_REPEAT (default 30): timed calls per in-process figure.
- BENCH_IMPORT_ROWS (default 20000; the issue's figure is 100000): rows of the import file.
- BENCH_NOTIFICATIONS (default 2000; the issue's figure is 10000), BENCH_BROKER_URL
  (default CELERY_BROKER_URL or redis://127.0.0.1:6379/3).
- BENCH_ONLY: comma-separated subset of list,count,search,http,import,ranking,publish,notify.
Without PostgreSQL only the ranking runs."""

import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

KECAMATAN = ["Blimbing", "Kedungkandang", "Klojen", "Lowokwaru", "Sukun"]
SECTIONS = ["list", "count", "search", "http", "import", "ranking", "publish", "notify"]


def ranking_100k(repeats: int = 5) -> dict:
    from training.selection.ranking import Candidate, Params, rank

    from .common import result

    rng = random.Random(2017)
    start = datetime(2026, 4, 20, tzinfo=UTC)
    pool = [
        Candidate(
            id=i,
            score=round(rng.uniform(0, 100), 2),
            submitted_at=start + timedelta(seconds=rng.randint(0, 30 * 86400)),
            workers=rng.randint(1, 19),
            tracks=tuple(rng.sample([1, 2, 3, 4, 5], 3)),
            kecamatan=rng.choice(KECAMATAN),
            woman_owned=rng.random() < 0.4,
        )
        for i in range(100_000)
    ]
    params = Params(
        seats=1000,
        track_seats=dict.fromkeys(range(1, 6), 200),
        kecamatan_min=dict.fromkeys(KECAMATAN, 100),
        kecamatan_max=dict.fromkeys(KECAMATAN, 300),
        women_min_share=0.3,
        tie_breakers=("submitted_at", "lottery"),
        waitlist_length=100,
    )
    times, cpu, floors = [], [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        outcome = rank(pool, params, seed=42)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        # Floor: sorting the same 100,000 candidates by score (what any ranking must do), as
        # many times, between the rankings: both see the same load.
        t0 = time.perf_counter()
        sorted(pool, key=lambda c: (-c.score, c.submitted_at))
        floors.append(time.perf_counter() - t0)
    assert len(outcome.by_decision("selected")) == 1000
    floor = statistics.median(floors)
    return result(
        "5",
        "rank 100,000 applications (track + kecamatan quotas, women share, waitlist)",
        figure=statistics.median(times),
        unit="s",
        floor=floor,
        floor_name="sorting the pool by score",
        target="≤ 1 s",
        ok=statistics.median(times) <= 1.0,
        best_s=round(min(times), 3),
        cpu_s=round(statistics.median(cpu), 3),
    )


def _setup_env() -> bool:
    """Environment for Django before it starts; True when the database is PostgreSQL."""
    url = os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/ikm_bench"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # Fixed bench-only keys: the seeded NIKs must decrypt in every later run on the same
    # database (keys derived from a random SECRET_KEY would change each run).
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE=")
    os.environ.setdefault("PERSONAL_DATA_HASH_KEY", "bench-only-personal-data-hash-key")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("LOG_FORMAT", "plain")
    os.environ.pop("CELERY_BROKER_URL", None)  # in process; the notifications bench sets its own
    if not url.startswith("postgres"):
        return False
    try:
        from .common import ensure_database

        ensure_database(url)
    except Exception as exc:
        print(f"PostgreSQL unavailable ({exc}); only the ranking runs.")
        return False
    return True


def print_table(results: list[dict]) -> None:
    head = (
        f"{'#':<2} {'benchmark':<92} {'figure':>14} {'floor':>12} {'ratio':>7}  {'target':<30} ok"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        floor = "" if r.get("floor") is None else f"{r['floor']}"
        ratio = "" if r.get("ratio") is None else f"{r['ratio']}"
        ok = {True: "yes", False: "NO", None: ""}[r.get("ok")]
        figure = f"{r['figure']} {r['unit']}"
        print(
            f"{r['bench']:<2} {r['name'][:92]:<92} {figure:>14} {floor:>12} {ratio:>7}  "
            f"{r.get('target', '')[:30]:<30} {ok}"
        )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    postgres = _setup_env()
    only = [s for s in (os.environ.get("BENCH_ONLY") or "").split(",") if s] or SECTIONS
    scales = [int(s) for s in (os.environ.get("BENCH_SCALES") or "100000").split(",")]
    seconds = int(os.environ.get("BENCH_SECONDS") or 10)
    repeat = int(os.environ.get("BENCH_REPEAT") or 30)
    import django

    django.setup()
    results: list[dict] = []
    meta: dict = {"scales": {}, "load_average": os.getloadavg()}

    def run(section, fn, *args, **kwargs):
        if section not in only:
            return
        t0 = time.perf_counter()
        print(f"[{section}] …", flush=True)
        try:
            out = fn(*args, **kwargs)
        except Exception as exc:
            import traceback

            traceback.print_exc()
            out = [{"bench": "!", "name": f"{section} failed: {exc}", "figure": 0, "unit": ""}]
        results.extend(out if isinstance(out, list) else [out])
        print(f"[{section}] done in {time.perf_counter() - t0:.0f} s", flush=True)

    run("ranking", ranking_100k)
    if postgres:
        from . import registry_bench as rb
        from .common import bench_user, prepare

        for wanted in scales:
            meta["scales"][wanted] = prepare(wanted)
            from registry.models import Enterprise

            scale = Enterprise.objects.count()
            user = bench_user()
            run("list", rb.list_api, scale, user, repeat=repeat)
            run("count", rb.counting, scale, user, repeat=repeat)
            run("search", rb.search, scale, user, repeat=repeat)
            run("http", rb.http, scale, user, seconds=seconds)
        if "import" in only:
            from . import import_bench

            run(
                "import",
                import_bench.imports,
                rows=int(os.environ.get("BENCH_IMPORT_ROWS") or 20000),
            )
        if "publish" in only:
            from . import publish_bench

            run("publish", publish_bench.publish)
        if "notify" in only:
            from . import notify_bench

            run(
                "notify",
                notify_bench.notifications,
                count=int(os.environ.get("BENCH_NOTIFICATIONS") or 2000),
            )
    print()
    print_table(results)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    payload = {
        "when": datetime.now(UTC).isoformat(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "meta": meta,
        "results": results,
    }
    meta["load_average_end"] = os.getloadavg()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in ("latest.json", f"bench-{stamp}.json"):
        (out / name).write_text(json.dumps(payload, indent=2, default=str))
    (out / "latest.md").write_text(markdown_table(results))
    print(
        f"saved {out / 'latest.json'} and {out / 'latest.md'} (the table for docs/performance.md)"
    )


def markdown_table(results: list[dict]) -> str:
    """The table of docs/performance.md: figure, floor of the same run, ratio, target, met."""

    def number(value):
        return "" if value is None else f"{value:,}"

    lines = [
        "| # | benchmark | figure | floor (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        extra = ", ".join(
            f"{k} {v}"
            for k, v in r.items()
            if k
            in (
                "p95_ms",
                "median_ms",
                "queries",
                "errors",
                "best_s",
                "cpu_s",
                "seconds",
                "delivered",
            )
            or k in ("lost", "duplicates")
        )
        figure = f"{number(r['figure'])} {r['unit']}" + (f" ({extra})" if extra else "")
        floor = f"{number(r.get('floor'))} — {r.get('floor_name', '')}" if r.get("floor") else ""
        met = {True: "yes", False: "**no**", None: ""}[r.get("ok")]
        lines.append(
            f"| {r['bench']} | {r['name'].strip()} | {figure} | {floor} | "
            f"{number(r.get('ratio'))} | {r.get('target', '')} | {met} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
