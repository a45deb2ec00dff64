//! Everything the connections share behind one mutex: the control-plane
//! state, the call log, injected faults, throttling and rate limits, and the
//! virtual clock; and the state file it is saved to. The HTTP edge
//! (`server`) and the admin API (`admin`) both work on it.

use crate::model::State;
use crate::timing::now_ms;
use crate::EmulatorConfig;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// How many calls the log keeps: the oldest entries are dropped beyond it,
/// so a long run (or a flood of requests) cannot grow memory without bound.
pub const CALL_LOG_CAPACITY: usize = 100_000;

/// One entry of `GET /_emulator/calls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// 1-based arrival order.
    pub seq: u64,
    /// Milliseconds since the emulator started.
    pub time_ms: u64,
    /// Region of the credential scope ("" when unsigned).
    pub region: String,
    /// The `Action` parameter when it names an action the emulator knows
    /// (its RDS actions, or another service's that clients misdirected to
    /// it, such as STS `AssumeRole`); "" when missing or unknown, so a
    /// request cannot store a string of its choosing.
    pub action: String,
    /// HTTP status answered; 0 when the connection was dropped.
    pub status: u16,
    /// Error code, or null on success.
    pub code: Option<String>,
}

impl Call {
    /// `Describe*`, `List*` and `Get*` calls (CloudWatch's `GetMetricData`)
    /// read; every other action changes something.
    pub fn is_read(&self) -> bool {
        is_read(&self.action)
    }
    /// Answered with success.
    pub fn ok(&self) -> bool {
        self.code.is_none()
    }
}

/// Whether an action only reads (`Describe*`, `List*`, `Get*`).
pub(crate) fn is_read(action: &str) -> bool {
    ["Describe", "List", "Get"]
        .iter()
        .any(|read| action.starts_with(read))
}

/// A one-shot injected failure.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ArmedFault {
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
pub(crate) struct Inner {
    /// Control-plane state.
    pub st: State,
    /// Call log, oldest first, at most [`CALL_LOG_CAPACITY`] entries.
    pub calls: VecDeque<Call>,
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
    /// CloudWatch lag values per region (`POST /_emulator/metrics`).
    pub metrics: std::collections::BTreeMap<String, crate::cloudwatch::RegionMetrics>,
}

impl Inner {
    /// Appends to the call log, dropping the oldest entry when it is full.
    pub(crate) fn log_call(&mut self, call: Call) {
        while self.calls.len() >= CALL_LOG_CAPACITY {
            self.calls.pop_front();
        }
        self.calls.push_back(call);
    }

    /// Virtual now, epoch ms.
    pub(crate) fn now(&self) -> u64 {
        now_ms().saturating_add(self.clock_offset_ms)
    }

    /// Advances every transition due by now.
    pub(crate) fn settle(&mut self) {
        let now = self.now();
        let scale = self.time_scale;
        self.st.settle(now, scale);
    }
}

/// State shared by every connection.
pub(crate) struct Shared {
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
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the state file, if configured: a fresh temporary file in the
    /// same directory, renamed over it (never a fixed temporary name that
    /// another process or a stale file could hold).
    pub(crate) fn save(&self, st: &State) {
        let Some(path) = &self.config.state_file else {
            return;
        };
        if let Err(e) = write_state(path, st) {
            eprintln!(
                "aurora-emulator: could not save state to {}: {e}",
                path.display()
            );
        }
    }
}

/// Serialises `st` into a new temporary file next to `path`, then renames it
/// over `path`.
fn write_state(path: &Path, st: &State) -> std::io::Result<()> {
    use std::io::Write;
    let json = serde_json::to_vec_pretty(st)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".aurora-emulator-state")
        .tempfile_in(dir)?;
    tmp.write_all(&json)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn reads_are_describe_list_and_get_calls() {
        for action in ["DescribeDBClusters", "ListTagsForResource", "GetMetricData"] {
            assert!(is_read(action), "{action}");
        }
        for action in [
            "CreateDBCluster",
            "SwitchoverGlobalCluster",
            "AddTagsToResource",
        ] {
            assert!(!is_read(action), "{action}");
        }
    }

    use super::*;

    fn call(seq: u64) -> Call {
        Call {
            seq,
            time_ms: 0,
            region: "us-east-1".into(),
            action: "DescribeDBClusters".into(),
            status: 200,
            code: None,
        }
    }

    #[test]
    fn the_call_log_keeps_the_newest_entries_up_to_its_capacity() {
        let mut inner = Inner::default();
        let extra = 5;
        for seq in 1..=(CALL_LOG_CAPACITY + extra) as u64 {
            inner.log_call(call(seq));
        }
        assert_eq!(inner.calls.len(), CALL_LOG_CAPACITY);
        assert_eq!(inner.calls.front().unwrap().seq, extra as u64 + 1);
        assert_eq!(
            inner.calls.back().unwrap().seq,
            (CALL_LOG_CAPACITY + extra) as u64
        );
    }

    /// The state used to go through `<state>.tmp`: whatever held that name
    /// (a directory here; a file of another user or a symlink elsewhere)
    /// broke or hijacked the save.
    #[test]
    fn the_state_file_is_written_through_a_fresh_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::create_dir(dir.path().join("state.tmp")).unwrap();
        let shared = Shared {
            inner: Mutex::new(Inner::default()),
            config: EmulatorConfig {
                time_scale: 0.0,
                state_file: Some(path.clone()),
            },
            started: Instant::now(),
        };
        let mut st = State::default();
        st.outages.insert("us-east-1".into());
        shared.save(&st);
        let saved: State = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert!(saved.outages.contains("us-east-1"));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "no temporary file left behind: {names:?}");
    }
}
