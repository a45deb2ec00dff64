//! The production settings of SPEC §7 on the Terraform side: their part of
//! the typed model (a region's cluster settings and instance defaults, an
//! instance's own settings), how they are planned, validated, read from an
//! observation and handed to the reconciler.
//!
//! Conversion between [`Value`] and these structs lives here, next to the
//! rest of the model's ([`super::model`]), so that adding a setting is a
//! field in one macro invocation plus a schema line.

use crate::aws::{self, Acu};
use crate::tf::{AttributePath, Diagnostic, Diagnostics, Number, Value};

use super::model::{path, Field, FieldMap, FieldSet, Instance, Known, Region};
use super::schema::name;

/// Defines a settings struct: one [`Field`] per attribute, read from and
/// written to an object value, merged field by field.
macro_rules! settings_model {
    ($(#[$m:meta])* $name:ident { $($field:ident : $ty:ty = $attr:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub(crate) struct $name {
            $(pub(crate) $field: Field<$ty>,)*
        }

        impl $name {
            /// The fields of an object value.
            pub(crate) fn read(v: &Value) -> Self {
                $name { $($field: Field::from_value(v.get_attr($attr)),)* }
            }

            /// The attributes, for the object value.
            pub(crate) fn pairs(&self) -> Vec<(&'static str, Value)> {
                vec![$(($attr, self.$field.to_value()),)*]
            }

            /// Each field of `self` when set, else the one of `otherwise`.
            pub(crate) fn or(&self, otherwise: &Self) -> Self {
                $name { $($field: self.$field.clone().or(otherwise.$field.clone()),)* }
            }

            /// Each unknown field of `self` taken from `known`.
            #[allow(dead_code)]
            pub(crate) fn unknown_from(&self, known: &Self) -> Self {
                $name { $($field: if self.$field.is_unknown() {
                    known.$field.clone()
                } else {
                    self.$field.clone()
                },)* }
            }

            /// Every field unknown.
            pub(crate) fn unknown() -> Self {
                $name { $($field: Field::Unknown,)* }
            }

            /// Fields planned null stay null in the state after an apply
            /// (Terraform holds the provider to a known planned value). A
            /// state from before these settings existed plans them null;
            /// the next refresh reads them.
            pub(crate) fn keep_nulls_of(&mut self, planned: &Self) {
                $(if planned.$field.is_null() { self.$field = Field::Null; })*
            }

            /// The names of the fields that differ between `self` and
            /// `other`, both known.
            pub(crate) fn changed_names(&self, other: &Self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $(if self.$field.known().is_some()
                    && other.$field.known().is_some()
                    && self.$field != other.$field
                {
                    out.push($attr);
                })*
                out
            }
        }
    };
}

settings_model!(
    /// A region's cluster settings.
    ClusterConfig {
        serverlessv2_scaling_configuration: Scaling = name::SERVERLESSV2_SCALING_CONFIGURATION,
        storage_type: String = name::STORAGE_TYPE,
        backup_retention_period: Number = name::BACKUP_RETENTION_PERIOD,
        preferred_backup_window: String = name::PREFERRED_BACKUP_WINDOW,
        preferred_maintenance_window: String = name::PREFERRED_MAINTENANCE_WINDOW,
        copy_tags_to_snapshot: bool = name::COPY_TAGS_TO_SNAPSHOT,
        iam_database_authentication_enabled: bool = name::IAM_DATABASE_AUTHENTICATION_ENABLED,
        port: Number = name::PORT,
        enabled_cloudwatch_logs_exports: FieldSet<String> = name::ENABLED_CLOUDWATCH_LOGS_EXPORTS,
        network_type: String = name::NETWORK_TYPE,
        enable_local_write_forwarding: bool = name::ENABLE_LOCAL_WRITE_FORWARDING,
    }
);

