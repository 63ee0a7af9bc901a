"""`make bench`: benchmarks that print figures beside their targets and save them as JSON.

Only what needs no database runs here so far: the selection ranking (issue 9, item 5). The
database benchmarks of issue 9 (list API, counting, search, import, notifications, pages at
100k/1M businesses) are not written yet. The locust load test is `make loadtest`."""

import json
import platform
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from training.selection.ranking import Candidate, Params, rank

KECAMATAN = ["Blimbing", "Kedungkandang", "Klojen", "Lowokwaru", "Sukun"]


def ranking_100k(repeats: int = 5) -> dict:
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
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        outcome = rank(pool, params, seed=42)
        times.append(time.perf_counter() - t0)
    assert len(outcome.by_decision("selected")) == 1000
    return {
        "name": "rank 100,000 applications (track + kecamatan quotas, women share, waitlist)",
        "median_s": round(statistics.median(times), 3),
        "best_s": round(min(times), 3),
        "target_s": 1.0,
    }


def main() -> None:
    results = [ranking_100k()]
    print(f"{'benchmark':<78} {'median':>8} {'best':>8} {'target':>8}")
    for r in results:
        print(f"{r['name']:<78} {r['median_s']:>7}s {r['best_s']:>7}s {r['target_s']:>7}s")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    payload = {
        "when": datetime.now(UTC).isoformat(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": results,
    }
    (out / "latest.json").write_text(json.dumps(payload, indent=2))
    print(f"saved {out / 'latest.json'}")


if __name__ == "__main__":
    main()
