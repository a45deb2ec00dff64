//! Production settings through aws-sdk-rds: every cluster, instance and
//! global-cluster setting round trip, the defaults AWS assigns, each
//! validation refusal with its code, and `ApplyImmediately=false` changes
//! waiting in PendingModifiedValues until the maintenance window.

use crate::common::*;
use aws_sdk_rds::types::{
    CloudwatchLogsExportConfiguration, DbCluster, DbInstance, ServerlessV2ScalingConfiguration,
};
use aws_sdk_rds::Client;
use std::time::{SystemTime, UNIX_EPOCH};

const ROLE: &str = "arn:aws:iam::123456789012:role/rds-monitoring";

fn scaling(min: f64, max: f64) -> ServerlessV2ScalingConfiguration {
    ServerlessV2ScalingConfiguration::builder()
        .min_capacity(min)
        .max_capacity(max)
        .build()
}

async fn cluster(c: &Client, id: &str) -> DbCluster {
    let r = c
        .describe_db_clusters()
        .db_cluster_identifier(id)
        .send()
        .await
        .unwrap();
    r.db_clusters()[0].clone()
}

async fn instance(c: &Client, id: &str) -> DbInstance {
    let r = c
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .unwrap();
    r.db_instances()[0].clone()
}

/// A plain aurora-postgresql cluster `id` with its defaults.
async fn plain_cluster(c: &Client, id: &str) {
    c.create_db_cluster()
        .db_cluster_identifier(id)
        .engine(PG)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
}

fn is_daily_window(w: &str) -> bool {
    let b = w.as_bytes();
    w.len() == 11 && b.get(2) == Some(&b':') && b.get(5) == Some(&b'-') && b.get(8) == Some(&b':')
}

fn is_weekly_window(w: &str) -> bool {
    w.split_once('-').is_some_and(|(a, b)| {
        [a, b].iter().all(|t| {
            t.len() == 9
                && ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(&&t[..3])
                && is_daily_window(&format!("{}-00:00", &t[4..]))
        })
    })
}

#[tokio::test]
async fn cluster_defaults_are_the_ones_aws_assigns() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    plain_cluster(&east, "d").await;
    east.create_db_cluster()
        .db_cluster_identifier("m")
        .engine("aurora-mysql")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    let d = cluster(&east, "d").await;
    assert_eq!(d.port(), Some(5432));
    assert_eq!(cluster(&east, "m").await.port(), Some(3306));
    assert_eq!(d.backup_retention_period(), Some(1));
    let bw = d.preferred_backup_window().unwrap();
    let mw = d.preferred_maintenance_window().unwrap();
    assert!(is_daily_window(bw), "{bw}");
    assert!(is_weekly_window(mw), "{mw}");
    // Deterministic per region: a second cluster in the region gets the same windows.
    plain_cluster(&east, "d2").await;
    let d2 = cluster(&east, "d2").await;
    assert_eq!(d2.preferred_backup_window(), Some(bw));
    assert_eq!(d2.preferred_maintenance_window(), Some(mw));
    assert_eq!(d.storage_type(), Some("aurora"));
    assert_eq!(d.network_type(), Some("IPV4"));
    assert_eq!(
        d.engine_lifecycle_support(),
        Some("open-source-rds-extended-support")
    );
    assert_eq!(d.iam_database_authentication_enabled(), Some(false));
    assert_eq!(d.copy_tags_to_snapshot(), Some(false));
    assert!(d.enabled_cloudwatch_logs_exports().is_empty());
    assert!(d.serverless_v2_scaling_configuration().is_none());
    assert!(d.local_write_forwarding_status().is_none());
    assert!(d.pending_modified_values().is_none());
    assert_eq!(
        d.storage_encryption_type().map(|t| t.as_str()),
        Some("none")
    );
}

