//! The production settings of clusters, instances and global clusters
//! (Serverless v2 capacity, storage, backups, windows, log exports,
//! Performance Insights, monitoring, ...), the modifications waiting for the
//! next maintenance window, and the window arithmetic on the virtual clock.
//!
//! Every struct loads from a state file written before it existed: missing
//! fields take the values AWS assigns by default.

use serde::{Deserialize, Serialize};

/// Minutes in a day and in a week.
const DAY_MIN: u32 = 24 * 60;
const WEEK_MIN: u32 = 7 * DAY_MIN;
/// Day names in `ddd:hh24:mi` windows, Monday first.
pub(crate) const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `ServerlessV2ScalingConfiguration` of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ScalingV2 {
    /// MinCapacity in ACUs (0 allows auto-pause).
    pub min: f64,
    /// MaxCapacity in ACUs.
    pub max: f64,
    /// SecondsUntilAutoPause; only meaningful with a minimum of 0.
    pub seconds_until_auto_pause: Option<i64>,
}

/// Cluster modifications sent with `ApplyImmediately=false` that wait for
/// the maintenance window (`ClusterPendingModifiedValues`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ClusterPendingValues {
    /// `IAMDatabaseAuthenticationEnabled`.
    pub iam_auth: Option<bool>,
    /// `StorageType`.
    pub storage_type: Option<String>,
    /// `PendingCloudwatchLogsExports.LogTypesToEnable`.
    pub logs_enable: Vec<String>,
    /// `PendingCloudwatchLogsExports.LogTypesToDisable`.
    pub logs_disable: Vec<String>,
    /// When the maintenance window applies them, epoch ms.
    pub due: Option<u64>,
}

impl ClusterPendingValues {
    /// True when nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.iam_auth.is_none()
            && self.storage_type.is_none()
            && self.logs_enable.is_empty()
            && self.logs_disable.is_empty()
    }
}

/// Settings of a DB cluster beyond identity, engine and credentials.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ClusterSettings {
    /// Serverless v2 capacity range; `None` until set.
    pub serverless_v2: Option<ScalingV2>,
    /// `aurora` or `aurora-iopt1`; `None` is `aurora`.
    pub storage_type: Option<String>,
    /// `hh24:mi-hh24:mi`; `None` is the region's default.
    pub backup_window: Option<String>,
    /// `ddd:hh24:mi-ddd:hh24:mi`; `None` is the region's default.
    pub maintenance_window: Option<String>,
    /// CopyTagsToSnapshot.
    pub copy_tags_to_snapshot: bool,
    /// IAMDatabaseAuthenticationEnabled.
    pub iam_auth: bool,
    /// EnabledCloudwatchLogsExports, sorted.
    pub log_exports: Vec<String>,
    /// `IPV4` or `DUAL`; `None` is `IPV4`.
    pub network_type: Option<String>,
    /// EnableLocalWriteForwarding as last requested; `None` when never requested.
    pub local_write_forwarding: Option<bool>,
    /// EngineLifecycleSupport; `None` is AWS's default.
    pub lifecycle_support: Option<String>,
    /// Modifications waiting for the maintenance window.
    pub pending: ClusterPendingValues,
}

impl ClusterSettings {
    /// The storage type AWS reports.
    pub(crate) fn storage_type(&self) -> &str {
        self.storage_type.as_deref().unwrap_or("aurora")
    }
    /// The network type AWS reports.
    pub(crate) fn network_type(&self) -> &str {
        self.network_type.as_deref().unwrap_or("IPV4")
    }
    /// The lifecycle support AWS reports.
    pub(crate) fn lifecycle_support(&self) -> &str {
        self.lifecycle_support
            .as_deref()
            .unwrap_or(DEFAULT_LIFECYCLE_SUPPORT)
    }
    /// The backup window in force for a cluster of `region`.
    pub(crate) fn backup_window(&self, region: &str) -> String {
        self.backup_window
            .clone()
            .unwrap_or_else(|| default_backup_window(region))
    }
    /// The maintenance window in force for a cluster of `region`.
    pub(crate) fn maintenance_window(&self, region: &str) -> String {
        self.maintenance_window
            .clone()
            .unwrap_or_else(|| default_maintenance_window(region))
    }
    /// Applies what waited for the maintenance window.
    pub(crate) fn apply_pending(&mut self) {
        let p = std::mem::take(&mut self.pending);
        if let Some(v) = p.iam_auth {
            self.iam_auth = v;
        }
        if let Some(v) = p.storage_type {
            self.storage_type = Some(v);
        }
        self.log_exports = merge_log_types(&self.log_exports, &p.logs_enable, &p.logs_disable);
    }
}

