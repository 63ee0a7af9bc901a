#!/usr/bin/env bash
# make deploy-lint: static checks of the deployment files with whatever tools are installed
# (`make deploy-tools` installs them): shellcheck, systemd-analyze verify on the units (paths
# pointed at this checkout), nginx -t on the site file, docker-compose config, gunicorn
# --check-config. A missing tool is reported as skipped, a failing check fails the target.
set -euo pipefail
# shellcheck source=deploy/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
PY="$(find_python)"
VENV_BIN="$(cd "$(dirname "$PY")" && pwd)"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
cd "$PROJECT_DIR"
skipped=()

if command -v shellcheck >/dev/null; then
  shellcheck -x deploy/scripts/*.sh deploy/docker/entrypoint.sh
  log "shellcheck: ok"
else skipped+=(shellcheck); fi

if command -v systemd-analyze >/dev/null; then
  mkdir -p "$TMP/units"
  for unit in deploy/systemd/*; do
    name="$(basename "$unit")"
    [ "$name" = "ikm-worker@.service" ] && name="ikm-worker@imports.service"
    sed -e "s#/srv/ikm-portal/venv/bin#$VENV_BIN#g" -e "s#/srv/ikm-portal/app#$PROJECT_DIR#g" \
        -e "s#/etc/ikm-portal/ikm-portal.env#$PROJECT_DIR/deploy/ikm-portal.env.example#g" \
        "$unit" >"$TMP/units/$name"
  done
  # User=ikm need not exist here; everything else must verify cleanly.
  out="$(cd "$TMP/units"; systemd-analyze verify ./*.service ./*.timer 2>&1)" || true
  out="$(grep -v -e 'Failed to resolve user' -e 'ikm: ' <<<"$out" || true)"
  if [ -n "$out" ]; then echo "$out" >&2; die "systemd-analyze verify"; fi
  log "systemd-analyze verify: ok ($(find "$TMP/units" -type f | wc -l) units)"
else skipped+=(systemd-analyze); fi

if command -v nginx >/dev/null; then
  N="$TMP/nginx"; mkdir -p "$N/static"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
    -keyout "$N/key.pem" -out "$N/cert.pem" >/dev/null 2>&1
  sed -e "s#/etc/letsencrypt/live/ikm.example.go.id/fullchain.pem#$N/cert.pem#" \
      -e "s#/etc/letsencrypt/live/ikm.example.go.id/privkey.pem#$N/key.pem#" \
      -e "s#/var/log/nginx/#$N/#g" deploy/nginx/ikm-portal.conf >"$N/site.conf"
  printf 'pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n include /etc/nginx/mime.types;\n include %s/site.conf;\n}\n' \
    "$N" "$N" "$N" >"$N/nginx.conf"
  nginx -t -q -p "$N" -c "$N/nginx.conf"
  log "nginx -t: ok"
else skipped+=(nginx); fi

compose=()
if docker compose version >/dev/null 2>&1; then compose=(docker compose)
elif command -v docker-compose >/dev/null; then compose=(docker-compose); fi
if [ "${#compose[@]}" -gt 0 ]; then
  C="$TMP/compose"; mkdir -p "$C"
  cp docker-compose.yml Dockerfile "$C/"
  cp deploy/ikm-portal.env.example "$C/ikm-portal.env"
  echo "POSTGRES_PASSWORD=lint-only" >"$C/.env"
  (cd "$C" && "${compose[@]}" config --quiet)
  log "${compose[*]} config: ok"
else skipped+=(docker-compose); fi
# Every file the Dockerfile copies or runs must exist.
for f in pyproject.toml README.md manage.py deploy/gunicorn.conf.py deploy/docker/entrypoint.sh deploy/docker/healthcheck.py; do
  [ -e "$f" ] || die "Dockerfile needs $f"
done

SECRET_KEY=lint-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
DJANGO_SETTINGS_MODULE=ikm_portal.settings.production \
  "$PY" -m gunicorn --check-config --config deploy/gunicorn.conf.py ikm_portal.wsgi:application
log "gunicorn --check-config: ok"

if [ "${#skipped[@]}" -gt 0 ]; then log "skipped (not installed; make deploy-tools): ${skipped[*]}"; fi
log "deploy-lint passed"
