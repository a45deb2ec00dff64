//! The provider's integration and end-to-end tests, one test binary with a
//! module per area (as `emulator/tests/sdk/` does): `cargo test --test
//! provider` runs them all, `cargo test --test provider reliability::` one
//! area.
//!
//! Tests that change the process environment (`aws_config_env`,
//! `bench_guards`) hold [`common::lock_env`] while they run, which also
//! restores what they changed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

mod aws_config_env;
mod aws_emulator;
mod aws_shared_files;
mod bench_guards;
mod docs;
mod e2e_credentials;
mod e2e_examples;
mod e2e_grow;
mod e2e_identity;
mod e2e_lag;
mod e2e_lifecycle;
mod e2e_moto;
mod e2e_primary;
mod e2e_protocol;
mod e2e_realism;
mod e2e_settings;
mod e2e_update;
mod grow_faults;
mod guide_migrating;
mod handshake;
mod reconcile_hardening;
mod release_kit;
mod reliability;
mod security;
