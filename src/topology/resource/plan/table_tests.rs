//! Table tests of PlanResourceChange: derived values, defaults, unknowns
//! only where apply decides, warnings for disruptive changes and plan-time
//! errors with their attribute paths.

use super::*;
use crate::engine::invariants;
use crate::tf::{Severity, Type};
use crate::topology::schema;

fn ty() -> Type {
    schema::resource().block.value_type()
}

fn config(json: serde_json::Value) -> Value {
    crate::tf::json::decode(json.to_string().as_bytes(), &ty()).expect("config json")
}

fn base() -> serde_json::Value {
    serde_json::json!({
        "global_cluster_identifier": "orders",
        "engine": "aurora-postgresql",
        "engine_version": "16.4",
        "master_username": "app",
        "master_password": "correct-horse-battery",
        "primary_region": "us-east-1",
        "final_snapshot_identifier": "orders-final",
        "regions": {
            "us-east-1": { "instance_class": "db.r6g.large", "instances": { "a": { "promotion_tier": 0 }, "b": {} } },
            "eu-west-1": { "instance_class": "db.r6g.large", "instances": { "a": {} } },
            "ap-southeast-2": {}
        }
    })
}

fn run(prior: &Value, cfg: &Value, provider_region: Option<&str>) -> PlanOutput {
    let out = plan_resource_change(PlanInput {
        prior,
        proposed: cfg,
        config: cfg,
        provider_region,
        leftovers: &[],
        target_lag: None,
    });
    if !out.diagnostics.has_errors() && !out.planned.is_null() {
        let problems = invariants::check_plan(&schema::resource().block, prior, cfg, &out.planned);
        assert!(
            problems.is_empty(),
            "plan breaks Terraform's rules: {problems:?}"
        );
    }
    out
}

/// What an apply would leave: every unknown filled in.
fn applied(v: &Value, name: &str) -> Value {
    match v {
        Value::Unknown => match name {
            "storage_encrypted"
            | "copy_tags_to_snapshot"
            | "iam_database_authentication_enabled"
            | "enable_local_write_forwarding"
            | "performance_insights_enabled"
            | "auto_minor_version_upgrade" => Value::Bool(false),
            "backup_retention_period" => Value::number(1),
            "port" => Value::number(5432),
            "monitoring_interval" => Value::number(0),
            "performance_insights_retention_period" => Value::number(7),
            "enabled_cloudwatch_logs_exports" => Value::set([]),
            "serverlessv2_scaling_configuration"
            | "seconds_until_auto_pause"
            | "performance_insights_kms_key_id"
            | "monitoring_role_arn" => Value::Null,
            "pending_changes" => Value::Map(Default::default()),
            "status" => Value::string("available"),
            "vpc_security_group_ids" => Value::set([Value::string("sg-1")]),
            _ => Value::string(format!("observed-{name}")),
        },
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), applied(v, k))).collect())
        }
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), applied(v, name)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn created() -> Value {
    let cfg = config(base());
    applied(&run(&Value::Null, &cfg, None).planned, "")
}

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| {
        v.get_attr(k)
            .or_else(|| v.get_key(k))
            .unwrap_or(&Value::Null)
    })
}

fn summaries(out: &PlanOutput, severity: Severity) -> Vec<String> {
    out.diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .map(|d| d.summary.clone())
        .collect()
}

fn error_path(out: &PlanOutput, summary: &str) -> String {
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.summary == summary)
        .unwrap_or_else(|| panic!("no {summary:?} in {:?}", out.diagnostics));
    d.path.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[test]
