//! Integration tests of aurora-emulator through the real aws-sdk-rds client.

mod admin;
mod common;
mod lifecycle;
mod rules;
mod timeline;
mod wire;