settings_model!(
    /// Instance settings: a region's defaults, or an instance's own values.
    InstanceConfig {
        db_parameter_group_name: String = name::DB_PARAMETER_GROUP_NAME,
        performance_insights_enabled: bool = name::PERFORMANCE_INSIGHTS_ENABLED,
        performance_insights_retention_period: Number = name::PERFORMANCE_INSIGHTS_RETENTION_PERIOD,
        performance_insights_kms_key_id: String = name::PERFORMANCE_INSIGHTS_KMS_KEY_ID,
        monitoring_interval: Number = name::MONITORING_INTERVAL,
        monitoring_role_arn: String = name::MONITORING_ROLE_ARN,
        auto_minor_version_upgrade: bool = name::AUTO_MINOR_VERSION_UPGRADE,
        ca_cert_identifier: String = name::CA_CERT_IDENTIFIER,
    }
);

/// `serverlessv2_scaling_configuration`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Scaling {
    pub(crate) min_capacity: Field<Number>,
    pub(crate) max_capacity: Field<Number>,
    pub(crate) seconds_until_auto_pause: Field<Number>,
}

impl Known for Scaling {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_entries()?;
        Some(Scaling {
            min_capacity: Field::from_value(v.get_attr(name::MIN_CAPACITY)),
            max_capacity: Field::from_value(v.get_attr(name::MAX_CAPACITY)),
            seconds_until_auto_pause: Field::from_value(v.get_attr(name::SECONDS_UNTIL_AUTO_PAUSE)),
        })
    }

    fn to_known(&self) -> Value {
        Value::object([
            (name::MIN_CAPACITY, self.min_capacity.to_value()),
            (name::MAX_CAPACITY, self.max_capacity.to_value()),
            (
                name::SECONDS_UNTIL_AUTO_PAUSE,
                self.seconds_until_auto_pause.to_value(),
            ),
        ])
    }
}

fn is_zero(n: &Field<Number>) -> Option<bool> {
    n.known().map(|n| n.as_f64() == 0.0)
}

// ---------------------------------------------------------------------------
// Plan.

/// The planned cluster settings of a region: configured values, else the
/// prior state's (unknown when there is none: AWS chooses).
pub(crate) fn plan_cluster(cfg: &ClusterConfig, prior: Option<&ClusterConfig>) -> ClusterConfig {
    let fallback = prior.cloned().unwrap_or_else(ClusterConfig::unknown);
    let mut out = cfg.or(&fallback);
    // Within a configured scaling object only the auto-pause delay is
    // AWS's choice: it exists (default 300) exactly when min_capacity is 0.
    if let Field::Known(want) = &cfg.serverlessv2_scaling_configuration {
        let mut s = want.clone();
        if s.seconds_until_auto_pause.is_null() {
            let prior_scaling = prior.and_then(|p| p.serverlessv2_scaling_configuration.known());
            s.seconds_until_auto_pause = match is_zero(&s.min_capacity) {
                Some(false) => Field::Null,
                None => Field::Unknown,
                Some(true) => match prior_scaling {
                    Some(p) if is_zero(&p.min_capacity) == Some(true) => {
                        p.seconds_until_auto_pause.clone()
                    }
                    _ => Field::Unknown,
                },
            };
        }
        out.serverlessv2_scaling_configuration = Field::Known(s);
    }
    out
}

/// The planned settings of an instance: its own, else its region's
/// configured defaults, else the prior state's (unknown for a new one).
pub(crate) fn plan_instance(
    own: &InstanceConfig,
    region_defaults: &InstanceConfig,
    prior: Option<&InstanceConfig>,
) -> InstanceConfig {
    let mut inherited = own.or(region_defaults);
    // An instance that turns monitoring off does not take its region's
    // role, nor one that turns Performance Insights off its region's
    // retention or key: AWS refuses them without the feature.
    if own.monitoring_role_arn.is_null() && inherited.monitoring_interval.as_i64() == Some(0) {
        inherited.monitoring_role_arn = Field::Null;
    }
    if inherited.performance_insights_enabled.as_bool() == Some(false) {
        if own.performance_insights_retention_period.is_null() {
            inherited.performance_insights_retention_period = Field::Null;
        }
        if own.performance_insights_kms_key_id.is_null() {
            inherited.performance_insights_kms_key_id = Field::Null;
        }
    }
    inherited.or(&prior.cloned().unwrap_or_else(InstanceConfig::unknown))
}

