//! Integration tests of aurora-emulator through the real aws-sdk-rds client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod admin;
mod cloudwatch;
mod common;
mod lifecycle;
mod limits;
mod realism;
mod rules;
mod settings;
mod snapshots;
mod timeline;
mod wire;
