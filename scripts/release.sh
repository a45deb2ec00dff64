#!/usr/bin/env bash
# Builds release artifacts in the layout the Terraform registry and provider
# mirrors expect, into dist/:
#
#   terraform-provider-replication_<version>_<os>_<arch>.zip
#       one entry: terraform-provider-replication_v<version>
#   terraform-provider-replication_<version>_manifest.json
#       a copy of terraform-registry-manifest.json (protocol 6.0)
#   terraform-provider-replication_<version>_SHA256SUMS
#       sha256 of every file above, sorted by name
#   terraform-provider-replication_<version>_SHA256SUMS.sig
#       only when GPG_FINGERPRINT is set (the registry requires a signature)
#
#   scripts/release.sh                    (make release)
#
# The version comes from Cargo.toml. RELEASE_TARGETS lists Rust target triples
# (default: the host's, x86_64-unknown-linux-gnu); each must be installed with
# `rustup target add`. The archives are reproducible: entries are sorted, every
# timestamp is SOURCE_DATE_EPOCH (default: the last commit's time) and
# permissions are fixed, so the same binary gives the same zip byte for byte.
# PROVIDER_BIN=path packages that binary for the host target instead of building.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
name="terraform-provider-replication"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
dist="${DIST_DIR:-$root/dist}"
targets="${RELEASE_TARGETS:-x86_64-unknown-linux-gnu}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}"

os_arch() {
  local os arch
  case "$1" in
    *-linux-*) os=linux ;;
    *-apple-darwin) os=darwin ;;
    *-windows-*) os=windows ;;
    *) echo "release: unknown OS in target $1" >&2; return 1 ;;
  esac
  case "$1" in
    x86_64-*) arch=amd64 ;;
    aarch64-*) arch=arm64 ;;
    *) echo "release: unknown architecture in target $1" >&2; return 1 ;;
  esac
  echo "${os}_${arch}"
}

# zip_reproducibly ZIP ENTRY_NAME FILE
zip_reproducibly() {
  python3 - "$@" <<'PY'
import os, sys, time, zipfile
out, entry, src = sys.argv[1:4]
stamp = time.gmtime(max(int(os.environ["SOURCE_DATE_EPOCH"]), 315532800))[:6]
info = zipfile.ZipInfo(entry, date_time=stamp)
info.create_system = 3                     # unix, so the mode below is honoured
info.external_attr = (0o100755 & 0xFFFF) << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(out, "w") as z:
    z.writestr(info, f.read(), compresslevel=9)
PY
}

rm -rf "$dist"
mkdir -p "$dist"
host_target="$(rustc -vV | sed -n 's/^host: //p')"
for target in $targets; do
  platform="$(os_arch "$target")"
  if [ -n "${PROVIDER_BIN:-}" ] && [ "$target" = "$host_target" ]; then
    bin="$PROVIDER_BIN"
  elif [ "$target" = "$host_target" ]; then
    cargo build --release --locked --bin "$name"
    bin="${CARGO_TARGET_DIR:-$root/target}/release/$name"
  else
    cargo build --release --locked --bin "$name" --target "$target"
    bin="${CARGO_TARGET_DIR:-$root/target}/$target/release/$name"
  fi
  exe=""
  case "$platform" in windows_*) exe=".exe" ;; esac
  zip_reproducibly "$dist/${name}_${version}_${platform}.zip" "${name}_v${version}${exe}" "$bin"
done

cp terraform-registry-manifest.json "$dist/${name}_${version}_manifest.json"
(cd "$dist" && LC_ALL=C sha256sum $(LC_ALL=C ls | grep -v SHA256SUMS) > "${name}_${version}_SHA256SUMS")
if [ -n "${GPG_FINGERPRINT:-}" ]; then
  gpg --batch --local-user "$GPG_FINGERPRINT" --detach-sign \
    --output "$dist/${name}_${version}_SHA256SUMS.sig" "$dist/${name}_${version}_SHA256SUMS"
fi
echo "release $version in $dist:"
(cd "$dist" && ls -1)