/// Warnings for setting changes AWS carries out with a restart, a
/// replacement or a later step.
pub(crate) fn warn_region_changes(
    key: &str,
    prior: &ClusterConfig,
    planned: &ClusterConfig,
    d: &mut Diagnostics,
) {
    let rp = path::region(key);
    for attr in planned.changed_names(prior) {
        let what = match attr {
            name::PORT => "Every instance of the cluster restarts to listen on the new port.",
            name::STORAGE_TYPE => "AWS allows a switch to I/O-Optimized (aurora-iopt1) only once every 30 days; the apply fails if the last switch is more recent.",
            _ => continue,
        };
        d.push(
            Diagnostic::warning(
                "Cluster Setting Change With Side Effects",
                format!("{attr} of the cluster in {key} changes. {what}"),
            )
            .with_path(rp.attr(attr)),
        );
    }
}

/// Warnings for an instance's setting changes (see [`warn_region_changes`]).
pub(crate) fn warn_instance_changes(
    id: &str,
    ip: &AttributePath,
    prior: &Instance,
    planned: &Instance,
    d: &mut Diagnostics,
) {
    for attr in planned.settings.changed_names(&prior.settings) {
        let what = match attr {
            name::DB_PARAMETER_GROUP_NAME => "The new parameter group takes effect only after the instance is rebooted; the provider does not reboot it (its parameter group shows pending-reboot until then).",
            name::CA_CERT_IDENTIFIER => "The instance may restart to load the new server certificate, unless the engine version can rotate it without a restart.",
            _ => continue,
        };
        d.push(
            Diagnostic::warning(
                "Instance Setting Change With Side Effects",
                format!("{attr} of instance {id} changes. {what}"),
            )
            .with_path(ip.attr(attr)),
        );
    }
}

// ---------------------------------------------------------------------------
// Validation.

fn invalid(p: AttributePath, what: &str, rule: &str) -> Diagnostic {
    Diagnostic::error(format!("Invalid {what}"), format!("The {what} {rule}.")).with_path(p)
}

/// `hh24:mi` in minutes after midnight.
fn clock(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEK: u32 = 7 * 24 * 60;
const DAY: u32 = 24 * 60;
const MIN_WINDOW: u32 = 30;

/// A daily window `hh24:mi-hh24:mi`: (start, length) in minutes.
pub(crate) fn backup_window(s: &str) -> Result<(u32, u32), String> {
    let parsed = s
        .split_once('-')
        .and_then(|(a, b)| Some((clock(a)?, clock(b)?)));
    let Some((start, end)) = parsed else {
        return Err(format!(
            "must have the form hh24:mi-hh24:mi in UTC, like \"03:00-03:30\", not {s:?}"
        ));
    };
    let len = (end + DAY - start) % DAY;
    if len < MIN_WINDOW {
        return Err(format!("must be at least 30 minutes long; {s:?} is {len}"));
    }
    Ok((start, len))
}

/// A weekly window `ddd:hh24:mi-ddd:hh24:mi`: (start, length) in minutes
/// after Monday 00:00.
pub(crate) fn maintenance_window(s: &str) -> Result<(u32, u32), String> {
    let point = |p: &str| -> Option<u32> {
        let (day, t) = p.split_once(':')?;
        let d = DAYS.iter().position(|x| *x == day)?;
        Some(d as u32 * DAY + clock(t)?)
    };
    let parsed = s
        .split_once('-')
        .and_then(|(a, b)| Some((point(a)?, point(b)?)));
    let Some((start, end)) = parsed else {
        return Err(format!("must have the form ddd:hh24:mi-ddd:hh24:mi in UTC with lower-case days (mon, tue, wed, thu, fri, sat, sun), like \"sun:05:00-sun:06:00\", not {s:?}"));
    };
    let len = (end + WEEK - start) % WEEK;
    if len < MIN_WINDOW {
        return Err(format!("must be at least 30 minutes long; {s:?} is {len}"));
    }
    Ok((start, len))
}

/// Whether a daily backup window meets a weekly maintenance window (both
/// as (start, length) in minutes; the week wraps around).
pub(crate) fn windows_overlap(backup: (u32, u32), maintenance: (u32, u32)) -> bool {
    let week = i64::from(WEEK);
    let (ms, me) = (
        i64::from(maintenance.0),
        i64::from(maintenance.0 + maintenance.1),
    );
    (0..7).any(|day| {
        let bs = i64::from(day * DAY + backup.0);
        let be = bs + i64::from(backup.1);
        [-week, 0, week]
            .iter()
            .any(|shift| bs + shift < me && ms < be + shift)
    })
}

/// Log types each engine exports (CreateDBCluster's EnableCloudwatchLogsExports).
pub(crate) fn log_types(engine: &str) -> &'static [&'static str] {
    match engine {
        "aurora-mysql" => &[
            "audit",
            "error",
            "general",
            "instance",
            "slowquery",
            "iam-db-auth-error",
        ],
        _ => &["instance", "postgresql", "iam-db-auth-error"],
    }
}