/// EngineLifecycleSupport when the request does not say (CreateDBCluster and
/// CreateGlobalCluster reference: "Default: open-source-rds-extended-support").
pub(crate) const DEFAULT_LIFECYCLE_SUPPORT: &str = "open-source-rds-extended-support";

/// The log types in force after enabling and disabling some, sorted.
pub(crate) fn merge_log_types(
    current: &[String],
    enable: &[String],
    disable: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = current
        .iter()
        .chain(enable)
        .filter(|t| !disable.contains(t))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Instance modifications sent with `ApplyImmediately=false` that wait for
/// the maintenance window (`PendingModifiedValues`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct InstancePendingValues {
    /// `DBInstanceClass`.
    pub class: Option<String>,
    /// `CACertificateIdentifier`.
    pub ca: Option<String>,
    /// When the maintenance window applies them, epoch ms.
    pub due: Option<u64>,
}

impl InstancePendingValues {
    /// True when nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.class.is_none() && self.ca.is_none()
    }
}

/// Settings of a DB instance of an Aurora cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct InstanceSettings {
    /// DB parameter group; `None` is the engine family's default group.
    pub parameter_group: Option<String>,
    /// PerformanceInsightsEnabled.
    pub performance_insights: bool,
    /// PerformanceInsightsRetentionPeriod (days) while enabled.
    pub pi_retention: Option<i64>,
    /// PerformanceInsightsKMSKeyId while enabled.
    pub pi_kms_key: Option<String>,
    /// MonitoringInterval in seconds (0 = off).
    pub monitoring_interval: i64,
    /// MonitoringRoleArn.
    pub monitoring_role_arn: Option<String>,
    /// AutoMinorVersionUpgrade.
    pub auto_minor_version_upgrade: bool,
    /// CACertificateIdentifier.
    pub ca: String,
    /// Modifications waiting for the maintenance window.
    pub pending: InstancePendingValues,
}

/// CACertificateIdentifier when the request does not say.
pub(crate) const DEFAULT_CA: &str = "rds-ca-rsa2048-g1";

impl Default for InstanceSettings {
    fn default() -> Self {
        InstanceSettings {
            parameter_group: None,
            performance_insights: false,
            pi_retention: None,
            pi_kms_key: None,
            monitoring_interval: 0,
            monitoring_role_arn: None,
            auto_minor_version_upgrade: true,
            ca: DEFAULT_CA.to_string(),
            pending: InstancePendingValues::default(),
        }
    }
}

/// Settings of a global cluster.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct GlobalSettings {
    /// EngineLifecycleSupport; `None` is AWS's default.
    pub lifecycle_support: Option<String>,
}

impl GlobalSettings {
    /// The lifecycle support AWS reports.
    pub(crate) fn lifecycle_support(&self) -> &str {
        self.lifecycle_support
            .as_deref()
            .unwrap_or(DEFAULT_LIFECYCLE_SUPPORT)
    }
}

/// A daily window `hh24:mi-hh24:mi` as (start, end) minutes of the day; the
/// end may be past midnight (smaller than the start).
pub(crate) fn parse_daily(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    Some((hhmm(a)?, hhmm(b)?))
}

