//! Table tests of the production settings: validation (each rule with its
//! attribute path), windows, planning (inheritance, AWS's choices, a state
//! written before the settings existed) and state (deferred changes).

use super::*;
use crate::engine::{invariants, ClientCapabilities};
use crate::tf::{Severity, Type};
use crate::topology::resource::model::Topology;
use crate::topology::resource::plan::{plan_resource_change, PlanInput};
use crate::topology::resource::validate;
use crate::topology::schema;

fn ty() -> Type {
    schema::resource().block.value_type()
}

fn value(json: serde_json::Value) -> Value {
    crate::tf::json::decode(json.to_string().as_bytes(), &ty()).expect("json")
}

fn base(region: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "global_cluster_identifier": "orders",
        "engine": "aurora-postgresql",
        "engine_version": "16.4",
        "master_username": "app",
        "master_password": "correct-horse-battery",
        "primary_region": "us-east-1",
        "regions": { "us-east-1": region }
    })
}

fn path_of(d: &Diagnostic) -> String {
    d.path.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn errors_at(region: serde_json::Value) -> Vec<String> {
    let d = validate::resource(
        &value(base(region)),
        ClientCapabilities {
            write_only_attributes_allowed: true,
            ..Default::default()
        },
    );
    d.iter()
        .filter(|x| x.severity == Severity::Error)
        .map(|x| format!("{} | {}", path_of(x), x.detail))
        .collect()
}

/// Each invalid value is an error on its own attribute, saying the rule.
#[test]
fn every_rule_is_a_plan_time_error_with_its_path_and_rule() {
    let instances = serde_json::json!({ "a": { "instance_class": "db.r6g.large" } });
    let table: &[(serde_json::Value, &str, &str)] = &[
        (
            serde_json::json!({ "backup_retention_period": 0 }),
            "backup_retention_period",
            "1 to 35",
        ),
        (
            serde_json::json!({ "backup_retention_period": 36 }),
            "backup_retention_period",
            "1 to 35",
        ),
        (serde_json::json!({ "port": 80 }), "port", "1150 to 65535"),
        (
            serde_json::json!({ "storage_type": "gp3" }),
            "storage_type",
            "\"aurora-iopt1\"",
        ),
        (
            serde_json::json!({ "network_type": "IPV6" }),
            "network_type",
            "\"DUAL\"",
        ),
        (
            serde_json::json!({ "preferred_backup_window": "3:00-4:00" }),
            "preferred_backup_window",
            "hh24:mi-hh24:mi",
        ),
        (
            serde_json::json!({ "preferred_backup_window": "03:00-03:20" }),
            "preferred_backup_window",
            "at least 30 minutes",
        ),
        (
            serde_json::json!({ "preferred_maintenance_window": "Sun:05:00-Sun:06:00" }),
            "preferred_maintenance_window",
            "lower-case days",
        ),
        (
            serde_json::json!({ "preferred_maintenance_window": "sun:05:00-sun:05:10" }),
            "preferred_maintenance_window",
            "at least 30 minutes",
        ),
        (
            serde_json::json!({ "preferred_backup_window": "05:30-06:30", "preferred_maintenance_window": "sun:05:00-sun:06:00" }),
            "preferred_backup_window",
            "must not overlap",
        ),
        (
            serde_json::json!({ "enabled_cloudwatch_logs_exports": ["slowquery"] }),
            "enabled_cloudwatch_logs_exports",
            "not a log type of aurora-postgresql",
        ),
        (
            serde_json::json!({ "serverlessv2_scaling_configuration": { "min_capacity": 0.25, "max_capacity": 4 } }),
            "min_capacity",
            "steps of 0.5",
        ),
        (
            serde_json::json!({ "serverlessv2_scaling_configuration": { "min_capacity": 0.5, "max_capacity": 300 } }),
            "max_capacity",
            "1 to 256",
        ),
        (
            serde_json::json!({ "serverlessv2_scaling_configuration": { "min_capacity": 8, "max_capacity": 4 } }),
            "max_capacity",
            "at least min_capacity",
        ),
        (
            serde_json::json!({ "serverlessv2_scaling_configuration": { "min_capacity": 0, "max_capacity": 4, "seconds_until_auto_pause": 60 } }),
            "seconds_until_auto_pause",
            "300 to 86400",
        ),
        (
            serde_json::json!({ "serverlessv2_scaling_configuration": { "min_capacity": 1, "max_capacity": 4, "seconds_until_auto_pause": 600 } }),
            "seconds_until_auto_pause",
            "only with min_capacity = 0",
        ),
        (
            serde_json::json!({ "monitoring_interval": 20 }),
            "monitoring_interval",
            "0, 1, 5, 10, 15, 30 or 60",
        ),
        (
            serde_json::json!({ "monitoring_interval": 30 }),
            "monitoring_role_arn",
            "needs monitoring_role_arn",
        ),
        (
            serde_json::json!({ "monitoring_interval": 0, "monitoring_role_arn": "arn:aws:iam::123456789012:role/m" }),
            "monitoring_interval",
            "only with an interval above 0",
        ),
        (
            serde_json::json!({ "performance_insights_retention_period": 30 }),
            "performance_insights_retention_period",
            "7, a multiple of 31",
        ),
        (
            serde_json::json!({ "performance_insights_retention_period": 744 }),
            "performance_insights_retention_period",
            "7, a multiple of 31",
        ),
        (
            serde_json::json!({ "performance_insights_enabled": false, "performance_insights_retention_period": 7 }),
            "performance_insights_retention_period",
            "performance_insights_enabled is false",
        ),
    ];
    for (settings, attr, rule) in table {
        let mut region = settings.clone();
        region["instances"] = instances.clone();
        let errs = errors_at(region);
        assert!(
            errs.iter().any(|e| e.contains(attr) && e.contains(rule)),
            "{settings}: expected an error on {attr} saying {rule:?}, got {errs:?}"
        );
    }
}

#[test]
fn valid_production_settings_pass() {
    let errs = errors_at(serde_json::json!({
        "serverlessv2_scaling_configuration": { "min_capacity": 0, "max_capacity": 16, "seconds_until_auto_pause": 600 },
        "storage_type": "aurora-iopt1",
        "backup_retention_period": 14,
        "preferred_backup_window": "03:00-04:00",
        "preferred_maintenance_window": "sun:05:00-sun:06:00",
        "port": 5432,
        "enabled_cloudwatch_logs_exports": ["postgresql", "iam-db-auth-error"],
        "network_type": "DUAL",
        "performance_insights_enabled": true,
        "performance_insights_retention_period": 713,
        "monitoring_interval": 60,
        "monitoring_role_arn": "arn:aws:iam::123456789012:role/rds-monitoring",
        "instance_class": "db.serverless",
        "instances": {
            "a": {},
            "b": { "instance_class": "db.r6g.large", "monitoring_interval": 0, "performance_insights_retention_period": 731 }
        }
    }));
    // Instance b turns monitoring off: it does not take the region's role.
    assert!(errs.is_empty(), "{errs:?}");
}

#[test]
fn lifecycle_support_takes_aws_values_only() {
    let mut cfg =
        base(serde_json::json!({ "instances": { "a": { "instance_class": "db.r6g.large" } } }));
    cfg["engine_lifecycle_support"] = serde_json::json!("extended");
    let d = validate::resource(&value(cfg), ClientCapabilities::default());
    assert!(d.iter().any(|x| path_of(x) == "engine_lifecycle_support"
        && x.detail
            .contains("open-source-rds-extended-support-disabled")));
}

#[test]
fn windows_parse_and_overlap_across_midnight_and_the_week() {
    assert_eq!(backup_window("23:30-00:30"), Ok((23 * 60 + 30, 60)));
    assert_eq!(
        maintenance_window("sun:23:30-mon:00:30"),
        Ok((6 * DAY + 23 * 60 + 30, 60))
    );
    assert!(backup_window("24:00-01:00").is_err());
    let m = maintenance_window("mon:00:00-mon:01:00").unwrap();
    assert!(windows_overlap(backup_window("23:30-00:30").unwrap(), m));
    assert!(!windows_overlap(backup_window("01:00-02:00").unwrap(), m));
    let wrap = maintenance_window("sun:23:00-mon:00:15").unwrap();
    assert!(windows_overlap(backup_window("00:00-00:30").unwrap(), wrap));
    assert!(!windows_overlap(
        backup_window("00:30-01:00").unwrap(),
        wrap
    ));
}

#[test]
fn performance_insights_retention_values() {
    let ok: Vec<i64> = (1..=800).filter(|d| pi_retention_ok(*d)).collect();
    assert_eq!(ok.len(), 25);
    assert!(ok.contains(&7) && ok.contains(&31) && ok.contains(&713) && ok.contains(&731));
    assert!(!ok.contains(&744));
}

// ---------------------------------------------------------------------------
// Plan.

fn plan(prior: &Value, cfg: &Value) -> crate::topology::resource::plan::PlanOutput {
    let out = plan_resource_change(PlanInput {
        prior,
        proposed: cfg,
        config: cfg,
        provider_region: None,
        leftovers: &[],
        target_lag: None,
    });
    if !out.diagnostics.has_errors() {
        let problems = invariants::check_plan(&schema::resource().block, prior, cfg, &out.planned);
        assert!(problems.is_empty(), "{problems:?}");
    }
    out
}

fn region_of(v: &Value) -> Region {
    Topology::from_value(v)
        .region("us-east-1")
        .cloned()
        .unwrap_or_default()
}

fn instance_of(v: &Value, key: &str) -> Instance {
    region_of(v)
        .instances
        .known()
        .and_then(|m| m.get(key))
        .and_then(Field::known)
        .cloned()
        .unwrap_or_default()
}

/// The state an apply of `planned` leaves, with AWS's choices filled in.
fn as_applied(planned: &Value) -> Value {
    let mut t = Topology::from_value(planned);
    t.status = Field::string("available");
    t.arn = Field::string("arn:aws:rds::123456789012:global-cluster:orders");
    t.global_cluster_resource_id = Field::string("cluster-x");
    t.global_endpoint = Field::string("orders.global");
    t.engine_lifecycle_support = Field::string("open-source-rds-extended-support");
    if let Some(Field::Known(regions)) = t.regions.known().cloned().map(Field::Known) {
        let mut regions = regions;
        for r in regions.values_mut() {
            let Field::Known(r) = r else { continue };
            let observed = ClusterConfig::observed(&aws::ClusterSettings {
                backup_retention_period: Some(1),
                port: Some(5432),
                storage_type: Some("aurora".into()),
                preferred_backup_window: Some("07:00-07:30".into()),
                preferred_maintenance_window: Some("tue:04:00-tue:04:30".into()),
                copy_tags_to_snapshot: Some(false),
                iam_database_authentication_enabled: Some(false),
                enabled_cloudwatch_logs_exports: Some(vec![]),
                network_type: Some("IPV4".into()),
                ..Default::default()
            });
            r.settings = r.settings.unknown_from(&observed);
            if r.settings.serverlessv2_scaling_configuration.is_unknown() {
                r.settings.serverlessv2_scaling_configuration = Field::Null;
            }
            for f in [
                &mut r.arn,
                &mut r.endpoint,
                &mut r.reader_endpoint,
                &mut r.status,
            ] {
                if f.is_unknown() {
                    *f = Field::string("x");
                }
            }
            if r.pending_changes.is_unknown() {
                r.pending_changes = Field::Known(FieldMap::new());
            }
            let Field::Known(instances) = &mut r.instances else {
                continue;
            };
            let observed_i = InstanceConfig::observed(&aws::InstanceSettings {
                db_parameter_group_name: Some("default.aurora-postgresql16".into()),
                performance_insights_enabled: Some(false),
                monitoring_interval: Some(0),
                auto_minor_version_upgrade: Some(true),
                ca_cert_identifier: Some("rds-ca-rsa2048-g1".into()),
                ..Default::default()
            });
            for i in instances.values_mut() {
                let Field::Known(i) = i else { continue };
                i.settings = i.settings.unknown_from(&observed_i);
                for f in [
                    &mut i.arn,
                    &mut i.endpoint,
                    &mut i.status,
                    &mut i.availability_zone,
                ] {
                    if f.is_unknown() {
                        *f = Field::string("x");
                    }
                }
                if i.pending_changes.is_unknown() {
                    i.pending_changes = Field::Known(FieldMap::new());
                }
            }
            r.instance_defaults = r
                .instance_defaults
                .unknown_from(&InstanceConfig::common(instances));
        }
        t.regions = Field::Known(regions);
    }
    t.to_value()
}

fn production() -> serde_json::Value {
    base(serde_json::json!({
        "instance_class": "db.serverless",
        "serverlessv2_scaling_configuration": { "min_capacity": 0.5, "max_capacity": 16 },
        "backup_retention_period": 14,
        "performance_insights_enabled": true,
        "instances": {
            "a": {},
            "b": { "instance_class": "db.r6g.large", "performance_insights_enabled": false, "availability_zone": "us-east-1b" }
        }
    }))
}

#[test]
fn settings_unset_are_aws_choice_and_instances_inherit_the_region() {
    let out = plan(&Value::Null, &value(production()));
    assert!(!out.diagnostics.has_errors(), "{:?}", out.diagnostics);
    let r = region_of(&out.planned);
    assert_eq!(r.settings.backup_retention_period.as_i64(), Some(14));
    assert!(r.settings.port.is_unknown(), "unset: AWS chooses at create");
    let scaling = r
        .settings
        .serverlessv2_scaling_configuration
        .known()
        .unwrap();
    assert!(
        scaling.seconds_until_auto_pause.is_null(),
        "no auto-pause above 0 ACUs"
    );
    let (a, b) = (
        instance_of(&out.planned, "a"),
        instance_of(&out.planned, "b"),
    );
    assert_eq!(
        a.settings.performance_insights_enabled.as_bool(),
        Some(true)
    );
    assert_eq!(
        b.settings.performance_insights_enabled.as_bool(),
        Some(false),
        "the instance's own value wins"
    );
    assert!(a.settings.monitoring_interval.is_unknown());
    assert!(a.availability_zone.is_unknown());
    assert_eq!(b.availability_zone.as_str(), Some("us-east-1b"));
    assert!(r.pending_changes.is_unknown());
}

#[test]
fn after_apply_the_same_configuration_plans_no_change() {
    let cfg = value(production());
    let state = as_applied(&plan(&Value::Null, &cfg).planned);
    let out = plan(&state, &cfg);
    assert_eq!(out.planned, state);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
}

/// A state written by 0.1.0 has none of the settings attributes: it must
/// load and plan without a diff (and without unknowns) against a
/// configuration that does not use them.
#[test]
fn a_state_from_0_1_0_plans_no_change() {
    let instance = serde_json::json!({
        "identifier": "orders-us-east-1-a", "instance_class": "db.r6g.large",
        "promotion_tier": 1, "arn": "arn:aws:rds:us-east-1:123456789012:db:orders-us-east-1-a",
        "endpoint": "a", "status": "available"
    });
    let region = serde_json::json!({
        "cluster_identifier": "orders-us-east-1", "instance_class": "db.r6g.large",
        "db_subnet_group_name": "default", "vpc_security_group_ids": ["sg-1"], "kms_key_id": null,
        "write_forwarding": false, "db_cluster_parameter_group_name": "default.aurora-postgresql16",
        "arn": "arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1",
        "endpoint": "e", "reader_endpoint": "r", "role": "primary", "status": "available",
        "instances": { "a": instance }
    });
    let mut old_state = serde_json::json!({
        "id": "orders", "global_cluster_identifier": "orders", "engine": "aurora-postgresql",
        "engine_version": "16.4", "allow_major_version_upgrade": false, "database_name": null,
        "master_username": "app", "master_password": "correct-horse-battery",
        "master_password_wo": null, "master_password_wo_version": null,
        "storage_encrypted": false, "deletion_protection": false, "primary_region": "us-east-1",
        "failover_mode": "switchover", "skip_final_snapshot": true, "final_snapshot_identifier": null,
        "tags": null, "arn": "arn:aws:rds::123456789012:global-cluster:orders",
        "global_cluster_resource_id": "cluster-x", "global_endpoint": "orders.global",
        "status": "available", "timeouts": null
    });
    old_state["regions"] = serde_json::json!({ "us-east-1": region });
    // The stored JSON decodes with the new attributes null, as
    // UpgradeResourceState does it.
    let state = crate::tf::json::decode_ignoring_undefined(old_state.to_string().as_bytes(), &ty())
        .expect("0.1.0 state decodes");
    let cfg = value(serde_json::json!({
        "global_cluster_identifier": "orders", "engine": "aurora-postgresql", "engine_version": "16.4",
        "master_username": "app", "master_password": "correct-horse-battery",
        "primary_region": "us-east-1", "skip_final_snapshot": true,
        "regions": { "us-east-1": { "instance_class": "db.r6g.large", "instances": { "a": {} } } }
    }));
    let out = plan(&state, &cfg);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert!(
        out.planned.is_wholly_known(),
        "no unknowns: {:?}",
        out.planned
    );
    assert_eq!(out.planned, state);
}

#[test]
fn a_deferred_change_plans_no_change_while_aws_holds_it() {
    let mut json = production();
    json["apply_immediately"] = serde_json::json!(false);
    let cfg = value(json.clone());
    let state = as_applied(&plan(&Value::Null, &cfg).planned);
    // The configuration raises the retention; AWS defers it and reports
    // the pending value, which the state holds as the effective one.
    json["regions"]["us-east-1"]["backup_retention_period"] = serde_json::json!(21);
    let cfg = value(json);
    let out = plan(&state, &cfg);
    assert!(region_of(&out.planned).pending_changes.is_unknown());
    let mut after = Topology::from_value(&as_applied(&out.planned));
    if let Some(Field::Known(r)) = after
        .regions
        .known()
        .and_then(|m| m.get("us-east-1"))
        .cloned()
    {
        let mut r = r;
        r.pending_changes = cluster_pending(&aws::ClusterSettings {
            backup_retention_period: Some(21),
            ..Default::default()
        });
        after.regions = Field::Known(FieldMap::from([("us-east-1".to_string(), Field::Known(r))]));
    }
    let after = after.to_value();
    let again = plan(&after, &cfg);
    assert_eq!(again.planned, after, "no perpetual diff");
    assert_eq!(
        region_of(&after)
            .pending_changes
            .known()
            .and_then(|m| m.get(name::BACKUP_RETENTION_PERIOD))
            .and_then(Field::as_str),
        Some("21")
    );
}

#[test]
fn disruptive_setting_changes_warn_on_their_attribute() {
    let cfg = value(production());
    let state = as_applied(&plan(&Value::Null, &cfg).planned);
    let mut json = production();
    json["regions"]["us-east-1"]["port"] = serde_json::json!(6543);
    json["regions"]["us-east-1"]["db_parameter_group_name"] = serde_json::json!("custom-pg16");
    json["regions"]["us-east-1"]["instances"]["b"]["availability_zone"] =
        serde_json::json!("us-east-1c");
    let out = plan(&state, &value(json));
    let warnings: Vec<String> = out
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| format!("{} | {}", path_of(d), d.summary))
        .collect();
    for (path, summary) in [
        (
            "regions[\"us-east-1\"].port",
            "Cluster Setting Change With Side Effects",
        ),
        (
            "regions[\"us-east-1\"].instances[\"a\"].db_parameter_group_name",
            "Instance Setting Change With Side Effects",
        ),
        (
            "regions[\"us-east-1\"].instances[\"b\"].availability_zone",
            "Instance Will Be Recreated",
        ),
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with(path) && w.contains(summary)),
            "{path}: {warnings:?}"
        );
    }
    // The recreated instance gets a new ARN; the other keeps its own.
    assert!(instance_of(&out.planned, "b").arn.is_unknown());
    assert_eq!(instance_of(&out.planned, "a").arn.as_str(), Some("x"));
}

