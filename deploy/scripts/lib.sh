# Shared helpers of the deploy scripts (sourced, not run).
# shellcheck shell=bash

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The Python of the portal: $PYTHON, else the project's .venv, else the venv of the documented
# server layout, else python3.
find_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  for candidate in "$PROJECT_DIR/.venv/bin/python" /srv/ikm-portal/venv/bin/python; do
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
  command -v python3
}

# Export KEY=VALUE lines of an env file exactly as systemd's EnvironmentFile reads them (values
# may hold spaces and <>, so the file is not sourced as shell). Variables already set win.
load_env_file() {
  local file="$1" key value
  [ -r "$file" ] || die "cannot read $file"
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key="${line%%=*}"
    value="${line#*=}"
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    if [ -z "${!key+x}" ]; then export "$key=$value"; fi
  done <"$file"
}

# A DATABASE_URL as django-environ reads it (postgres://, postgresql://, pgsql://, psql://)
# turned into a libpq connection URI for pg_dump, pg_restore and psql.
libpq_url() {
  case "$1" in
    postgres://*|postgresql://*) echo "$1" ;;
    pgsql://*|psql://*) echo "postgresql://${1#*://}" ;;
    *) die "not a PostgreSQL URL: ${1%%://*}://… (backups need PostgreSQL; copy a SQLite file instead)" ;;
  esac
}

# The same server, another database: URL with its path replaced by /$2.
url_with_database() {
  "$(find_python)" - "$1" "$2" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(sys.argv[1])
print(urlunsplit(parts._replace(path="/" + sys.argv[2])))
PY
}

database_name() {
  "$(find_python)" - "$1" <<'PY'
import sys
from urllib.parse import unquote, urlsplit
print(unquote(urlsplit(sys.argv[1]).path.lstrip("/")))
PY
}

# A setting of the portal as Django computes it (e.g. MEDIA_ROOT).
django_setting() {
  (cd "$PROJECT_DIR" && "$(find_python)" -c "import django; django.setup(); from django.conf import settings; print(getattr(settings, '$1'))")
}
