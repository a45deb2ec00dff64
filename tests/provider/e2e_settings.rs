//! Production settings end to end on both hosts: a production-grade topology
//! is created with every setting, each one is checked on the emulator's
//! objects through the RDS API, settings change in place (same cluster
//! resource id), an out-of-band change shows as drift, invalid values are
//! plan-time errors, and a deferred change leaves an empty plan until AWS
//! applies it at the maintenance window.

use crate::common;

use common::{config, gci, per_host, plan_code, regions, text, tf_ok, Emu, Workdir};

const ROLE: &str = "arn:aws:iam::123456789012:role/rds-monitoring";

/// The settings that change during the test.
struct Knobs {
    retention: u32,
    max_acu: u32,
    monitoring: u32,
    iam: bool,
    apply_immediately: bool,
}

const FIRST: Knobs = Knobs {
    retention: 14,
    max_acu: 16,
    monitoring: 30,
    iam: false,
    apply_immediately: true,
};

fn body(k: &Knobs) -> String {
    let east = format!(
        r#"    "us-east-1" = {{
      instance_class                        = "db.serverless"
      serverlessv2_scaling_configuration    = {{ min_capacity = 0.5, max_capacity = {max} }}
      storage_type                          = "aurora-iopt1"
      backup_retention_period               = {ret}
      preferred_backup_window               = "03:00-04:00"
      preferred_maintenance_window          = "sun:05:00-sun:06:00"
      copy_tags_to_snapshot                 = true
      iam_database_authentication_enabled   = {iam}
      port                                  = 5432
      enabled_cloudwatch_logs_exports       = ["postgresql"]
      network_type                          = "IPV4"
      performance_insights_enabled          = true
      performance_insights_retention_period = 7
      monitoring_interval                   = {mon}
      monitoring_role_arn                   = "{ROLE}"
      auto_minor_version_upgrade            = true
      ca_cert_identifier                    = "rds-ca-rsa2048-g1"
      instances = {{
        a = {{ promotion_tier = 0 }}
        b = {{ instance_class = "db.r6g.large", performance_insights_enabled = false, availability_zone = "us-east-1b" }}
      }}
    }}"#,
        max = k.max_acu,
        ret = k.retention,
        iam = k.iam,
        mon = k.monitoring,
    );
    let west = r#"    "eu-west-1" = {
      instance_class                     = "db.serverless"
      serverlessv2_scaling_configuration = { min_capacity = 1, max_capacity = 8 }
      backup_retention_period            = 7
      instances = { a = {} }
    }"#;
    format!(
        "  engine_version = \"16.4\"\n  master_password = \"settings-password-1\"\n  skip_final_snapshot = true\n  engine_lifecycle_support = \"open-source-rds-extended-support-disabled\"\n  apply_immediately = {}\n{}",
        k.apply_immediately,
        regions(&[&east, west])
    )
}

fn cluster(emu: &Emu, region: &str, id: &str) -> aws_sdk_rds::types::DbCluster {
    let out = emu
        .block_on(
            emu.rds(region)
                .describe_db_clusters()
                .db_cluster_identifier(format!("{id}-{region}"))
                .send(),
        )
        .unwrap_or_else(|e| panic!("DescribeDBClusters {region}: {e:?}"));
    out.db_clusters().first().cloned().expect("cluster")
}

fn instance(emu: &Emu, region: &str, id: &str) -> aws_sdk_rds::types::DbInstance {
    let out = emu
        .block_on(
            emu.rds(region)
                .describe_db_instances()
                .db_instance_identifier(id)
                .send(),
        )
        .unwrap_or_else(|e| panic!("DescribeDBInstances {id}: {e:?}"));
    out.db_instances().first().cloned().expect("instance")
}