pub(crate) const STORAGE_TYPES: [&str; 2] = ["aurora", "aurora-iopt1"];
pub(crate) const NETWORK_TYPES: [&str; 2] = ["IPV4", "DUAL"];
pub(crate) const LIFECYCLE_SUPPORT: [&str; 2] = [
    "open-source-rds-extended-support",
    "open-source-rds-extended-support-disabled",
];
pub(crate) const MONITORING_INTERVALS: [i64; 7] = [0, 1, 5, 10, 15, 30, 60];

/// Performance Insights retention: 7, 31 × n for n up to 23, or 731.
pub(crate) fn pi_retention_ok(days: i64) -> bool {
    days == 7 || days == 731 || (days % 31 == 0 && (1..=23).contains(&(days / 31)))
}

fn whole(n: &Field<Number>) -> Option<Result<i64, ()>> {
    n.known().map(|n| n.as_i64().ok_or(()))
}

/// Checks a whole number with `ok`; the error names `rule`.
fn check_whole(
    d: &mut Diagnostics,
    n: &Field<Number>,
    p: AttributePath,
    what: &str,
    rule: &str,
    ok: impl Fn(i64) -> bool,
) {
    if let Some(v) = whole(n) {
        if !v.is_ok_and(&ok) {
            d.push(invalid(p, what, rule));
        }
    }
}

fn check_one_of(d: &mut Diagnostics, f: &Field<String>, p: AttributePath, what: &str, of: &[&str]) {
    if let Some(s) = f.as_str() {
        if !of.contains(&s) {
            let list: Vec<String> = of.iter().map(|x| format!("{x:?}")).collect();
            d.push(invalid(
                p,
                what,
                &format!("must be one of {}, not {s:?}", list.join(", ")),
            ));
        }
    }
}

/// Validates the top-level settings.
pub(crate) fn validate_top(d: &mut Diagnostics, lifecycle: &Field<String>) {
    check_one_of(
        d,
        lifecycle,
        path::top(name::ENGINE_LIFECYCLE_SUPPORT),
        "engine lifecycle support",
        &LIFECYCLE_SUPPORT,
    );
}

