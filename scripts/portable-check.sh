#!/usr/bin/env bash
# Checks the packaged linux_amd64 release (make portable-check; CI runs it
# after make test):
#   1. builds it the way `make release` does (cargo-zigbuild, glibc 2.17),
#      into a dist directory of its own;
#   2. unpacks the provider and emulator archives and checks them with
#      scripts/check-glibc.sh: no GLIBC_ symbol version newer than
#      PORTABLE_MAX_GLIBC (2.17), and no shared library beyond glibc's;
#   3. runs the protocol end-to-end tests (tests/provider/e2e_protocol.rs)
#      against the unpacked provider with real tofu and terraform
#      (REPLICATION_PROVIDER_BIN points the tests at it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
max="${PORTABLE_MAX_GLIBC:-2.17}"
dist="${PORTABLE_DIST_DIR:-$root/target/portable-dist}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"

start=$SECONDS
DIST_DIR="$dist" RELEASE_TARGETS=x86_64-unknown-linux-gnu ./scripts/release.sh
echo "portable-check: release build and packaging took $((SECONDS - start)) s"

unpacked="$dist/unpacked"
rm -rf "$unpacked"
mkdir -p "$unpacked"
unzip -q -o "$dist/terraform-provider-replication_${version}_linux_amd64.zip" -d "$unpacked"
unzip -q -o "$dist/aurora-emulator_${version}_linux_amd64.zip" -d "$unpacked"
provider="$unpacked/terraform-provider-replication_v${version}"
emulator="$unpacked/aurora-emulator"

./scripts/check-glibc.sh "$max" "$provider" "$emulator"

"$provider" --version
echo "portable-check: protocol end-to-end tests against $provider"
REPLICATION_PROVIDER_BIN="$provider" cargo test --locked --test provider e2e_protocol::
echo "portable-check: done in $((SECONDS - start)) s"
