//! The production settings of Create/Modify DBCluster, DBInstance and
//! CreateGlobalCluster: parsing with botocore's parameter names, validation
//! with the service's error codes, `ApplyImmediately=false` deferral into
//! pending modified values, and the XML of the settings in Describe answers.
//! The handlers call in here with one line each; the data lives in
//! `model::settings`.

use crate::error::{ApiError, ApiResult};
use crate::model::settings::{
    merge_log_types, next_window_start, parse_daily, parse_weekly, window_len, windows_overlap,
    ClusterPendingValues, ClusterSettings, GlobalSettings, InstancePendingValues, InstanceSettings,
    ScalingV2, CYCLE_DAY, CYCLE_WEEK,
};
use crate::model::{Cluster, GlobalCluster, Instance};
use crate::query::Params;
use crate::xml::Xml;

/// `EngineLifecycleSupport` values.
const LIFECYCLES: &[&str] = &[
    "open-source-rds-extended-support",
    "open-source-rds-extended-support-disabled",
];

/// Log types each engine can export (botocore's `EnableCloudwatchLogsExports` documentation).
fn log_types(engine: &str) -> &'static [&'static str] {
    if engine == "aurora-mysql" {
        &[
            "audit",
            "error",
            "general",
            "instance",
            "slowquery",
            "iam-db-auth-error",
        ]
    } else {
        &["instance", "postgresql", "iam-db-auth-error"]
    }
}

fn float(p: &Params, name: &str) -> ApiResult<Option<f64>> {
    match p.get(name) {
        None => Ok(None),
        Some(v) => match v.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Some(f)),
            _ => Err(ApiError::invalid_value(format!(
                "Invalid value for parameter {name}: '{v}'"
            ))),
        },
    }
}

fn check_lifecycle(p: &Params) -> ApiResult<Option<String>> {
    match p.get("EngineLifecycleSupport") {
        None => Ok(None),
        Some(v) if LIFECYCLES.contains(&v) => Ok(Some(v.to_string())),
        Some(v) => Err(ApiError::invalid_value(format!(
            "Invalid value {v} for EngineLifecycleSupport. Valid values: {}.",
            LIFECYCLES.join(", ")
        ))),
    }
}

/// `ServerlessV2ScalingConfiguration.*` merged over the current
/// configuration and checked: 0..=256 ACUs for the minimum, 1..=256 for the
/// maximum, half-ACU steps, minimum <= maximum, and an auto-pause delay of
/// 300..=86400 seconds (300 by default) kept only with a minimum of 0.
fn scaling(p: &Params, current: Option<&ScalingV2>) -> ApiResult<Option<ScalingV2>> {
    const P: &str = "ServerlessV2ScalingConfiguration";
    let min = float(p, &format!("{P}.MinCapacity"))?;
    let max = float(p, &format!("{P}.MaxCapacity"))?;
    let pause = p.int(&format!("{P}.SecondsUntilAutoPause"))?;
    if min.is_none() && max.is_none() && pause.is_none() {
        return Ok(current.cloned());
    }
    let (min, max) = match (min, max, current) {
        (Some(a), Some(b), _) => (a, b),
        (a, b, Some(c)) => (a.unwrap_or(c.min), b.unwrap_or(c.max)),
        _ => {
            return Err(ApiError::invalid_value(
                "Both MinCapacity and MaxCapacity must be specified when you initialize Serverless v2 scaling configuration.",
            ))
        }
    };
    let half_step = |v: f64| (v * 2.0).fract() == 0.0;
    if !(0.0..=256.0).contains(&min) || !half_step(min) {
        return Err(ApiError::invalid_value(format!(
            "Serverless v2 MinCapacity {min} isn't valid: use a value from 0 to 256 ACUs in steps of 0.5."
        )));
    }
    if !(1.0..=256.0).contains(&max) || !half_step(max) {
        return Err(ApiError::invalid_value(format!(
            "Serverless v2 MaxCapacity {max} isn't valid: use a value from 1 to 256 ACUs in steps of 0.5."
        )));
    }
    if min > max {
        return Err(ApiError::invalid_combination(format!(
            "Serverless v2 MinCapacity {min} can't be greater than MaxCapacity {max}."
        )));
    }
    let pause = pause.or_else(|| current.and_then(|c| c.seconds_until_auto_pause));
    if let Some(s) = pause {
        if !(300..=86_400).contains(&s) {
            return Err(ApiError::invalid_value(format!(
                "SecondsUntilAutoPause {s} isn't valid: use a value from 300 to 86400 seconds."
            )));
        }
    }
    // A minimum of 0 turns auto-pause on, after 300 seconds unless the
    // request says otherwise; without it the delay is not kept.
    let pause = if min == 0.0 {
        pause.or(Some(300))
    } else {
        None
    };
    Ok(Some(ScalingV2 {
        min,
        max,
        seconds_until_auto_pause: pause,
    }))
}

