//! Production settings of a regional cluster and of a DB instance (SPEC §7)
//! as plain data, used three ways: what the configuration asks for (`None`
//! = whatever AWS chooses), what AWS reports (`None` = not reported), and
//! what a create or modify call sends (`None` = not sent).
//!
//! Observed settings are *effective* values: a change AWS accepted but
//! deferred to the maintenance window (`PendingModifiedValues`) reads as
//! its pending value, and is also listed in the object's `pending`
//! settings. So a deferred change is never sent twice, and the state holds
//! the configured value while AWS has it on record.

use aws_sdk_rds::types::{
    CloudwatchLogsExportConfiguration, ClusterPendingModifiedValues, DbCluster, DbInstance,
    PendingCloudwatchLogsExports, PendingModifiedValues, ServerlessV2ScalingConfiguration,
};

/// Aurora capacity units, held in half units (AWS accepts 0.5 steps), so
/// that settings compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Acu {
    halves: i64,
}

impl Acu {
    /// The capacity nearest to `acu` on the half-unit grid.
    pub fn from_f64(acu: f64) -> Acu {
        Acu {
            halves: (acu * 2.0).round() as i64,
        }
    }

    /// The capacity in ACUs.
    pub fn as_f64(self) -> f64 {
        self.halves as f64 / 2.0
    }
}

/// `ServerlessV2ScalingConfiguration` of a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scaling {
    pub min_capacity: Option<Acu>,
    pub max_capacity: Option<Acu>,
    pub seconds_until_auto_pause: Option<i32>,
}

impl Scaling {
    /// Whether `have` has every value this configuration sets.
    pub fn satisfied_by(&self, have: &Scaling) -> bool {
        (self.min_capacity.is_none() || self.min_capacity == have.min_capacity)
            && (self.max_capacity.is_none() || self.max_capacity == have.max_capacity)
            && (self.seconds_until_auto_pause.is_none()
                || self.seconds_until_auto_pause == have.seconds_until_auto_pause)
    }
}

/// Settings of a regional cluster (CreateDBCluster / ModifyDBCluster).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterSettings {
    pub scaling: Option<Scaling>,
    pub storage_type: Option<String>,
    pub backup_retention_period: Option<i32>,
    pub preferred_backup_window: Option<String>,
    pub preferred_maintenance_window: Option<String>,
    pub copy_tags_to_snapshot: Option<bool>,
    pub iam_database_authentication_enabled: Option<bool>,
    pub port: Option<i32>,
    /// Sorted.
    pub enabled_cloudwatch_logs_exports: Option<Vec<String>>,
    pub network_type: Option<String>,
    pub enable_local_write_forwarding: Option<bool>,
    pub engine_lifecycle_support: Option<String>,
}

/// Settings of a DB instance (CreateDBInstance / ModifyDBInstance).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstanceSettings {
    pub db_parameter_group_name: Option<String>,
    pub performance_insights_enabled: Option<bool>,
    pub performance_insights_retention_period: Option<i32>,
    pub performance_insights_kms_key_id: Option<String>,
    pub monitoring_interval: Option<i32>,
    pub monitoring_role_arn: Option<String>,
    pub auto_minor_version_upgrade: Option<bool>,
    pub ca_cert_identifier: Option<String>,
}

/// `want` when it is set and differs from `have`.
fn changed<T: PartialEq + Clone>(want: &Option<T>, have: &Option<T>) -> Option<T> {
    want.as_ref().filter(|w| have.as_ref() != Some(*w)).cloned()
}

impl ClusterSettings {
    /// The settings of `self` (desired) that `have` (observed) lacks.
    pub fn changes_from(&self, have: &ClusterSettings) -> ClusterSettings {
        ClusterSettings {
            scaling: self
                .scaling
                .as_ref()
                .filter(|w| !have.scaling.as_ref().is_some_and(|h| w.satisfied_by(h)))
                .cloned(),
            storage_type: changed(&self.storage_type, &have.storage_type),
            backup_retention_period: changed(
                &self.backup_retention_period,
                &have.backup_retention_period,
            ),
            preferred_backup_window: changed(
                &self.preferred_backup_window,
                &have.preferred_backup_window,
            ),
            preferred_maintenance_window: changed(
                &self.preferred_maintenance_window,
                &have.preferred_maintenance_window,
            ),
            copy_tags_to_snapshot: changed(
                &self.copy_tags_to_snapshot,
                &have.copy_tags_to_snapshot,
            ),
            iam_database_authentication_enabled: changed(
                &self.iam_database_authentication_enabled,
                &have.iam_database_authentication_enabled,
            ),
            port: changed(&self.port, &have.port),
            enabled_cloudwatch_logs_exports: changed(
                &self.enabled_cloudwatch_logs_exports,
                &have.enabled_cloudwatch_logs_exports,
            ),
            network_type: changed(&self.network_type, &have.network_type),
            enable_local_write_forwarding: changed(
                &self.enable_local_write_forwarding,
                &have.enable_local_write_forwarding,
            ),
            engine_lifecycle_support: changed(
                &self.engine_lifecycle_support,
                &have.engine_lifecycle_support,
            ),
        }
    }

