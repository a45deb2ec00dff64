//! Table tests of the plan rules of a topology grown from an existing
//! cluster (`source_db_cluster_identifier`) or restored from a snapshot
//! (`snapshot_identifier`), SPEC §8, and of their create-time checks
//! against what AWS reports.

use super::*;
use crate::aws::{ObservedCluster, ObservedInstance, ObservedSnapshot};
use crate::engine::invariants;
use crate::engine::ClientCapabilities;
use crate::tf::{Severity, Type};
use crate::topology::reconcile::{Desired, Origin};
use crate::topology::resource::origin;
use crate::topology::schema;

fn ty() -> Type {
    schema::resource().block.value_type()
}

fn config(json: serde_json::Value) -> Value {
    crate::tf::json::decode(json.to_string().as_bytes(), &ty()).expect("config json")
}

const SOURCE_ARN: &str = "arn:aws:rds:us-east-1:123456789012:cluster:legacy";

/// A regional cluster `legacy` with instance `legacy-a` grown into two regions.
fn grow() -> serde_json::Value {
    serde_json::json!({
        "global_cluster_identifier": "orders",
        "engine": "aurora-postgresql",
        "master_username": "app",
        "primary_region": "us-east-1",
        "skip_final_snapshot": true,
        "source_db_cluster_identifier": "legacy",
        "regions": {
            "us-east-1": { "instance_class": "db.r6g.large", "instances": { "a": {} } },
            "eu-west-1": { "instance_class": "db.r6g.large", "instances": { "a": {} } }
        }
    })
}

fn run(prior: &Value, cfg: &Value) -> PlanOutput {
    let out = plan_resource_change(PlanInput::without_lag(prior, cfg, cfg, None, &[]));
    if !out.diagnostics.has_errors() && !out.planned.is_null() {
        let problems = invariants::check_plan(&schema::resource().block, prior, cfg, &out.planned);
        assert!(
            problems.is_empty(),
            "plan breaks Terraform's rules: {problems:?}"
        );
    }
    out
}

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| {
        v.get_attr(k)
            .or_else(|| v.get_key(k))
            .unwrap_or(&Value::Null)
    })
}

/// (summary, path) of every error.
fn errors(d: &Diagnostics) -> Vec<(String, String)> {
    d.iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            (
                d.summary.clone(),
                d.path.as_ref().map(ToString::to_string).unwrap_or_default(),
            )
        })
        .collect()
}

/// The planned state with every unknown given a value, as after apply.
fn applied(v: &Value) -> Value {
    match v {
        Value::Unknown => Value::string("observed"),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("storage_encrypted", Value::Unknown) => Value::Bool(false),
                        (
                            "vpc_security_group_ids" | "enabled_cloudwatch_logs_exports",
                            Value::Unknown,
                        ) => Value::set([]),
                        ("pending_changes", Value::Unknown) => Value::Map(Default::default()),
                        (
                            "backup_retention_period"
                            | "port"
                            | "monitoring_interval"
                            | "performance_insights_retention_period",
                            Value::Unknown,
                        ) => Value::number(1),
                        (
                            "copy_tags_to_snapshot"
                            | "iam_database_authentication_enabled"
                            | "enable_local_write_forwarding"
                            | "performance_insights_enabled"
                            | "auto_minor_version_upgrade",
                            Value::Unknown,
                        ) => Value::Bool(false),
                        (
                            "serverlessv2_scaling_configuration"
                            | "seconds_until_auto_pause"
                            | "performance_insights_kms_key_id"
                            | "monitoring_role_arn",
                            Value::Unknown,
                        ) => Value::Null,
                        _ => applied(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), applied(v))).collect()),
        other => other.clone(),
    }
}

