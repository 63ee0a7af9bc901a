# IKM Portal image: one image, four roles (web, worker, beat, migrate) chosen by the command.
#   docker build -t ikm-portal .            docs/deployment.md, "Docker"
# Build arguments: EXTRAS="sentry,s3" adds the optional extras.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
WORKDIR /src
# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
ARG EXTRAS=""
RUN if [ -n "$EXTRAS" ]; then /venv/bin/pip install ".[$EXTRAS]"; else /venv/bin/pip install .; fi

FROM python:3.11-slim-bookworm
# postgresql-client: pg_dump / pg_restore for backups from the container (PostgreSQL 15).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home ikm \
    && mkdir -p /data/media /data/beat /data/backups \
    && chown -R ikm:ikm /data
COPY --from=build /venv /venv
WORKDIR /app
COPY --chown=ikm:ikm . /app
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=ikm_portal.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    BACKUP_DIR=/data/backups \
    GUNICORN_BIND=0.0.0.0:8000 \
    GUNICORN_FORWARDED_ALLOW_IPS=* \
    LOG_FORMAT=json
# Static files are part of the image (whitenoise serves them); the key exists only for this step.
RUN SECRET_KEY=collectstatic-at-build-time-only python manage.py collectstatic --noinput \
    && chmod +x deploy/docker/entrypoint.sh deploy/scripts/*.sh
USER ikm
EXPOSE 8000
VOLUME ["/data/media"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/app/deploy/docker/healthcheck.py"]
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD ["web"]
