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

# The run's own temporary folder (test-in-netns.sh puts TMPDIR inside it and removes it). The
# run happens in network and PID namespaces of its own (netns-run.sh); afterwards the run
# must have left no process and nothing in the temporary folder, on every way out.
before="$(bash "$here/leftovers.sh" snapshot)"
run="$(mktemp -d "${TMPDIR:-/tmp}/onair-test.XXXXXX")"
status=0
ONAIR_TEST_RUN_DIR="$run" bash "$here/netns-run.sh" bash "$here/test-in-netns.sh" "$@" || status=$?
if ! bash "$here/leftovers.sh" check "$run" "$before"; then
  onair_log "the run left the processes or files above behind (now removed): a cleanup path is broken"
  [ "$status" = 0 ] && status=1
fi
exit "$status"
