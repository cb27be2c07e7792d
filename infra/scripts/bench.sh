#!/usr/bin/env bash
# `npm run bench`: onair's media benchmark in the test network namespace (real Janus,
# Postgres and Chromium), set up exactly as `npm test` does. Prints figures and the machine.
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/test.sh" --bench
