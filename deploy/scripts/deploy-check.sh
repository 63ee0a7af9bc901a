#!/usr/bin/env bash
# make deploy-check: the single-server production path, verified on this machine.
#
# Production settings with a generated SECRET_KEY → migrate → collectstatic → check --deploy →
# two gunicorn instances on two loopback ports (the second through PgBouncer in transaction
# mode when pgbouncer is installed) → two Celery workers and beat on one Redis broker → requests
# served by both instances (state shared through the database and the Redis cache) → tasks
# consumed by both workers → heartbeats and queues in /healthz?full=1 → through nginx with TLS
# and the real site file when nginx is installed → a graceful reload under load → everything
# stopped, the database dropped. Bounded: DEPLOY_CHECK_TIMEOUT seconds (default 600).
#
# Needs PostgreSQL and Redis on 127.0.0.1 (DEPLOY_CHECK_PG_URL, DEPLOY_CHECK_REDIS_URL), curl,
# and the portal installed in the Python found by lib.sh. `make deploy-tools` installs nginx,
# pgbouncer and the linters from Debian's packages.
set -euo pipefail
# shellcheck source=deploy/scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ -z "${_IKM_DEPLOY_CHECK_BOUNDED:-}" ]; then
  export _IKM_DEPLOY_CHECK_BOUNDED=1
  exec timeout --signal=TERM --kill-after=30 "${DEPLOY_CHECK_TIMEOUT:-600}" "$0" "$@"
fi

PY="$(find_python)"
PG_URL="${DEPLOY_CHECK_PG_URL:-postgres://postgres@127.0.0.1:5432}"
REDIS_URL="${DEPLOY_CHECK_REDIS_URL:-redis://127.0.0.1:6379/14}"
DB="ikm_deploycheck_$$"
WORK="$(mktemp -d /tmp/ikm-deploy-check.XXXXXX)"
chmod 755 "$WORK"
mkdir -p "$WORK/logs" "$WORK/static" "$WORK/media" "$WORK/run"
PIDS=()
FAILED=1

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT_A="$(free_port)"; PORT_B="$(free_port)"; PORT_PGB="$(free_port)"
PORT_HTTP="$(free_port)"; PORT_HTTPS="$(free_port)"

