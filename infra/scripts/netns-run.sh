#!/usr/bin/env bash
# Runs a command inside a private network namespace made for onair's media tests:
# loopback up, a veth link carrying 127.0.0.2/32 (Janus never gathers ICE candidates on a
# loopback interface, so it gathers on this one), IPv6 off and no route anywhere else.
# Janus, Postgres, the API, the web app and Chromium all run inside it.
#
# It is a PID namespace too, with the command as its first process: when the command ends,
# by any path (success, failure, Ctrl-C, a killed jest), the kernel kills every process
# still in the namespace, so nothing a run started outlives it.
#
#   netns-run.sh COMMAND [ARGS...]
set -euo pipefail
if [ "${ONAIR_IN_NETNS:-}" != 1 ]; then
  command -v unshare >/dev/null || { echo "netns-run: unshare (util-linux) is required" >&2; exit 1; }
  userns=(); [ "$(id -u)" = 0 ] || userns=(--map-root-user)
  exec unshare --net --pid --fork --mount-proc "${userns[@]}" -- env ONAIR_IN_NETNS=1 bash "$0" "$@"
fi
ip link set lo up
ip link add onair0 type veth peer name onair1
ip addr add 127.0.0.2/32 dev onair0
ip link set onair0 up
ip link set onair1 up
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
export ONAIR_TEST_ICE_IP=127.0.0.2
exec "$@"