/// Import reads a region's instance defaults from what most of its
/// instances share; when they split evenly there is no majority and the
/// default is null. A configuration that sets the default then plans an
/// in-place update of that region attribute alone: every instance keeps
/// its observed value (nothing for AWS to change), nothing is replaced and
/// no restart is announced, and after that apply the plans are empty.
#[test]
fn an_import_with_instances_split_evenly_plans_only_the_region_default() {
    let cfg = value(production());
    let applied = as_applied(&plan(&Value::Null, &cfg).planned);
    // What import records: the defaults read back from the instances.
    let mut imported = Topology::from_value(&applied);
    if let Field::Known(regions) = &mut imported.regions {
        for r in regions.values_mut() {
            let Field::Known(r) = r else { continue };
            r.status = Field::string("available");
            let Field::Known(instances) = &mut r.instances else {
                continue;
            };
            for i in instances.values_mut() {
                if let Field::Known(i) = i {
                    i.status = Field::string("available");
                }
            }
            r.instance_defaults = InstanceConfig::common(instances);
        }
    }
    let imported = imported.to_value();
    let defaults = region_of(&imported).instance_defaults;
    assert!(
        defaults.performance_insights_enabled.is_null(),
        "a and b split 1:1 on Performance Insights: no majority"
    );

    let out = plan(&imported, &cfg);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert!(
        out.requires_replace.is_empty(),
        "{:?}",
        out.requires_replace
    );
    let planned = region_of(&out.planned);
    assert_eq!(
        planned
            .instance_defaults
            .performance_insights_enabled
            .as_bool(),
        Some(true),
        "the configured default is recorded"
    );
    for key in ["a", "b"] {
        assert_eq!(
            instance_of(&out.planned, key).settings,
            instance_of(&imported, key).settings,
            "instance {key} keeps its observed settings"
        );
    }
    let mut only_defaults = region_of(&imported);
    only_defaults.instance_defaults = planned.instance_defaults.clone();
    // The region is updated, so what the apply observes of it again is
    // planned unknown; everything else stays.
    assert!(planned.status.is_unknown() && planned.pending_changes.is_unknown());
    only_defaults.status = Field::Unknown;
    only_defaults.pending_changes = Field::Unknown;
    assert_eq!(planned, only_defaults, "nothing else in the region changes");

    // The apply of that plan changes nothing in AWS; its state plans empty.
    let state = as_applied(&out.planned);
    let out = plan(&state, &cfg);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.planned, state);
}