fn create_derives_identifiers_and_defaults_and_leaves_apply_values_unknown() {
    let out = run(&Value::Null, &config(base()), None);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let p = &out.planned;
    assert_eq!(at(p, &["id"]), &Value::string("orders"));
    assert_eq!(
        at(p, &["regions", "us-east-1", "cluster_identifier"]),
        &Value::string("orders-us-east-1")
    );
    assert_eq!(
        at(p, &["regions", "us-east-1", "instances", "b", "identifier"]),
        &Value::string("orders-us-east-1-b")
    );
    assert_eq!(
        at(
            p,
            &["regions", "us-east-1", "instances", "b", "promotion_tier"]
        ),
        &Value::number(1i64)
    );
    assert_eq!(
        at(
            p,
            &["regions", "us-east-1", "instances", "a", "promotion_tier"]
        ),
        &Value::number(0i64)
    );
    assert_eq!(
        at(
            p,
            &["regions", "eu-west-1", "instances", "a", "instance_class"]
        ),
        &Value::string("db.r6g.large")
    );
    assert_eq!(
        at(p, &["regions", "ap-southeast-2", "instances"]),
        &Value::Map(Default::default())
    );
    assert_eq!(
        at(p, &["regions", "ap-southeast-2", "instance_class"]),
        &Value::Null
    );
    assert_eq!(
        at(p, &["regions", "us-east-1", "role"]),
        &Value::string("primary")
    );
    assert_eq!(
        at(p, &["regions", "eu-west-1", "role"]),
        &Value::string("secondary")
    );
    assert_eq!(at(p, &["failover_mode"]), &Value::string("switchover"));
    assert_eq!(at(p, &["deletion_protection"]), &Value::Bool(false));
    assert_eq!(at(p, &["master_password_wo"]), &Value::Null);
    for unknown in [
        &["arn"][..],
        &["status"],
        &["global_endpoint"],
        &["regions", "eu-west-1", "endpoint"],
        &["regions", "us-east-1", "instances", "a", "arn"],
    ] {
        assert!(at(p, unknown).is_unknown(), "{unknown:?}");
    }
}

#[test]
fn create_takes_the_provider_region_as_primary_or_fails_on_the_attribute() {
    let mut cfg = base();
    cfg.as_object_mut().unwrap().remove("primary_region");
    let out = run(&Value::Null, &config(cfg.clone()), Some("eu-west-1"));
    assert_eq!(
        at(&out.planned, &["primary_region"]),
        &Value::string("eu-west-1")
    );
    assert_eq!(
        at(&out.planned, &["regions", "eu-west-1", "role"]),
        &Value::string("primary")
    );
    let out = run(&Value::Null, &config(cfg), Some("sa-east-1"));
    assert_eq!(
        error_path(&out, "Primary Region Not Determined"),
        "primary_region"
    );
}

#[test]
fn create_needs_a_password() {
    let mut cfg = base();
    cfg.as_object_mut().unwrap().remove("master_password");
    let out = run(&Value::Null, &config(cfg), None);
    assert_eq!(
        error_path(&out, "Master Password Required"),
        "master_password"
    );
}

#[test]
fn unchanged_configuration_plans_exactly_the_prior_state() {
    let prior = created();
    let out = run(&prior, &config(base()), None);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.planned, prior);
    assert!(out.requires_replace.is_empty());
}

#[test]
fn resize_warns_and_marks_only_what_changes_unknown() {
    let prior = created();
    let mut cfg = base();
    cfg["regions"]["us-east-1"]["instances"]["b"] =
        serde_json::json!({ "instance_class": "db.r6g.xlarge" });
    let out = run(&prior, &config(cfg), None);
    assert_eq!(
        summaries(&out, Severity::Warning),
        vec!["Instance Will Be Resized"]
    );
    let p = &out.planned;
    assert!(at(p, &["regions", "us-east-1", "instances", "b", "status"]).is_unknown());
    assert!(at(p, &["regions", "us-east-1", "status"]).is_unknown());
    assert!(at(p, &["status"]).is_unknown());
    assert!(at(p, &["regions", "us-east-1", "instances", "a", "status"]).is_known());
    assert!(at(p, &["regions", "eu-west-1", "status"]).is_known());
    assert_eq!(
        at(p, &["regions", "us-east-1", "instances", "b", "arn"]),
        at(&prior, &["regions", "us-east-1", "instances", "b", "arn"])
    );
}

