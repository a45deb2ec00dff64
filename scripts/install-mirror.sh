#!/usr/bin/env bash
# Installs the provider into a local filesystem mirror so `terraform init` and
# `tofu init` find it offline, without dev_overrides.
#
#   scripts/install-mirror.sh [MIRROR_DIR]      (make install)
#
# MIRROR_DIR defaults to ~/.terraform.d/plugins, a directory both Terraform
# and OpenTofu search by themselves when the CLI config has no
# provider_installation block. The binary lands in the unpacked mirror layout:
#
#   MIRROR_DIR/registry.terraform.io/replication/replication/<version>/<os>_<arch>/
#       terraform-provider-replication_v<version>
#
# and configurations refer to it with
#
#   terraform {
#     required_providers {
#       replication = { source = "registry.terraform.io/replication/replication" }
#     }
#   }
#
# For another mirror directory, tell the host about it in the CLI config
# (~/.terraformrc, ~/.tofurc or TF_CLI_CONFIG_FILE):
#
#   provider_installation {
#     filesystem_mirror {
#       path    = "MIRROR_DIR"
#       include = ["registry.terraform.io/replication/replication"]
#     }
#     direct {
#       exclude = ["registry.terraform.io/replication/replication"]
#     }
#   }
#
# PROVIDER_BIN=path installs that binary instead of building a release.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mirror="${1:-${MIRROR_DIR:-$HOME/.terraform.d/plugins}}"
source_address="registry.terraform.io/replication/replication"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "install-mirror: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "install-mirror: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

bin="${PROVIDER_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --release --bin terraform-provider-replication)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/terraform-provider-replication"
fi

dest="$mirror/$source_address/$version/${os}_${arch}"
mkdir -p "$dest"
# Older copies of the same version would be ambiguous to the host.
rm -f "$dest"/terraform-provider-replication*
install -m 0755 "$bin" "$dest/terraform-provider-replication_v$version"
echo "installed $source_address $version (${os}_${arch}) into $dest"
