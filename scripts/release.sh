#!/usr/bin/env bash
# Builds release artifacts in the layout the Terraform registry and provider
# mirrors expect, into dist/:
#
#   terraform-provider-replication_<version>_<os>_<arch>.zip
#       one entry: terraform-provider-replication_v<version>[.exe]
#   terraform-provider-replication_<version>_manifest.json
#       a copy of terraform-registry-manifest.json (protocol 6.0)
#   terraform-provider-replication_<version>_SHA256SUMS
#       sha256 of the provider archives and the manifest, sorted by name
#   terraform-provider-replication_<version>_SHA256SUMS.sig
#       only when GPG_FINGERPRINT is set (the registry requires a signature);
#       GPG_PASSPHRASE unlocks a key that has one
#   aurora-emulator_<version>_<os>_<arch>.zip, aurora-emulator_<version>_SHA256SUMS[.sig]
#       the local RDS emulator for the same platforms, with its own checksums
#       (the registry reads only the provider's files)
#
#   scripts/release.sh          build, package and checksum (make release)
#   scripts/release.sh build    build and package RELEASE_TARGETS into dist/
#   scripts/release.sh sums     manifest, SHA256SUMS and signatures over the
#                               archives already in dist/ (the release
#                               workflow gathers every platform's archives
#                               from its runners, then runs this once)
#
# The version comes from Cargo.toml. RELEASE_TARGETS lists Rust target triples
# (default: x86_64-unknown-linux-gnu). Linux targets are built with
# cargo-zigbuild against glibc RELEASE_GLIBC (default 2.17), so the binaries
# start on any Linux with glibc 2.17 or later (Amazon Linux 2, RHEL/CentOS 7
# and newer); `make tools` installs cargo-zigbuild and zig into .tools/venv.
# Other targets are built with plain cargo on their own runners. A target
# other than the host's must be installed with `rustup target add`.
# The archives are reproducible: every timestamp is SOURCE_DATE_EPOCH
# (default: the last commit's time) and permissions are fixed, so the same
# binary gives the same zip byte for byte.
# PROVIDER_BIN=path packages that binary for the host target instead of
# building; the emulator is then packaged only when EMULATOR_BIN is set too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
name="terraform-provider-replication"
emulator="aurora-emulator"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
dist="${DIST_DIR:-$root/dist}"
targets="${RELEASE_TARGETS:-x86_64-unknown-linux-gnu}"
glibc="${RELEASE_GLIBC:-2.17}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}"
# zig and cargo-zigbuild from `make tools`, when present.
if [ -d "$root/.tools/venv/bin" ]; then
  export PATH="$root/.tools/venv/bin:$PATH"
fi

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
  "${PYTHON:-python3}" - "$@" <<'PY'
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

# build_target TARGET: compiles both binaries and prints the directory
# holding them.
build_target() {
  local target="$1" host_target="$2"
  local bins=(-p "$name" -p "$emulator" --bin "$name" --bin "$emulator")
  case "$target" in
    *-linux-gnu)
      if ! command -v cargo-zigbuild >/dev/null; then
        echo "release: cargo-zigbuild not found: run \`make tools\` (it installs cargo-zigbuild and zig into .tools/venv)" >&2
        return 1
      fi
      cargo zigbuild --release --locked "${bins[@]}" --target "$target.$glibc" >&2
      echo "$target_dir/$target/release" ;;
    "$host_target")
      cargo build --release --locked "${bins[@]}" >&2
      echo "$target_dir/release" ;;
    *)
      cargo build --release --locked "${bins[@]}" --target "$target" >&2
      echo "$target_dir/$target/release" ;;
  esac
}

build() {
  mkdir -p "$dist"
  local host_target target platform exe out provider_bin emulator_bin
  host_target="$(rustc -vV | sed -n 's/^host: //p')"
  for target in $targets; do
    platform="$(os_arch "$target")"
    exe=""
    case "$platform" in windows_*) exe=".exe" ;; esac
    if [ -n "${PROVIDER_BIN:-}" ] && [ "$target" = "$host_target" ]; then
      provider_bin="$PROVIDER_BIN"
      emulator_bin="${EMULATOR_BIN:-}"
    else
      out="$(build_target "$target" "$host_target")"
      provider_bin="$out/$name$exe"
      emulator_bin="$out/$emulator$exe"
    fi
    zip_reproducibly "$dist/${name}_${version}_${platform}.zip" "${name}_v${version}${exe}" "$provider_bin"
    if [ -n "$emulator_bin" ]; then
      zip_reproducibly "$dist/${emulator}_${version}_${platform}.zip" "${emulator}${exe}" "$emulator_bin"
    fi
  done
}

# checksum PREFIX: PREFIX_SHA256SUMS over dist/PREFIX_* (and its signature).
checksum() {
  local prefix="$1" sums="$1_SHA256SUMS"
  (cd "$dist" && LC_ALL=C sha256sum $(LC_ALL=C ls | grep "^${prefix}_" | grep -v SHA256SUMS) > "$sums")
  if [ -n "${GPG_FINGERPRINT:-}" ]; then
    rm -f "$dist/$sums.sig"
    local passphrase=()
    if [ -n "${GPG_PASSPHRASE:-}" ]; then
      passphrase=(--pinentry-mode loopback --passphrase-fd 0)
    fi
    printf '%s' "${GPG_PASSPHRASE:-}" | gpg --batch ${passphrase[@]+"${passphrase[@]}"} --local-user "$GPG_FINGERPRINT" \
      --detach-sign --output "$dist/$sums.sig" "$dist/$sums"
  fi
}

sums() {
  cp terraform-registry-manifest.json "$dist/${name}_${version}_manifest.json"
  checksum "${name}_${version}"
  if ls "$dist/${emulator}_${version}_"*.zip >/dev/null 2>&1; then
    checksum "${emulator}_${version}"
  fi
  echo "release $version in $dist:"
  (cd "$dist" && ls -1)
}

case "${1:-all}" in
  all) rm -rf "$dist"; build; sums ;;
  build) build ;;
  sums) sums ;;
  *) echo "usage: scripts/release.sh [build|sums]" >&2; exit 2 ;;
esac
