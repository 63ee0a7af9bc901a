"""What the benchmarks share: timing, results beside their floors, the database at a scale, a
gunicorn on loopback and a small HTTP load generator (16 connections from 2 processes)."""

import contextlib
import http.client
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn, *, repeat: int, warmup: int = 3) -> list[float]:
    """Seconds of each call of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def result(
    bench: str,
    name: str,
    *,
    figure: float,
    unit: str,
    floor: float | None = None,
    floor_name: str = "",
    target: str = "",
    ok: bool | None = None,
    **extra,
) -> dict:
    """One line of the table. ``ratio`` is figure/floor for times, figure/floor for rates."""
    ratio = None
    if floor:
        ratio = round(figure / floor, 2)
    return {
        "bench": bench,
        "name": name,
        "figure": round(figure, 3),
        "unit": unit,
        "floor": None if floor is None else round(floor, 3),
        "floor_name": floor_name,
        "ratio": ratio,
        "target": target,
        "ok": ok,
        **extra,
    }


# --- Database ------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist (PostgreSQL)."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def prepare(scale: int, *, seed: int = 2026, log=print) -> dict:
    """Migrate, load the reference data and top the register up to ``scale`` businesses."""
    from django.core.management import call_command

    from registry.models import Enterprise
    from registry.seeding import seed_enterprises

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", reference_only=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    have = Enterprise.objects.count()
    info = {"scale": scale, "had": have, "seed_seconds": None}
    if have < scale:
        log(f"seeding {scale - have:,} businesses to reach {scale:,} (seed_scale) …")
        done = seed_enterprises(count=scale - have, seed=seed + have, log=lambda s: None)
        info["seed_seconds"] = round(done.seconds["total"], 1)
        info["seed_breakdown"] = {k: round(v, 1) for k, v in done.seconds.items()}
        log(f"  seeded in {done.seconds['total']:.0f} s ({info['seed_breakdown']})")
    return info


def bench_user(role: str = "office_staff", email: str = "bench-staff@bench.ikm.id"):
    from ikm_portal.accounts.models import User

    user = User.objects.filter(email=email).first()
    if user is None:
        from django.core.management import call_command

        call_command(
            "createuser",
            email,
            role=role,
            password="bench-2026",
            stdout=open(os.devnull, "w"),  # noqa: SIM115
        )
        user = User.objects.get(email=email)
    return user


# --- HTTP ----------------------------------------------------------------------------------


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def gunicorn(workers: int = 2):
    """A production-mode gunicorn (sync workers) on loopback with the bench settings."""
    port = free_port()
    env = {**os.environ, "CONN_MAX_AGE": "60"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ikm_portal.wsgi:application",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # one access line per request: written, not shown
    )
    try:
        for _ in range(120):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/bench/constant/")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not start")
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _client(host, paths, headers, deadline, out):
    hostname, port = host.split(":")
    lat, errors, i = [], 0, 0
    while time.perf_counter() < deadline:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(hostname, int(port), timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                errors += 1
                continue
        except OSError:
            errors += 1
            continue
        lat.append(time.perf_counter() - t0)
    out.append((lat, errors))


def _process(host, paths, headers, seconds, threads, queue):
    deadline = time.perf_counter() + seconds
    out: list = []
    pool = [
        threading.Thread(target=_client, args=(host, paths, headers, deadline, out))
        for _ in range(threads)
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    lat = [x for part, _e in out for x in part]
    queue.put((lat, sum(e for _p, e in out)))


def http_load(
    host: str, paths: list[str], *, headers: dict, seconds: int, connections: int = 16
) -> dict:
    """``connections`` concurrent clients for ``seconds``: wrk (C, 2 threads) when installed —
    `make bench` installs Debian's package — else a Python generator (2 processes, 8 threads
    each), which spends more of the two cores than the server it measures."""
    if shutil.which("wrk"):
        return _wrk_load(host, paths, headers=headers, seconds=seconds, connections=connections)
    return _python_load(host, paths, headers=headers, seconds=seconds, connections=connections)


def _wrk_load(host, paths, *, headers, seconds, connections) -> dict:
    import json
    import tempfile

    assert len(headers) <= 1, "the wrk script sends one header"
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        listing.write("\n".join(paths) + "\n")
        listing.flush()
        env = {**os.environ, "WRK_PATHS": listing.name}
        env["WRK_HEADER"] = "".join(f"{k}: {v}" for k, v in headers.items())
        out = subprocess.run(
            [
                *("wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"),
                *("-s", str(ROOT / "bench" / "wrk.lua"), f"http://{host}"),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    stats = json.loads(out.strip().splitlines()[-1])
    ok = stats["requests"] - stats["non_2xx"]
    return {
        "requests": ok,
        "errors": stats["errors"] + stats["non_2xx"],
        "rps": round(ok / (stats["duration_us"] / 1e6), 1),
        "p50_ms": round(stats["p50_us"] / 1000, 3),
        "p95_ms": round(stats["p95_us"] / 1000, 3),
        "p99_ms": round(stats["p99_us"] / 1000, 3),
        "generator": "wrk",
    }


def _python_load(host, paths, *, headers, seconds, connections) -> dict:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = 2
    workers = [
        ctx.Process(
            target=_process, args=(host, paths, headers, seconds, connections // procs, queue)
        )
        for _ in range(procs)
    ]
    t0 = time.perf_counter()
    for p in workers:
        p.start()
    parts = [queue.get() for _ in workers]
    for p in workers:
        p.join()
    elapsed = time.perf_counter() - t0
    lat = [x for part, _e in parts for x in part]
    errors = sum(e for _p, e in parts)
    return {
        "requests": len(lat),
        "errors": errors,
        "rps": round(len(lat) / elapsed, 1),
        "p50_ms": ms(statistics.median(lat)) if lat else None,
        "p95_ms": ms(percentile(lat, 95)) if lat else None,
        "generator": "python",
    }


def use_broker(url: str, queue: str) -> None:
    """Point the Celery app of this process at ``url``, every task to ``queue``, and drop what
    Celery cached from the previous configuration (routes, producer pools)."""
    from kombu import pools

    from ikm_portal.celery import app

    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app.conf.task_routes = {"*": {"queue": queue}}
    pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
        amqp.flush_routes()
        for name in ("router", "queues", "default_queue", "send_task_message"):
            amqp.__dict__.pop(name, None)
