#!/usr/bin/env bash
# check-glibc.sh MAX BINARY...: fails when a binary references a GLIBC_ symbol
# version newer than MAX (e.g. 2.17) or needs a shared library that is not
# part of glibc, so it would not start on a system with glibc MAX.
# Prints the newest version each binary needs.
set -euo pipefail
max="$1"
shift
status=0
for bin in "$@"; do
  # readelf reads any architecture's ELF (the release workflow checks the
  # arm64 binary on an x86-64 runner).
  versions="$(readelf -W --dyn-syms "$bin" | grep -o '@GLIBC_[0-9][0-9.]*' | sed 's/^@GLIBC_//' | sort -u -V)"
  newest="$(printf '%s\n' "$versions" | tail -1)"
  if [ -z "$newest" ]; then
    echo "check-glibc: $(basename "$bin"): no GLIBC symbol versions found (not a glibc binary?)" >&2
    status=1
    continue
  fi
  too_new=""
  for v in $versions; do
    if [ "$(printf '%s\n%s\n' "$v" "$max" | sort -V | tail -1)" != "$max" ]; then
      too_new="$too_new $v"
    fi
  done
  needed="$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
  echo "check-glibc: $(basename "$bin"): newest GLIBC symbol version $newest (limit $max); needs: $needed"
  if [ -n "$too_new" ]; then
    echo "check-glibc: $(basename "$bin") needs glibc newer than $max:" >&2
    for v in $too_new; do
      readelf -W --dyn-syms "$bin" | grep -F "@GLIBC_$v " >&2 || true
    done
    status=1
  fi
  for lib in $needed; do
    case "$lib" in
      libc.so.6|libm.so.6|libpthread.so.0|libdl.so.2|librt.so.1|libutil.so.1|ld-linux-x86-64.so.2|ld-linux-aarch64.so.1) ;;
      libgcc_s.so.1) ;; # GCC's unwinder, shipped with every glibc distribution
      *) echo "check-glibc: $(basename "$bin") needs $lib, which is not part of glibc" >&2; status=1 ;;
    esac
  done
done
[ "$status" = 0 ] || exit "$status"