#[test]
fn a_grown_topology_needs_no_password_and_keeps_the_source_identifier() {
    for source in ["legacy", SOURCE_ARN] {
        let mut cfg = grow();
        cfg["source_db_cluster_identifier"] = serde_json::json!(source);
        let out = run(&Value::Null, &config(cfg));
        assert!(errors(&out.diagnostics).is_empty(), "{:?}", out.diagnostics);
        let p = &out.planned;
        assert_eq!(
            at(p, &["regions", "us-east-1", "cluster_identifier"]),
            &Value::string("legacy"),
            "{source}"
        );
        assert_eq!(
            at(p, &["regions", "us-east-1", "instances", "a", "identifier"]),
            &Value::string("legacy-a")
        );
        // Secondaries keep the usual default.
        assert_eq!(
            at(p, &["regions", "eu-west-1", "cluster_identifier"]),
            &Value::string("orders-eu-west-1")
        );
        assert_eq!(
            at(p, &["source_db_cluster_identifier"]),
            &Value::string(source)
        );
    }
    // Without an origin the password is still required.
    let mut cfg = grow();
    cfg.as_object_mut()
        .unwrap()
        .remove("source_db_cluster_identifier");
    let out = run(&Value::Null, &config(cfg));
    assert_eq!(
        errors(&out.diagnostics),
        vec![(
            "Master Password Required".to_string(),
            "master_password".to_string()
        )]
    );
    // A restored topology needs none either.
    let mut cfg = grow();
    cfg.as_object_mut()
        .unwrap()
        .remove("source_db_cluster_identifier");
    cfg["snapshot_identifier"] = serde_json::json!("legacy-snap");
    let out = run(&Value::Null, &config(cfg));
    assert!(errors(&out.diagnostics).is_empty(), "{:?}", out.diagnostics);
    assert_eq!(
        at(
            &out.planned,
            &["regions", "us-east-1", "cluster_identifier"]
        ),
        &Value::string("orders-us-east-1")
    );
}

#[test]
fn validation_rules_of_the_origins_point_at_their_attribute() {
    let caps = ClientCapabilities::default();
    let cases: Vec<(serde_json::Value, Vec<(&str, &str)>)> = vec![
        (grow(), vec![]),
        (
            {
                let mut c = grow();
                c["snapshot_identifier"] = serde_json::json!("snap");
                c
            },
            vec![("Conflicting Origins", "snapshot_identifier")],
        ),
        (
            {
                let mut c = grow();
                c["source_db_cluster_identifier"] =
                    serde_json::json!("arn:aws:rds:eu-west-1:123456789012:cluster:legacy");
                c
            },
            vec![("Invalid source cluster", "source_db_cluster_identifier")],
        ),
        (
            {
                let mut c = grow();
                c["source_db_cluster_identifier"] =
                    serde_json::json!("arn:aws:rds:us-east-1:123456789012:db:legacy-a");
                c
            },
            vec![("Invalid source cluster", "source_db_cluster_identifier")],
        ),
        (
            {
                let mut c = grow();
                c["source_db_cluster_identifier"] = serde_json::json!("1legacy--x");
                c
            },
            vec![("Invalid source cluster", "source_db_cluster_identifier")],
        ),
        (
            {
                let mut c = grow();
                c["regions"]["us-east-1"]["cluster_identifier"] = serde_json::json!("other");
                c
            },
            vec![(
                "Cluster Identifier Differs From The Source",
                "regions[\"us-east-1\"].cluster_identifier",
            )],
        ),
        (
            {
                let mut c = grow();
                c["regions"]["us-east-1"]["cluster_identifier"] = serde_json::json!("legacy");
                c
            },
            vec![],
        ),
        (
            {
                let mut c = grow();
                c.as_object_mut()
                    .unwrap()
                    .remove("source_db_cluster_identifier");
                c["snapshot_identifier"] =
                    serde_json::json!("arn:aws:rds:ap-southeast-2:123456789012:cluster-snapshot:s");
                c
            },
            vec![("Invalid snapshot identifier", "snapshot_identifier")],
        ),
        (
            {
                let mut c = grow();
                c.as_object_mut()
                    .unwrap()
                    .remove("source_db_cluster_identifier");
                c["snapshot_identifier"] =
                    serde_json::json!("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s");
                c
            },
            vec![],
        ),
    ];
    for (cfg, want) in cases {
        let d = crate::topology::validate::resource(&config(cfg.clone()), caps);
        let want: Vec<(String, String)> = want
            .into_iter()
            .map(|(s, p)| (s.to_string(), p.to_string()))
            .collect();
        assert_eq!(errors(&d), want, "{cfg}");
    }
}

