# terraform-provider-replication — developer entry points.
#   make test     everything CI runs: tools, unit, emulator, protocol and end-to-end tests,
#                 then terraform test of examples/composed against aurora-emulator
#   make lint     cargo fmt --check and clippy with warnings denied (CI runs it before make test)
#   make tools    real hosts (tofu 1.6.2, terraform 1.15) and Python packages into .tools/
#   make bench    benchmarks (startup, per-RPC cost, apply vs critical path, API calls) -> docs/benchmarks.md
#   make build    release build of the provider and the emulator
#   make docs     regenerate docs/ (registry pages) from the provider's schemas
#   make install  build and install the provider into ~/.terraform.d/plugins (offline init)
#   make release  reproducible registry archives, SHA256SUMS and manifest in dist/
#                 (Linux binaries linked against glibc 2.17 with cargo-zigbuild)
#   make portable-check  the packaged linux_amd64 release needs glibc <= 2.17 and
#                 passes the protocol end-to-end tests (CI runs it after make test)
#   make fuzz     cargo-fuzz targets, FUZZ_SECONDS (default 60) each; make fuzz-smoke: 10 s each

SHELL := /bin/bash
ROOT  := $(abspath .)
TOOLS := $(ROOT)/.tools
export REPLICATION_TOFU      ?= $(TOOLS)/bin/tofu
export REPLICATION_TERRAFORM ?= $(TOOLS)/bin/terraform
export REPLICATION_PYTHON    ?= $(TOOLS)/venv/bin/python
export CARGO_TERM_COLOR      ?= never

.PHONY: all build test lint tools unit bench clean demo docs install release portable-check fuzz fuzz-smoke reliability

all: build

demo:
	./scripts/demo.sh

build:
	cargo build --release --workspace

tools:
	./scripts/install-tools.sh

test: tools
	cargo test --workspace --no-fail-fast
	./scripts/module-test.sh

# The full fault and kill matrices (make test runs a slice: first, middle and
# last fault point of each sequence), with the emulator's realistic AWS behaviours
# on (asynchronous detach, read-after-write lag).
# Prints the tables of docs/reliability.md.
reliability: tools
	RELIABILITY_FULL=1 RELIABILITY_REALISTIC=1 cargo test --test provider -- reliability:: grow_faults:: --nocapture --test-threads=1

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

unit:
	cargo test --workspace --lib

bench: tools
	./scripts/bench.sh

docs:
	cargo run --quiet --bin replication-docs -- docs examples

install:
	./scripts/install-mirror.sh

release: tools
	./scripts/release.sh

portable-check: tools
	./scripts/portable-check.sh

FUZZ_SECONDS ?= 60
fuzz:
	./fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke:
	./fuzz/run.sh 10

clean:
	cargo clean
	rm -rf .tools
