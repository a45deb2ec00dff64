//! Provider-side cost of the RPCs Terraform sends on every plan, measured
//! in-process through the engine API (no gRPC transport, no AWS): each case
//! does what the provider does for that RPC between receiving the request
//! bytes and producing the response bytes.
//!
//! - GetProviderSchema: the provider, resource, data source and list
//!   resource schemas (what the protocol layer converts; the value types it
//!   decodes with are computed once, when the server is built).
//! - ValidateResourceConfig: msgpack decode of the config + validation.
//! - PlanResourceChange (create of a 3-region, 6-instance topology): msgpack
//!   decode of prior, proposed and config, the plan with the engine's
//!   invariant checks, msgpack encode of the planned state.
//! - UpgradeResourceState (Terraform sends it for every resource in state on
//!   every plan and refresh): the stored JSON state of that topology, as
//!   applied, to msgpack, once straight through and once through a value
//!   (decode, then encode), which is what the provider did before and still
//!   does for state the direct path leaves to it.
//!
//! Each case runs `BENCH_ITERS` (2000) times after 200 warm-up iterations;
//! the per-call mean and the best of 5 batches are reported. Prints a
//! Markdown section on stdout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use terraform_provider_replication::engine::{self, ClientCapabilities, EngineApi, PlanRequest};
use terraform_provider_replication::tf::{self, Type, Value};
use terraform_provider_replication::topology::ReplicationProvider;

const CONFIG: &str = r#"{
  "global_cluster_identifier": "orders",
  "engine": "aurora-postgresql",
  "engine_version": "16.4",
  "database_name": "orders",
  "master_username": "app",
  "master_password": "a-long-enough-password",
  "storage_encrypted": true,
  "skip_final_snapshot": false,
  "final_snapshot_identifier": "orders-final",
  "primary_region": "us-east-1",
  "tags": {"team": "payments", "cost-center": "42"},
  "regions": {
    "us-east-1": {"instance_class": "db.r6g.large", "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/1111", "vpc_security_group_ids": ["sg-0123", "sg-0456"], "db_subnet_group_name": "orders",
                  "instances": {"a": {"promotion_tier": 0}, "b": {"instance_class": "db.r6g.xlarge"}}},
    "eu-west-1": {"instance_class": "db.r6g.large", "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/2222", "write_forwarding": true,
                  "instances": {"a": {}, "b": {}}},
    "ap-southeast-2": {"instance_class": "db.r6g.large", "kms_key_id": "arn:aws:kms:ap-southeast-2:123456789012:key/3333",
                  "instances": {"a": {}, "b": {}}}
  },
  "timeouts": {"create": "120m", "update": "120m", "delete": "90m"}
}"#;

/// The same topology with every production setting (SPEC §7) at the top
/// level, on each region and on some instances.
const CONFIG_SETTINGS: &str = r#"{
  "global_cluster_identifier": "orders",
  "engine": "aurora-postgresql",
  "engine_version": "16.4",
  "master_username": "app",
  "master_password": "a-long-enough-password",
  "storage_encrypted": true,
  "final_snapshot_identifier": "orders-final",
  "primary_region": "us-east-1",
  "engine_lifecycle_support": "open-source-rds-extended-support-disabled",
  "apply_immediately": false,
  "regions": {
    "us-east-1": {"instance_class": "db.serverless", "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/1111",
      "serverlessv2_scaling_configuration": {"min_capacity": 0.5, "max_capacity": 16},
      "storage_type": "aurora-iopt1", "backup_retention_period": 14, "preferred_backup_window": "03:00-04:00",
      "preferred_maintenance_window": "sun:05:00-sun:06:00", "copy_tags_to_snapshot": true,
      "iam_database_authentication_enabled": true, "port": 5432, "enabled_cloudwatch_logs_exports": ["postgresql", "iam-db-auth-error"],
      "network_type": "IPV4", "enable_local_write_forwarding": false,
      "db_parameter_group_name": "orders-pg16", "performance_insights_enabled": true, "performance_insights_retention_period": 7,
      "monitoring_interval": 30, "monitoring_role_arn": "arn:aws:iam::123456789012:role/rds-monitoring",
      "auto_minor_version_upgrade": true, "ca_cert_identifier": "rds-ca-rsa2048-g1",
      "instances": {"a": {"promotion_tier": 0}, "b": {"instance_class": "db.r6g.large", "performance_insights_enabled": false, "availability_zone": "us-east-1b"}}},
    "eu-west-1": {"instance_class": "db.serverless", "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/2222",
      "serverlessv2_scaling_configuration": {"min_capacity": 1, "max_capacity": 8},
      "backup_retention_period": 7, "preferred_backup_window": "10:00-11:00", "preferred_maintenance_window": "sun:12:00-sun:13:00",
      "performance_insights_enabled": true, "monitoring_interval": 60, "monitoring_role_arn": "arn:aws:iam::123456789012:role/rds-monitoring",
      "instances": {"a": {}, "b": {"monitoring_interval": 0}}},
    "ap-southeast-2": {"instance_class": "db.r6g.large", "kms_key_id": "arn:aws:kms:ap-southeast-2:123456789012:key/3333",
      "storage_type": "aurora-iopt1", "backup_retention_period": 7, "port": 5432,
      "instances": {"a": {"availability_zone": "ap-southeast-2a"}, "b": {"availability_zone": "ap-southeast-2b"}}}
  },
  "timeouts": {"create": "120m", "update": "120m", "delete": "90m"}
}"#;