#[tokio::test]
async fn cluster_settings_round_trip_and_change_in_place() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    east.create_db_cluster()
        .db_cluster_identifier("orders")
        .engine(PG)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .serverless_v2_scaling_configuration(scaling(0.5, 16.0))
        .storage_type("aurora-iopt1")
        .backup_retention_period(14)
        .preferred_backup_window("03:00-04:00")
        .preferred_maintenance_window("sun:05:00-sun:06:00")
        .copy_tags_to_snapshot(true)
        .enable_iam_database_authentication(true)
        .port(6543)
        .enable_cloudwatch_logs_exports("postgresql")
        .network_type("DUAL")
        .enable_local_write_forwarding(true)
        .engine_lifecycle_support("open-source-rds-extended-support-disabled")
        .storage_encrypted(true)
        .send()
        .await
        .unwrap();
    let c = cluster(&east, "orders").await;
    let sv2 = c.serverless_v2_scaling_configuration().unwrap();
    assert_eq!(
        (
            sv2.min_capacity(),
            sv2.max_capacity(),
            sv2.seconds_until_auto_pause()
        ),
        (Some(0.5), Some(16.0), None)
    );
    assert_eq!(c.storage_type(), Some("aurora-iopt1"));
    assert_eq!(c.backup_retention_period(), Some(14));
    assert_eq!(c.preferred_backup_window(), Some("03:00-04:00"));
    assert_eq!(
        c.preferred_maintenance_window(),
        Some("sun:05:00-sun:06:00")
    );
    assert_eq!(c.copy_tags_to_snapshot(), Some(true));
    assert_eq!(c.iam_database_authentication_enabled(), Some(true));
    assert_eq!(c.port(), Some(6543));
    assert_eq!(c.enabled_cloudwatch_logs_exports(), ["postgresql"]);
    assert_eq!(c.network_type(), Some("DUAL"));
    assert_eq!(
        c.local_write_forwarding_status().map(|s| s.as_str()),
        Some("enabled")
    );
    assert_eq!(
        c.engine_lifecycle_support(),
        Some("open-source-rds-extended-support-disabled")
    );
    assert_eq!(
        c.storage_encryption_type().map(|t| t.as_str()),
        Some("sse-kms")
    );
    let resource_id = c.db_cluster_resource_id().unwrap().to_string();

    let r = east
        .modify_db_cluster()
        .db_cluster_identifier("orders")
        .apply_immediately(true)
        .serverless_v2_scaling_configuration(
            ServerlessV2ScalingConfiguration::builder()
                .min_capacity(0.0)
                .max_capacity(8.0)
                .seconds_until_auto_pause(600)
                .build(),
        )
        .storage_type("aurora")
        .backup_retention_period(7)
        .preferred_backup_window("22:00-22:30")
        .preferred_maintenance_window("mon:01:00-mon:01:30")
        .copy_tags_to_snapshot(false)
        .enable_iam_database_authentication(false)
        .port(5432)
        .cloudwatch_logs_export_configuration(
            CloudwatchLogsExportConfiguration::builder()
                .enable_log_types("instance")
                .disable_log_types("postgresql")
                .build(),
        )
        .network_type("IPV4")
        .enable_local_write_forwarding(false)
        .engine_lifecycle_support("open-source-rds-extended-support")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.db_cluster().unwrap().status(),
        Some("modifying"),
        "capacity, storage and logs changes go through modifying"
    );
    let c = cluster(&east, "orders").await;
    assert_eq!(c.status(), Some("available"));
    assert_eq!(
        c.db_cluster_resource_id(),
        Some(resource_id.as_str()),
        "changed in place"
    );
    let sv2 = c.serverless_v2_scaling_configuration().unwrap();
    assert_eq!(
        (
            sv2.min_capacity(),
            sv2.max_capacity(),
            sv2.seconds_until_auto_pause()
        ),
        (Some(0.0), Some(8.0), Some(600))
    );
    assert_eq!(c.storage_type(), Some("aurora"));
    assert_eq!(c.backup_retention_period(), Some(7));
    assert_eq!(c.preferred_backup_window(), Some("22:00-22:30"));
    assert_eq!(
        c.preferred_maintenance_window(),
        Some("mon:01:00-mon:01:30")
    );
    assert_eq!(c.copy_tags_to_snapshot(), Some(false));
    assert_eq!(c.iam_database_authentication_enabled(), Some(false));
    assert_eq!(c.port(), Some(5432));
    assert_eq!(c.enabled_cloudwatch_logs_exports(), ["instance"]);
    assert_eq!(c.network_type(), Some("IPV4"));
    assert_eq!(
        c.local_write_forwarding_status().map(|s| s.as_str()),
        Some("disabled")
    );
    assert_eq!(
        c.engine_lifecycle_support(),
        Some("open-source-rds-extended-support")
    );
    assert!(c.pending_modified_values().is_none());

    // A minimum of 0 without a delay: auto-pause after AWS's default 300 seconds.
    east.modify_db_cluster()
        .db_cluster_identifier("orders")
        .apply_immediately(true)
        .serverless_v2_scaling_configuration(scaling(0.0, 8.0))
        .send()
        .await
        .unwrap();
    let sv2 = cluster(&east, "orders").await;
    let sv2 = sv2.serverless_v2_scaling_configuration().unwrap();
    assert_eq!(
        sv2.seconds_until_auto_pause(),
        Some(600),
        "a delay set before is kept"
    );
    east.modify_db_cluster()
        .db_cluster_identifier("orders")
        .apply_immediately(true)
        .serverless_v2_scaling_configuration(scaling(1.0, 8.0))
        .send()
        .await
        .unwrap();
    let sv2 = cluster(&east, "orders").await;
    let sv2 = sv2.serverless_v2_scaling_configuration().unwrap();
    assert_eq!(
        sv2.seconds_until_auto_pause(),
        None,
        "no auto-pause above 0 ACUs"
    );
    east.modify_db_cluster()
        .db_cluster_identifier("orders")
        .apply_immediately(true)
        .serverless_v2_scaling_configuration(scaling(0.0, 8.0))
        .send()
        .await
        .unwrap();
    let sv2 = cluster(&east, "orders").await;
    let sv2 = sv2.serverless_v2_scaling_configuration().unwrap();
    assert_eq!(sv2.seconds_until_auto_pause(), Some(300));

    // Only one capacity bound: the other is kept.
    east.modify_db_cluster()
        .db_cluster_identifier("orders")
        .apply_immediately(true)
        .serverless_v2_scaling_configuration(
            ServerlessV2ScalingConfiguration::builder()
                .max_capacity(32.0)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let sv2 = cluster(&east, "orders").await;
    let sv2 = sv2.serverless_v2_scaling_configuration().unwrap();
    assert_eq!(
        (sv2.min_capacity(), sv2.max_capacity()),
        (Some(0.0), Some(32.0))
    );
}

