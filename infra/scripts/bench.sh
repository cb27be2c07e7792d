#!/usr/bin/env bash
# `npm run bench`: onair's media benchmark in the test network namespace (real Janus,
# Postgres and Chromium). Prints figures and the machine they were taken on.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
cd "$root"

export NEXT_TELEMETRY_DISABLED=1 NX_DAEMON=false NX_NO_CLOUD=true
eval "$(bash "$here/bootstrap.sh" --with-test-tools | grep '^JANUS_PREFIX=')"
export JANUS_PREFIX
exec bash "$here/netns-run.sh" bash "$here/test-in-netns.sh" --bench