fn check_storage_type(t: &str) -> ApiResult<()> {
    if matches!(t, "aurora" | "aurora-iopt1") {
        Ok(())
    } else {
        Err(ApiError::invalid_value(format!(
            "Invalid storage type for DB cluster: {t}. Valid values for Aurora DB clusters: aurora, aurora-iopt1."
        )))
    }
}

fn check_network_type(t: &str) -> ApiResult<()> {
    if matches!(t, "IPV4" | "DUAL") {
        Ok(())
    } else {
        Err(ApiError::invalid_value(format!(
            "Invalid network type: {t}. Valid values: IPV4, DUAL."
        )))
    }
}

fn check_log_types(engine: &str, version: &str, types: &[String]) -> ApiResult<()> {
    let valid = log_types(engine);
    let bad: Vec<&str> = types
        .iter()
        .map(String::as_str)
        .filter(|t| !valid.contains(t))
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_combination(format!(
            "You cannot use the log types '{}' with engine version {engine} {version}. For supported types, use the DescribeDBEngineVersions API action.",
            bad.join(", ")
        )))
    }
}

/// The backup and maintenance windows in force after a request: each in its
/// format, at least 30 minutes, and not overlapping each other.
fn windows(
    p: &Params,
    backup: Option<String>,
    maintenance: Option<String>,
    region: &str,
) -> ApiResult<(Option<String>, Option<String>)> {
    let backup = match p.get("PreferredBackupWindow") {
        None => backup,
        Some(w) => {
            let (s, e) = parse_daily(w).ok_or_else(|| {
                ApiError::invalid_value(format!(
                    "Invalid PreferredBackupWindow {w}: must be in the format hh24:mi-hh24:mi (UTC)."
                ))
            })?;
            if window_len(s, e, CYCLE_DAY) < 30 {
                return Err(ApiError::invalid_value(format!(
                    "Invalid PreferredBackupWindow {w}: the backup window must be at least 30 minutes."
                )));
            }
            Some(w.to_string())
        }
    };
    let maintenance = match p.get("PreferredMaintenanceWindow") {
        None => maintenance,
        Some(w) => {
            let (s, e) = parse_weekly(w).ok_or_else(|| {
                ApiError::invalid_value(format!(
                    "Invalid PreferredMaintenanceWindow {w}: must be in the format ddd:hh24:mi-ddd:hh24:mi (UTC), days Mon to Sun."
                ))
            })?;
            if window_len(s, e, CYCLE_WEEK) < 30 {
                return Err(ApiError::invalid_value(format!(
                    "Invalid PreferredMaintenanceWindow {w}: the maintenance window must be at least 30 minutes."
                )));
            }
            Some(w.to_lowercase())
        }
    };
    let (mut backup, mut maintenance) = (backup, maintenance);
    // A default window gives way to an explicit one: it moves 12 hours on.
    let default_b = crate::model::settings::default_backup_window(region);
    let default_m = crate::model::settings::default_maintenance_window(region);
    let clash = |b: &str, m: &str| match (parse_daily(b), parse_weekly(m)) {
        (Some(bw), Some(mw)) => windows_overlap(bw, mw),
        _ => false,
    };
    match (&backup, &maintenance) {
        (Some(b), None) if clash(b, &default_m) => {
            maintenance = Some(shift_weekly(&default_m, 12 * 60));
        }
        (None, Some(m)) if clash(&default_b, m) => {
            backup = Some(shift_daily(&default_b, 12 * 60));
        }
        _ => {}
    }
    let b = backup.clone().unwrap_or(default_b);
    let m = maintenance.clone().unwrap_or(default_m);
    if clash(&b, &m) {
        return Err(ApiError::invalid_value(format!(
            "The backup window {b} and the maintenance window {m} must not overlap."
        )));
    }
    Ok((backup, maintenance))
}