const PROVIDER: &str = r#"{"region": "us-east-1", "default_tags": {"owner": "platform"}}"#;

const TYPE: &str = "replication_topology";

struct Case {
    name: &'static str,
    per_call: Duration,
    best: Duration,
}

/// Runs `f` `iters` times in 5 batches after a warm-up.
fn measure(name: &'static str, iters: u32, mut f: impl FnMut()) -> Case {
    for _ in 0..200 {
        f();
    }
    let batch = (iters / 5).max(1);
    let mut total = Duration::ZERO;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        for _ in 0..batch {
            f();
        }
        let took = started.elapsed();
        total += took;
        best = best.min(took / batch);
    }
    let c = Case {
        name,
        per_call: total / (batch * 5),
        best,
    };
    eprintln!(
        "rpc: {name}: {:?} per call (best batch {:?})",
        c.per_call, c.best
    );
    c
}

/// `v` with every unknown replaced by a known value of its type (a string,
/// 1, false, an empty collection, or null for an object), as state after
/// apply has no unknowns.
fn applied(v: &Value, ty: &Type) -> Value {
    match (v, ty) {
        (Value::Unknown, Type::String) => {
            Value::String("arn:aws:rds:us-east-1:123456789012:known".into())
        }
        (Value::Unknown, Type::Number) => Value::Number(1i64.into()),
        (Value::Unknown, Type::Bool) => Value::Bool(false),
        (Value::Unknown, Type::List(_)) => Value::List(vec![]),
        (Value::Unknown, Type::Set(_)) => Value::Set(vec![]),
        (Value::Unknown, Type::Map(_)) => Value::Map(Default::default()),
        (Value::Unknown, _) => Value::Null,
        (Value::Object(attrs), Type::Object(types)) => Value::Object(
            attrs
                .iter()
                .map(|(k, v)| (k.clone(), applied(v, &types[k])))
                .collect(),
        ),
        (Value::Map(items), Type::Map(e)) => Value::Map(
            items
                .iter()
                .map(|(k, v)| (k.clone(), applied(v, e)))
                .collect(),
        ),
        (Value::List(items), Type::List(e)) => {
            Value::List(items.iter().map(|v| applied(v, e)).collect())
        }
        (Value::Set(items), Type::Set(e)) => {
            Value::Set(items.iter().map(|v| applied(v, e)).collect())
        }
        (other, _) => other.clone(),
    }
}

