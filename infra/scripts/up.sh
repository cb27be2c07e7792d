#!/usr/bin/env bash
# `npm run up`: installs what is missing, then runs the whole platform in the foreground:
# Postgres (embedded unless DATABASE_URL is set), Janus, the API and the web app.
# Ctrl-C stops everything it started.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
cd "$root"

home="$(onair_home)"
mkdir -p "$home"
export NEXT_TELEMETRY_DISABLED=1 NX_DAEMON=false NX_NO_CLOUD=true

eval "$(bash "$here/bootstrap.sh" | grep '^JANUS_PREFIX=')"
export JANUS_PREFIX

# Janus API/Admin secrets: generated once, kept private to this installation.
secrets="$home/secrets.env"
if [ ! -f "$secrets" ]; then
  umask 077
  printf 'JANUS_API_SECRET=%s\nJANUS_ADMIN_SECRET=%s\n' "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" \
    "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" > "$secrets"
  umask 022
fi
# ONAIR_SECRET signs private channels' share links; kept so links survive restarts.
if ! grep -q '^ONAIR_SECRET=' "$secrets"; then
  (umask 077; printf 'ONAIR_SECRET=%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >> "$secrets")
fi
# ONAIR_GATEWAY_SECRET: the web app's gateway signs the browser's address and scheme with it
# (the API believes them only with this secret); both processes read it from the environment.
if ! grep -q '^ONAIR_GATEWAY_SECRET=' "$secrets"; then
  (umask 077; printf 'ONAIR_GATEWAY_SECRET=%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >> "$secrets")
fi
# ONAIR_TURN_SECRET: the embedded TURN server's shared secret (coturn use-auth-secret), when
# ONAIR_TURN_SERVER=embedded; the API mints per-session TURN credentials with it.
if [ "${ONAIR_TURN_SERVER:-off}" = embedded ] && ! grep -q '^ONAIR_TURN_SECRET=' "$secrets"; then
  (umask 077; printf 'ONAIR_TURN_SECRET=%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >> "$secrets")
fi
set -a; . "$secrets"; set +a
host="$(hostname -I 2>/dev/null | awk '{print $1}')"; host="${host:-localhost}"
# The embedded TURN server is reached at the public address, or this machine's first one.
if [ "${ONAIR_TURN_SERVER:-off}" = embedded ] && [ -z "${ONAIR_TURN_HOST:-}" ] && [ -z "${ONAIR_PUBLIC_IP:-}" ]; then
  export ONAIR_TURN_HOST="$host"
fi
export ONAIR_HOME="$home"

pids=()
embedded_pg=""
stop_all() {
  trap - INT TERM EXIT
  onair_log "stopping"
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "$embedded_pg" ] && bash "$here/postgres.sh" stop "$embedded_pg"
  onair_log "stopped"
}
trap stop_all INT TERM EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  embedded_pg="$home/postgres"
  DATABASE_URL="$(bash "$here/postgres.sh" start "$embedded_pg" "${ONAIR_PG_PORT:-5433}")"
fi
export DATABASE_URL
onair_log "applying database migrations"
npx --no-install prisma migrate deploy >"$home/migrate.log" 2>&1 || { cat "$home/migrate.log"; onair_die "migrations failed"; }

onair_log "building onair"
npx --no-install nx run-many -t build --output-style=static >"$home/build.log" 2>&1 \
  || { tail -40 "$home/build.log"; onair_die "build failed (log: $home/build.log)"; }

cli() { node apps/api/dist/cli/main.js "$@"; }
cli janus-config --templates infra/janus --out "$home/janus" --prefix "$JANUS_PREFIX"

onair_log "starting Janus"
"$JANUS_PREFIX/bin/janus" -C "$home/janus/janus.jcfg" -F "$home/janus" -N >"$home/janus.log" 2>&1 &
pids+=($!)
onair_log "starting the API"
# Process substitution keeps $! the component's own pid, so Ctrl-C/TERM reach it directly.
node apps/api/dist/main.js > >(sed -u 's/^/[api] /') 2>&1 &
pids+=($!)
web_port="${ONAIR_WEB_PORT:-3000}"
onair_log "starting the web app"
(cd apps/web && exec node server.mjs -p "$web_port") > >(sed -u 's/^/[web] /') 2>&1 &
pids+=($!)

api_port="${ONAIR_API_PORT:-8080}"
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$api_port/health" >/dev/null 2>&1 && break
  sleep 0.3
done
curl -fsS "http://127.0.0.1:$api_port/health" >/dev/null 2>&1 || onair_log "the API is not healthy yet: see $home/janus.log and the [api] lines"

first="$(cli channel --slug "${ONAIR_FIRST_CHANNEL:-live}" --title "${ONAIR_FIRST_CHANNEL_TITLE:-My channel}")"
slug="$(node -e 'console.log(JSON.parse(process.argv[1]).slug)' "$first")"
key="$(node -e 'console.log(JSON.parse(process.argv[1]).streamKey ?? "")' "$first")"
# A fresh install's first account becomes its admin: only the holder of this one-time link
# may make it (a new link each start until then; only its hash is stored).
setup="$(cli setup-link --base "http://$host:$web_port")"
setup_link="$(node -e 'console.log(JSON.parse(process.argv[1]).link ?? "")' "$setup")"
if [ -n "$setup_link" ]; then
  studio_line="First time:   $setup_link
                (one-time setup link: the account made with it is the admin; keep it private)"
else
  studio_line="Studio:       http://$host:$web_port/studio"
fi

cat <<MSG

  onair is up.

  $studio_line
  Watch:        http://$host:$web_port/watch/$slug
  Directory:    http://$host:$web_port/
  Health:       http://$host:$api_port/health
  TURN:         $([ "${ONAIR_TURN_SERVER:-off}" = embedded ] && echo "embedded, port ${ONAIR_TURN_PORT:-3478} UDP+TCP (open it and ${ONAIR_TURN_RELAY_PORTS:-49152-65535}/udp in the firewall)" || echo "off (ONAIR_TURN_SERVER=embedded runs one)")

  OBS → Settings → Stream → Service: WHIP
    Server:        http://$host:$api_port/whip
    Bearer Token:  ${key:-(shown only when the key is created; mint another with: node apps/api/dist/cli/main.js key --slug $slug)}
    Recommended:   keyframe interval 1-2 s, no B-frames (Profile: baseline or main with bframes=0)

  Ctrl-C stops everything.
MSG
[ -n "$key" ] && printf '  Keep the stream key: onair stores only its hash and cannot show it again.\n\n'

wait -n "${pids[@]}" || true
onair_log "a component exited"