#[test]
fn the_source_is_a_record_changing_it_is_an_error_not_a_replacement() {
    let cfg = config(grow());
    let state = applied(&run(&Value::Null, &cfg).planned);
    // Same configuration: no change at all.
    let out = run(&state, &cfg);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.planned, state);
    assert!(out.requires_replace.is_empty());
    // Another source: an error on the attribute, no replacement.
    let mut other = grow();
    other["source_db_cluster_identifier"] = serde_json::json!("elsewhere");
    let out = run(&state, &config(other));
    assert_eq!(
        errors(&out.diagnostics),
        vec![(
            "Source Cluster Cannot Change".to_string(),
            "source_db_cluster_identifier".to_string()
        )]
    );
    assert!(out.requires_replace.is_empty());
    // Removing it is allowed and changes nothing else: the source's
    // region keeps its cluster (the identifier comes from the state only
    // while the attribute names it, so it is set explicitly here).
    let mut removed = grow();
    removed
        .as_object_mut()
        .unwrap()
        .remove("source_db_cluster_identifier");
    removed["regions"]["us-east-1"]["cluster_identifier"] = serde_json::json!("legacy");
    let out = run(&state, &config(removed));
    assert!(errors(&out.diagnostics).is_empty(), "{:?}", out.diagnostics);
    assert!(out.requires_replace.is_empty());
    assert!(
        !out.diagnostics
            .iter()
            .any(|d| d.summary == "Regional Cluster Will Be Recreated"),
        "{:?}",
        out.diagnostics
    );
    // Setting it on a topology created without it (or imported) is an error.
    let mut plain = grow();
    plain
        .as_object_mut()
        .unwrap()
        .remove("source_db_cluster_identifier");
    plain["master_password"] = serde_json::json!("correct-horse-battery");
    let plain_state = applied(&run(&Value::Null, &config(plain)).planned);
    let out = run(&plain_state, &cfg);
    assert_eq!(
        errors(&out.diagnostics),
        vec![(
            "Source Cluster Cannot Change".to_string(),
            "source_db_cluster_identifier".to_string()
        )]
    );
}

#[test]
fn after_a_switchover_the_source_region_keeps_the_source_identifier() {
    let cfg = config(grow());
    let state = applied(&run(&Value::Null, &cfg).planned);
    let mut moved = grow();
    moved["primary_region"] = serde_json::json!("eu-west-1");
    let out = run(&state, &config(moved));
    assert!(errors(&out.diagnostics).is_empty(), "{:?}", out.diagnostics);
    assert_eq!(
        at(
            &out.planned,
            &["regions", "us-east-1", "cluster_identifier"]
        ),
        &Value::string("legacy")
    );
    assert!(!out
        .diagnostics
        .iter()
        .any(|d| d.summary == "Regional Cluster Will Be Recreated"));
}

#[test]
fn a_changed_snapshot_replaces_the_topology() {
    let mut json = grow();
    json.as_object_mut()
        .unwrap()
        .remove("source_db_cluster_identifier");
    json["snapshot_identifier"] = serde_json::json!("snap-1");
    let state = applied(&run(&Value::Null, &config(json.clone())).planned);
    let out = run(&state, &config(json.clone()));
    assert!(out.requires_replace.is_empty());
    assert_eq!(out.planned, state);
    json["snapshot_identifier"] = serde_json::json!("snap-2");
    let out = run(&state, &config(json));
    assert_eq!(
        out.requires_replace,
        vec![path::top(name::SNAPSHOT_IDENTIFIER)]
    );
}

/// State written before these attributes existed loads with them null and
/// plans against the same configuration without a diff.
#[test]
fn state_without_the_origin_attributes_plans_without_a_diff() {
    let mut json = grow();
    json.as_object_mut()
        .unwrap()
        .remove("source_db_cluster_identifier");
    json["master_password"] = serde_json::json!("correct-horse-battery");
    let cfg = config(json);
    let current = applied(&run(&Value::Null, &cfg).planned);
    let bytes = crate::tf::json::encode(&current, &ty()).expect("encode");
    let mut old: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    for attr in ["source_db_cluster_identifier", "snapshot_identifier"] {
        assert!(
            old.as_object_mut().unwrap().remove(attr).is_some(),
            "{attr}"
        );
    }
    let upgraded = crate::tf::json::decode_ignoring_undefined(old.to_string().as_bytes(), &ty())
        .expect("decode");
    assert!(at(&upgraded, &["source_db_cluster_identifier"]).is_null());
    assert!(at(&upgraded, &["snapshot_identifier"]).is_null());
    let out = run(&upgraded, &cfg);
    assert_eq!(out.planned, upgraded, "a diff against the old state");
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert!(out.requires_replace.is_empty());
}