/// A weekly window `ddd:hh24:mi-ddd:hh24:mi` as (start, end) minutes of the
/// week from Monday 00:00.
pub(crate) fn parse_weekly(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let one = |t: &str| -> Option<u32> {
        let (day, time) = t.split_once(':')?;
        let d = DAYS.iter().position(|n| n.eq_ignore_ascii_case(day))?;
        Some(u32::try_from(d).ok()? * DAY_MIN + hhmm(time)?)
    };
    Some((one(a)?, one(b)?))
}

fn hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Length in minutes of a window on a cycle of `cycle` minutes.
pub(crate) fn window_len(start: u32, end: u32, cycle: u32) -> u32 {
    (end + cycle - start) % cycle
}

/// Minutes in a day and a week, for callers checking lengths.
pub(crate) const CYCLE_DAY: u32 = DAY_MIN;
/// See [`CYCLE_DAY`].
pub(crate) const CYCLE_WEEK: u32 = WEEK_MIN;

/// True when a daily backup window and a weekly maintenance window share a minute.
pub(crate) fn windows_overlap(daily: (u32, u32), weekly: (u32, u32)) -> bool {
    let blen = window_len(daily.0, daily.1, DAY_MIN);
    let mlen = window_len(weekly.0, weekly.1, WEEK_MIN);
    (0..7).any(|d| {
        let bstart = d * DAY_MIN + daily.0;
        // Two intervals on a circle overlap when either start lies inside the other.
        let inside = |p: u32, s: u32, len: u32| (p + WEEK_MIN - s) % WEEK_MIN < len;
        inside(bstart, weekly.0, mlen) || inside(weekly.0, bstart, blen)
    })
}

/// Epoch ms of the next start of a weekly window at or after `now`
/// (1970-01-01 was a Thursday).
pub(crate) fn next_window_start(now: u64, window: &str) -> Option<u64> {
    let (start, _) = parse_weekly(window)?;
    const DAY_MS: u64 = 86_400_000;
    const WEEK_MS: u64 = 7 * DAY_MS;
    let ms_of_week = ((now / DAY_MS + 3) % 7) * DAY_MS + now % DAY_MS;
    let start_ms = u64::from(start) * 60_000;
    let wait = (start_ms + WEEK_MS - ms_of_week) % WEEK_MS;
    Some(now.saturating_add(wait))
}

/// Where each region's 8-hour block for default windows starts, in UTC hours
/// (the blocks of AWS's backup window table for the regions listed; other
/// regions use 03:00).
fn block_start_hour(region: &str) -> u32 {
    match region {
        "us-east-1" | "us-east-2" => 3,
        "us-west-1" | "us-west-2" => 6,
        "ca-central-1" => 3,
        "eu-west-1" | "eu-west-2" | "eu-west-3" => 22,
        "eu-central-1" | "eu-north-1" => 20,
        "ap-northeast-1" => 13,
        "ap-southeast-1" => 14,
        "ap-southeast-2" => 12,
        _ => 3,
    }
}