#[tokio::test]
async fn instance_settings_round_trip_defaults_and_changes() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    east.create_db_cluster()
        .db_cluster_identifier("c")
        .engine(PG)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .preferred_backup_window("03:00-04:00")
        .preferred_maintenance_window("sun:05:00-sun:06:00")
        .serverless_v2_scaling_configuration(scaling(0.5, 4.0))
        .send()
        .await
        .unwrap();
    east.create_db_instance()
        .db_instance_identifier("plain")
        .db_cluster_identifier("c")
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    east.create_db_instance()
        .db_instance_identifier("tuned")
        .db_cluster_identifier("c")
        .engine(PG)
        .db_instance_class("db.serverless")
        .db_parameter_group_name("orders-pg15")
        .enable_performance_insights(true)
        .performance_insights_retention_period(31)
        .performance_insights_kms_key_id("arn:aws:kms:us-east-1:123456789012:key/pi")
        .monitoring_interval(30)
        .monitoring_role_arn(ROLE)
        .auto_minor_version_upgrade(false)
        .ca_certificate_identifier("rds-ca-ecc384-g1")
        .availability_zone("us-east-1b")
        .send()
        .await
        .unwrap();

    let p = instance(&east, "plain").await;
    assert_eq!(
        p.db_parameter_groups()[0].db_parameter_group_name(),
        Some("default.aurora-postgresql15")
    );
    assert_eq!(
        p.db_parameter_groups()[0].parameter_apply_status(),
        Some("in-sync")
    );
    assert_eq!(p.performance_insights_enabled(), Some(false));
    assert_eq!(p.performance_insights_retention_period(), None);
    assert_eq!(p.monitoring_interval(), Some(0));
    assert_eq!(p.monitoring_role_arn(), None);
    assert_eq!(p.auto_minor_version_upgrade(), Some(true));
    assert_eq!(p.ca_certificate_identifier(), Some("rds-ca-rsa2048-g1"));
    assert!(p.availability_zone().unwrap().starts_with(EAST));
    assert_eq!(p.preferred_backup_window(), Some("03:00-04:00"));
    assert_eq!(
        p.preferred_maintenance_window(),
        Some("sun:05:00-sun:06:00")
    );

    let t = instance(&east, "tuned").await;
    assert_eq!(t.db_instance_class(), Some("db.serverless"));
    assert_eq!(
        t.db_parameter_groups()[0].db_parameter_group_name(),
        Some("orders-pg15")
    );
    assert_eq!(t.performance_insights_enabled(), Some(true));
    assert_eq!(t.performance_insights_retention_period(), Some(31));
    assert_eq!(
        t.performance_insights_kms_key_id(),
        Some("arn:aws:kms:us-east-1:123456789012:key/pi")
    );
    assert_eq!(t.monitoring_interval(), Some(30));
    assert_eq!(t.monitoring_role_arn(), Some(ROLE));
    assert!(t.enhanced_monitoring_resource_arn().is_some());
    assert_eq!(t.auto_minor_version_upgrade(), Some(false));
    assert_eq!(t.ca_certificate_identifier(), Some("rds-ca-ecc384-g1"));
    assert_eq!(t.availability_zone(), Some("us-east-1b"));

    // Performance Insights enabled later without a retention: 7 days and the default key.
    east.modify_db_instance()
        .db_instance_identifier("plain")
        .apply_immediately(true)
        .enable_performance_insights(true)
        .monitoring_interval(60)
        .monitoring_role_arn(ROLE)
        .auto_minor_version_upgrade(false)
        .db_parameter_group_name("custom")
        .ca_certificate_identifier("rds-ca-rsa4096-g1")
        .send()
        .await
        .unwrap();
    let p = instance(&east, "plain").await;
    assert_eq!(p.performance_insights_enabled(), Some(true));
    assert_eq!(p.performance_insights_retention_period(), Some(7));
    assert!(p
        .performance_insights_kms_key_id()
        .is_some_and(|k| k.starts_with("arn:aws:kms:us-east-1:")));
    assert_eq!(p.monitoring_interval(), Some(60));
    assert_eq!(p.auto_minor_version_upgrade(), Some(false));
    assert_eq!(
        p.db_parameter_groups()[0].db_parameter_group_name(),
        Some("custom")
    );
    assert_eq!(p.ca_certificate_identifier(), Some("rds-ca-rsa4096-g1"));

    // Turning both off clears retention, key and role.
    east.modify_db_instance()
        .db_instance_identifier("tuned")
        .apply_immediately(true)
        .enable_performance_insights(false)
        .monitoring_interval(0)
        .send()
        .await
        .unwrap();
    let t = instance(&east, "tuned").await;
    assert_eq!(t.performance_insights_enabled(), Some(false));
    assert_eq!(t.performance_insights_retention_period(), None);
    assert_eq!(t.performance_insights_kms_key_id(), None);
    assert_eq!(t.monitoring_interval(), Some(0));
    assert_eq!(t.monitoring_role_arn(), None);
}

