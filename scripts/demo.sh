#!/usr/bin/env bash
# make demo: build the provider and the emulator, install the real hosts,
# start the emulator, apply examples/quickstart with a real Terraform (or
# OpenTofu with HOST=tofu), move the primary, show the plan and outputs,
# destroy, and stop the emulator.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

host="${HOST:-terraform}"
scale="${TIME_SCALE:-0.01}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building the provider and the emulator"
cargo build --quiet --bin terraform-provider-replication --bin aurora-emulator 2>/dev/null \
  || cargo build --quiet -p terraform-provider-replication -p aurora-emulator
./scripts/install-tools.sh >/dev/null 2>&1
bin="$root/.tools/bin/$host"

work="$(mktemp -d -t replication-demo.XXXXXX)"
emulator_log="$work/emulator.log"
cleanup() {
  if [ -n "${emu_pid:-}" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step "Starting aurora-emulator (time scale $scale)"
"$root/target/debug/aurora-emulator" --listen 127.0.0.1:0 --time-scale "$scale" >"$emulator_log" 2>&1 &
emu_pid=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$emulator_log" 2>/dev/null && break
  sleep 0.1
done
addr="$(sed -n 's/^listening on //p' "$emulator_log" | head -1)"
[ -n "$addr" ] || { echo "emulator did not start:"; cat "$emulator_log"; exit 1; }
endpoint="http://$addr"
echo "emulator at $endpoint"

cp -r examples/quickstart/. "$work/"
# Only the provider in the override directory (target/debug also holds a .d file).
mkdir -p "$work/provider"
ln -s "$root/target/debug/terraform-provider-replication" "$work/provider/terraform-provider-replication"
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/replication/replication" = "$work/provider"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-demo}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-demo-secret}"
tf() { (cd "$work" && "$bin" "$@" -no-color -var "endpoint_url=$endpoint"); }

step "$host apply: a two-region global database"
tf apply -auto-approve -compact-warnings
step "Outputs"
(cd "$work" && "$bin" output -no-color)

step "Plan: move the primary to eu-west-1 (managed switchover)"
tf plan -compact-warnings -var primary_region=eu-west-1
step "Apply the switchover"
tf apply -auto-approve -compact-warnings -var primary_region=eu-west-1 | grep -E 'Modif|Apply|complete|Warning|primary'
(cd "$work" && "$bin" output -no-color primary_region)

step "A second plan is empty"
tf plan -compact-warnings -detailed-exitcode -var primary_region=eu-west-1 | grep -E 'No changes|change'

step "Destroy"
tf destroy -auto-approve -compact-warnings -var primary_region=eu-west-1 | grep -E 'Destr|complete'
echo
echo "Emulator state after destroy: $(curl -s "$endpoint/_emulator/state" 2>/dev/null | head -c 300 || true)"
step "Done"