/// `regions["us-east-1"].pending_changes` in the state.
fn pending_in_state(w: &Workdir, host: &common::Host) -> serde_json::Value {
    // `state pull`: OpenTofu 1.6 cannot `show -json` a state with a
    // development override.
    let out = tf_ok(w, host, &["state", "pull"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("state pull");
    v["resources"][0]["instances"][0]["attributes"]["regions"]["us-east-1"]["pending_changes"]
        .clone()
}

#[test]
fn production_settings_create_change_drift_and_defer() {
    per_host(|host| {
        let h = host.name;
        let emu = Emu::start(0.002);
        let id = gci("set", host);
        let w = Workdir::new(&config(&emu, &id, &body(&FIRST)));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);

        // Every setting on the objects, as AWS reports them.
        let east = cluster(&emu, "us-east-1", &id);
        let scaling = east.serverless_v2_scaling_configuration().expect("scaling");
        assert_eq!(scaling.min_capacity(), Some(0.5), "{h}");
        assert_eq!(scaling.max_capacity(), Some(16.0), "{h}");
        assert_eq!(east.storage_type(), Some("aurora-iopt1"), "{h}");
        assert_eq!(east.backup_retention_period(), Some(14), "{h}");
        assert_eq!(east.preferred_backup_window(), Some("03:00-04:00"), "{h}");
        assert_eq!(
            east.preferred_maintenance_window(),
            Some("sun:05:00-sun:06:00"),
            "{h}"
        );
        assert_eq!(east.copy_tags_to_snapshot(), Some(true), "{h}");
        assert_eq!(
            east.iam_database_authentication_enabled(),
            Some(false),
            "{h}"
        );
        assert_eq!(east.port(), Some(5432), "{h}");
        assert_eq!(
            east.enabled_cloudwatch_logs_exports(),
            ["postgresql"],
            "{h}"
        );
        assert_eq!(east.network_type(), Some("IPV4"), "{h}");
        assert_eq!(
            east.engine_lifecycle_support(),
            Some("open-source-rds-extended-support-disabled"),
            "{h}"
        );
        let west = cluster(&emu, "eu-west-1", &id);
        let ws = west
            .serverless_v2_scaling_configuration()
            .expect("west scaling");
        assert_eq!(
            (ws.min_capacity(), ws.max_capacity()),
            (Some(1.0), Some(8.0)),
            "{h}"
        );
        assert_eq!(west.backup_retention_period(), Some(7), "{h}");
        let a = instance(&emu, "us-east-1", &format!("{id}-us-east-1-a"));
        assert_eq!(a.db_instance_class(), Some("db.serverless"), "{h}");
        assert_eq!(a.performance_insights_enabled(), Some(true), "{h}");
        assert_eq!(a.performance_insights_retention_period(), Some(7), "{h}");
        assert_eq!(a.monitoring_interval(), Some(30), "{h}");
        assert_eq!(a.monitoring_role_arn(), Some(ROLE), "{h}");
        assert_eq!(a.auto_minor_version_upgrade(), Some(true), "{h}");
        assert_eq!(
            a.ca_certificate_identifier(),
            Some("rds-ca-rsa2048-g1"),
            "{h}"
        );
        let b = instance(&emu, "us-east-1", &format!("{id}-us-east-1-b"));
        assert_eq!(
            b.db_instance_class(),
            Some("db.r6g.large"),
            "{h}: own class wins"
        );
        assert_eq!(
            b.performance_insights_enabled(),
            Some(false),
            "{h}: own value wins"
        );
        assert_eq!(b.monitoring_interval(), Some(30), "{h}: region default");
        assert_eq!(b.availability_zone(), Some("us-east-1b"), "{h}");
        assert_eq!(plan_code(&w, host).0, 0, "{h}: plan after create");

        // In place: the same cluster (resource id) with the new values.
        let resource_id = east.db_cluster_resource_id().map(str::to_string);
        let second = Knobs {
            retention: 21,
            max_acu: 32,
            monitoring: 60,
            ..FIRST
        };
        w.write("main.tf", &config(&emu, &id, &body(&second)));
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 2, "{h}");
        assert!(
            !text(&out).contains("must be replaced"),
            "{h}: {}",
            text(&out)
        );
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let east = cluster(&emu, "us-east-1", &id);
        assert_eq!(
            east.db_cluster_resource_id().map(str::to_string),
            resource_id,
            "{h}"
        );
        assert_eq!(east.backup_retention_period(), Some(21), "{h}");
        assert_eq!(
            east.serverless_v2_scaling_configuration()
                .and_then(|s| s.max_capacity()),
            Some(32.0),
            "{h}"
        );
        let a = instance(&emu, "us-east-1", &format!("{id}-us-east-1-a"));
        assert_eq!(a.monitoring_interval(), Some(60), "{h}");
        assert!(
            emu.call_regions("CreateDBCluster").is_empty(),
            "{h}: nothing recreated"
        );
        assert_eq!(plan_code(&w, host).0, 0, "{h}: plan after the change");

        // Drift: an out-of-band change shows in the plan, and apply restores it.
        emu.block_on(
            emu.rds("us-east-1")
                .modify_db_cluster()
                .db_cluster_identifier(format!("{id}-us-east-1"))
                .backup_retention_period(5)
                .apply_immediately(true)
                .send(),
        )
        .expect("out-of-band ModifyDBCluster");
        emu.wait_settled(&id);
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 2, "{h}: drift must show");
        assert!(
            text(&out).contains("backup_retention_period"),
            "{h}: {}",
            text(&out)
        );
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        assert_eq!(
            cluster(&emu, "us-east-1", &id).backup_retention_period(),
            Some(21),
            "{h}"
        );

        // Invalid values are plan-time errors naming the attribute and rule.
        let mut bad = body(&second).replace(
            "backup_retention_period               = 21",
            "backup_retention_period               = 40",
        );
        bad = bad.replace(
            "port                                  = 5432",
            "port                                  = 80",
        );
        bad = bad.replace(
            "monitoring_interval                   = 60",
            "monitoring_interval                   = 20",
        );
        bad = bad.replace("\"sun:05:00-sun:06:00\"", "\"sun:03:30-sun:04:30\"");
        w.write("main.tf", &config(&emu, &id, &bad));
        let out = w.run(host, &["plan", "-no-color"]);
        assert!(
            !out.status.success(),
            "{h}: invalid values must fail the plan"
        );
        // Hosts wrap long details: compare with whitespace runs as one space.
        let t = text(&out).split_whitespace().collect::<Vec<_>>().join(" ");
        for (attr, rule) in [
            ("regions[\"us-east-1\"].backup_retention_period:", "1 to 35"),
            ("regions[\"us-east-1\"].port:", "1150 to 65535"),
            (
                "regions[\"us-east-1\"].monitoring_interval:",
                "0, 1, 5, 10, 15, 30 or 60",
            ),
            (
                "regions[\"us-east-1\"].preferred_backup_window:",
                "must not overlap",
            ),
        ] {
            assert!(t.contains(attr) && t.contains(rule), "{h}: {attr}: {t}");
        }

        // Deferred: AWS holds the change for the maintenance window; the
        // next plan is empty; once applied, refresh clears the record.
        let deferred = Knobs {
            iam: true,
            apply_immediately: false,
            ..second
        };
        w.write("main.tf", &config(&emu, &id, &body(&deferred)));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let east = cluster(&emu, "us-east-1", &id);
        assert_eq!(
            east.iam_database_authentication_enabled(),
            Some(false),
            "{h}: not yet"
        );
        assert_eq!(
            east.pending_modified_values()
                .and_then(|p| p.iam_database_authentication_enabled()),
            Some(true),
            "{h}: pending"
        );
        assert_eq!(
            pending_in_state(&w, host),
            serde_json::json!({ "iam_database_authentication_enabled": "true" }),
            "{h}"
        );
        assert_eq!(plan_code(&w, host).0, 0, "{h}: no perpetual diff");
        emu.admin()
            .apply_pending_maintenance(None)
            .expect("maintenance window");
        emu.wait_settled(&id);
        assert_eq!(
            cluster(&emu, "us-east-1", &id).iam_database_authentication_enabled(),
            Some(true),
            "{h}: applied"
        );
        tf_ok(
            &w,
            host,
            &["apply", "-refresh-only", "-auto-approve", "-no-color"],
        );
        assert_eq!(pending_in_state(&w, host), serde_json::json!({}), "{h}");
        assert_eq!(
            plan_code(&w, host).0,
            0,
            "{h}: after the maintenance window"
        );

        tf_ok(&w, host, &["destroy", "-auto-approve", "-no-color"]);
    });
}
