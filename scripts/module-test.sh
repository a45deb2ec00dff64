#!/usr/bin/env bash
# `terraform test` of examples/composed (its tests/*.tftest.hcl), the way a
# module's CI job runs it: start aurora-emulator on a free loopback port,
# point the provider at it through the environment, run the tests (the
# emulator-backed ones and the mock_provider ones), stop the emulator.
# make test runs it with Terraform 1.15 from .tools/ after the cargo tests.
#
#   PROVIDER_BIN   provider binary (default target/debug/terraform-provider-replication)
#   EMULATOR_BIN   emulator binary (default target/debug/aurora-emulator)
#   REPLICATION_TERRAFORM  terraform (default .tools/bin/terraform)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
provider_bin="${PROVIDER_BIN:-$root/target/debug/terraform-provider-replication}"
emulator_bin="${EMULATOR_BIN:-$root/target/debug/aurora-emulator}"
terraform="${REPLICATION_TERRAFORM:-$root/.tools/bin/terraform}"
for f in "$provider_bin" "$emulator_bin" "$terraform"; do
  if [ ! -x "$f" ]; then
    echo "module-test: $f is missing: run \`make test\` (or cargo build --workspace and make tools)" >&2
    exit 1
  fi
done

work="$(mktemp -d)"
emulator_pid=""
stop() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

# The emulator: a free port, virtual time 300 times faster than AWS.
"$emulator_bin" --listen 127.0.0.1:0 --time-scale 0.003 >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
addr=""
for _ in $(seq 100); do
  addr="$(sed -n 's/^listening on //p' "$work/emulator.out")"
  [ -n "$addr" ] && break
  sleep 0.1
done
if [ -z "$addr" ]; then
  echo "module-test: aurora-emulator did not start:" >&2
  cat "$work/emulator.err" >&2
  exit 1
fi
echo "module-test: aurora-emulator on $addr"

# The module under test, and a CLI config that uses the provider binary.
cp -R "$root/examples/composed" "$work/module"
mkdir -p "$work/provider"
ln -s "$provider_bin" "$work/provider/terraform-provider-replication"
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/replication/replication" = "$work/provider"
  }
  direct {}
}
CFG

cd "$work/module"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
export AWS_ENDPOINT_URL_RDS="http://$addr" AWS_ENDPOINT_URL_CLOUDWATCH="http://$addr"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_EC2_METADATA_DISABLED=true REPLICATION_POLL_INTERVAL=50ms
unset TF_LOG
"$terraform" get -no-color >/dev/null
"$terraform" test -no-color

# terraform test destroys what its runs created: the emulator must hold no
# global cluster, cluster or instance afterwards (final snapshots stay).
python3 - "http://$addr/_emulator/state" <<'PY'
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1]))
left = {k: [o.get("id") for o in state[k]] for k in ("global_clusters", "clusters", "instances") if state[k]}
if left:
    sys.exit(f"module-test: left in the emulator after terraform test: {left}")
print("module-test: the emulator is empty again")
PY