// ---------------------------------------------------------------------------
// Create-time checks against the source and the snapshot.

fn desired_of(json: serde_json::Value) -> (Desired, Topology) {
    let cfg = config(json);
    let planned = run(&Value::Null, &cfg).planned;
    let d = Desired::from_planned(&planned, &cfg).expect("desired");
    (d, Topology::from_value(&cfg))
}

fn source_cluster() -> ObservedCluster {
    ObservedCluster {
        id: "legacy".into(),
        arn: SOURCE_ARN.into(),
        region: "us-east-1".into(),
        status: "available".into(),
        engine: Some("aurora-postgresql".into()),
        engine_version: Some("16.4".into()),
        master_username: Some("app".into()),
        database_name: Some("orders".into()),
        storage_encrypted: Some(true),
        ..Default::default()
    }
}

fn source_instance(id: &str, class: &str) -> ObservedInstance {
    ObservedInstance {
        id: id.into(),
        cluster_id: Some("legacy".into()),
        class: Some(class.into()),
        status: "available".into(),
        ..Default::default()
    }
}

#[test]
fn the_desired_origin_names_the_source_cluster_or_the_snapshot() {
    let (d, _) = desired_of(grow());
    assert_eq!(
        d.origin,
        Some(Origin::Source {
            cluster_id: "legacy".into()
        })
    );
    let mut json = grow();
    json["source_db_cluster_identifier"] = serde_json::json!(SOURCE_ARN);
    assert_eq!(
        desired_of(json).0.origin,
        Some(Origin::Source {
            cluster_id: "legacy".into()
        })
    );
    let mut json = grow();
    json.as_object_mut()
        .unwrap()
        .remove("source_db_cluster_identifier");
    json["snapshot_identifier"] = serde_json::json!("snap");
    assert_eq!(
        desired_of(json).0.origin,
        Some(Origin::Snapshot {
            snapshot: "snap".into()
        })
    );
}

/// (configuration, source cluster, its instances, expected (error, path)).
type SourceCase = (
    serde_json::Value,
    ObservedCluster,
    Vec<ObservedInstance>,
    Vec<(&'static str, &'static str)>,
);