#[tokio::test]
async fn global_cluster_engine_lifecycle_support() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    east.create_global_cluster()
        .global_cluster_identifier("g")
        .engine(PG)
        .engine_version("15.4")
        .engine_lifecycle_support("open-source-rds-extended-support-disabled")
        .send()
        .await
        .unwrap();
    east.create_global_cluster()
        .global_cluster_identifier("plain")
        .engine(PG)
        .engine_version("15.4")
        .send()
        .await
        .unwrap();
    let r = east.describe_global_clusters().send().await.unwrap();
    let by_id = |id: &str| {
        r.global_clusters()
            .iter()
            .find(|g| g.global_cluster_identifier() == Some(id))
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_id("g").engine_lifecycle_support(),
        Some("open-source-rds-extended-support-disabled")
    );
    assert_eq!(
        by_id("plain").engine_lifecycle_support(),
        Some("open-source-rds-extended-support")
    );
    assert_eq!(
        by_id("g").storage_encryption_type().map(|t| t.as_str()),
        Some("none")
    );
    // A member cluster that does not say takes the global cluster's value.
    east.create_db_cluster()
        .db_cluster_identifier("g-east")
        .engine(PG)
        .global_cluster_identifier("g")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cluster(&east, "g-east").await.engine_lifecycle_support(),
        Some("open-source-rds-extended-support-disabled")
    );
    assert_eq!(
        code(
            east.create_global_cluster()
                .global_cluster_identifier("bad")
                .engine(PG)
                .engine_lifecycle_support("forever")
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
}

#[tokio::test]
async fn serverless_instances_need_the_cluster_scaling_configuration() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    plain_cluster(&east, "c").await;
    let create = || {
        east.create_db_instance()
            .db_instance_identifier("sv2")
            .db_cluster_identifier("c")
            .engine(PG)
            .db_instance_class("db.serverless")
            .send()
    };
    assert_eq!(code(create().await), "InvalidDBClusterStateFault");
    east.create_db_instance()
        .db_instance_identifier("prov")
        .db_cluster_identifier("c")
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            east.modify_db_instance()
                .db_instance_identifier("prov")
                .db_instance_class("db.serverless")
                .apply_immediately(true)
                .send()
                .await
        ),
        "InvalidDBClusterStateFault"
    );
    east.modify_db_cluster()
        .db_cluster_identifier("c")
        .serverless_v2_scaling_configuration(scaling(0.5, 2.0))
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    create().await.unwrap();
    assert_eq!(
        instance(&east, "sv2").await.db_instance_class(),
        Some("db.serverless")
    );
}

