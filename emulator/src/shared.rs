//! Everything the connections share behind one mutex: the control-plane
//! state, the call log, injected faults, throttling and rate limits, and the
//! virtual clock; and the state file it is saved to. The HTTP edge
//! (`server`) and the admin API (`admin`) both work on it.

use crate::model::State;
use crate::timing::now_ms;
use crate::EmulatorConfig;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// One entry of `GET /_emulator/calls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// 1-based arrival order.
    pub seq: u64,
    /// Milliseconds since the emulator started.
    pub time_ms: u64,
    /// Region of the credential scope ("" when unsigned).
    pub region: String,
    /// The `Action` parameter ("" when missing).
    pub action: String,
    /// HTTP status answered; 0 when the connection was dropped.
    pub status: u16,
    /// Error code, or null on success.
    pub code: Option<String>,
}

impl Call {
    /// `Describe*` and `List*` calls read; every other action changes something.
    pub fn is_read(&self) -> bool {
        is_read(&self.action)
    }
    /// Answered with success.
    pub fn ok(&self) -> bool {
        self.code.is_none()
    }
}

/// Whether an action only reads (`Describe*`, `List*`).
pub(crate) fn is_read(action: &str) -> bool {
    action.starts_with("Describe") || action.starts_with("List")
}

/// A one-shot injected failure.
#[derive(Debug, Clone, Serialize)]
pub struct ArmedFault {
    /// Action to match (None = any).
    pub action: Option<String>,
    /// Region to match (None = any).
    pub region: Option<String>,
    /// Matching calls still to let through before failing one.
    pub remaining: u64,
    /// Error code.
    pub code: String,
    /// HTTP status.
    pub status: u16,
    /// Message.
    pub message: String,
}

/// Everything behind the one mutex.
#[derive(Default)]
pub struct Inner {
    /// Control-plane state.
    pub st: State,
    /// Call log.
    pub calls: Vec<Call>,
    /// Next call sequence number.
    pub seq: u64,
    /// Pending injected faults.
    pub faults: Vec<ArmedFault>,
    /// Fraction of calls to throttle.
    pub throttle: f64,
    /// Error-diffusion accumulator for `throttle` (deterministic).
    pub throttle_acc: f64,
    /// Fraction of calls answered with a 500 `InternalFailure`.
    pub server_error: f64,
    /// Error-diffusion accumulator for `server_error`.
    pub server_error_acc: f64,
    /// Per-region calls per second.
    pub rate_limit: Option<u32>,
    /// Recent accepted call instants per region.
    pub windows: HashMap<String, VecDeque<Instant>>,
    /// Duration multiplier (starts from the config; the admin API can change it).
    pub time_scale: f64,
    /// Virtual clock offset added to wall-clock time (`POST /_emulator/clock`).
    pub clock_offset_ms: u64,
}

impl Inner {
    /// Virtual now, epoch ms.
    pub fn now(&self) -> u64 {
        now_ms().saturating_add(self.clock_offset_ms)
    }

    /// Advances every transition due by now.
    pub fn settle(&mut self) {
        let now = self.now();
        let scale = self.time_scale;
        self.st.settle(now, scale);
    }
}

/// State shared by every connection.
pub struct Shared {
    /// The mutable state.
    pub inner: Mutex<Inner>,
    /// Configuration.
    pub config: EmulatorConfig,
    /// Start instant for call timestamps.
    pub started: Instant,
}

impl Shared {
    /// Locks the state, recovering from a poisoned lock (a handler panic must
    /// not take the emulator down).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the state file, if configured (atomic rename).
    pub fn save(&self, st: &State) {
        let Some(path) = &self.config.state_file else {
            return;
        };
        match serde_json::to_vec_pretty(st) {
            Ok(json) => {
                let tmp = path.with_extension("tmp");
                if let Err(e) =
                    std::fs::write(&tmp, json).and_then(|()| std::fs::rename(&tmp, path))
                {
                    eprintln!(
                        "aurora-emulator: could not save state to {}: {e}",
                        path.display()
                    );
                }
            }
            Err(e) => eprintln!("aurora-emulator: could not serialise state: {e}"),
        }
    }
}
