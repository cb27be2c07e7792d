#!/usr/bin/env bash
# Installs everything onair needs on a Debian/Ubuntu machine, idempotently: Debian packages,
# npm packages, a Janus >= 1.1.4 (built once, cached outside the work tree) and the Prisma
# client. Used by `npm run up` and `npm test`. Prints `JANUS_PREFIX=<dir>` last.
#   bootstrap.sh [--with-test-tools]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"

pkgs=(ffmpeg postgresql iproute2 util-linux ca-certificates curl)
# coturn: the embedded TURN server (ONAIR_TURN_SERVER=embedded), and the tests' TURN server.
[ "${ONAIR_TURN_SERVER:-off}" = embedded ] && pkgs+=(coturn)
[ "${1:-}" = --with-test-tools ] && pkgs+=(chromium coturn)
onair_apt_install "${pkgs[@]}"

cd "$root"
# npm ci when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  onair_log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || onair_die "npm ci failed"
fi

janus_prefix="$(bash "$here/install-janus.sh")"

# The Prisma CLI reads DATABASE_URL from prisma.config.ts; generate needs no database.
DATABASE_URL="${DATABASE_URL:-postgresql://localhost/unused}" npx --no-install prisma generate >/dev/null \
  || onair_die "prisma generate failed"
echo "JANUS_PREFIX=$janus_prefix"
