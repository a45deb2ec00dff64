#!/usr/bin/env bash
# make bench: build the release provider and emulator, run the benchmarks
# (startup, per-RPC cost, apply vs critical path, calls per refresh, scale)
# and write docs/benchmarks.md with the command, the machine and the numbers.
#
#   scripts/bench.sh                      # everything
#   scripts/bench.sh startup rpc          # some sections: startup rpc apply refresh scale scale1000
#
# Knobs (environment): BENCH_RUNS (20), BENCH_ITERS (2000),
# BENCH_TIME_SCALE (0.05), BENCH_POLL (100ms), BENCH_TOPOLOGIES (100),
# BENCH_RATE_LIMIT (20), BENCH_SCALE_COUNTS (1000; e.g. 100,300,1000 to see
# how per-topology costs grow), BENCH_SCALE_REPEAT (3: refreshes and plans
# per count, median reported), BENCH_REALISM (1: the apply section runs with
# the emulator's realistic behaviours), BENCH_RAW_LAG_MS (500),
# BENCH_OUT (docs/benchmarks.md), BENCH_PEER_PROVIDER (path to another
# provider binary whose handshake the startup section times alongside ours).
#
# Reproduce one section alone, e.g. the 1000-topology one:
#   BENCH_OUT=/tmp/bench.md scripts/bench.sh scale1000
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(startup rpc apply refresh scale scale1000)
want() { local s; for s in "${sections[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
out="${BENCH_OUT:-docs/benchmarks.md}"

export REPLICATION_TERRAFORM="${REPLICATION_TERRAFORM:-$root/.tools/bin/terraform}"
if want apply || want refresh || want scale || want scale1000; then
  [ -x "$REPLICATION_TERRAFORM" ] || ./scripts/install-tools.sh
fi

load="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "==> building (release)" >&2
cargo build --release --bin terraform-provider-replication -p terraform-provider-replication
cargo build --release --bin aurora-emulator -p aurora-emulator
# Benches are built with dev-dependency features unified in, and their
# build replaces target/release/terraform-provider-replication: measure a copy
# of the plain release binary, the one users get.
target="${CARGO_TARGET_DIR:-$root/target}"
bins="$(mktemp -d -t replication-bench-bin.XXXXXX)"
body="$(mktemp)"
trap 'rm -rf "$body" "$bins"' EXIT
cp "$target/release/terraform-provider-replication" "$target/release/aurora-emulator" "$bins/"
# Write the copies back to disk: pages of a file not yet written back count
# as private dirty memory of the processes mapping it, which would blur the
# RSS breakdown of the startup section.
sync "$bins/terraform-provider-replication" "$bins/aurora-emulator"
export BENCH_PROVIDER="$bins/terraform-provider-replication" BENCH_EMULATOR="$bins/aurora-emulator"
cargo bench --no-run --bench startup --bench rpc --bench host

run() { cargo bench --quiet --bench "$@" >>"$body"; }
want startup && { echo "==> startup" >&2; run startup; }
want rpc && { echo "==> rpc" >&2; run rpc; }
host_sections=()
for s in apply refresh scale scale1000; do want "$s" && host_sections+=("$s"); done
if [ ${#host_sections[@]} -gt 0 ]; then
  echo "==> host: ${host_sections[*]}" >&2
  run host -- "${host_sections[@]}"
fi

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
mem="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
{
  echo "# Benchmarks"
  echo
  echo "Numbers of one run of \`make bench\` (\`scripts/bench.sh ${sections[*]}\`), which rewrites this file."
  echo "They are measurements on the machine below, not assertions: the CI guards are the call"
  echo "counts in \`tests/provider/bench_guards.rs\`."
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| commit | $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src emulator/src 2>/dev/null || echo ' (with uncommitted changes)') |"
  echo "| CPU | ${cpu:-unknown} |"
  echo "| cores (\`nproc\`) | $(nproc) |"
  echo "| memory | $mem |"
  echo "| kernel | $(uname -sr) |"
  echo "| rustc | $(rustc --version) |"
  echo "| host | $( ("$REPLICATION_TERRAFORM" version 2>/dev/null || true) | sed -n 1p) |"
  echo "| load average when the run started | $load |"
  echo
  cat "$body"
  # The hand-written findings below the marker survive a re-run.
  if [ -f "$out" ] && grep -q '^<!-- findings -->' "$out"; then sed -n '/^<!-- findings -->/,$p' "$out"; fi
} >"$out.new"
mv "$out.new" "$out"
echo "==> wrote $out" >&2
