#!/usr/bin/env bash
# What a test or bench run left behind, for test.sh's before/after check.
#
#   leftovers.sh snapshot                 onair's entries in the temporary folder, one a line
#   leftovers.sh check RUN_DIR BEFORE     fails (exit 1), naming each, when a process of the
#                                         run is still alive, RUN_DIR still exists, or the
#                                         temporary folder holds an onair entry not in BEFORE;
#                                         what it finds is then stopped and removed
#
# A process belongs to the run when its command line, working directory or an open file
# names RUN_DIR: every temporary file of a run lives there (TMPDIR points inside it).
set -euo pipefail
tmp="${TMPDIR:-/tmp}"

snapshot() { find "$tmp" -maxdepth 1 -mindepth 1 -name 'onair-*' 2>/dev/null | sort; }

# PIDs whose command line, cwd or open files mention $1 (this script's own processes excluded:
# their command line names the folder too).
run_pids() {
  local dir="$1" p pid cmd
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    cmd="$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" || continue
    [[ "$cmd" == *leftovers.sh* ]] && continue
    if [[ "$cmd" == *"$dir"* ]] \
      || [[ "$(readlink "$p/cwd" 2>/dev/null)" == "$dir"* ]] \
      || ls -l "$p/fd" 2>/dev/null | grep -qF -- "$dir"; then
      echo "$pid"
    fi
  done
}

case "${1:-}" in
  snapshot) snapshot ;;
  check)
    run="${2:?run folder}"; before="${3-}"
    problems=0
    pids="$(run_pids "$run")"
    if [ -n "$pids" ]; then
      echo "leftovers: processes of the run still alive:" >&2
      for pid in $pids; do echo "  $pid $( (tr '\0' ' ' </proc/"$pid"/cmdline) 2>/dev/null | cut -c1-200)" >&2; done
      kill -9 $pids 2>/dev/null || true
      problems=1
    fi
    if [ -e "$run" ]; then
      echo "leftovers: the run's temporary folder is still there: $run" >&2
      rm -rf "$run"
      problems=1
    fi
    # (the run folder itself is reported above, not again here)
    new="$(comm -13 <(printf '%s\n' "$before" | sed '/^$/d') <(snapshot | grep -vxF -- "$run" || true))"
    if [ -n "$new" ]; then
      echo "leftovers: new entries in $tmp:" >&2
      printf '  %s\n' $new >&2
      problems=1
    fi
    exit $problems
    ;;
  *) echo "usage: $0 snapshot | check RUN_DIR BEFORE" >&2; exit 2 ;;
esac