fn shift_daily(w: &str, by: u32) -> String {
    match parse_daily(w) {
        Some((s, e)) => {
            let f = |m: u32| {
                let m = (m + by) % CYCLE_DAY;
                format!("{:02}:{:02}", m / 60, m % 60)
            };
            format!("{}-{}", f(s), f(e))
        }
        None => w.to_string(),
    }
}

fn shift_weekly(w: &str, by: u32) -> String {
    match parse_weekly(w) {
        Some((s, e)) => {
            let f = |m: u32| {
                let m = (m + by) % CYCLE_WEEK;
                let day = crate::model::settings::DAYS
                    .get((m / CYCLE_DAY) as usize)
                    .copied()
                    .unwrap_or("mon");
                let m = m % CYCLE_DAY;
                format!("{day}:{:02}:{:02}", m / 60, m % 60)
            };
            format!("{}-{}", f(s), f(e))
        }
        None => w.to_string(),
    }
}

/// The settings of a new cluster (CreateDBCluster). A member of a global
/// cluster inherits its EngineLifecycleSupport unless the request says.
pub(super) fn cluster_create(
    p: &Params,
    engine: &str,
    version: &str,
    region: &str,
    global: Option<&GlobalCluster>,
) -> ApiResult<ClusterSettings> {
    let serverless_v2 = scaling(p, None)?;
    let storage_type = p.get("StorageType").map(str::to_string);
    if let Some(t) = &storage_type {
        check_storage_type(t)?;
    }
    let (backup_window, maintenance_window) = windows(p, None, None, region)?;
    let mut log_exports = p.list("EnableCloudwatchLogsExports", "member");
    check_log_types(engine, version, &log_exports)?;
    log_exports.sort();
    log_exports.dedup();
    let network_type = p.get("NetworkType").map(str::to_string);
    if let Some(t) = &network_type {
        check_network_type(t)?;
    }
    let lifecycle_support =
        check_lifecycle(p)?.or_else(|| global.and_then(|g| g.settings.lifecycle_support.clone()));
    Ok(ClusterSettings {
        serverless_v2,
        storage_type,
        backup_window,
        maintenance_window,
        copy_tags_to_snapshot: p.flag("CopyTagsToSnapshot")?,
        iam_auth: p.flag("EnableIAMDatabaseAuthentication")?,
        log_exports,
        network_type,
        local_write_forwarding: p.bool("EnableLocalWriteForwarding")?,
        lifecycle_support,
        pending: ClusterPendingValues::default(),
    })
}

