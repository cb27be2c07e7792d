#!/usr/bin/env bash
# onair's embedded Postgres: a private cluster under onair's data directory, used when
# DATABASE_URL is not set. It listens on 127.0.0.1 only and never touches the system cluster.
#
#   postgres.sh start [DATADIR] [PORT]   init (first time) and start; prints DATABASE_URL
#   postgres.sh stop  [DATADIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

cmd="${1:-}"; datadir="${2:-$(onair_home)/postgres}"; port="${3:-${ONAIR_PG_PORT:-5433}}"

pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && { printf '%s' "$d"; return; }
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  return 1
}

# Postgres refuses to run as root; as root we run it as the 'postgres' system user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  start)
    bindir="$(pg_bindir)" || { onair_apt_install postgresql; bindir="$(pg_bindir)"; } \
      || onair_die "no Postgres server binaries found"
    mkdir -p "$datadir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$datadir" && chmod 700 "$datadir"
    if [ ! -f "$datadir/PG_VERSION" ]; then
      onair_log "creating the embedded Postgres cluster in $datadir"
      as_pg "$bindir/initdb" -D "$datadir" -U onair --auth=trust -E UTF8 --no-locale >/dev/null \
        || onair_die "initdb failed in $datadir"
      cat >> "$datadir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$datadir'
fsync = ${ONAIR_PG_FSYNC:-on}
CONF
    fi
    if ! as_pg "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
      as_pg "$bindir/pg_ctl" -D "$datadir" -o "-p $port" -l "$datadir/server.log" -w -t 30 start >/dev/null \
        || { tail -20 "$datadir/server.log" >&2; onair_die "Postgres did not start on port $port (log: $datadir/server.log); if the port is taken, set ONAIR_PG_PORT or DATABASE_URL"; }
    fi
    as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U onair -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='onair'" \
      | grep -q 1 || as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U onair onair
    printf 'postgresql://onair@127.0.0.1:%s/onair\n' "$port"
    ;;
  stop)
    bindir="$(pg_bindir)" || exit 0
    [ -f "$datadir/PG_VERSION" ] || exit 0
    as_pg "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop [DATADIR] [PORT]" >&2; exit 2 ;;
esac