redis_cleanup() {
  "$PY" - "$REDIS_URL" <<'PY' || true
import sys, redis
r = redis.Redis.from_url(sys.argv[1])
for pattern in ("ikm:heartbeat:*", ":1:*", "_kombu*", "unacked*", "celery*", "notifications*",
                "imports*", "reports*"):
    for key in r.scan_iter(match=pattern, count=500):
        r.delete(key)
PY
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  log "stopping everything"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  psql "$PG_URL/postgres" -X -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  redis_cleanup
  if [ "$FAILED" = 1 ]; then
    log "FAILED — last lines of each log ($WORK/logs):"
    for f in "$WORK"/logs/*; do echo "--- $f"; tail -n 25 "$f"; done
    [ "$status" = 0 ] && status=1
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted (time limit?)"; exit 124' INT TERM

step() { printf '\n== %s\n' "$*" >&2; }
ok() { printf '   ok  %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

# Everything below runs with the production settings, exactly as the systemd units do.
export DJANGO_SETTINGS_MODULE=ikm_portal.settings.production
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
HEALTHZ_TOKEN="$("$PY" -c 'import secrets; print(secrets.token_hex(16))')"
FIELD_ENCRYPTION_KEYS="$("$PY" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")"
PERSONAL_DATA_HASH_KEY="$("$PY" -c "import secrets; print(secrets.token_urlsafe(32))")"
export SECRET_KEY HEALTHZ_TOKEN FIELD_ENCRYPTION_KEYS PERSONAL_DATA_HASH_KEY
export DATABASE_URL="$PG_URL/$DB"
export CELERY_BROKER_URL="$REDIS_URL"
export CACHE_URL="$REDIS_URL" SESSION_ENGINE=cached_db
export ALLOWED_HOSTS="127.0.0.1,localhost"
export CSRF_TRUSTED_ORIGINS="https://127.0.0.1:$PORT_HTTPS,https://localhost:$PORT_HTTPS"
export STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
export LOG_FORMAT=json LOG_LEVEL=INFO EMAIL_URL=consolemail://
export HEARTBEAT_INTERVAL=2 HEARTBEAT_STALE_AFTER=15
export GUNICORN_WORKERS=2
cd "$PROJECT_DIR"
manage() { "$PY" manage.py "$@"; }

step "production settings: database, migrate, collectstatic, check --deploy"
psql "$PG_URL/postgres" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB" >/dev/null
redis_cleanup
manage migrate --noinput >"$WORK/logs/migrate.log" 2>&1 || fail "migrate"
ok "migrate"
manage collectstatic --noinput >"$WORK/logs/collectstatic.log" 2>&1 || fail "collectstatic"
ok "collectstatic: $(find "$STATIC_ROOT" -type f | wc -l) files"
manage check --deploy --fail-level WARNING >"$WORK/logs/check.log" 2>&1 || fail "check --deploy"
grep -q "System check identified no issues (0 silenced)" "$WORK/logs/check.log" || fail "check --deploy warnings"
ok "check --deploy: no issues"
ADMIN_EMAIL="admin@deploy-check.local"; ADMIN_PASSWORD="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(16))')"
manage createuser "$ADMIN_EMAIL" --role office_admin --password "$ADMIN_PASSWORD" --full-name "Deploy Check" \
  >"$WORK/logs/createuser.log" 2>&1 || fail "createuser"
# Office admins must sign in with two-factor: give this one a device and recovery codes
# (the demo's, in this throw-away database); the login below uses a recovery code.
manage shell -c "from django.contrib.auth import get_user_model; from ikm_portal.accounts.demo import demo_two_factor; demo_two_factor(get_user_model().objects.get(email='$ADMIN_EMAIL'))" \
  >>"$WORK/logs/createuser.log" 2>&1 || fail "two-factor device for the admin"
ok "office_admin created"

DB_URL_B="$DATABASE_URL"; PGB_NOTE="direct"
if command -v pgbouncer >/dev/null; then
  step "PgBouncer (transaction pooling) for instance B"
  mkdir -p "$WORK/pgbouncer"
  cat >"$WORK/pgbouncer/pgbouncer.ini" <<EOF
[databases]
$DB = host=127.0.0.1 port=5432 dbname=$DB
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT_PGB
auth_type = trust
auth_file = $WORK/pgbouncer/userlist.txt
pool_mode = transaction
max_client_conn = 100
default_pool_size = 10
ignore_startup_parameters = extra_float_digits,options
unix_socket_dir =
logfile = $WORK/pgbouncer/pgbouncer.log
EOF
  echo '"postgres" ""' >"$WORK/pgbouncer/userlist.txt"
  as_user=()
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$WORK/pgbouncer"; as_user=(-u postgres); fi
  pgbouncer "${as_user[@]}" "$WORK/pgbouncer/pgbouncer.ini" >"$WORK/logs/pgbouncer.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 40); do
    psql "postgres://postgres@127.0.0.1:$PORT_PGB/$DB" -X -A -t -c 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.25
  done
  psql "postgres://postgres@127.0.0.1:$PORT_PGB/$DB" -X -A -t -c 'SELECT 1' >/dev/null || fail "pgbouncer"
  DB_URL_B="postgres://postgres@127.0.0.1:$PORT_PGB/$DB"; PGB_NOTE="through PgBouncer :$PORT_PGB"
  ok "pgbouncer on 127.0.0.1:$PORT_PGB"
else
  log "pgbouncer not installed (make deploy-tools): instance B connects directly"
fi

step "two gunicorn instances, two Celery workers, beat"
GUNICORN_BIND="127.0.0.1:$PORT_A" "$PY" -m gunicorn ikm_portal.wsgi:application \
  --config deploy/gunicorn.conf.py --pid "$WORK/run/a.pid" >"$WORK/logs/gunicorn-a.log" 2>&1 &
PIDS+=($!)
GUNICORN_BIND="127.0.0.1:$PORT_B" DATABASE_URL="$DB_URL_B" PGBOUNCER_TRANSACTION_MODE=true \
  "$PY" -m gunicorn ikm_portal.wsgi:application \
  --config deploy/gunicorn.conf.py --pid "$WORK/run/b.pid" >"$WORK/logs/gunicorn-b.log" 2>&1 &
PIDS+=($!)
for n in 1 2; do
  "$PY" -m celery -A ikm_portal worker --hostname="w$n@deploy-check" --concurrency=1 \
    --loglevel=INFO >"$WORK/logs/worker-$n.log" 2>&1 &
  PIDS+=($!)
done
"$PY" -m celery -A ikm_portal beat --schedule="$WORK/run/celerybeat-schedule" --loglevel=INFO \
  >"$WORK/logs/beat.log" 2>&1 &
PIDS+=($!)

# gunicorn sees plain HTTP here; nginx would say the client used HTTPS.
get() { curl -sS -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' "$@"; }
for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 1 120); do
    [ "$(get "http://127.0.0.1:$port/healthz" 2>/dev/null)" = 200 ] && break
    sleep 0.5
  done
  [ "$(get "http://127.0.0.1:$port/healthz")" = 200 ] || fail "gunicorn on :$port does not answer /healthz"
done
ok "gunicorn A on 127.0.0.1:$PORT_A (direct), B on 127.0.0.1:$PORT_B ($PGB_NOTE)"

step "requests served by both instances"
for port in "$PORT_A" "$PORT_B"; do
  for path in / /accounts/login/ /accounts/signup/ /api/schema/ /static/css/portal.css; do
    code="$(get "http://127.0.0.1:$port$path")"
    [ "$code" = 200 ] || fail "GET $path on :$port → $code"
  done
  [ "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 301 ] \
    || fail "plain HTTP is not redirected to HTTPS on :$port"
  ok ":$port serves pages, API schema and static files; plain HTTP → 301 to HTTPS"
done
signup="$(curl -sS -H 'X-Forwarded-Proto: https' -H 'Content-Type: application/json' \
  -d '{"email":"pemilik@deploy-check.local","password":"Kopi-Dampit-2026!","full_name":"Sri Wahyuni","phone":"081234567801"}' \
  -w '\n%{http_code}' "http://127.0.0.1:$PORT_B/api/v1/accounts/signup/")"
[ "$(tail -n1 <<<"$signup")" = 201 ] || fail "sign-up on B: $signup"
token="$(curl -sS -H 'X-Forwarded-Proto: https' -H 'Content-Type: application/json' \
  -d '{"email":"pemilik@deploy-check.local","password":"Kopi-Dampit-2026!"}' \
  "http://127.0.0.1:$PORT_A/api/v1/auth/token/" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
me="$(curl -sS -H 'X-Forwarded-Proto: https' -H "Authorization: Token $token" \
  "http://127.0.0.1:$PORT_B/api/v1/accounts/me/")"
grep -q '"pemilik@deploy-check.local"' <<<"$me" || fail "token from A not accepted by B: $me"
ok "signed up on B, token from A, /api/v1/accounts/me/ on B"

# A session made on A (cached_db: Redis cache + database) is valid on B.
jar="$WORK/run/cookies"
curl -sS -o "$WORK/run/login.html" -c "$jar" -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT_A/accounts/login/"
csrf="$(awk '$6 == "csrftoken" {print $7}' "$jar")"
[ -n "$csrf" ] || fail "no CSRF cookie from the login page"
code="$(curl -sS -o /dev/null -w '%{http_code}' -D "$WORK/run/login.headers" -H 'X-Forwarded-Proto: https' \
  -H "Referer: https://127.0.0.1:$PORT_A/accounts/login/" -H "Cookie: csrftoken=$csrf" \
  --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "username=$ADMIN_EMAIL" \
  --data-urlencode "password=$ADMIN_PASSWORD" "http://127.0.0.1:$PORT_A/accounts/login/")"
[ "$code" = 302 ] || fail "login on A → $code"
session="$(grep -i '^set-cookie: sessionid=' "$WORK/run/login.headers" | sed -E 's/^[Ss]et-[Cc]ookie: sessionid=([^;]+).*/\1/' | tr -d '\r')"
[ -n "$session" ] || fail "no session cookie after login on A"
# The second step: a recovery code; the session key changes when the sign-in completes.
code="$(curl -sS -o /dev/null -w '%{http_code}' -D "$WORK/run/verify.headers" -H 'X-Forwarded-Proto: https' \
  -H "Referer: https://127.0.0.1:$PORT_A/accounts/login/verify/" -H "Cookie: csrftoken=$csrf; sessionid=$session" \
  --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "code=demo0001" \
  "http://127.0.0.1:$PORT_A/accounts/login/verify/")"