/// The cluster's settings after a ModifyDBCluster request, and whether the
/// change puts the cluster through `modifying`. With `ApplyImmediately`
/// false or absent, IAM authentication, storage type and log export changes
/// wait for the maintenance window (they are the members of
/// `ClusterPendingModifiedValues` among these settings); the rest applies at once.
pub(super) fn cluster_modify(
    p: &Params,
    c: &Cluster,
    now: u64,
) -> ApiResult<(ClusterSettings, bool)> {
    let cur = &c.settings;
    let mut s = cur.clone();
    let immediately = p.flag("ApplyImmediately")?;
    if immediately {
        // What waited for the maintenance window goes with this request.
        s.apply_pending();
    }
    if let Some(port) = p.int("Port")? {
        if !(1150..=65535).contains(&port) {
            return Err(ApiError::invalid_value(format!(
                "Invalid port {port}: must be between 1150 and 65535."
            )));
        }
    }
    s.serverless_v2 = scaling(p, cur.serverless_v2.as_ref())?;
    let (b, m) = windows(
        p,
        cur.backup_window.clone(),
        cur.maintenance_window.clone(),
        &c.region,
    )?;
    s.backup_window = b;
    s.maintenance_window = m;
    if let Some(v) = p.bool("CopyTagsToSnapshot")? {
        s.copy_tags_to_snapshot = v;
    }
    if let Some(t) = p.get("NetworkType") {
        check_network_type(t)?;
        s.network_type = Some(t.to_string());
    }
    if let Some(v) = p.bool("EnableLocalWriteForwarding")? {
        s.local_write_forwarding = Some(v);
    }
    if let Some(l) = check_lifecycle(p)? {
        s.lifecycle_support = Some(l);
    }
    let mut pending = s.pending.clone();
    if let Some(v) = p.bool("EnableIAMDatabaseAuthentication")? {
        if immediately {
            s.iam_auth = v;
            pending.iam_auth = None;
        } else if v != cur.iam_auth || pending.iam_auth.is_some() {
            pending.iam_auth = Some(v).filter(|v| *v != cur.iam_auth);
        }
    }
    if let Some(t) = p.get("StorageType") {
        check_storage_type(t)?;
        if immediately {
            s.storage_type = Some(t.to_string());
            pending.storage_type = None;
        } else {
            pending.storage_type = Some(t.to_string()).filter(|t| t != cur.storage_type());
        }
    }
    const LOGS: &str = "CloudwatchLogsExportConfiguration";
    let enable = p.list(&format!("{LOGS}.EnableLogTypes"), "member");
    let disable = p.list(&format!("{LOGS}.DisableLogTypes"), "member");
    check_log_types(&c.engine, &c.engine_version, &enable)?;
    check_log_types(&c.engine, &c.engine_version, &disable)?;
    if let Some(both) = enable.iter().find(|t| disable.contains(t)) {
        return Err(ApiError::invalid_combination(format!(
            "The log type {both} can't be both enabled and disabled."
        )));
    }
    if !enable.is_empty() || !disable.is_empty() {
        if immediately {
            s.log_exports = merge_log_types(&cur.log_exports, &enable, &disable);
        } else {
            let en = merge_log_types(&pending.logs_enable, &enable, &disable);
            let dis = merge_log_types(&pending.logs_disable, &disable, &enable);
            pending.logs_enable = en
                .into_iter()
                .filter(|t| !cur.log_exports.contains(t))
                .collect();
            pending.logs_disable = dis
                .into_iter()
                .filter(|t| cur.log_exports.contains(t))
                .collect();
        }
    }
    pending.due = if pending.is_empty() {
        None
    } else {
        next_window_start(now, &s.maintenance_window(&c.region))
    };
    s.pending = pending;
    let visible = s.serverless_v2 != cur.serverless_v2
        || s.iam_auth != cur.iam_auth
        || s.storage_type() != cur.storage_type()
        || s.log_exports != cur.log_exports
        || s.network_type() != cur.network_type()
        || s.local_write_forwarding != cur.local_write_forwarding;
    Ok((s, visible))
}

/// EngineLifecycleSupport of a new global cluster (CreateGlobalCluster).
pub(super) fn global_create(p: &Params) -> ApiResult<GlobalSettings> {
    Ok(GlobalSettings {
        lifecycle_support: check_lifecycle(p)?,
    })
}

