//! The virtual clock and the one table of operation durations.
//!
//! Every asynchronous transition is stored as a wall-clock due time in epoch
//! milliseconds, computed as `now + duration × time_scale`; statuses advance
//! lazily when state is next read. Using wall-clock time lets a saved state
//! file resume its pending transitions after a restart.

use std::time::{SystemTime, UNIX_EPOCH};

/// What takes time, with its duration in seconds at `time_scale` 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// CreateGlobalCluster.
    CreateGlobal,
    /// CreateDBCluster.
    CreateCluster,
    /// CreateDBInstance.
    CreateInstance,
    /// ModifyDBCluster / ModifyGlobalCluster without an engine change.
    Modify,
    /// ModifyDBInstance.
    ModifyInstance,
    /// Engine version upgrade of a cluster or a whole global cluster.
    Upgrade,
    /// DeleteDBCluster.
    DeleteCluster,
    /// DeleteGlobalCluster.
    DeleteGlobal,
    /// DeleteDBInstance.
    DeleteInstance,
    /// SwitchoverGlobalCluster.
    Switchover,
    /// FailoverGlobalCluster with AllowDataLoss.
    Failover,
    /// RemoveFromGlobalCluster: the detached cluster's promotion.
    Detach,
    /// A cluster snapshot: CreateDBClusterSnapshot, or the final snapshot of DeleteDBCluster.
    Snapshot,
    /// A former primary catching up after a failover, once its region is back.
    Resync,
    /// Turning global write forwarding on or off.
    WriteForwarding,
    /// RestoreDBClusterFromSnapshot: the new cluster's storage is built from the snapshot.
    Restore,
}

impl Op {
    /// Seconds this takes on the real service (typical observed values).
    pub(crate) fn seconds(self) -> f64 {
        match self {
            Op::CreateGlobal => 60.0,
            Op::CreateCluster => 300.0,
            Op::CreateInstance => 600.0,
            Op::Modify => 60.0,
            Op::ModifyInstance => 300.0,
            Op::Upgrade => 900.0,
            Op::DeleteCluster => 120.0,
            Op::DeleteGlobal => 30.0,
            Op::DeleteInstance => 300.0,
            Op::Switchover => 120.0,
            Op::Failover => 90.0,
            Op::Detach => 120.0,
            Op::Snapshot => 120.0,
            Op::Resync => 300.0,
            Op::WriteForwarding => 60.0,
            Op::Restore => 900.0,
        }
    }

    /// Scaled duration in milliseconds.
    pub(crate) fn millis(self, time_scale: f64) -> u64 {
        let ms = self.seconds() * 1000.0 * time_scale.max(0.0);
        if ms.is_finite() {
            ms.round() as u64
        } else {
            u64::MAX / 4
        }
    }
}

/// Current wall-clock time in epoch milliseconds.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// ISO-8601 UTC with milliseconds, as the Query protocol serialises timestamps.
pub(crate) fn iso8601(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    let millis = ms % 1000;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_795_679_999_123), "2026-11-26T07:59:59.123Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn scales_durations() {
        assert_eq!(Op::CreateCluster.millis(0.0), 0);
        assert_eq!(Op::CreateCluster.millis(0.01), 3000);
    }
}
