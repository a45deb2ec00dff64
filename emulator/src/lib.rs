//! `aurora-emulator`: a local Aurora Global Database control plane that speaks
//! the RDS Query API (form-encoded POST, `Version=2014-10-31`, XML answers and
//! `<ErrorResponse>` errors with the real codes), so aws-sdk-rds, boto3 and the
//! AWS CLI can talk to it on loopback.
//!
//! - `server` owns the HTTP edge: SigV4 region extraction, outage
//!   connection drops, faults, throttling and the call log.
//! - `shared` holds what every connection shares behind one mutex (state,
//!   call log, faults, clock) and saves the state file.
//! - `rds` implements the actions and the service's ordering rules;
//!   `cloudwatch` serves `GetMetricData` for the global database lag
//!   metrics (Smithy RPC v2 CBOR, on the same listener).
//! - `model` holds the objects (`model::objects`) and their lazy,
//!   virtual-clock state machine (`model::clock`);
//!   `timing` has the one table of operation durations.
//! - `admin` serves the JSON admin API under `/_emulator/`; `client` is the
//!   typed client for it ([`AdminClient`], [`BlockingAdminClient`]) that
//!   tests and benchmarks use.
//!
//! See `docs/emulator.md` for the rules enforced and what is not modelled.

mod admin;
mod client;
mod cloudwatch;
mod error;
mod ids;
mod model;
mod query;
mod rds;
mod render;
mod server;
mod shared;
mod timing;
mod xml;

use std::net::SocketAddr;
use std::path::PathBuf;

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Multiplier applied to AWS-like operation durations (0 = instant).
    pub time_scale: f64,
    /// Where to load and save state, if anywhere.
    pub state_file: Option<PathBuf>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            time_scale: 0.01,
            state_file: None,
        }
    }
}

/// Binds `listen` and serves until [`RunningEmulator::shutdown`].
///
/// Loads `config.state_file` when it exists (an unreadable or corrupt file is
/// an error).
pub async fn start(listen: SocketAddr, config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
    server::start(listen, config).await
}

pub use client::{
    AdminClient, AdminError, Behaviour, BlockingAdminClient, ClockChange, Fault, LagMetrics,
    Object, Reply,
};
pub use server::RunningEmulator;
pub use shared::{Call, CALL_LOG_CAPACITY};