#[test]
fn source_checks_name_each_contradiction_and_undeclared_instance() {
    let a = source_instance("legacy-a", "db.r6g.large");
    let b = source_instance("legacy-b", "db.r6g.large");
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut j = grow();
        f(&mut j);
        j
    };
    let cases: Vec<SourceCase> = vec![
        // Everything matches (unset values are the source's).
        (grow(), source_cluster(), vec![a.clone()], vec![]),
        (
            with(&|j| {
                j["engine_version"] = serde_json::json!("16.4");
                j["storage_encrypted"] = serde_json::json!(true);
                j["database_name"] = serde_json::json!("orders");
            }),
            source_cluster(),
            vec![a.clone()],
            vec![],
        ),
        // An instance the configuration does not declare.
        (
            grow(),
            source_cluster(),
            vec![a.clone(), b.clone()],
            vec![(
                "Source Cluster Has Undeclared Instances",
                "regions[\"us-east-1\"].instances",
            )],
        ),
        // Declared instances that do not exist yet are created: no error.
        (
            with(&|j| j["regions"]["us-east-1"]["instances"]["c"] = serde_json::json!({})),
            source_cluster(),
            vec![a.clone()],
            vec![],
        ),
        // Contradictions, each on its attribute.
        (
            with(&|j| {
                j["engine_version"] = serde_json::json!("15.4");
                j["storage_encrypted"] = serde_json::json!(false);
                j["database_name"] = serde_json::json!("other");
                j["master_username"] = serde_json::json!("admin");
            }),
            source_cluster(),
            vec![a.clone()],
            vec![
                ("Configuration Contradicts The Source", "engine_version"),
                ("Configuration Contradicts The Source", "master_username"),
                ("Configuration Contradicts The Source", "database_name"),
                ("Configuration Contradicts The Source", "storage_encrypted"),
            ],
        ),
        (
            with(&|j| j["engine"] = serde_json::json!("aurora-mysql")),
            source_cluster(),
            vec![a.clone()],
            vec![("Configuration Contradicts The Source", "engine")],
        ),
        // A class change would restart the instance.
        (
            grow(),
            source_cluster(),
            vec![source_instance("legacy-a", "db.r6g.xlarge")],
            vec![(
                "Instance Class Differs From The Source",
                "regions[\"us-east-1\"].instances[\"a\"].instance_class",
            )],
        ),
        // Already in another global cluster, or not available.
        (
            grow(),
            ObservedCluster {
                global_cluster_id: Some("someone-else".into()),
                ..source_cluster()
            },
            vec![a.clone()],
            vec![(
                "Source Cluster Is Already Global",
                "source_db_cluster_identifier",
            )],
        ),
        (
            grow(),
            ObservedCluster {
                status: "modifying".into(),
                ..source_cluster()
            },
            vec![a.clone()],
            vec![(
                "Source Cluster Not Available",
                "source_db_cluster_identifier",
            )],
        ),
        // Grown by an interrupted run: a member of this global cluster.
        (
            grow(),
            ObservedCluster {
                global_cluster_id: Some("orders".into()),
                status: "modifying".into(),
                ..source_cluster()
            },
            vec![a.clone()],
            vec![],
        ),
    ];
    for (json, cluster, instances, want) in cases {
        let (d, cfg) = desired_of(json.clone());
        let got = errors(&origin::check_source(&d, &cfg, &cluster, &instances));
        let want: Vec<(String, String)> = want
            .into_iter()
            .map(|(s, p)| (s.to_string(), p.to_string()))
            .collect();
        assert_eq!(got, want, "{json}");
    }
}

#[test]
fn the_undeclared_instance_error_says_what_to_add() {
    let (d, cfg) = desired_of(grow());
    let diags = origin::check_source(
        &d,
        &cfg,
        &source_cluster(),
        &[
            source_instance("legacy-a", "db.r6g.large"),
            source_instance("legacy-reader", "db.r6g.xlarge"),
        ],
    );
    let detail = &diags.iter().next().expect("one error").detail;
    assert!(
        detail.contains(
            r#""reader" = { identifier = "legacy-reader", instance_class = "db.r6g.xlarge" }"#
        ),
        "{detail}"
    );
    assert!(!detail.contains("legacy-a"), "{detail}");
}

#[test]
fn snapshot_checks_compare_what_a_restore_inherits() {
    let mut json = grow();
    json.as_object_mut()
        .unwrap()
        .remove("source_db_cluster_identifier");
    json["snapshot_identifier"] = serde_json::json!("snap");
    let snapshot = ObservedSnapshot {
        id: "snap".into(),
        status: "available".into(),
        engine: Some("aurora-postgresql".into()),
        engine_version: Some("15.4".into()),
        master_username: Some("app".into()),
        storage_encrypted: Some(false),
        ..Default::default()
    };
    let cfg = Topology::from_value(&config(json.clone()));
    assert!(origin::check_snapshot(&cfg, &snapshot).is_empty());
    // A newer engine version is a restore-time upgrade, not a contradiction.
    json["engine_version"] = serde_json::json!("16.4");
    let cfg = Topology::from_value(&config(json.clone()));
    assert!(origin::check_snapshot(&cfg, &snapshot).is_empty());
    json["master_username"] = serde_json::json!("admin");
    json["storage_encrypted"] = serde_json::json!(true);
    let cfg = Topology::from_value(&config(json));
    let got = errors(&origin::check_snapshot(
        &cfg,
        &ObservedSnapshot {
            status: "creating".into(),
            ..snapshot
        },
    ));
    assert_eq!(
        got,
        vec![
            (
                "Snapshot Not Available".to_string(),
                "snapshot_identifier".to_string()
            ),
            (
                "Configuration Contradicts The Source".to_string(),
                "master_username".to_string()
            ),
            (
                "Configuration Contradicts The Source".to_string(),
                "storage_encrypted".to_string()
            ),
        ]
    );
}
