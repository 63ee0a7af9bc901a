#!/usr/bin/env bash
# make loadtest: locust, headless and bounded, against a production-mode gunicorn on loopback.
# A fresh PostgreSQL database with the reference and demo data (≈200 businesses, the demo
# staff account), a Redis broker and one Celery worker; LOADTEST_USERS users for
# LOADTEST_SECONDS seconds. Results: bench/results/loadtest_stats.csv and a summary printed.
#   LOADTEST_PG_URL (postgres://postgres@127.0.0.1:5432), LOADTEST_REDIS_URL
#   (redis://127.0.0.1:6379/13), GUNICORN_WORKERS (2 × CPUs + 1).
set -euo pipefail
# shellcheck source=deploy/scripts/lib.sh
. "$(dirname "$0")/../deploy/scripts/lib.sh"
PY="$(find_python)"
USERS="${LOADTEST_USERS:-20}"
SECONDS_TO_RUN="${LOADTEST_SECONDS:-30}"
PG_URL="${LOADTEST_PG_URL:-postgres://postgres@127.0.0.1:5432}"
DB="ikm_loadtest_$$"
WORK="$(mktemp -d /tmp/ikm-loadtest.XXXXXX)"
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$PG_URL/postgres" -X -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=bench.loadtest_settings
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
FIELD_ENCRYPTION_KEYS="$("$PY" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")"
PERSONAL_DATA_HASH_KEY="$("$PY" -c "import secrets; print(secrets.token_urlsafe(32))")"
export SECRET_KEY FIELD_ENCRYPTION_KEYS PERSONAL_DATA_HASH_KEY
export DATABASE_URL="$PG_URL/$DB" CONN_MAX_AGE=60
export CELERY_BROKER_URL="${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/13}"
export ALLOWED_HOSTS=127.0.0.1,localhost STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
export LOG_LEVEL=WARNING EMAIL_URL=dummymail://
cd "$PROJECT_DIR"

log "database $DB: migrate, reference and demo data, static files"
psql "$PG_URL/postgres" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB"
"$PY" manage.py migrate --noinput >"$WORK/setup.log" 2>&1
"$PY" manage.py load_demo >>"$WORK/setup.log" 2>&1
"$PY" manage.py collectstatic --noinput >>"$WORK/setup.log" 2>&1

GUNICORN_BIND="127.0.0.1:$PORT" timeout $((SECONDS_TO_RUN + 300)) \
  "$PY" -m gunicorn ikm_portal.wsgi:application --config deploy/gunicorn.conf.py >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)
timeout $((SECONDS_TO_RUN + 300)) "$PY" -m celery -A ikm_portal worker --concurrency=1 --loglevel=WARNING \
  >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.5; done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { tail -30 "$WORK/gunicorn.log"; die "gunicorn did not start"; }

mkdir -p bench/results
log "locust: $USERS users, ${SECONDS_TO_RUN}s, http://127.0.0.1:$PORT (gunicorn workers: ${GUNICORN_WORKERS:-2×CPU+1}, CPUs: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg))"
"$PY" -m locust -f bench/locustfile.py --headless --users "$USERS" --spawn-rate "${LOADTEST_SPAWN_RATE:-2}" \
  --run-time "${SECONDS_TO_RUN}s" --stop-timeout 10 --host "http://127.0.0.1:$PORT" \
  --csv bench/results/loadtest --only-summary 2>&1 | tee bench/results/loadtest.txt | tail -n 60
log "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
log "enterprises in the register after the run: $("$PY" manage.py shell -v 0 -c 'from registry.models import Enterprise; print(Enterprise.objects.count())' 2>/dev/null)"
