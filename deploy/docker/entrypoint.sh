#!/bin/sh
# The container's roles: web | worker [celery options] | beat | migrate | manage <command> |
# backup | any other command.
set -eu
cd /app
case "${1:-web}" in
  web)
    exec gunicorn ikm_portal.wsgi:application --config /app/deploy/gunicorn.conf.py
    ;;
  worker)
    shift
    exec celery -A ikm_portal worker --loglevel=INFO \
      --concurrency="${CELERY_WORKER_CONCURRENCY:-2}" --max-tasks-per-child=200 "$@"
    ;;
  beat)
    exec celery -A ikm_portal beat --loglevel=INFO --schedule=/data/beat/celerybeat-schedule
    ;;
  migrate)
    # One-shot before web and workers start: schema, then the reference data (idempotent).
    python manage.py migrate --noinput
    exec python manage.py load_demo --reference-only
    ;;
  manage)
    shift
    exec python manage.py "$@"
    ;;
  backup)
    exec /app/deploy/scripts/backup.sh
    ;;
  *)
    exec "$@"
    ;;
esac