    /// Nothing set.
    pub fn is_empty(&self) -> bool {
        *self == ClusterSettings::default()
    }

    /// `self` with every setting `over` has replaced by it.
    fn overlaid(mut self, over: &ClusterSettings) -> ClusterSettings {
        fn put<T: Clone>(into: &mut Option<T>, from: &Option<T>) {
            if from.is_some() {
                into.clone_from(from);
            }
        }
        put(&mut self.storage_type, &over.storage_type);
        put(
            &mut self.backup_retention_period,
            &over.backup_retention_period,
        );
        put(
            &mut self.iam_database_authentication_enabled,
            &over.iam_database_authentication_enabled,
        );
        put(
            &mut self.enabled_cloudwatch_logs_exports,
            &over.enabled_cloudwatch_logs_exports,
        );
        self
    }

    pub(crate) fn sdk_scaling(&self) -> Option<ServerlessV2ScalingConfiguration> {
        self.scaling.as_ref().map(|s| {
            ServerlessV2ScalingConfiguration::builder()
                .set_min_capacity(s.min_capacity.map(Acu::as_f64))
                .set_max_capacity(s.max_capacity.map(Acu::as_f64))
                .set_seconds_until_auto_pause(s.seconds_until_auto_pause)
                .build()
        })
    }

    /// The CloudwatchLogsExportConfiguration that turns `have` into the
    /// desired exports.
    pub(crate) fn sdk_log_exports(
        &self,
        have: &ClusterSettings,
    ) -> Option<CloudwatchLogsExportConfiguration> {
        let want = self.enabled_cloudwatch_logs_exports.as_ref()?;
        let have = have
            .enabled_cloudwatch_logs_exports
            .clone()
            .unwrap_or_default();
        let enable: Vec<String> = want.iter().filter(|w| !have.contains(w)).cloned().collect();
        let disable: Vec<String> = have.iter().filter(|h| !want.contains(h)).cloned().collect();
        Some(
            CloudwatchLogsExportConfiguration::builder()
                .set_enable_log_types((!enable.is_empty()).then_some(enable))
                .set_disable_log_types((!disable.is_empty()).then_some(disable))
                .build(),
        )
    }
}

impl InstanceSettings {
    /// The settings of `self` (desired) that `have` (observed) lacks.
    pub fn changes_from(&self, have: &InstanceSettings) -> InstanceSettings {
        InstanceSettings {
            db_parameter_group_name: changed(
                &self.db_parameter_group_name,
                &have.db_parameter_group_name,
            ),
            performance_insights_enabled: changed(
                &self.performance_insights_enabled,
                &have.performance_insights_enabled,
            ),
            performance_insights_retention_period: changed(
                &self.performance_insights_retention_period,
                &have.performance_insights_retention_period,
            ),
            performance_insights_kms_key_id: changed(
                &self.performance_insights_kms_key_id,
                &have.performance_insights_kms_key_id,
            ),
            monitoring_interval: changed(&self.monitoring_interval, &have.monitoring_interval),
            monitoring_role_arn: changed(&self.monitoring_role_arn, &have.monitoring_role_arn),
            auto_minor_version_upgrade: changed(
                &self.auto_minor_version_upgrade,
                &have.auto_minor_version_upgrade,
            ),
            ca_cert_identifier: changed(&self.ca_cert_identifier, &have.ca_cert_identifier),
        }
    }

