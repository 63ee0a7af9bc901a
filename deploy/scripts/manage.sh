#!/usr/bin/env bash
# manage.py with the installation's environment, as the services see it:
#   sudo -u ikm /srv/ikm-portal/app/deploy/scripts/manage.sh migrate --noinput
# IKM_ENV_FILE (default /etc/ikm-portal/ikm-portal.env) is read like systemd's EnvironmentFile;
# PYTHON defaults to the project's .venv, then /srv/ikm-portal/venv.
set -euo pipefail
# shellcheck source=deploy/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
env_file="${IKM_ENV_FILE:-/etc/ikm-portal/ikm-portal.env}"
if [ -r "$env_file" ]; then load_env_file "$env_file"; else log "no $env_file: using the current environment"; fi
cd "$PROJECT_DIR"
exec "$(find_python)" manage.py "$@"
