#!/usr/bin/env bash
# onair's embedded Postgres: a private cluster under onair's data directory, used when
# DATABASE_URL is not set. It listens on 127.0.0.1 only and never touches the system cluster.
#
#   postgres.sh start [DATADIR] [PORT]   init (first time) and start; prints DATABASE_URL
#   postgres.sh stop  [DATADIR]
#
# Every connection, TCP or Unix socket, needs the password of the 'onair' role (SCRAM): a
# cluster that trusted every local user would let any account on the machine make itself
# onair's admin. The password is generated once and kept, mode 600, as ONAIR_PG_PASSWORD in
# the secrets file beside DATADIR ($ONAIR_HOME/secrets.env for `npm run up`; override with
# ONAIR_PG_SECRETS). A cluster made by an earlier onair with `--auth=trust` is upgraded in
# place on its next start: the role gets the password, pg_hba.conf is rewritten, Postgres
# reloads; no data is touched.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

cmd="${1:-}"; datadir="${2:-$(onair_home)/postgres}"; port="${3:-${ONAIR_PG_PORT:-5433}}"
secrets="${ONAIR_PG_SECRETS:-$(dirname "$datadir")/secrets.env}"

pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && { printf '%s' "$d"; return; }
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  return 1
}

# Postgres refuses to run as root; as root we run it as the 'postgres' system user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The role's password: read from the secrets file, or generated there once (hex: safe in a URL).
pg_password() {
  local pw=""
  [ -f "$secrets" ] && pw="$(sed -n 's/^ONAIR_PG_PASSWORD=//p' "$secrets" | tail -1)"
  if [ -z "$pw" ]; then
    pw="$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
    mkdir -p "$(dirname "$secrets")"
    (umask 077; printf 'ONAIR_PG_PASSWORD=%s\n' "$pw" >> "$secrets")
  fi
  chmod 600 "$secrets"
  printf '%s' "$pw"
}

# Password (SCRAM-SHA-256) for every connection; nothing else is allowed in.
write_hba() {
  local tmp="$datadir/pg_hba.conf.onair-new"
  cat > "$tmp" <<'HBA'
# Written by onair (infra/scripts/postgres.sh): every connection needs the onair role's password.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
HBA
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$datadir/pg_hba.conf"
}

# Whether pg_hba.conf still lets anyone in without a password (a cluster from before).
hba_trusts() { grep -Eq '^[[:space:]]*[^#[:space:]].*[[:space:]](trust|peer|ident)[[:space:]]*$' "$datadir/pg_hba.conf"; }

# Clients run as the caller: they only need the password, which travels in the environment
# (never on a command line, where `ps` would show it to every local user).
pg_client() { PGPASSWORD="$password" "$bindir/$1" -h 127.0.0.1 -p "$port" -U onair "${@:2}"; }

case "$cmd" in
  start)
    bindir="$(pg_bindir)" || { onair_apt_install postgresql; bindir="$(pg_bindir)"; } \
      || onair_die "no Postgres server binaries found"
    mkdir -p "$datadir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$datadir" && chmod 700 "$datadir"
    password="$(pg_password)"
    if [ ! -f "$datadir/PG_VERSION" ]; then
      onair_log "creating the embedded Postgres cluster in $datadir"
      # initdb reads the password from a file the server's user can open, removed right after.
      pwfile="$(mktemp)"
      printf '%s\n' "$password" > "$pwfile"
      [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
      nosync=(); [ "${ONAIR_PG_FSYNC:-on}" = off ] && nosync=(--no-sync) # throw-away test clusters
      as_pg "$bindir/initdb" -D "$datadir" -U onair --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --no-locale "${nosync[@]}" >/dev/null \
        || { rm -f "$pwfile"; onair_die "initdb failed in $datadir"; }
      rm -f "$pwfile"
      cat >> "$datadir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$datadir'
fsync = ${ONAIR_PG_FSYNC:-on}
password_encryption = 'scram-sha-256'
CONF
      write_hba
    fi
    if ! as_pg "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
      as_pg "$bindir/pg_ctl" -D "$datadir" -o "-p $port" -l "$datadir/server.log" -w -t 30 start >/dev/null \
        || { tail -20 "$datadir/server.log" >&2; onair_die "Postgres did not start on port $port (log: $datadir/server.log); if the port is taken, set ONAIR_PG_PORT or DATABASE_URL"; }
    fi
    if hba_trusts; then
      # A cluster from an earlier onair: still open to every local user. Give the role its
      # password (over the old trust, the SQL on stdin), then require it and reload.
      onair_log "requiring a password for the embedded Postgres in $datadir (it trusted every local user)"
      printf "SET password_encryption = 'scram-sha-256';\nALTER ROLE onair PASSWORD '%s';\n" "$password" \
        | pg_client psql -d postgres -v ON_ERROR_STOP=1 -qAt -f - >/dev/null \
        || onair_die "could not set the onair role's password in $datadir"
      write_hba
      as_pg "$bindir/pg_ctl" -D "$datadir" reload >/dev/null || onair_die "Postgres did not reload $datadir/pg_hba.conf"
      # The postmaster rereads pg_hba.conf on SIGHUP, asynchronously: wait until it refuses
      # a connection without the password.
      for _ in $(seq 1 50); do
        env -u PGPASSWORD "$bindir/psql" -h 127.0.0.1 -p "$port" -U onair -d postgres -w -tAc "SELECT 1" >/dev/null 2>&1 || break
        sleep 0.1
      done
    fi
    pg_client psql -d postgres -w -tAc "SELECT 1" >/dev/null 2>&1 \
      || onair_die "the embedded Postgres in $datadir refuses the password kept in $secrets (ONAIR_PG_PASSWORD); put the right one back, or set DATABASE_URL"
    pg_client psql -d postgres -w -tAc "SELECT 1 FROM pg_database WHERE datname='onair'" \
      | grep -q 1 || pg_client createdb -w onair
    printf 'postgresql://onair:%s@127.0.0.1:%s/onair\n' "$password" "$port"
    ;;
  stop)
    bindir="$(pg_bindir)" || exit 0
    [ -f "$datadir/PG_VERSION" ] || exit 0
    as_pg "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop [DATADIR] [PORT]" >&2; exit 2 ;;
esac
