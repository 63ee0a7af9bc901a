#!/usr/bin/env bash
# Restore an IKM Portal backup made by backup.sh into a given database.
#
#   TARGET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ikm_restored \
#   RESTORE_MEDIA_ROOT=/srv/ikm-portal/media \
#     deploy/scripts/restore.sh backups/ikm-db-<stamp>.dump [backups/ikm-media-<stamp>.tar.gz]
#   make restore DUMP=backups/ikm-db-<stamp>.dump MEDIA_TAR=… TARGET_DATABASE_URL=…
#
# TARGET_DATABASE_URL defaults to DATABASE_URL; RESTORE_MEDIA_ROOT to MEDIA_ROOT. The target
# database is created when missing. A target that already holds tables, or a media folder that
# is not empty, is refused unless FORCE=1 (then the database objects are dropped and re-created
# and the media files overwritten). The SHA-256 file beside the dump is checked when present.
set -euo pipefail
# shellcheck source=deploy/scripts/lib.sh
. "$(dirname "$0")/lib.sh"

dump="${1:-}"
media="${2:-}"
[ -n "$dump" ] || die "usage: restore.sh DUMP [MEDIA_TAR]"
[ -r "$dump" ] || die "cannot read $dump"
if [ -n "$media" ] && [ ! -r "$media" ]; then die "cannot read $media"; fi
if [ -n "${IKM_ENV_FILE:-}" ]; then load_env_file "$IKM_ENV_FILE"; fi
target="${TARGET_DATABASE_URL:-${DATABASE_URL:-}}"
[ -n "$target" ] || die "set TARGET_DATABASE_URL (or DATABASE_URL)"
command -v pg_restore >/dev/null || die "pg_restore not found (apt-get install postgresql-client)"

# Integrity first: the checksums written by backup.sh.
stamp="$(basename "$dump" .dump)"; stamp="${stamp#ikm-db-}"
sums="$(dirname "$dump")/ikm-$stamp.sha256"
if [ -r "$sums" ]; then
  log "checking $sums"
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$sums")") || die "checksum mismatch"
fi

url="$(libpq_url "$target")"
name="$(database_name "$url")"
[ -n "$name" ] || die "TARGET_DATABASE_URL names no database"
maintenance="$(url_with_database "$url" postgres)"

# psql interpolates :'name' / :"name" (quoted safely) only in commands read from stdin.
exists="$(echo "SELECT 1 FROM pg_database WHERE datname = :'name'" \
  | psql "$maintenance" -X -A -t -v ON_ERROR_STOP=1 -v name="$name" | tr -d '[:space:]')"
if [ "$exists" != "1" ]; then
  log "creating database $name"
  echo 'CREATE DATABASE :"name"' | psql "$maintenance" -X -q -v ON_ERROR_STOP=1 -v name="$name"
fi

tables="$(psql "$url" -X -A -t -v ON_ERROR_STOP=1 \
  -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" | tr -d '[:space:]')"
clean=()
if [ "$tables" != "0" ]; then
  [ "${FORCE:-}" = "1" ] || die "database $name already holds $tables tables; FORCE=1 replaces them"
  clean=(--clean --if-exists)
fi

log "restoring $dump → database $name"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" \
  --dbname="$url" "$dump"

if [ -n "$media" ]; then
  media_root="${RESTORE_MEDIA_ROOT:-${MEDIA_ROOT:-}}"
  if [ -z "$media_root" ]; then media_root="$(django_setting MEDIA_ROOT)"; fi
  mkdir -p "$media_root"
  if [ -n "$(ls -A "$media_root")" ] && [ "${FORCE:-}" != "1" ]; then
    die "$media_root is not empty; FORCE=1 overwrites its files"
  fi
  log "media $media → $media_root"
  tar --extract --gzip --file="$media" --directory="$media_root" --no-same-owner
fi

log "restore complete. If the code is newer than the backup, run: python manage.py migrate"
