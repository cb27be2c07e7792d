#!/usr/bin/env bash
# `npm test`: installs what the suite needs, builds, then runs every test (table tests,
# service specs, and end-to-end media tests with real Janus, Postgres and Chromium) inside
# a private network namespace with no route out.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
cd "$root"

export NEXT_TELEMETRY_DISABLED=1 NX_DAEMON=false NX_NO_CLOUD=true
eval "$(bash "$here/bootstrap.sh" --with-test-tools | grep '^JANUS_PREFIX=')"
export JANUS_PREFIX

# Lint first (type-aware, every project; cached by nx while a project is unchanged): it fails
# in seconds where the suite takes minutes. `--only` and `--bench` runs skip it.
case "${1:-}" in
  --only | --bench) ;;
  *)
    onair_log "linting"
    npx --no-install nx run-many -t lint --output-style=static >test-lint.log 2>&1 \
      || { sed 's/\x1b\[[0-9;]*m//g' test-lint.log | grep -E '^/|  error  |✖' | tail -60; onair_die "lint failed (full log: test-lint.log; npm run lint)"; }
    rm -f test-lint.log
    ;;
esac

onair_log "building"
npx --no-install nx run-many -t build --output-style=static >test-build.log 2>&1 \
  || { tail -40 test-build.log; onair_die "build failed (full log: test-build.log)"; }
rm -f test-build.log

exec bash "$here/netns-run.sh" bash "$here/test-in-netns.sh" "$@"