#[test]
fn switchover_and_failover_warn_about_what_happens() {
    let prior = created();
    let mut cfg = base();
    cfg["primary_region"] = "eu-west-1".into();
    let out = run(&prior, &config(cfg.clone()), None);
    assert_eq!(
        summaries(&out, Severity::Warning),
        vec!["Primary Will Move By Managed Switchover"]
    );
    assert_eq!(
        error_path(&out, "Primary Will Move By Managed Switchover"),
        "primary_region"
    );
    assert_eq!(
        at(&out.planned, &["regions", "eu-west-1", "role"]),
        &Value::string("primary")
    );
    assert_eq!(
        at(&out.planned, &["regions", "us-east-1", "role"]),
        &Value::string("secondary")
    );
    cfg["failover_mode"] = "failover".into();
    let out = run(&prior, &config(cfg), None);
    assert_eq!(
        summaries(&out, Severity::Warning),
        vec!["Primary Will Fail Over With Possible Data Loss"]
    );
}

#[test]
fn switchover_to_a_headless_region_is_a_plan_error() {
    let prior = created();
    let mut cfg = base();
    cfg["primary_region"] = "ap-southeast-2".into();
    let out = run(&prior, &config(cfg), None);
    assert_eq!(
        error_path(&out, "Switchover Target Has No Instances"),
        "primary_region"
    );
}

#[test]
fn primary_region_unset_follows_the_observed_writer() {
    let prior = created();
    let mut cfg = base();
    cfg.as_object_mut().unwrap().remove("primary_region");
    let out = run(&prior, &config(cfg), Some("eu-west-1"));
    assert_eq!(
        at(&out.planned, &["primary_region"]),
        &Value::string("us-east-1")
    );
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
}

#[test]
fn removing_a_region_warns() {
    let prior = created();
    let mut cfg = base();
    cfg["regions"]
        .as_object_mut()
        .unwrap()
        .remove("ap-southeast-2");
    let out = run(&prior, &config(cfg), None);
    assert_eq!(
        summaries(&out, Severity::Warning),
        vec!["Region Will Be Removed"]
    );
}

#[test]
fn new_cluster_identifier_recreates_only_that_region() {
    let prior = created();
    let mut cfg = base();
    cfg["regions"]["eu-west-1"]["cluster_identifier"] = "orders-eu-v2".into();
    let out = run(&prior, &config(cfg), None);
    assert_eq!(
        summaries(&out, Severity::Warning),
        vec!["Regional Cluster Will Be Recreated"]
    );
    assert!(at(&out.planned, &["regions", "eu-west-1", "arn"]).is_unknown());
    assert_eq!(
        at(
            &out.planned,
            &["regions", "eu-west-1", "instances", "a", "identifier"]
        ),
        &Value::string("orders-eu-v2-a")
    );
    assert!(at(&out.planned, &["regions", "us-east-1", "arn"]).is_known());
    assert!(out.requires_replace.is_empty());
}

#[test]
fn major_upgrade_needs_permission_minor_does_not() {
    let prior = created();
    let mut cfg = base();
    cfg["engine_version"] = "16.6".into();
    assert!(!run(&prior, &config(cfg.clone()), None)
        .diagnostics
        .has_errors());
    cfg["engine_version"] = "17.2".into();
    let out = run(&prior, &config(cfg.clone()), None);
    assert_eq!(
        error_path(&out, "Major Version Upgrade Not Allowed"),
        "engine_version"
    );
    cfg["allow_major_version_upgrade"] = true.into();
    let out = run(&prior, &config(cfg), None);
    assert_eq!(
        summaries(&out, Severity::Warning),
        vec!["Major Version Upgrade"]
    );
    assert_eq!(
        major_version("aurora-mysql", "8.0.mysql_aurora.3.05.2"),
        "8.0"
    );
    assert_eq!(major_version("aurora-postgresql", "16.4"), "16");
}