[ "$code" = 302 ] || fail "two-factor step on A → $code"
session="$(grep -i '^set-cookie: sessionid=' "$WORK/run/verify.headers" | sed -E 's/^[Ss]et-[Cc]ookie: sessionid=([^;]+).*/\1/' | tr -d '\r')"
[ -n "$session" ] || fail "no session cookie after the two-factor step on A"
code="$(get -H "Cookie: sessionid=$session" "http://127.0.0.1:$PORT_B/operations/")"
[ "$code" = 200 ] || fail "session from A not valid on B (/operations/ → $code)"
ok "logged in on A, the office administrator's /operations/ page on B with the same session"

step "tasks consumed by both workers"
for _ in $(seq 1 60); do
  alive="$(curl -sS -H 'X-Forwarded-Proto: https' -H "X-Healthz-Token: $HEALTHZ_TOKEN" \
    "http://127.0.0.1:$PORT_A/healthz?full=1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["workers"]["alive"])')"
  [ "$alive" = 2 ] && break
  sleep 0.5
done
[ "$alive" = 2 ] || fail "expected 2 live workers, saw $alive"
manage shell -c "
from ikm_portal.core.tasks import heartbeat
for _ in range(40):
    heartbeat.delay()
" >"$WORK/logs/enqueue.log" 2>&1 || fail "enqueue"
for _ in $(seq 1 60); do
  stats="$("$PY" -m celery -A ikm_portal inspect stats --json --timeout 3 2>/dev/null | tail -n1 || true)"
  consumed="$("$PY" -c '
