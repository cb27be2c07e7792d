#!/usr/bin/env bash
# Writes the .env that docker-compose.yml needs (it has no default secrets): fresh random
# Janus API/Admin secrets, the Postgres password, ONAIR_SECRET, ONAIR_GATEWAY_SECRET and ONAIR_TURN_SECRET, mode 600. Secrets already
# in the file are kept (the Postgres password is set once, when its volume is created).
#   bash infra/docker/make-env.sh [FILE]     (default: .env at the repository root)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
file="${1:-$root/.env}"
hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
umask 077
touch "$file"
chmod 600 "$file"
for entry in JANUS_API_SECRET:16 JANUS_ADMIN_SECRET:16 ONAIR_PG_PASSWORD:24 ONAIR_SECRET:32 ONAIR_GATEWAY_SECRET:32 ONAIR_TURN_SECRET:32; do
  name="${entry%%:*}"
  grep -q "^$name=" "$file" || printf '%s=%s\n' "$name" "$(hex "${entry##*:}")" >> "$file"
done
printf '%s\n' "$file"
