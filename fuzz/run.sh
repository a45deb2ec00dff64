#!/usr/bin/env bash
# Runs every cargo-fuzz target for a while and prints executions and crashes
# per target (make fuzz / make fuzz-smoke).
#
#   fuzz/run.sh [SECONDS_PER_TARGET]     default 60; FUZZ_TARGETS picks targets
#
# New corpus entries go to fuzz/corpus/<target> (not committed); the committed
# seeds in fuzz/seeds/<target> are read as a second corpus directory. A crash
# leaves its input in fuzz/artifacts/<target>/ and makes the script fail after
# all targets ran. Builds without a sanitizer (the crates forbid unsafe code;
# what is left to find is panics, overflows and hangs) and with debug
# assertions, so integer overflow panics too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

seconds="${1:-${FUZZ_SECONDS:-60}}"
targets="${FUZZ_TARGETS:-dynamic_value config_validate emulator_request}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
# cargo-fuzz passes nightly-only flags to rustc; allow them on stable.
export RUSTC_BOOTSTRAP=1
flags=(--sanitizer none --debug-assertions)

cargo fuzz build "${flags[@]}"

summary=()
failed=0
for t in $targets; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  before="$(ls "fuzz/artifacts/$t" | wc -l)"
  extra=()
  [ -f "fuzz/dict/$t.dict" ] && extra+=("-dict=fuzz/dict/$t.dict")
  log="fuzz/artifacts/$t.log"
  set +e
  cargo fuzz run "${flags[@]}" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" >"$log" 2>&1
  status=$?
  set -e
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  crashes=$(( $(ls "fuzz/artifacts/$t" | wc -l) - before ))
  if [ "$status" -ne 0 ]; then
    failed=1
    [ "$crashes" -eq 0 ] && crashes="?"
    echo "== $t failed (exit $status):"
    grep -E "panicked|ERROR|SUMMARY|Test unit written" "$log" | head -20 || tail -20 "$log"
  fi
  summary+=("$(printf '%-18s %12s execs %4s crashes  (%ss)' "$t" "${execs:-?}" "$crashes" "$seconds")")
done

echo
echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit "$failed"