import json, sys
try:
    stats = json.loads(sys.argv[1])
except ValueError:
    stats = {}
print(" ".join("%s=%s" % (h, s.get("total", {}).get("core.heartbeat", 0)) for h, s in sorted(stats.items())))
' "$stats")"
  total="$(tr ' ' '\n' <<<"$consumed" | awk -F= '{s += $2} END {print s + 0}')"
  [ "$total" -ge 40 ] && break
  sleep 0.5
done
[ "$total" -ge 40 ] || fail "only $total of 40 tasks consumed ($consumed)"
busy="$(tr ' ' '\n' <<<"$consumed" | awk -F= '$2 > 0' | wc -l)"
[ "$busy" = 2 ] || fail "one worker consumed everything ($consumed)"
ok "40 tasks sent to the default queue (celery), consumed: $consumed"

step "/healthz?full=1: migrations, workers, beat, queues"
for _ in $(seq 1 60); do
  full="$(curl -sS -H 'X-Forwarded-Proto: https' -H "X-Healthz-Token: $HEALTHZ_TOKEN" "http://127.0.0.1:$PORT_B/healthz?full=1")"
  verdict="$("$PY" -c '
import json, sys
b = json.loads(sys.argv[1])
good = (b["database"] == "ok" and b["broker"] == "ok" and b["migrations"]["status"] == "ok"
        and b["workers"]["status"] == "ok" and b["workers"]["alive"] == 2
        and b["beat"]["status"] == "ok" and all(v == 0 for v in b["queues"].values()))