#[tokio::test]
async fn invalid_settings_are_refused_with_aws_codes() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    plain_cluster(&east, "c").await;
    east.create_db_instance()
        .db_instance_identifier("i")
        .db_cluster_identifier("c")
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    let before = cluster(&east, "c").await;

    let new_cluster = |id: &str| {
        east.create_db_cluster()
            .db_cluster_identifier(id)
            .engine(PG)
            .master_username("app")
            .master_user_password("correct-horse-1")
    };
    let modify = || {
        east.modify_db_cluster()
            .db_cluster_identifier("c")
            .apply_immediately(true)
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "retention 0",
            code(new_cluster("x").backup_retention_period(0).send().await),
            "InvalidParameterValue",
        ),
        (
            "retention 36",
            code(modify().backup_retention_period(36).send().await),
            "InvalidParameterValue",
        ),
        (
            "backup window format",
            code(
                new_cluster("x")
                    .preferred_backup_window("3:00-4:00")
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "backup window under 30 minutes",
            code(modify().preferred_backup_window("03:00-03:29").send().await),
            "InvalidParameterValue",
        ),
        (
            "maintenance window format",
            code(
                modify()
                    .preferred_maintenance_window("sunday:05:00-sun:06:00")
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "maintenance window under 30 minutes",
            code(
                modify()
                    .preferred_maintenance_window("sun:05:00-sun:05:10")
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "windows overlap",
            code(
                new_cluster("x")
                    .preferred_backup_window("05:30-06:30")
                    .preferred_maintenance_window("sun:05:00-sun:06:00")
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "port below 1150",
            code(new_cluster("x").port(80).send().await),
            "InvalidParameterValue",
        ),
        (
            "port above 65535 on modify",
            code(modify().port(70000).send().await),
            "InvalidParameterValue",
        ),
        (
            "storage type",
            code(new_cluster("x").storage_type("gp3").send().await),
            "InvalidParameterValue",
        ),
        (
            "network type",
            code(modify().network_type("IPV6").send().await),
            "InvalidParameterValue",
        ),
        (
            "lifecycle support",
            code(
                new_cluster("x")
                    .engine_lifecycle_support("forever")
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "log type of the other engine",
            code(
                new_cluster("x")
                    .enable_cloudwatch_logs_exports("slowquery")
                    .send()
                    .await,
            ),
            "InvalidParameterCombination",
        ),
        (
            "log type on modify",
            code(
                modify()
                    .cloudwatch_logs_export_configuration(
                        CloudwatchLogsExportConfiguration::builder()
                            .enable_log_types("audit")
                            .build(),
                    )
                    .send()
                    .await,
            ),
            "InvalidParameterCombination",
        ),
        (
            "capacity: only one bound at first",
            code(
                new_cluster("x")
                    .serverless_v2_scaling_configuration(
                        ServerlessV2ScalingConfiguration::builder()
                            .max_capacity(4.0)
                            .build(),
                    )
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "capacity: step",
            code(
                new_cluster("x")
                    .serverless_v2_scaling_configuration(scaling(0.5, 4.2))
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "capacity: above 256",
            code(
                new_cluster("x")
                    .serverless_v2_scaling_configuration(scaling(1.0, 300.0))
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "capacity: max below 1",
            code(
                new_cluster("x")
                    .serverless_v2_scaling_configuration(scaling(0.0, 0.5))
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "capacity: min above max",
            code(
                new_cluster("x")
                    .serverless_v2_scaling_configuration(scaling(8.0, 4.0))
                    .send()
                    .await,
            ),
            "InvalidParameterCombination",
        ),
        (
            "auto-pause delay",
            code(
                new_cluster("x")
                    .serverless_v2_scaling_configuration(
                        ServerlessV2ScalingConfiguration::builder()
                            .min_capacity(0.0)
                            .max_capacity(4.0)
                            .seconds_until_auto_pause(60)
                            .build(),
                    )
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
    ];
    let new_instance = |id: &str| {
        east.create_db_instance()
            .db_instance_identifier(id)
            .db_cluster_identifier("c")
            .engine(PG)
            .db_instance_class("db.r6g.large")
    };
    let modify_instance = || {
        east.modify_db_instance()
            .db_instance_identifier("i")
            .apply_immediately(true)
    };
    let instance_cases: Vec<(&str, String, &str)> = vec![
        (
            "monitoring interval value",
            code(
                new_instance("x")
                    .monitoring_interval(7)
                    .monitoring_role_arn(ROLE)
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "monitoring without a role",
            code(new_instance("x").monitoring_interval(30).send().await),
            "InvalidParameterCombination",
        ),
        (
            "monitoring role without an interval",
            code(modify_instance().monitoring_role_arn(ROLE).send().await),
            "InvalidParameterCombination",
        ),
        (
            "monitoring role not an IAM role ARN",
            code(
                modify_instance()
                    .monitoring_interval(5)
                    .monitoring_role_arn("rds-monitoring")
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "PI retention 94",
            code(
                new_instance("x")
                    .enable_performance_insights(true)
                    .performance_insights_retention_period(94)
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "PI retention 744 (24 months)",
            code(
                modify_instance()
                    .enable_performance_insights(true)
                    .performance_insights_retention_period(744)
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
        (
            "PI retention without PI",
            code(
                new_instance("x")
                    .performance_insights_retention_period(7)
                    .send()
                    .await,
            ),
            "InvalidParameterCombination",
        ),
        (
            "unknown CA",
            code(
                new_instance("x")
                    .ca_certificate_identifier("rds-ca-nope")
                    .send()
                    .await,
            ),
            "CertificateNotFound",
        ),
        (
            "availability zone of another region",
            code(
                new_instance("x")
                    .availability_zone("us-west-2a")
                    .send()
                    .await,
            ),
            "InvalidParameterValue",
        ),
    ];
    for (what, got, want) in cases.iter().chain(instance_cases.iter()) {
        assert_eq!(got, want, "{what}");
    }
    // Nothing was created or changed by a refused request.
    let r = east.describe_db_clusters().send().await.unwrap();
    assert_eq!(r.db_clusters().len(), 1);
    let after = cluster(&east, "c").await;
    assert_eq!(after.port(), before.port());
    assert_eq!(
        after.preferred_backup_window(),
        before.preferred_backup_window()
    );
    assert_eq!(
        after.backup_retention_period(),
        before.backup_retention_period()
    );
    let r = east.describe_db_instances().send().await.unwrap();
    assert_eq!(r.db_instances().len(), 1);
    assert_eq!(instance(&east, "i").await.monitoring_interval(), Some(0));
}

/// A 30-minute maintenance window starting `hours_ahead` hours from now (UTC).
fn window_from_now(hours_ahead: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let fmt = |t: u64| {
        let day = ["thu", "fri", "sat", "sun", "mon", "tue", "wed"][((t / 86_400) % 7) as usize];
        let m = (t % 86_400) / 60;
        format!("{day}:{:02}:{:02}", m / 60, m % 60)
    };
    let start = now + hours_ahead * 3600;
    format!("{}-{}", fmt(start), fmt(start + 1800))
}

#[tokio::test]
async fn deferred_changes_wait_for_the_maintenance_window() {
    let emu = emulator(0.0).await;
    let admin = emu.admin();
    let east = client(&emu, EAST);
    // The backup window is put far from the maintenance window so they never overlap.
    let window = window_from_now(2);
    let backup_hour = (SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 3600
        + 12)
        % 24;
    east.create_db_cluster()
        .db_cluster_identifier("c")
        .engine(PG)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .preferred_maintenance_window(&window)
        .preferred_backup_window(format!("{backup_hour:02}:00-{backup_hour:02}:30"))
        .enable_cloudwatch_logs_exports("postgresql")
        .send()
        .await
        .unwrap();
    east.create_db_instance()
        .db_instance_identifier("i")
        .db_cluster_identifier("c")
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();

    let r = east
        .modify_db_cluster()
        .db_cluster_identifier("c")
        .apply_immediately(false)
        .enable_iam_database_authentication(true)
        .storage_type("aurora-iopt1")
        .cloudwatch_logs_export_configuration(
            CloudwatchLogsExportConfiguration::builder()
                .enable_log_types("instance")
                .disable_log_types("postgresql")
                .build(),
        )
        .copy_tags_to_snapshot(true)
        .send()
        .await
        .unwrap();
    assert_eq!(r.db_cluster().unwrap().status(), Some("available"));
    let r = east
        .modify_db_instance()
        .db_instance_identifier("i")
        .db_instance_class("db.r6g.xlarge")
        .ca_certificate_identifier("rds-ca-rsa4096-g1")
        .send() // ApplyImmediately absent: AWS's default is false
        .await
        .unwrap();
    assert_eq!(
        r.db_instance().unwrap().db_instance_status(),
        Some("available")
    );

    let check_pending = |c: &DbCluster, i: &DbInstance| {
        assert_eq!(c.iam_database_authentication_enabled(), Some(false));
        assert_eq!(c.storage_type(), Some("aurora"));
        assert_eq!(c.enabled_cloudwatch_logs_exports(), ["postgresql"]);
        assert_eq!(
            c.copy_tags_to_snapshot(),
            Some(true),
            "not deferrable: applied at once"
        );
        let p = c.pending_modified_values().expect("cluster pending values");
        assert_eq!(p.iam_database_authentication_enabled(), Some(true));
        assert_eq!(p.storage_type(), Some("aurora-iopt1"));
        let logs = p.pending_cloudwatch_logs_exports().unwrap();
        assert_eq!(logs.log_types_to_enable(), ["instance"]);
        assert_eq!(logs.log_types_to_disable(), ["postgresql"]);
        assert_eq!(i.db_instance_class(), Some("db.r6g.large"));
        assert_eq!(i.ca_certificate_identifier(), Some("rds-ca-rsa2048-g1"));
        let p = i
            .pending_modified_values()
            .expect("instance pending values");
        assert_eq!(p.db_instance_class(), Some("db.r6g.xlarge"));
        assert_eq!(p.ca_certificate_identifier(), Some("rds-ca-rsa4096-g1"));
    };
    check_pending(&cluster(&east, "c").await, &instance(&east, "i").await);
    let st = admin.state().await.unwrap();
    assert_eq!(st["clusters"][0]["pending_modified_values"], true);
    assert_eq!(
        st["clusters"][0]["preferred_maintenance_window"],
        window.as_str()
    );
    assert!(st["instances"][0]["pending_until"].is_string());
    // Sending the same deferred change again keeps one pending record.
    east.modify_db_cluster()
        .db_cluster_identifier("c")
        .enable_iam_database_authentication(true)
        .send()
        .await
        .unwrap();
    admin.advance(3600.0).await.unwrap();
    check_pending(&cluster(&east, "c").await, &instance(&east, "i").await);

    // The window starts about an hour later: everything is applied.
    admin.advance(2.0 * 3600.0).await.unwrap();
    let c = cluster(&east, "c").await;
    let i = instance(&east, "i").await;
    assert!(c.pending_modified_values().is_none(), "{c:?}");
    assert!(i.pending_modified_values().is_none(), "{i:?}");
    assert_eq!(c.iam_database_authentication_enabled(), Some(true));
    assert_eq!(c.storage_type(), Some("aurora-iopt1"));
    assert_eq!(c.enabled_cloudwatch_logs_exports(), ["instance"]);
    assert_eq!(i.db_instance_class(), Some("db.r6g.xlarge"));
    assert_eq!(i.ca_certificate_identifier(), Some("rds-ca-rsa4096-g1"));
    let st = admin.state().await.unwrap();
    assert_eq!(st["clusters"][0]["pending_modified_values"], false);
    assert!(st["instances"][0]["pending_until"].is_null());

    // A deferred change set back to the current value drops the pending record.
    east.modify_db_cluster()
        .db_cluster_identifier("c")
        .enable_iam_database_authentication(false)
        .send()
        .await
        .unwrap();
    assert!(cluster(&east, "c")
        .await
        .pending_modified_values()
        .is_some());
    east.modify_db_cluster()
        .db_cluster_identifier("c")
        .enable_iam_database_authentication(true)
        .send()
        .await
        .unwrap();
    assert!(cluster(&east, "c")
        .await
        .pending_modified_values()
        .is_none());

    // A later request with ApplyImmediately=true takes what was pending along.
    east.modify_db_cluster()
        .db_cluster_identifier("c")
        .storage_type("aurora")
        .send()
        .await
        .unwrap();
    let c = cluster(&east, "c").await;
    assert_eq!(
        c.pending_modified_values().and_then(|p| p.storage_type()),
        Some("aurora")
    );
    east.modify_db_cluster()
        .db_cluster_identifier("c")
        .apply_immediately(true)
        .copy_tags_to_snapshot(false)
        .send()
        .await
        .unwrap();
    let c = cluster(&east, "c").await;
    assert_eq!(c.storage_type(), Some("aurora"));
    assert!(c.pending_modified_values().is_none());

    // The admin call applies pending changes without waiting for the window.
    east.modify_db_instance()
        .db_instance_identifier("i")
        .db_instance_class("db.r6g.2xlarge")
        .send()
        .await
        .unwrap();
    assert_eq!(
        admin.apply_pending_maintenance(Some(WEST)).await.unwrap(),
        0,
        "nothing pending in another region"
    );
    assert_eq!(
        admin.apply_pending_maintenance(Some(EAST)).await.unwrap(),
        1
    );
    let i = instance(&east, "i").await;
    assert_eq!(i.db_instance_class(), Some("db.r6g.2xlarge"));
    assert!(i.pending_modified_values().is_none());

    // ApplyImmediately=true applies what was pending too.
    east.modify_db_instance()
        .db_instance_identifier("i")
        .ca_certificate_identifier("rds-ca-ecc384-g1")
        .send()
        .await
        .unwrap();
    east.modify_db_instance()
        .db_instance_identifier("i")
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let i = instance(&east, "i").await;
    assert_eq!(i.ca_certificate_identifier(), Some("rds-ca-ecc384-g1"));
    assert!(i.pending_modified_values().is_none());
}

#[tokio::test]
async fn copy_tags_to_snapshot_tags_the_final_snapshot() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    for (id, copy) in [("copy", true), ("plain", false)] {
        east.create_db_cluster()
            .db_cluster_identifier(id)
            .engine(PG)
            .master_username("app")
            .master_user_password("correct-horse-1")
            .copy_tags_to_snapshot(copy)
            .tags(tag("team", "orders"))
            .send()
            .await
            .unwrap();
        wait_all_available(&emu).await;
        east.delete_db_cluster()
            .db_cluster_identifier(id)
            .final_db_snapshot_identifier(format!("{id}-final"))
            .send()
            .await
            .unwrap();
        let r = east
            .describe_db_cluster_snapshots()
            .db_cluster_snapshot_identifier(format!("{id}-final"))
            .send()
            .await
            .unwrap();
        let tags = r.db_cluster_snapshots()[0].tag_list().to_vec();
        assert_eq!(tags.is_empty(), !copy, "{id}: {tags:?}");
    }
}
