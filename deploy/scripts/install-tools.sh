#!/usr/bin/env bash
# make deploy-tools: the Debian packages that `make deploy-check` and `make deploy-lint` use
# when present — nginx (the site file behind TLS), pgbouncer (transaction pooling), shellcheck
# (the scripts), docker-compose (validates docker-compose.yml; no engine needed for `config`),
# openssl and curl. Needs root (apt-get). Services are NOT started: the checks run their own
# instances on loopback ports and stop them.
set -euo pipefail
PACKAGES=(nginx-light pgbouncer shellcheck docker-compose openssl curl postgresql-client)
if [ "$(id -u)" != 0 ]; then echo "run as root (apt-get)" >&2; exit 1; fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" = 0 ]; then echo "deploy tools already installed"; exit 0; fi
# Keep the packages' maintainer scripts from starting nginx/pgbouncer on this machine.
policy=/usr/sbin/policy-rc.d
had_policy=0; [ -e "$policy" ] && had_policy=1
if [ "$had_policy" = 0 ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; fi
trap '[ "$had_policy" = 0 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "installed: ${missing[*]}"
