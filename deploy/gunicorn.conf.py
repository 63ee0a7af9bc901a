"""gunicorn settings for IKM Portal, read from the environment (the same env file as Django).

    gunicorn ikm_portal.wsgi:application --config deploy/gunicorn.conf.py

| variable | default | meaning |
| GUNICORN_BIND | 127.0.0.1:8000 | address (or unix:/run/ikm-portal/gunicorn.sock) |
| GUNICORN_WORKERS | 2 x CPUs + 1 | worker processes |
| GUNICORN_THREADS | 1 | threads per worker (gthread when > 1) |
| GUNICORN_TIMEOUT | 30 | seconds before a silent worker is killed and restarted |
| GUNICORN_MAX_REQUESTS | 1000 | recycle a worker after that many requests (0: never) |
| GUNICORN_FORWARDED_ALLOW_IPS | 127.0.0.1,::1 | proxies whose X-Forwarded-* headers are trusted |
| GUNICORN_ACCESS_LOG | unset | "-" for gunicorn's own access log (Django already logs one
|                     |       | line per request with its request id) |

`kill -HUP <master pid>` (systemctl reload ikm-web) starts new workers on the new code and lets
the old ones finish their requests: the upgrade without downtime in docs/deployment.md.
"""

import multiprocessing
import os
import sys
from pathlib import Path

# gunicorn is the production server: never fall back to the local (DEBUG) settings that
# ikm_portal/celery.py would otherwise choose when the variable is missing.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ikm_portal.settings.production")
PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
chdir = str(PROJECT_DIR)

bind = [b.strip() for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if b]
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# New code on every reload (HUP): the application is loaded by each worker, not the master.
preload_app = False
if Path("/dev/shm").is_dir():  # noqa: S108 - tmpfs for heartbeat files, not data
    worker_tmp_dir = "/dev/shm"  # noqa: S108 - heartbeat files on tmpfs: no stalls on a slow disk
proc_name = os.environ.get("GUNICORN_PROC_NAME", "ikm-portal")

errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if os.environ.get("LOG_FORMAT", "json") == "json":
    # gunicorn's own lines (boot, worker restarts) in the same JSON shape as the portal's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "ikm_portal.core.logging.JsonFormatter"}},
        "filters": {"context": {"()": "ikm_portal.core.logging.ContextFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["context"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
