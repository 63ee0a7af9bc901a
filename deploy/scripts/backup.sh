#!/usr/bin/env bash
# Back up IKM Portal: the database (pg_dump, custom format) and MEDIA_ROOT (tar.gz), with a
# SHA-256 file, all named by one UTC timestamp in BACKUP_DIR. Old sets are pruned after
# BACKUP_KEEP_DAYS days (unset: never).
#
#   deploy/scripts/backup.sh                      # uses DATABASE_URL, MEDIA_ROOT, BACKUP_DIR
#   IKM_ENV_FILE=/etc/ikm-portal/ikm-portal.env deploy/scripts/backup.sh
#   make backup
#
# Prints the paths of the files written, one a line: the database dump first, then the media tar.
set -euo pipefail
# shellcheck source=deploy/scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ -n "${IKM_ENV_FILE:-}" ]; then load_env_file "$IKM_ENV_FILE"; fi
[ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is not set"
command -v pg_dump >/dev/null || die "pg_dump not found (apt-get install postgresql-client)"

url="$(libpq_url "$DATABASE_URL")"
dir="${BACKUP_DIR:-$PROJECT_DIR/backups}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
umask 077
mkdir -p "$dir"

dump="$dir/ikm-db-$stamp.dump"
log "database → $dump"
pg_dump --format=custom --compress=6 --no-password --file="$dump.part" "$url"
mv "$dump.part" "$dump"

media_root="${MEDIA_ROOT:-}"
if [ -z "$media_root" ]; then media_root="$(django_setting MEDIA_ROOT)"; fi
media="$dir/ikm-media-$stamp.tar.gz"
if [ "${STORAGE_BACKEND:-filesystem}" = "s3" ]; then
  log "media on S3 (STORAGE_BACKEND=s3): not archived here — use the bucket's versioning/replication"
  media=""
else
  log "media $media_root → $media"
  if [ -d "$media_root" ]; then
    tar --create --gzip --file="$media.part" --directory="$media_root" .
  else
    log "MEDIA_ROOT $media_root does not exist yet: empty archive"
    tar --create --gzip --file="$media.part" --files-from=/dev/null
  fi
  mv "$media.part" "$media"
fi

(cd "$dir" && sha256sum "$(basename "$dump")" ${media:+"$(basename "$media")"} >"ikm-$stamp.sha256")

if [ -n "${BACKUP_KEEP_DAYS:-}" ]; then
  find "$dir" -maxdepth 1 -type f -name 'ikm-*' -mtime +"$BACKUP_KEEP_DAYS" -print -delete | sed 's/^/pruned /' >&2
fi

log "backup complete ($(du -sh "$dump" | cut -f1) database)"
echo "$dump"
if [ -n "$media" ]; then echo "$media"; fi