fn main() {
    let iters: u32 = std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = engine::Server::new(ReplicationProvider::default());
    let caps = ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    };

    let provider_ty = server.provider_schema().block.value_type();
    let provider_cfg =
        tf::json::decode(PROVIDER.as_bytes(), &provider_ty).expect("provider config");
    let diags = rt.block_on(server.configure(&provider_cfg, caps));
    assert!(!diags.has_errors(), "configure: {diags:?}");

    let ty = server
        .resource_schema(TYPE)
        .expect("resource schema")
        .block
        .value_type();
    let config = tf::json::decode(CONFIG.as_bytes(), &ty).expect("config decodes");
    let config_mp = tf::msgpack::encode(&config, &ty).expect("msgpack encode");
    let null_mp = tf::msgpack::encode(&Value::Null, &ty).expect("msgpack null");

    // Sanity: the config validates and plans without errors.
    let d = server.validate_resource(TYPE, &config, caps);
    assert!(!d.has_errors(), "validate: {d:?}");
    let planned = rt.block_on(server.plan(
        TYPE,
        PlanRequest {
            prior: Value::Null,
            proposed: config.clone(),
            config: config.clone(),
            prior_private: vec![],
        },
        caps,
    ));
    assert!(
        !planned.diagnostics.has_errors(),
        "plan: {:?}",
        planned.diagnostics
    );
    let planned_mp = tf::msgpack::encode(&planned.planned, &ty).expect("planned encodes");
    let settings = tf::json::decode(CONFIG_SETTINGS.as_bytes(), &ty).expect("settings decode");
    let settings_mp = tf::msgpack::encode(&settings, &ty).expect("msgpack encode");
    let d = server.validate_resource(TYPE, &settings, caps);
    assert!(!d.has_errors(), "validate settings: {d:?}");

    // The stored state of the applied topology, as Terraform keeps it.
    let state = applied(&planned.planned, &ty);
    let state_json = tf::json::encode(&state, &ty).expect("state as JSON");
    let direct = tf::json::to_msgpack_ignoring_undefined(&state_json, &ty)
        .expect("the direct path takes the stored state");
    let through_value = {
        let v = tf::json::decode_ignoring_undefined(&state_json, &ty).expect("state decodes");
        tf::msgpack::encode(&v, &ty).expect("state encodes")
    };
    assert_eq!(direct, through_value, "both paths give the same msgpack");

    let cases = vec![
        measure("GetProviderSchema", iters, || {
            let p = server.provider_schema();
            let r = server.resource_schemas();
            let d = server.data_source_schemas();
            let l = server.list_resource_schemas();
            let attributes: usize = r
                .values()
                .chain(d.values())
                .chain(l.values())
                .chain([p])
                .map(|s| s.block.attributes.len())
                .sum();
            std::hint::black_box(attributes);
        }),
        measure("ValidateResourceConfig", iters, || {
            let ty = server.resource_type(TYPE).expect("type");
            let config = tf::msgpack::decode(&config_mp, ty).expect("decode");
            let d = server.validate_resource(TYPE, &config, caps);
            std::hint::black_box(d);
        }),
        measure("PlanResourceChange (3 regions, 6 instances)", iters, || {
            let ty = server.resource_type(TYPE).expect("type");
            let prior = tf::msgpack::decode(&null_mp, ty).expect("prior");
            let proposed = tf::msgpack::decode(&config_mp, ty).expect("proposed");
            let config = tf::msgpack::decode(&config_mp, ty).expect("config");
            let resp = rt.block_on(server.plan(
                TYPE,
                PlanRequest {
                    prior,
                    proposed,
                    config,
                    prior_private: vec![],
                },
                caps,
            ));
            let out = tf::msgpack::encode(&resp.planned, ty).expect("encode");
            std::hint::black_box(out);
        }),
        measure(
            "PlanResourceChange (3 regions, 6 instances, every setting)",
            iters,
            || {
                let ty = server.resource_type(TYPE).expect("type");
                let prior = tf::msgpack::decode(&null_mp, ty).expect("prior");
                let proposed = tf::msgpack::decode(&settings_mp, ty).expect("proposed");
                let config = tf::msgpack::decode(&settings_mp, ty).expect("config");
                let resp = rt.block_on(server.plan(
                    TYPE,
                    PlanRequest {
                        prior,
                        proposed,
                        config,
                        prior_private: vec![],
                    },
                    caps,
                ));
                assert!(!resp.diagnostics.has_errors(), "{:?}", resp.diagnostics);
                let out = tf::msgpack::encode(&resp.planned, ty).expect("encode");
                std::hint::black_box(out);
            },
        ),
        measure("UpgradeResourceState (stored state, direct)", iters, || {
            let ty = server.resource_type(TYPE).expect("type");
            let out = tf::json::to_msgpack_ignoring_undefined(&state_json, ty).expect("direct");
            std::hint::black_box(out);
        }),
        measure(
            "UpgradeResourceState (stored state, through a value)",
            iters,
            || {
                let ty = server.resource_type(TYPE).expect("type");
                let v = tf::json::decode_ignoring_undefined(&state_json, ty).expect("decode");
                let out = tf::msgpack::encode(&v, ty).expect("encode");
                std::hint::black_box(out);
            },
        ),
    ];

    println!("## Provider-side cost per RPC\n");
    println!(
        "In-process through the engine API (`engine::Server` over `ReplicationProvider`), no gRPC transport and no AWS call; {} iterations per case after 200 warm-up calls, one thread. The config is a 3-region, 6-instance topology ({} bytes as msgpack; planned state {} bytes; stored state after apply {} bytes as JSON). UpgradeResourceState is measured on both of its paths: direct (JSON straight to msgpack, what the provider does for state at its schema version) and through a value (decode, then encode: what it did before, and still does for state the direct path leaves to it).\n",
        (iters / 5).max(1) * 5,
        config_mp.len(),
        planned_mp.len(),
        state_json.len()
    );
    println!("| RPC | mean per call | best batch mean | target |");
    println!("|---|---|---|---|");
    for c in &cases {
        println!(
            "| {} | {:.1} µs | {:.1} µs | {} |",
            c.name,
            c.per_call.as_secs_f64() * 1e6,
            c.best.as_secs_f64() * 1e6,
            if c.name.starts_with("UpgradeResourceState") {
                "—"
            } else {
                "< 1 ms"
            }
        );
    }
    println!();
}