fn region_seed(region: &str) -> u64 {
    region.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn fmt_hhmm(min: u32) -> String {
    let min = min % DAY_MIN;
    format!("{:02}:{:02}", min / 60, min % 60)
}

/// The default 30-minute backup window of a region: a slot of its 8-hour
/// block chosen from the region name, so every run agrees.
pub(crate) fn default_backup_window(region: &str) -> String {
    let slot = (region_seed(region) % 16) as u32;
    let start = block_start_hour(region) * 60 + slot * 30;
    format!("{}-{}", fmt_hhmm(start), fmt_hhmm(start + 30))
}

/// The default 30-minute maintenance window of a region: another slot of
/// the same block four hours away from the backup slot (so the two never
/// overlap), on a day chosen from the region name.
pub(crate) fn default_maintenance_window(region: &str) -> String {
    let seed = region_seed(region);
    let slot = ((seed % 16) as u32 + 8) % 16;
    let day = ((seed / 16) % 7) as u32;
    let start = day * DAY_MIN + block_start_hour(region) * 60 + slot * 30;
    let end = start + 30;
    let fmt = |m: u32| {
        let m = m % WEEK_MIN;
        let d = DAYS.get((m / DAY_MIN) as usize).copied().unwrap_or("mon");
        format!("{d}:{}", fmt_hhmm(m))
    };
    format!("{}-{}", fmt(start), fmt(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_and_measure() {
        assert_eq!(parse_daily("03:00-03:30"), Some((180, 210)));
        assert_eq!(parse_daily("3:00-03:30"), None);
        assert_eq!(parse_daily("24:00-00:30"), None);
        assert_eq!(
            parse_weekly("sun:05:00-sun:06:00"),
            Some((6 * 1440 + 300, 6 * 1440 + 360))
        );
        assert_eq!(parse_weekly("Mon:00:00-mon:00:30"), Some((0, 30)));
        assert_eq!(parse_weekly("xyz:00:00-mon:00:30"), None);
        assert_eq!(
            window_len(23 * 60 + 45, 15, CYCLE_DAY),
            30,
            "wraps past midnight"
        );
        assert_eq!(
            window_len(6 * 1440 + 1425, 15, CYCLE_WEEK),
            30,
            "wraps past Sunday"
        );
    }

    #[test]
    fn overlap_between_daily_and_weekly_windows() {
        let w = parse_weekly("sun:05:00-sun:06:00").unwrap();
        assert!(windows_overlap(parse_daily("05:30-06:30").unwrap(), w));
        assert!(windows_overlap(parse_daily("04:00-05:01").unwrap(), w));
        assert!(!windows_overlap(parse_daily("04:00-05:00").unwrap(), w));
        assert!(!windows_overlap(parse_daily("06:00-07:00").unwrap(), w));
        let wrap = parse_weekly("sun:23:50-mon:00:20").unwrap();
        assert!(windows_overlap(parse_daily("00:10-00:40").unwrap(), wrap));
    }

    #[test]
    fn defaults_are_valid_and_disjoint() {
        for r in [
            "us-east-1",
            "us-west-2",
            "eu-west-1",
            "ap-southeast-2",
            "sa-east-1",
        ] {
            let b = default_backup_window(r);
            let m = default_maintenance_window(r);
            assert_eq!(b, default_backup_window(r), "deterministic");
            let (bs, be) = parse_daily(&b).unwrap();
            let (ms, me) = parse_weekly(&m).unwrap();
            assert_eq!(window_len(bs, be, CYCLE_DAY), 30, "{r} {b}");
            assert_eq!(window_len(ms, me, CYCLE_WEEK), 30, "{r} {m}");
            assert!(!windows_overlap((bs, be), (ms, me)), "{r}: {b} vs {m}");
        }
    }

    #[test]
    fn next_maintenance_window_start() {
        // 2024-01-01 was a Monday; 00:00 UTC is 1_704_067_200_000.
        let monday = 1_704_067_200_000_u64;
        let h = 3_600_000;
        assert_eq!(
            next_window_start(monday, "mon:00:00-mon:00:30"),
            Some(monday)
        );
        assert_eq!(
            next_window_start(monday, "mon:05:00-mon:05:30"),
            Some(monday + 5 * h)
        );
        assert_eq!(
            next_window_start(monday + 6 * h, "mon:05:00-mon:05:30"),
            Some(monday + 7 * 24 * h + 5 * h),
            "a window already started waits a week"
        );
        assert_eq!(
            next_window_start(monday, "sun:05:00-sun:06:00"),
            Some(monday + 6 * 24 * h + 5 * h)
        );
    }

    #[test]
    fn log_types_merge() {
        let cur = vec!["postgresql".to_string()];
        assert_eq!(
            merge_log_types(&cur, &["instance".into()], &["postgresql".into()]),
            vec!["instance".to_string()]
        );
    }

    #[test]
    fn old_state_loads_with_defaults() {
        let c: ClusterSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(c.storage_type(), "aurora");
        let i: InstanceSettings = serde_json::from_str("{}").unwrap();
        assert!(i.auto_minor_version_upgrade);
        assert_eq!(i.ca, DEFAULT_CA);
    }
}
