#!/usr/bin/env bash
# The part of `npm test` that runs inside the test network namespace (see netns-run.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
cd "$root"
[ "${ONAIR_IN_NETNS:-}" = 1 ] || onair_die "run this through netns-run.sh"

# Everything this run writes to a temporary folder (the Postgres cluster, Janus's configs,
# browser profiles) goes under the run's own folder, made by test.sh and removed here on
# every way out; test.sh then checks that nothing of the run is left (leftovers.sh).
run="${ONAIR_TEST_RUN_DIR:?test.sh makes the run folder}"
mkdir -p "$run/tmp"
export TMPDIR="$run/tmp"
# A throw-away Postgres for this run (fsync off: test data need not survive a crash).
# It goes through the same script as `npm run up`, password and all: the cluster in
# $run/pg/postgres, its generated password in $run/pg/secrets.env (mode 600).
pgroot="$run/pg"
mkdir -p "$pgroot"
chmod 755 "$run" "$pgroot" # the 'postgres' user must reach the cluster inside
pgdir="$pgroot/postgres"
cleanup() { bash "$here/postgres.sh" stop "$pgdir" || true; rm -rf "$run"; }
trap cleanup EXIT
# Ctrl-C or a kill ends the run through the same cleanup (bash runs the EXIT trap on `exit`).
trap 'exit 130' INT
trap 'exit 143' TERM HUP
DATABASE_URL="$(ONAIR_PG_FSYNC=off bash "$here/postgres.sh" start "$pgdir" 5432)"
# The end-to-end specs check that the cluster refuses connections without the password.
ONAIR_TEST_PG_DIR="$pgdir"
ONAIR_TEST_PGDATA="$pgdir" # the chaos tests stop and start this Postgres (postgres.sh stop|start)
export DATABASE_URL ONAIR_TEST_PG_DIR ONAIR_TEST_PGDATA
npx --no-install prisma migrate deploy >/dev/null || onair_die "migrations failed"

if [ "${1:-}" = --bench ]; then
  # `npm run bench [-- <jest args>]`: figures only, printed by the benchmark specs.
  shift
  # Jest args first: after --selectProjects every word would be taken for a project name.
  # Not `exec`: the shell must outlive jest to run the cleanup above.
  (cd apps/api && npx --no-install jest --config jest.config.js "$@" --ci --forceExit --selectProjects api-bench)
  exit
fi

if [ "${1:-}" = --only ]; then
  # `npm test -- --only <jest args>`: a part of the API's tests while working on it, e.g.
  # `npm test -- --only test/conformance.e2e-spec.ts -t W12` (not what CI runs).
  shift
  (cd apps/api && npx --no-install jest --config jest.config.js "$@" --ci --forceExit --selectProjects api api-http api-e2e)
  exit
fi

out="$root/test-output"
rm -rf "$out"; mkdir -p "$out"
status=0
for project in libs/protocol libs/whep-client apps/api; do
  name="$(basename "$project")"
  select=()
  [ "$project" = apps/api ] && select=(--selectProjects api api-http api-e2e) # not the benchmark
  # --forceExit: a library timer left behind must not hold CI after the results are in.
  (cd "$project" && npx --no-install jest --config jest.config.js --ci --forceExit "${select[@]}" \
    --json --outputFile="$out/jest-$name.json") || status=1
done

# One closing line for the whole suite.
node -e '
  const fs = require("fs"), dir = process.argv[1];
  let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(dir).filter((f) => f.startsWith("jest-"))) {
    const r = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites; skipped += r.numPendingTests;
  }
  // The WHIP/WHEP conformance table: rule ids lead the conformance spec test names.
  const api = JSON.parse(fs.readFileSync(dir + "/jest-api.json", "utf8"));
  const rules = api.testResults.filter((r) => r.name.endsWith("conformance.e2e-spec.ts")).flatMap((r) => r.assertionResults);
  if (rules.length > 0) {
    console.log("\nWHIP/WHEP conformance:");
    for (const a of rules) console.log(`  ${a.status === "passed" ? "pass" : a.status.toUpperCase()}  ${a.title}`);
  }
  console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$out"
exit $status