fn check_monitoring(interval: i64, role: Option<&str>) -> ApiResult<()> {
    if ![0, 1, 5, 10, 15, 30, 60].contains(&interval) {
        return Err(ApiError::invalid_value(format!(
            "Invalid MonitoringInterval {interval}: valid values are 0, 1, 5, 10, 15, 30, 60."
        )));
    }
    match role {
        None if interval > 0 => Err(ApiError::invalid_combination(
            "A MonitoringRoleArn value is required if you specify a MonitoringInterval value other than 0.",
        )),
        Some(_) if interval == 0 => Err(ApiError::invalid_combination(
            "A MonitoringInterval value other than 0 is required if you specify a MonitoringRoleArn value.",
        )),
        Some(r) if !is_role_arn(r) => Err(ApiError::invalid_value(format!(
            "Invalid MonitoringRoleArn {r}: must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)."
        ))),
        _ => Ok(()),
    }
}

fn is_role_arn(r: &str) -> bool {
    let parts: Vec<&str> = r.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "iam", "", account, resource]
            if partition.starts_with("aws")
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && resource.strip_prefix("role/").is_some_and(|n| !n.is_empty())
    )
}

fn check_pi_retention(days: i64) -> ApiResult<()> {
    let ok = days == 7 || days == 731 || (days % 31 == 0 && (1..=23).contains(&(days / 31)));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_value(format!(
            "Invalid PerformanceInsightsRetentionPeriod {days}: valid values are 7, month * 31 (month 1 to 23) and 731."
        )))
    }
}

fn check_ca(ca: &str) -> ApiResult<()> {
    const KNOWN: &[&str] = &[
        "rds-ca-rsa2048-g1",
        "rds-ca-rsa4096-g1",
        "rds-ca-ecc384-g1",
        "rds-ca-2019",
    ];
    if KNOWN.contains(&ca) {
        Ok(())
    } else {
        Err(ApiError::new(
            "CertificateNotFound",
            404,
            format!("Certificate {ca} not found."),
        ))
    }
}

/// The Performance Insights fields after a request: retention and key only
/// while enabled, retention 7 days when enabled without one.
fn performance_insights(p: &Params, s: &mut InstanceSettings, region: &str) -> ApiResult<()> {
    let enabled = p
        .bool("EnablePerformanceInsights")?
        .unwrap_or(s.performance_insights);
    let retention = p.int("PerformanceInsightsRetentionPeriod")?;
    let key = p.get("PerformanceInsightsKMSKeyId");
    if let Some(d) = retention {
        check_pi_retention(d)?;
    }
    if !enabled && (retention.is_some() || key.is_some()) {
        return Err(ApiError::invalid_combination(
            "PerformanceInsightsRetentionPeriod and PerformanceInsightsKMSKeyId require EnablePerformanceInsights.",
        ));
    }
    if let (Some(k), Some(old)) = (key, s.pi_kms_key.as_deref()) {
        if s.performance_insights && k != old {
            return Err(ApiError::invalid_combination(
                "The Performance Insights KMS key can't be changed once Performance Insights is enabled.",
            ));
        }
    }
    if enabled {
        s.pi_retention = retention.or(s.pi_retention).or(Some(7));
        if s.pi_kms_key.is_none() || !s.performance_insights {
            s.pi_kms_key = Some(
                key.map(str::to_string)
                    .unwrap_or_else(|| super::default_kms_key(region)),
            );
        }
    } else {
        s.pi_retention = None;
        s.pi_kms_key = None;
    }
    s.performance_insights = enabled;
    Ok(())
}

/// The settings of a new instance (CreateDBInstance), after the class check
/// against the cluster: a `db.serverless` instance needs the cluster's
/// Serverless v2 scaling configuration first.
pub(super) fn instance_create(
    p: &Params,
    class: &str,
    cluster: &Cluster,
) -> ApiResult<InstanceSettings> {
    if class == "db.serverless" && cluster.settings.serverless_v2.is_none() {
        return Err(ApiError::invalid_cluster_state(
            "Set the Serverless v2 scaling configuration on the parent DB cluster before creating a Serverless v2 DB instance.",
        ));
    }
    let mut s = InstanceSettings {
        parameter_group: p.get("DBParameterGroupName").map(str::to_string),
        ..InstanceSettings::default()
    };
    performance_insights(p, &mut s, &cluster.region)?;
    s.monitoring_interval = p.int("MonitoringInterval")?.unwrap_or(0);
    s.monitoring_role_arn = p.get("MonitoringRoleArn").map(str::to_string);
    check_monitoring(s.monitoring_interval, s.monitoring_role_arn.as_deref())?;
    if let Some(v) = p.bool("AutoMinorVersionUpgrade")? {
        s.auto_minor_version_upgrade = v;
    }
    if let Some(ca) = p.get("CACertificateIdentifier") {
        check_ca(ca)?;
        s.ca = ca.to_string();
    }
    Ok(s)
}