#[test]
fn identity_changes_require_replacement() {
    let prior = created();
    let mut cfg = base();
    cfg["engine"] = "aurora-mysql".into();
    cfg["master_username"] = "admin".into();
    let out = run(&prior, &config(cfg), None);
    let paths: Vec<String> = out
        .requires_replace
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(paths, vec!["engine", "master_username"]);
}

#[test]
fn destroy_is_refused_with_deletion_protection_or_without_a_snapshot_name() {
    let mut prior = created();
    let out = run(&prior, &Value::Null, None);
    assert!(out.diagnostics.is_empty() && out.planned.is_null());
    if let Value::Object(m) = &mut prior {
        m.insert("deletion_protection".into(), Value::Bool(true));
        m.insert("final_snapshot_identifier".into(), Value::Null);
    }
    let out = run(&prior, &Value::Null, None);
    assert_eq!(
        error_path(&out, "Deletion Protection Is On"),
        "deletion_protection"
    );
    assert_eq!(
        error_path(&out, "Final Snapshot Identifier Required"),
        "final_snapshot_identifier"
    );
}

#[test]
fn leftovers_of_an_interrupted_removal_force_an_update() {
    let prior = created();
    let leftovers = vec![(
        "sa-east-1".to_string(),
        "orders-sa-east-1".to_string(),
        false,
    )];
    let cfg = config(base());
    let out = plan_resource_change(PlanInput {
        prior: &prior,
        proposed: &cfg,
        config: &cfg,
        provider_region: None,
        leftovers: &leftovers,
        target_lag: None,
    });
    assert!(at(&out.planned, &["status"]).is_unknown());
    assert_eq!(
        summaries(&out, Severity::Warning),
        vec!["Finishing An Interrupted Removal"]
    );
}

// ---------------------------------------------------------------------------
// Replication lag and max_data_loss.

/// State written before `max_data_loss` existed (0.1.0) loads, with the
/// attribute null, and plans against the same configuration without a diff.
#[test]
fn state_without_max_data_loss_plans_without_a_diff() {
    let current = created();
    let bytes = crate::tf::json::encode(&current, &ty()).expect("encode");
    let mut old: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert!(old
        .as_object_mut()
        .expect("object")
        .remove("max_data_loss")
        .is_some());
    let upgraded = crate::tf::json::decode_ignoring_undefined(old.to_string().as_bytes(), &ty())
        .expect("decode");
    assert!(at(&upgraded, &["max_data_loss"]).is_null());
    let cfg = config(base());
    let out = run(&upgraded, &cfg, None);
    assert_eq!(out.planned, upgraded, "a diff against the old state");
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert!(out.requires_replace.is_empty());
}

fn lag_read(replication_ms: Option<f64>, rpo_ms: Option<f64>) -> crate::topology::lag::TargetLag {
    let at = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_796_008_205);
    let point = |ms: Option<f64>| ms.map(|millis| crate::aws::LagPoint { millis, at });
    crate::topology::lag::TargetLag::Read(crate::aws::ClusterLag {
        replication: point(replication_ms),
        rpo: point(rpo_ms),
    })
}

fn plan_move(
    mode: &str,
    max_data_loss: Option<&str>,
    lag: Option<&crate::topology::lag::TargetLag>,
) -> PlanOutput {
    let prior = created();
    let mut c = base();
    c["primary_region"] = "eu-west-1".into();
    c["failover_mode"] = mode.into();
    if let Some(m) = max_data_loss {
        c["max_data_loss"] = m.into();
    }
    let cfg = config(c);
    plan_resource_change(PlanInput {
        prior: &prior,
        proposed: &cfg,
        config: &cfg,
        provider_region: None,
        leftovers: &[],
        target_lag: lag,
    })
}

fn warning_detail(out: &PlanOutput, summary: &str) -> String {
    out.diagnostics
        .iter()
        .find(|d| d.summary == summary)
        .map(|d| d.detail.clone())
        .unwrap_or_else(|| panic!("no {summary:?} in {:?}", out.diagnostics))
}

