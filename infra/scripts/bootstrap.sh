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
had_coturn=""; dpkg-query -W -f='${Status}' coturn 2>/dev/null | grep -q 'install ok installed' && had_coturn=1
onair_apt_install "${pkgs[@]}"
# Debian starts a package's service on a systemd host: a system-wide coturn with the stock
# /etc/turnserver.conf (no credentials configured) on onair's TURN port. onair runs its own,
# so a coturn this script just installed has its system service disabled; one that was
# already installed is the administrator's and is left alone.
if [ -z "$had_coturn" ] && command -v systemctl >/dev/null && systemctl is-enabled --quiet coturn 2>/dev/null; then
  onair_log "disabling the coturn system service Debian enabled (onair runs its own TURN server)"
  onair_sudo systemctl disable --now coturn >/dev/null 2>&1 || onair_log "could not disable coturn's system service: run systemctl disable --now coturn"
fi

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
