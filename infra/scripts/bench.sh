#!/usr/bin/env bash
# `npm run bench`: onair's media benchmark in the test network namespace (real Janus,
# Postgres and Chromium), set up exactly as `npm test` does. Prints figures and the machine.
#   npm run bench                                      every benchmark
#   npm run bench -- bench/viewer-storm.bench-spec.ts  one of them (jest args)
# The viewer storm holds a few hundred WebRTC peers in one process (~35 descriptors each,
# with max-bundle) and Janus as many sockets: raise the descriptor limit for both.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/test.sh" --bench "$@"