    /// Nothing set.
    pub fn is_empty(&self) -> bool {
        *self == InstanceSettings::default()
    }
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

/// The log exports after a pending change: the current ones, plus those to
/// enable, minus those to disable.
fn pending_exports(
    current: &[String],
    pending: Option<&PendingCloudwatchLogsExports>,
) -> Option<Vec<String>> {
    let p = pending?;
    let mut out: Vec<String> = current
        .iter()
        .filter(|c| !p.log_types_to_disable().contains(c))
        .cloned()
        .chain(p.log_types_to_enable().iter().cloned())
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

fn cluster_pending(p: Option<&ClusterPendingModifiedValues>, c: &DbCluster) -> ClusterSettings {
    let Some(p) = p else {
        return ClusterSettings::default();
    };
    ClusterSettings {
        storage_type: owned(p.storage_type()),
        backup_retention_period: p.backup_retention_period(),
        iam_database_authentication_enabled: p.iam_database_authentication_enabled(),
        enabled_cloudwatch_logs_exports: pending_exports(
            c.enabled_cloudwatch_logs_exports(),
            p.pending_cloudwatch_logs_exports(),
        ),
        ..ClusterSettings::default()
    }
}

/// The effective settings of a cluster and those of them AWS holds pending.
pub(crate) fn cluster_settings(c: &DbCluster) -> (ClusterSettings, ClusterSettings) {
    let mut exports = c.enabled_cloudwatch_logs_exports().to_vec();
    exports.sort();
    let current = ClusterSettings {
        scaling: c.serverless_v2_scaling_configuration().map(|s| Scaling {
            min_capacity: s.min_capacity().map(Acu::from_f64),
            max_capacity: s.max_capacity().map(Acu::from_f64),
            seconds_until_auto_pause: s.seconds_until_auto_pause(),
        }),
        storage_type: owned(c.storage_type()),
        backup_retention_period: c.backup_retention_period(),
        preferred_backup_window: owned(c.preferred_backup_window()),
        preferred_maintenance_window: owned(c.preferred_maintenance_window()),
        copy_tags_to_snapshot: c.copy_tags_to_snapshot(),
        iam_database_authentication_enabled: c.iam_database_authentication_enabled(),
        port: c.port(),
        enabled_cloudwatch_logs_exports: Some(exports),
        network_type: owned(c.network_type()),
        enable_local_write_forwarding: c
            .local_write_forwarding_status()
            .map(|s| matches!(s.as_str(), "enabled" | "enabling" | "requested")),
        engine_lifecycle_support: owned(c.engine_lifecycle_support()),
    };
    let pending = cluster_pending(c.pending_modified_values(), c);
    (current.overlaid(&pending), pending)
}

/// What AWS holds pending for an instance: its class and settings.
fn instance_pending(p: Option<&PendingModifiedValues>) -> (Option<String>, InstanceSettings) {
    let Some(p) = p else {
        return (None, InstanceSettings::default());
    };
    (
        owned(p.db_instance_class()),
        InstanceSettings {
            ca_cert_identifier: owned(p.ca_certificate_identifier()),
            ..InstanceSettings::default()
        },
    )
}

/// The effective settings of an instance, and its pending class and
/// settings.
pub(crate) fn instance_settings(
    i: &DbInstance,
) -> (InstanceSettings, Option<String>, InstanceSettings) {
    let (pending_class, pending) = instance_pending(i.pending_modified_values());
    let settings = InstanceSettings {
        db_parameter_group_name: i
            .db_parameter_groups()
            .first()
            .and_then(|g| owned(g.db_parameter_group_name())),
        performance_insights_enabled: i.performance_insights_enabled(),
        performance_insights_retention_period: i.performance_insights_retention_period(),
        performance_insights_kms_key_id: owned(i.performance_insights_kms_key_id()),
        monitoring_interval: i.monitoring_interval(),
        monitoring_role_arn: owned(i.monitoring_role_arn()),
        auto_minor_version_upgrade: i.auto_minor_version_upgrade(),
        ca_cert_identifier: pending
            .ca_cert_identifier
            .clone()
            .or_else(|| owned(i.ca_certificate_identifier())),
    };
    (settings, pending_class, pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_set_and_different_settings_are_changes() {
        let have = ClusterSettings {
            backup_retention_period: Some(7),
            port: Some(5432),
            ..ClusterSettings::default()
        };
        let want = ClusterSettings {
            backup_retention_period: Some(14),
            port: Some(5432),
            ..ClusterSettings::default()
        };
        let c = want.changes_from(&have);
        assert_eq!(c.backup_retention_period, Some(14));
        assert_eq!(c.port, None);
        assert!(ClusterSettings::default().changes_from(&have).is_empty());
    }

    #[test]
    fn a_pending_value_is_the_effective_one() {
        let c = DbCluster::builder()
            .backup_retention_period(7)
            .enabled_cloudwatch_logs_exports("postgresql")
            .pending_modified_values(
                ClusterPendingModifiedValues::builder()
                    .backup_retention_period(14)
                    .pending_cloudwatch_logs_exports(
                        PendingCloudwatchLogsExports::builder()
                            .log_types_to_enable("iam-db-auth-error")
                            .log_types_to_disable("postgresql")
                            .build(),
                    )
                    .build(),
            )
            .build();
        let (effective, pending) = cluster_settings(&c);
        assert_eq!(effective.backup_retention_period, Some(14));
        assert_eq!(pending.backup_retention_period, Some(14));
        assert_eq!(
            effective.enabled_cloudwatch_logs_exports,
            Some(vec!["iam-db-auth-error".to_string()])
        );
        assert_eq!(pending.port, None);
    }

    #[test]
    fn capacities_compare_on_the_half_unit_grid() {
        assert_eq!(Acu::from_f64(0.5), Acu::from_f64(0.5000001));
        assert_eq!(Acu::from_f64(16.0).as_f64(), 16.0);
        assert!(Acu::from_f64(0.0) < Acu::from_f64(0.5));
    }
}