/// The instance's settings after a ModifyDBInstance request, the class to
/// apply now (if any), and whether the instance goes through `modifying`.
/// With `ApplyImmediately` false or absent a class or CA change waits for
/// the maintenance window (`PendingModifiedValues`); the other settings
/// apply at once.
pub(super) fn instance_modify(
    p: &Params,
    i: &Instance,
    cluster: Option<&Cluster>,
    now: u64,
) -> ApiResult<(InstanceSettings, Option<String>, bool)> {
    let cur = &i.settings;
    let mut s = cur.clone();
    let immediately = p.flag("ApplyImmediately")?;
    let class = p.get("DBInstanceClass").filter(|c| *c != i.class);
    if class == Some("db.serverless") && cluster.is_some_and(|c| c.settings.serverless_v2.is_none())
    {
        return Err(ApiError::invalid_cluster_state(
            "Set the Serverless v2 scaling configuration on the parent DB cluster before modifying a DB instance to Serverless v2.",
        ));
    }
    if let Some(pg) = p.get("DBParameterGroupName") {
        s.parameter_group = Some(pg.to_string());
    }
    performance_insights(p, &mut s, &i.region)?;
    let interval = p
        .int("MonitoringInterval")?
        .unwrap_or(cur.monitoring_interval);
    let role = match p.get("MonitoringRoleArn") {
        Some(r) => Some(r.to_string()),
        None if interval == 0 => None,
        None => cur.monitoring_role_arn.clone(),
    };
    check_monitoring(interval, role.as_deref())?;
    s.monitoring_interval = interval;
    s.monitoring_role_arn = role;
    if let Some(v) = p.bool("AutoMinorVersionUpgrade")? {
        s.auto_minor_version_upgrade = v;
    }
    let ca = p.get("CACertificateIdentifier");
    if let Some(ca) = ca {
        check_ca(ca)?;
    }
    let mut pending = cur.pending.clone();
    let mut now_class = None;
    if immediately {
        now_class = class.map(str::to_string).or(pending.class.take());
        if let Some(ca) = ca.map(str::to_string).or(pending.ca.take()) {
            s.ca = ca;
        }
        pending = InstancePendingValues::default();
    } else {
        if let Some(c) = p.get("DBInstanceClass") {
            pending.class = Some(c.to_string()).filter(|c| *c != i.class);
        }
        if let Some(ca) = ca {
            pending.ca = Some(ca.to_string()).filter(|ca| *ca != cur.ca);
        }
    }
    let window = cluster
        .map(|c| c.settings.maintenance_window(&c.region))
        .unwrap_or_else(|| crate::model::settings::default_maintenance_window(&i.region));
    pending.due = if pending.is_empty() {
        None
    } else {
        next_window_start(now, &window)
    };
    s.pending = pending;
    let visible = now_class.is_some()
        || s.ca != cur.ca
        || s.parameter_group != cur.parameter_group
        || s.monitoring_interval != cur.monitoring_interval;
    Ok((s, now_class, visible))
}