print("ok" if good else "wait")
' "$full")"
  [ "$verdict" = ok ] && break
  sleep 0.5
done
[ "$verdict" = ok ] || fail "full health not ok: $full"
ok "$full"
[ "$(get "http://127.0.0.1:$PORT_A/healthz?full=1")" = 403 ] || fail "full health open to anonymous"
ok "anonymous /healthz?full=1 → 403"
grep -q '"request_id"' "$WORK/logs/gunicorn-a.log" || fail "no JSON access lines in gunicorn A's log"
ok "JSON log lines with request ids: $(grep -c '"logger": "ikm_portal.request"' "$WORK/logs/gunicorn-a.log") on A, $(grep -c '"logger": "ikm_portal.request"' "$WORK/logs/gunicorn-b.log") on B"

NGINX_NOTE="nginx not installed (make deploy-tools): skipped"
if command -v nginx >/dev/null; then
  step "nginx with the real site file (deploy/nginx/ikm-portal.conf) in front of both instances"
  N="$WORK/nginx"; mkdir -p "$N/tmp" "$N/acme"; chmod 1777 "$N/tmp"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
    -keyout "$N/key.pem" -out "$N/cert.pem" >/dev/null 2>&1
  sed -e "s#server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;#server 127.0.0.1:$PORT_A max_fails=3 fail_timeout=10s;\n    server 127.0.0.1:$PORT_B max_fails=3 fail_timeout=10s;#" \
      -e "s#listen 80;#listen 127.0.0.1:$PORT_HTTP;#" -e "/listen \[::\]:80;/d" \
      -e "s#listen 443 ssl http2;#listen 127.0.0.1:$PORT_HTTPS ssl http2;#" -e "/listen \[::\]:443 ssl http2;/d" \
      -e "s#/etc/letsencrypt/live/ikm.example.go.id/fullchain.pem#$N/cert.pem#" \
      -e "s#/etc/letsencrypt/live/ikm.example.go.id/privkey.pem#$N/key.pem#" \
      -e "s#/srv/ikm-portal/static/#$STATIC_ROOT/#" -e "s#/var/www/letsencrypt#$N/acme#" \
      -e "s#/var/log/nginx/#$N/#g" deploy/nginx/ikm-portal.conf >"$N/site.conf"
  cat >"$N/nginx.conf" <<EOF
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user nobody nogroup;" )
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $N/tmp/body;
    proxy_temp_path $N/tmp/proxy;
    fastcgi_temp_path $N/tmp/fastcgi;
    uwsgi_temp_path $N/tmp/uwsgi;
    scgi_temp_path $N/tmp/scgi;
    include $N/site.conf;
}
EOF
  chmod -R a+rX "$WORK/static" "$N"
  nginx -t -p "$N" -c "$N/nginx.conf" >"$WORK/logs/nginx-t.log" 2>&1 || fail "nginx -t on the site file"
  ok "nginx -t: the site file is valid"
  nginx -p "$N" -c "$N/nginx.conf" -g 'daemon off;' >"$WORK/logs/nginx.log" 2>&1 &
  PIDS+=($!)
  H="https://127.0.0.1:$PORT_HTTPS"
  for _ in $(seq 1 40); do curl -sk -o /dev/null "$H/healthz" && break; sleep 0.25; done
  before_a="$(grep -c '"logger": "ikm_portal.request"' "$WORK/logs/gunicorn-a.log")"
  before_b="$(grep -c '"logger": "ikm_portal.request"' "$WORK/logs/gunicorn-b.log")"
  for _ in $(seq 1 20); do
    code="$(curl -sk -o /dev/null -w '%{http_code}' "$H/accounts/login/")"
    [ "$code" = 200 ] || fail "GET /accounts/login/ through nginx → $code"
  done
  after_a="$(grep -c '"logger": "ikm_portal.request"' "$WORK/logs/gunicorn-a.log")"
  after_b="$(grep -c '"logger": "ikm_portal.request"' "$WORK/logs/gunicorn-b.log")"
  if [ $((after_a - before_a)) -eq 0 ] || [ $((after_b - before_b)) -eq 0 ]; then
    fail "nginx did not spread requests (A +$((after_a - before_a)), B +$((after_b - before_b)))"
  fi
  ok "20 requests over HTTPS through nginx: A served $((after_a - before_a)), B served $((after_b - before_b))"
  [ "$(curl -sk -o /dev/null -w '%{http_code}' "$H/static/css/portal.css")" = 200 ] || fail "static through nginx"
  [ "$(curl -sk -o /dev/null -w '%{http_code}' "$H/media/agreements/x.pdf")" = 404 ] || fail "/media/ must be closed"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_HTTP/")" = 301 ] || fail "port 80 → https"
  hsts="$(curl -sk -D - -o /dev/null "$H/" | grep -ci '^strict-transport-security')"
  [ "$hsts" -ge 1 ] || fail "no HSTS header through nginx"
  rid="$(curl -sk -D - -o /dev/null "$H/accounts/login/" | grep -i '^x-request-id:' | tr -d '\r' | awk '{print $2}')"
  [ -n "$rid" ] || fail "no X-Request-ID through nginx"
  sleep 0.5
  grep -q "rid=$rid" "$N/ikm-portal.access.log" || fail "nginx access log lacks request id $rid"
  cat "$WORK"/logs/gunicorn-*.log | grep -q "\"request_id\": \"$rid\"" || fail "gunicorn logs lack request id $rid"
  ok "static from STATIC_ROOT, /media/ closed, HTTP → HTTPS, HSTS; request id $rid in nginx's and Django's logs"
  # The browser path: session cookie over HTTPS, login through nginx, dashboard.
  jar="$WORK/run/nginx-cookies"
  curl -sk -o /dev/null -c "$jar" -b "$jar" "$H/accounts/login/"
  csrf="$(awk '$6 == "csrftoken" {print $7}' "$jar")"
  code="$(curl -sk -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -H "Referer: $H/accounts/login/" \
    --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "username=$ADMIN_EMAIL" \
    --data-urlencode "password=$ADMIN_PASSWORD" "$H/accounts/login/")"
  [ "$code" = 302 ] || fail "login through nginx → $code"
  code="$(curl -sk -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -H "Referer: $H/accounts/login/verify/" \
    --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "code=demo0002" "$H/accounts/login/verify/")"
  [ "$code" = 302 ] || fail "two-factor step through nginx → $code"
  for _ in 1 2 3 4; do
    code="$(curl -sk -o "$WORK/run/ops.html" -w '%{http_code}' -c "$jar" -b "$jar" "$H/operations/")"
    [ "$code" = 200 ] || fail "/operations/ through nginx → $code"
  done
  grep -q 'data-queue="notifications"' "$WORK/run/ops.html" || fail "queue lengths missing on /operations/"
  ok "login over HTTPS, /operations/ with queue lengths served 4 times across both instances"
  NGINX_NOTE="through nginx (TLS, site file) on 127.0.0.1:$PORT_HTTPS"
fi

step "graceful reload (HUP) of instance A under requests"
kill -HUP "$(cat "$WORK/run/a.pid")"
bad=0
for _ in $(seq 1 40); do
  code="$(get "http://127.0.0.1:$PORT_A/healthz")"
  [ "$code" = 200 ] || bad=$((bad + 1))
  sleep 0.05
done
[ "$bad" = 0 ] || fail "$bad of 40 requests failed during the reload"
grep -q 'Hang up: Master' "$WORK/logs/gunicorn-a.log" || fail "gunicorn A did not reload"
ok "40 requests during the reload, none failed"

FAILED=0
step "deploy-check passed"
cat >&2 <<EOF
   production settings, generated SECRET_KEY, check --deploy clean
   gunicorn A :$PORT_A (direct) and B :$PORT_B ($PGB_NOTE), sessions in Redis + database
   Celery: 2 workers + beat on $REDIS_URL; tasks consumed: $consumed
   $NGINX_NOTE
EOF