/// Validates a region's cluster settings and instance defaults, and each
/// instance's settings as they apply (its own, else the region's).
pub(crate) fn validate_region(d: &mut Diagnostics, key: &str, engine: &str, r: &Region) {
    let rp = path::region(key);
    let c = &r.settings;
    if let Some(s) = c.serverlessv2_scaling_configuration.known() {
        validate_scaling(d, &rp.attr(name::SERVERLESSV2_SCALING_CONFIGURATION), s);
    }
    check_one_of(
        d,
        &c.storage_type,
        rp.attr(name::STORAGE_TYPE),
        "storage type",
        &STORAGE_TYPES,
    );
    check_one_of(
        d,
        &c.network_type,
        rp.attr(name::NETWORK_TYPE),
        "network type",
        &NETWORK_TYPES,
    );
    check_whole(
        d,
        &c.backup_retention_period,
        rp.attr(name::BACKUP_RETENTION_PERIOD),
        "backup retention period",
        "must be a whole number of days from 1 to 35",
        |n| (1..=35).contains(&n),
    );
    check_whole(
        d,
        &c.port,
        rp.attr(name::PORT),
        "port",
        "must be a whole number from 1150 to 65535",
        |n| (1150..=65535).contains(&n),
    );
    let backup = c.preferred_backup_window.as_str().and_then(|s| {
        backup_window(s)
            .map_err(|e| {
                d.push(invalid(
                    rp.attr(name::PREFERRED_BACKUP_WINDOW),
                    "backup window",
                    &e,
                ))
            })
            .ok()
    });
    let maintenance = c.preferred_maintenance_window.as_str().and_then(|s| {
        maintenance_window(s)
            .map_err(|e| {
                d.push(invalid(
                    rp.attr(name::PREFERRED_MAINTENANCE_WINDOW),
                    "maintenance window",
                    &e,
                ))
            })
            .ok()
    });
    if let (Some(b), Some(m)) = (backup, maintenance) {
        if windows_overlap(b, m) {
            d.push(invalid(
                rp.attr(name::PREFERRED_BACKUP_WINDOW),
                "backup window",
                &format!(
                    "must not overlap the maintenance window ({})",
                    c.preferred_maintenance_window.as_str().unwrap_or_default()
                ),
            ));
        }
    }
    if let Some(set) = c.enabled_cloudwatch_logs_exports.known() {
        let allowed = log_types(engine);
        for s in set.iter().filter_map(Field::as_str) {
            if !allowed.contains(&s) {
                d.push(invalid(
                    rp.attr(name::ENABLED_CLOUDWATCH_LOGS_EXPORTS),
                    "log export",
                    &format!(
                        "{s:?} is not a log type of {engine}; it exports {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
    }
    validate_instance_settings(d, &rp, &r.instance_defaults, &InstanceConfig::default());
    for (ik, inst) in r.instance_entries() {
        if let Some(inst) = inst.known() {
            validate_instance_settings(
                d,
                &path::instance(key, ik),
                &inst.settings,
                &r.instance_defaults,
            );
        }
    }
}

fn validate_scaling(d: &mut Diagnostics, sp: &AttributePath, s: &Scaling) {
    let acu = |n: &Field<Number>| n.known().map(Number::as_f64);
    let on_grid = |v: f64| (v * 2.0).fract() == 0.0;
    let min = acu(&s.min_capacity);
    let max = acu(&s.max_capacity);
    if let Some(v) = min {
        if !(on_grid(v) && (v == 0.0 || (0.5..=256.0).contains(&v))) {
            d.push(invalid(
                sp.attr(name::MIN_CAPACITY),
                "minimum capacity",
                "must be 0 (auto-pause) or from 0.5 to 256 ACUs, in steps of 0.5",
            ));
        }
    }
    if let Some(v) = max {
        if !(on_grid(v) && (1.0..=256.0).contains(&v)) {
            d.push(invalid(
                sp.attr(name::MAX_CAPACITY),
                "maximum capacity",
                "must be from 1 to 256 ACUs, in steps of 0.5",
            ));
        }
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            d.push(invalid(
                sp.attr(name::MAX_CAPACITY),
                "maximum capacity",
                &format!("must be at least min_capacity ({lo})"),
            ));
        }
    }
    if let Some(v) = whole(&s.seconds_until_auto_pause) {
        if !v.is_ok_and(|n| (300..=86_400).contains(&n)) {
            d.push(invalid(
                sp.attr(name::SECONDS_UNTIL_AUTO_PAUSE),
                "auto-pause delay",
                "must be a whole number of seconds from 300 to 86400",
            ));
        } else if min.is_some_and(|m| m != 0.0) {
            d.push(invalid(
                sp.attr(name::SECONDS_UNTIL_AUTO_PAUSE),
                "auto-pause delay",
                "applies only with min_capacity = 0 (instances pause only when they may scale to zero)",
            ));
        }
    }
}

/// Checks `own` settings, taking each unset one from `defaults`.
fn validate_instance_settings(
    d: &mut Diagnostics,
    p: &AttributePath,
    own: &InstanceConfig,
    defaults: &InstanceConfig,
) {
    let eff = own.or(defaults);
    check_whole(
        d,
        &own.monitoring_interval,
        p.attr(name::MONITORING_INTERVAL),
        "monitoring interval",
        "must be one of 0, 1, 5, 10, 15, 30 or 60 seconds",
        |n| MONITORING_INTERVALS.contains(&n),
    );
    check_whole(
        d,
        &own.performance_insights_retention_period,
        p.attr(name::PERFORMANCE_INSIGHTS_RETENTION_PERIOD),
        "Performance Insights retention period",
        "must be 7, a multiple of 31 up to 713 (31 × 23), or 731 days",
        pi_retention_ok,
    );
    let interval = eff.monitoring_interval.as_i64();
    if interval.is_some_and(|n| n > 0) && eff.monitoring_role_arn.is_null() {
        d.push(
            Diagnostic::error(
                "Monitoring Role Required",
                format!("Enhanced Monitoring every {}s needs monitoring_role_arn: the IAM role RDS uses to send the metrics to CloudWatch Logs.", interval.unwrap_or_default()),
            )
            .with_path(p.attr(name::MONITORING_ROLE_ARN)),
        );
    }
    if interval == Some(0) && own.monitoring_role_arn.known().is_some() {
        d.push(
            Diagnostic::error(
                "Monitoring Role Without Monitoring",
                "monitoring_role_arn is set while monitoring_interval is 0 (off); AWS accepts a role only with an interval above 0. Set the interval, or remove the role.",
            )
            .with_path(p.attr(name::MONITORING_INTERVAL)),
        );
    }
    if eff.performance_insights_enabled.as_bool() == Some(false) {
        for (attr, f) in [
            (
                name::PERFORMANCE_INSIGHTS_RETENTION_PERIOD,
                own.performance_insights_retention_period.known().is_some(),
            ),
            (
                name::PERFORMANCE_INSIGHTS_KMS_KEY_ID,
                own.performance_insights_kms_key_id.known().is_some(),
            ),
        ] {
            if f {
                d.push(
                    Diagnostic::error(
                        "Performance Insights Is Off",
                        format!("{attr} is set while performance_insights_enabled is false. Enable Performance Insights, or remove {attr}."),
                    )
                    .with_path(p.attr(attr)),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Observed -> state.

fn int(n: Option<i32>) -> Field<Number> {
    n.map_or(Field::Null, |n| Field::int(i64::from(n)))
}

fn acu(n: Option<Acu>) -> Field<Number> {
    n.map_or(Field::Null, |a| Field::Known(Number::from(a.as_f64())))
}

impl ClusterConfig {
    /// The state of a cluster's observed settings.
    pub(crate) fn observed(s: &aws::ClusterSettings) -> Self {
        ClusterConfig {
            serverlessv2_scaling_configuration: s.scaling.as_ref().map_or(Field::Null, |s| {
                Field::Known(Scaling {
                    min_capacity: acu(s.min_capacity),
                    max_capacity: acu(s.max_capacity),
                    seconds_until_auto_pause: int(s.seconds_until_auto_pause),
                })
            }),
            storage_type: Field::opt(s.storage_type.clone()),
            backup_retention_period: int(s.backup_retention_period),
            preferred_backup_window: Field::opt(s.preferred_backup_window.clone()),
            preferred_maintenance_window: Field::opt(s.preferred_maintenance_window.clone()),
            copy_tags_to_snapshot: s.copy_tags_to_snapshot.map_or(Field::Null, Field::Known),
            iam_database_authentication_enabled: s
                .iam_database_authentication_enabled
                .map_or(Field::Null, Field::Known),
            port: int(s.port),
            enabled_cloudwatch_logs_exports: s
                .enabled_cloudwatch_logs_exports
                .as_ref()
                .map_or(Field::Null, |v| {
                    Field::Known(v.iter().cloned().map(Field::Known).collect())
                }),
            network_type: Field::opt(s.network_type.clone()),
            enable_local_write_forwarding: Field::Known(
                s.enable_local_write_forwarding.unwrap_or(false),
            ),
        }
    }

    /// The settings the reconciler converges to.
    pub(crate) fn desired(&self, lifecycle: Option<String>) -> aws::ClusterSettings {
        let i32_of = |n: &Field<Number>| n.as_i64().and_then(|n| i32::try_from(n).ok());
        let acu_of = |n: &Field<Number>| n.known().map(|n| Acu::from_f64(n.as_f64()));
        aws::ClusterSettings {
            scaling: self
                .serverlessv2_scaling_configuration
                .known()
                .map(|s| aws::Scaling {
                    min_capacity: acu_of(&s.min_capacity),
                    max_capacity: acu_of(&s.max_capacity),
                    seconds_until_auto_pause: i32_of(&s.seconds_until_auto_pause),
                }),
            storage_type: self.storage_type.as_str().map(str::to_string),
            backup_retention_period: i32_of(&self.backup_retention_period),
            preferred_backup_window: self.preferred_backup_window.as_str().map(str::to_string),
            preferred_maintenance_window: self
                .preferred_maintenance_window
                .as_str()
                .map(str::to_string),
            copy_tags_to_snapshot: self.copy_tags_to_snapshot.as_bool(),
            iam_database_authentication_enabled: self.iam_database_authentication_enabled.as_bool(),
            port: i32_of(&self.port),
            enabled_cloudwatch_logs_exports: self.enabled_cloudwatch_logs_exports.known().map(
                |v| {
                    let mut out: Vec<String> = v
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect();
                    out.sort();
                    out
                },
            ),
            network_type: self.network_type.as_str().map(str::to_string),
            enable_local_write_forwarding: self.enable_local_write_forwarding.as_bool(),
            engine_lifecycle_support: lifecycle,
        }
    }
}

impl InstanceConfig {
    /// The state of an instance's observed settings.
    pub(crate) fn observed(s: &aws::InstanceSettings) -> Self {
        InstanceConfig {
            db_parameter_group_name: Field::opt(s.db_parameter_group_name.clone()),
            performance_insights_enabled: s
                .performance_insights_enabled
                .map_or(Field::Null, Field::Known),
            performance_insights_retention_period: int(s.performance_insights_retention_period),
            performance_insights_kms_key_id: Field::opt(s.performance_insights_kms_key_id.clone()),
            monitoring_interval: int(s.monitoring_interval),
            monitoring_role_arn: Field::opt(s.monitoring_role_arn.clone()),
            auto_minor_version_upgrade: s
                .auto_minor_version_upgrade
                .map_or(Field::Null, Field::Known),
            ca_cert_identifier: Field::opt(s.ca_cert_identifier.clone()),
        }
    }

    /// The settings the reconciler converges to.
    pub(crate) fn desired(&self) -> aws::InstanceSettings {
        let i32_of = |n: &Field<Number>| n.as_i64().and_then(|n| i32::try_from(n).ok());
        let s = |f: &Field<String>| f.as_str().map(str::to_string);
        aws::InstanceSettings {
            db_parameter_group_name: s(&self.db_parameter_group_name),
            performance_insights_enabled: self.performance_insights_enabled.as_bool(),
            performance_insights_retention_period: i32_of(
                &self.performance_insights_retention_period,
            ),
            performance_insights_kms_key_id: s(&self.performance_insights_kms_key_id),
            monitoring_interval: i32_of(&self.monitoring_interval),
            monitoring_role_arn: s(&self.monitoring_role_arn),
            auto_minor_version_upgrade: self.auto_minor_version_upgrade.as_bool(),
            ca_cert_identifier: s(&self.ca_cert_identifier),
        }
    }

    /// A region's defaults read back from its instances: for each setting
    /// the value most instances share (null on a tie or without instances).
    pub(crate) fn common(instances: &FieldMap<Instance>) -> Self {
        let all: Vec<Value> = instances
            .values()
            .filter_map(Field::known)
            .map(|i| Value::object(i.settings.pairs()))
            .collect();
        let mut out = Value::object(InstanceConfig::default().pairs());
        if let Value::Object(m) = &mut out {
            for (attr, slot) in m.iter_mut() {
                *slot = most_common(all.iter().filter_map(|v| v.get_attr(attr)));
            }
        }
        InstanceConfig::read(&out)
    }
}

fn most_common<'a>(values: impl Iterator<Item = &'a Value>) -> Value {
    let mut counts: Vec<(&Value, usize)> = Vec::new();
    for v in values.filter(|v| !v.is_null()) {
        match counts.iter_mut().find(|(x, _)| *x == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let Some(top) = counts.iter().map(|(_, n)| *n).max() else {
        return Value::Null;
    };
    match counts
        .iter()
        .filter(|(_, n)| *n == top)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [(v, _)] => (*v).clone(),
        _ => Value::Null,
    }
}

fn pending_map(entries: Vec<(&'static str, Option<String>)>) -> Field<FieldMap<String>> {
    Field::Known(
        entries
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), Field::Known(v?))))
            .collect(),
    )
}

/// `pending_changes` of a cluster: what AWS holds for the maintenance window.
pub(crate) fn cluster_pending(p: &aws::ClusterSettings) -> Field<FieldMap<String>> {
    pending_map(vec![
        (name::STORAGE_TYPE, p.storage_type.clone()),
        (
            name::BACKUP_RETENTION_PERIOD,
            p.backup_retention_period.map(|n| n.to_string()),
        ),
        (
            name::IAM_DATABASE_AUTHENTICATION_ENABLED,
            p.iam_database_authentication_enabled.map(|b| b.to_string()),
        ),
        (
            name::ENABLED_CLOUDWATCH_LOGS_EXPORTS,
            p.enabled_cloudwatch_logs_exports
                .as_ref()
                .map(|v| v.join(",")),
        ),
    ])
}

/// `pending_changes` of an instance.
pub(crate) fn instance_pending(
    class: &Option<String>,
    p: &aws::InstanceSettings,
) -> Field<FieldMap<String>> {
    pending_map(vec![
        (name::INSTANCE_CLASS, class.clone()),
        (name::CA_CERT_IDENTIFIER, p.ca_cert_identifier.clone()),
    ])
}

/// After an apply: settings planned null stay null in each region and
/// instance (see [`ClusterConfig::keep_nulls_of`]).
pub(crate) fn keep_planned_nulls(state: &mut FieldMap<Region>, planned: Option<&FieldMap<Region>>) {
    let Some(planned) = planned else {
        return;
    };
    for (key, r) in state.iter_mut() {
        let (Field::Known(r), Some(Field::Known(p))) = (r, planned.get(key)) else {
            continue;
        };
        r.settings.keep_nulls_of(&p.settings);
        r.instance_defaults.keep_nulls_of(&p.instance_defaults);
        if p.pending_changes.is_null() {
            r.pending_changes = Field::Null;
        }
        let Field::Known(instances) = &mut r.instances else {
            continue;
        };
        for (ik, i) in instances.iter_mut() {
            let (Field::Known(i), Some(Field::Known(pi))) = (
                i,
                p.instance_entries().find(|(k, _)| *k == ik).map(|(_, v)| v),
            ) else {
                continue;
            };
            i.settings.keep_nulls_of(&pi.settings);
            if pi.availability_zone.is_null() {
                i.availability_zone = Field::Null;
            }
            if pi.pending_changes.is_null() {
                i.pending_changes = Field::Null;
            }
        }
    }
}

#[cfg(test)]
mod tests;