/// The settings elements of a `DBCluster` (the caller writes the rest).
pub(crate) fn render_cluster(x: &mut Xml, c: &Cluster) {
    let s = &c.settings;
    x.el("PreferredBackupWindow", &s.backup_window(&c.region))
        .el(
            "PreferredMaintenanceWindow",
            &s.maintenance_window(&c.region),
        )
        .bool("IAMDatabaseAuthenticationEnabled", s.iam_auth)
        .bool("CopyTagsToSnapshot", s.copy_tags_to_snapshot)
        .el("StorageType", s.storage_type())
        .el("NetworkType", s.network_type())
        .el("EngineLifecycleSupport", s.lifecycle_support())
        .el(
            "StorageEncryptionType",
            if c.storage_encrypted {
                "sse-kms"
            } else {
                "none"
            },
        );
    x.list("EnabledCloudwatchLogsExports", "member", &s.log_exports);
    if let Some(v) = &s.serverless_v2 {
        x.open("ServerlessV2ScalingConfiguration")
            .el("MinCapacity", &fmt_acu(v.min))
            .el("MaxCapacity", &fmt_acu(v.max));
        if let Some(sec) = v.seconds_until_auto_pause {
            x.num("SecondsUntilAutoPause", sec);
        }
        x.close("ServerlessV2ScalingConfiguration");
    }
    if let Some(lwf) = s.local_write_forwarding {
        let status = match (lwf, c.status == "modifying") {
            (true, false) => "enabled",
            (true, true) => "enabling",
            (false, false) => "disabled",
            (false, true) => "disabling",
        };
        x.el("LocalWriteForwardingStatus", status);
    }
    let p = &s.pending;
    if !p.is_empty() {
        x.open("PendingModifiedValues");
        if !p.logs_enable.is_empty() || !p.logs_disable.is_empty() {
            x.open("PendingCloudwatchLogsExports");
            x.list("LogTypesToEnable", "member", &p.logs_enable);
            x.list("LogTypesToDisable", "member", &p.logs_disable);
            x.close("PendingCloudwatchLogsExports");
        }
        if let Some(v) = p.iam_auth {
            x.bool("IAMDatabaseAuthenticationEnabled", v);
        }
        x.opt("StorageType", p.storage_type.as_deref());
        x.close("PendingModifiedValues");
    }
}

fn fmt_acu(v: f64) -> String {
    format!("{v:.1}")
}

/// The settings elements of a `DBInstance`.
pub(crate) fn render_instance(x: &mut Xml, i: &Instance, c: Option<&Cluster>, family: &str) {
    let s = &i.settings;
    let region = &i.region;
    let (backup, maintenance) = match c {
        Some(c) => (
            c.settings.backup_window(region),
            c.settings.maintenance_window(region),
        ),
        None => (
            crate::model::settings::default_backup_window(region),
            crate::model::settings::default_maintenance_window(region),
        ),
    };
    x.el("PreferredBackupWindow", &backup)
        .el("PreferredMaintenanceWindow", &maintenance);
    x.open("DBParameterGroups")
        .open("DBParameterGroup")
        .el(
            "DBParameterGroupName",
            &s.parameter_group
                .clone()
                .unwrap_or_else(|| format!("default.{family}")),
        )
        .el("ParameterApplyStatus", "in-sync")
        .close("DBParameterGroup")
        .close("DBParameterGroups");
    x.bool("AutoMinorVersionUpgrade", s.auto_minor_version_upgrade)
        .el("CACertificateIdentifier", &s.ca)
        .num("MonitoringInterval", s.monitoring_interval)
        .opt("MonitoringRoleArn", s.monitoring_role_arn.as_deref())
        .bool("PerformanceInsightsEnabled", s.performance_insights)
        .opt("PerformanceInsightsKMSKeyId", s.pi_kms_key.as_deref());
    if let Some(d) = s.pi_retention {
        x.num("PerformanceInsightsRetentionPeriod", d);
    }
    if s.monitoring_interval > 0 {
        x.el(
            "EnhancedMonitoringResourceArn",
            &format!(
                "arn:aws:logs:{region}:{}:log-group:RDSOSMetrics:log-stream:{}",
                crate::ids::ACCOUNT,
                i.resource_id
            ),
        );
    }
    if let Some(c) = c {
        x.bool("IAMDatabaseAuthenticationEnabled", c.settings.iam_auth)
            .bool("CopyTagsToSnapshot", c.settings.copy_tags_to_snapshot)
            .el("NetworkType", c.settings.network_type())
            .el("StorageType", c.settings.storage_type())
            .el("EngineLifecycleSupport", c.settings.lifecycle_support())
            .el(
                "StorageEncryptionType",
                if c.storage_encrypted {
                    "sse-kms"
                } else {
                    "none"
                },
            );
        x.list(
            "EnabledCloudwatchLogsExports",
            "member",
            &c.settings.log_exports,
        );
    }
    let p = &s.pending;
    if !p.is_empty() {
        x.open("PendingModifiedValues")
            .opt("DBInstanceClass", p.class.as_deref())
            .opt("CACertificateIdentifier", p.ca.as_deref())
            .close("PendingModifiedValues");
    }
}