#[test]
fn a_failover_plan_states_the_loss_and_max_data_loss_guards_it() {
    let lag = lag_read(Some(900.0), Some(2500.0));
    let out = plan_move("failover", None, Some(&lag));
    assert!(!out.diagnostics.has_errors(), "{:?}", out.diagnostics);
    let detail = warning_detail(&out, "Primary Will Fail Over With Possible Data Loss");
    assert!(
        detail.ends_with(
            "eu-west-1 was 2.5 s behind at 03:10:05 UTC: writes committed in that window are lost."
        ),
        "{detail}"
    );
    // Above the bound: an error on max_data_loss naming both figures.
    let out = plan_move("failover", Some("2s"), Some(&lag));
    assert_eq!(
        error_path(&out, "Failover Would Exceed max_data_loss"),
        "max_data_loss"
    );
    let detail = warning_detail(&out, "Failover Would Exceed max_data_loss");
    assert!(
        detail.contains("2.5 s") && detail.contains("\"2 s\""),
        "{detail}"
    );
    // At or under it: through.
    for bound in ["2500ms", "3s"] {
        let out = plan_move("failover", Some(bound), Some(&lag));
        assert!(
            !out.diagnostics.has_errors(),
            "{bound}: {:?}",
            out.diagnostics
        );
    }
    // No figure: refused while a bound is set, stated plainly without one.
    let none = lag_read(None, None);
    assert_eq!(
        error_path(
            &plan_move("failover", Some("3s"), Some(&none)),
            "Failover Would Exceed max_data_loss"
        ),
        "max_data_loss"
    );
    let out = plan_move("failover", None, Some(&none));
    assert!(!out.diagnostics.has_errors());
    assert!(
        warning_detail(&out, "Primary Will Fail Over With Possible Data Loss")
            .contains("How much would be lost is not known")
    );
}

#[test]
fn a_switchover_plan_states_the_lag_and_ignores_max_data_loss() {
    let lag = lag_read(Some(1500.0), Some(9000.0));
    let out = plan_move("switchover", Some("1s"), Some(&lag));
    assert!(!out.diagnostics.has_errors(), "{:?}", out.diagnostics);
    let detail = warning_detail(&out, "Primary Will Move By Managed Switchover");
    assert!(
        detail.contains("eu-west-1 was 1.5 s behind at 03:10:05 UTC; the switchover waits until it has caught up"),
        "{detail}"
    );
}

/// An update observes every object again at its end: an unchanged
/// instance that was rebooting may be available by then, so its status is
/// planned unknown; without a change nothing is applied and it stays.
#[test]
fn an_update_plans_unsettled_statuses_of_unchanged_objects_unknown() {
    let mut prior = Topology::from_value(&created());
    let set = |t: &mut Topology, region: &str, key: &str, status: &str| {
        if let Field::Known(regions) = &mut t.regions {
            if let Some(Field::Known(r)) = regions.get_mut(region) {
                if let Field::Known(instances) = &mut r.instances {
                    if let Some(Field::Known(i)) = instances.get_mut(key) {
                        i.status = Field::string(status);
                    }
                }
            }
        }
    };
    set(&mut prior, "us-east-1", "a", "rebooting");
    set(&mut prior, "us-east-1", "b", "available");
    let prior = prior.to_value();

    let out = run(&prior, &config(base()), None);
    assert_eq!(out.planned, prior, "no change: the status stays as it is");

    let mut cfg = base();
    cfg["regions"]["eu-west-1"]["instances"]["b"] = serde_json::json!({});
    let p = run(&prior, &config(cfg), None).planned;
    assert!(at(&p, &["regions", "us-east-1", "instances", "a", "status"]).is_unknown());
    assert_eq!(
        at(&p, &["regions", "us-east-1", "instances", "b", "status"]),
        &Value::string("available")
    );
}