/// The settings elements of a `GlobalCluster`.
pub(crate) fn render_global(x: &mut Xml, g: &GlobalCluster) {
    x.el("EngineLifecycleSupport", g.settings.lifecycle_support())
        .el(
            "StorageEncryptionType",
            if g.storage_encrypted {
                "sse-kms"
            } else {
                "none"
            },
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn performance_insights_retention_values() {
        for ok in [7, 31, 62, 93, 341, 589, 713, 731] {
            assert!(check_pi_retention(ok).is_ok(), "{ok}");
        }
        for bad in [0, 1, 8, 30, 94, 744, 730, 732, -31] {
            assert_eq!(
                check_pi_retention(bad).unwrap_err().code,
                "InvalidParameterValue",
                "{bad}"
            );
        }
    }

    #[test]
    fn monitoring_interval_and_role() {
        let role = "arn:aws:iam::123456789012:role/rds-monitoring";
        assert!(check_monitoring(0, None).is_ok());
        for i in [1, 5, 10, 15, 30, 60] {
            assert!(check_monitoring(i, Some(role)).is_ok(), "{i}");
        }
        assert_eq!(
            check_monitoring(2, Some(role)).unwrap_err().code,
            "InvalidParameterValue"
        );
        assert_eq!(
            check_monitoring(30, None).unwrap_err().code,
            "InvalidParameterCombination"
        );
        assert_eq!(
            check_monitoring(0, Some(role)).unwrap_err().code,
            "InvalidParameterCombination"
        );
        for bad in [
            "rds-monitoring",
            "arn:aws:iam::123:role/x",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:s3::123456789012:role/x",
        ] {
            assert_eq!(
                check_monitoring(5, Some(bad)).unwrap_err().code,
                "InvalidParameterValue",
                "{bad}"
            );
        }
        assert!(check_monitoring(5, Some("arn:aws-cn:iam::123456789012:role/path/x")).is_ok());
    }

    #[test]
    fn default_windows_give_way_to_explicit_ones() {
        let region = "us-east-1";
        let m = crate::model::settings::default_maintenance_window(region);
        let (start, _) = parse_weekly(&m).unwrap();
        // A backup window on the default maintenance window's slot.
        let day_min = start % CYCLE_DAY;
        let b = format!(
            "{:02}:{:02}-{:02}:{:02}",
            day_min / 60,
            day_min % 60,
            (day_min + 30) / 60 % 24,
            (day_min + 30) % 60
        );
        let p = Params::parse(format!("PreferredBackupWindow={b}").as_bytes());
        let (backup, maintenance) = windows(&p, None, None, region).unwrap();
        assert_eq!(backup.as_deref(), Some(b.as_str()));
        let moved = maintenance.unwrap();
        assert_ne!(moved, m);
        assert!(!windows_overlap(
            parse_daily(&b).unwrap(),
            parse_weekly(&moved).unwrap()
        ));
        // Both explicit and overlapping: refused.
        let p = Params::parse(
            format!("PreferredBackupWindow={b}&PreferredMaintenanceWindow={m}").as_bytes(),
        );
        assert_eq!(
            windows(&p, None, None, region).unwrap_err().code,
            "InvalidParameterValue"
        );
    }
}
