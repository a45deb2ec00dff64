//! Starting from what exists (SPEC §8), end to end on every host against an
//! in-process `aurora-emulator`: a standalone cluster made with aws-sdk-rds
//! grows into a two-region global database with
//! `source_db_cluster_identifier` (same DbClusterResourceId, still the
//! writer, nothing mutated while an undeclared instance stops the apply),
//! and a DB cluster snapshot is restored into a new global database with
//! `snapshot_identifier`. Both are plain attributes, so every host runs
//! them.

use std::time::{Duration, Instant};

use crate::common;

use common::{config, gci, per_host, plan_code, text, tf_ok, Call, Emu, Workdir, FAST_POLL};

pub(crate) const SCALE: f64 = 0.003;
pub(crate) const EAST: &str = "us-east-1";
const PASSWORD: &str = "correct-horse-battery";

/// Polls DescribeDBClusters / DescribeDBInstances until `cluster` and the
/// `instances` are available.
pub(crate) fn wait_available(emu: &Emu, cluster: &str, instances: &[String]) {
    let rds = emu.rds(EAST);
    let deadline = Instant::now() + Duration::from_secs(60);
    // Not found yet counts as not available: AWS (and the emulator in its
    // realistic mode) may not show an object right after its create.
    loop {
        let cluster_ok = emu
            .block_on(
                rds.describe_db_clusters()
                    .db_cluster_identifier(cluster)
                    .send(),
            )
            .is_ok_and(|c| c.db_clusters()[0].status() == Some("available"));
        let mut instances_ok = true;
        for i in instances {
            instances_ok &= emu
                .block_on(rds.describe_db_instances().db_instance_identifier(i).send())
                .is_ok_and(|out| out.db_instances()[0].db_instance_status() == Some("available"));
        }
        if cluster_ok && instances_ok {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{cluster} did not become available"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A standalone aurora-postgresql 16.4 cluster `id` in us-east-1 with one
/// db.r6g.large instance `<id>-<key>` per key, made through aws-sdk-rds and
/// waited for. Returns its DbClusterResourceId.
pub(crate) fn standalone(emu: &Emu, id: &str, keys: &[&str]) -> String {
    let rds = emu.rds(EAST);
    emu.block_on(
        rds.create_db_cluster()
            .db_cluster_identifier(id)
            .engine("aurora-postgresql")
            .engine_version("16.4")
            .master_username("app")
            .master_user_password(PASSWORD)
            .database_name("orders")
            .send(),
    )
    .unwrap();
    let instances: Vec<String> = keys.iter().map(|k| format!("{id}-{k}")).collect();
    for i in &instances {
        emu.block_on(
            rds.create_db_instance()
                .db_instance_identifier(i)
                .db_cluster_identifier(id)
                .engine("aurora-postgresql")
                .db_instance_class("db.r6g.large")
                .send(),
        )
        .unwrap();
    }
    wait_available(emu, id, &instances);
    resource_id(emu, id)
}

/// The cluster's DbClusterResourceId.
pub(crate) fn resource_id(emu: &Emu, id: &str) -> String {
    let out = emu
        .block_on(
            emu.rds(EAST)
                .describe_db_clusters()
                .db_cluster_identifier(id)
                .send(),
        )
        .unwrap();
    out.db_clusters()[0]
        .db_cluster_resource_id()
        .unwrap()
        .to_string()
}

/// (members, writer cluster identifier) of global cluster `gid`, from
/// DescribeGlobalClusters.
pub(crate) fn members(emu: &Emu, gid: &str) -> (usize, String) {
    let out = emu
        .block_on(
            emu.rds(EAST)
                .describe_global_clusters()
                .global_cluster_identifier(gid)
                .send(),
        )
        .unwrap();
    let g = &out.global_clusters()[0];
    let writer = g
        .global_cluster_members()
        .iter()
        .find(|m| m.is_writer() == Some(true))
        .and_then(|m| m.db_cluster_arn())
        .and_then(|arn| arn.rsplit(':').next())
        .unwrap_or_default()
        .to_string();
    (g.global_cluster_members().len(), writer)
}

/// The calls of the log that change something.
pub(crate) fn mutating(calls: &[Call]) -> Vec<&Call> {
    calls.iter().filter(|c| !c.is_read()).collect()
}

/// `regions` of a grown topology: the source's region with `primary`
/// instance keys, and a secondary with one instance.
pub(crate) fn grow_body(source: &str, primary: &[&str]) -> String {
    let instances = primary
        .iter()
        .map(|k| format!("{k} = {{}}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"  source_db_cluster_identifier = "{source}"
  primary_region               = "us-east-1"
  skip_final_snapshot          = true
  regions = {{
    "us-east-1" = {{ instance_class = "db.r6g.large", instances = {{ {instances} }} }}
    "eu-west-1" = {{ instance_class = "db.r6g.large", instances = {{ a = {{}} }} }}
  }}
"#
    )
}

#[test]
fn grow_a_standalone_cluster_into_a_global_database() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("grow", host);
        let source = format!("{id}-legacy");
        let before = standalone(&emu, &source, &["a", "b"]);

        // Instance b exists but is not declared: nothing changes.
        let w = Workdir::new(&config(&emu, &id, &grow_body(&source, &["a"])));
        emu.clear_calls();
        let out = w.run_env(host, &["apply", "-auto-approve", "-no-color"], &FAST_POLL);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Source Cluster Has Undeclared Instances")
                && err.contains(&format!("identifier = \"{source}-b\"")),
            "{}: {err}",
            host.name
        );
        let calls = emu.calls();
        assert!(
            mutating(&calls).is_empty(),
            "{}: mutating calls before the refusal: {:?}",
            host.name,
            mutating(&calls)
        );
        assert!(
            calls.iter().any(|c| c.action == "DescribeDBInstances"),
            "{}: the source's instances were not read: {calls:?}",
            host.name
        );

        // Declared (plus a new instance c): grown in place.
        w.write(
            "main.tf",
            &config(&emu, &id, &grow_body(&source, &["a", "b", "c"])),
        );
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        assert_eq!(
            resource_id(&emu, &source),
            before,
            "{}: the source was replaced",
            host.name
        );
        let (n, writer) = members(&emu, &id);
        assert_eq!((n, writer.as_str()), (2, source.as_str()), "{}", host.name);
        let calls = emu.calls();
        let sent = |action: &str| {
            calls
                .iter()
                .filter(|c| c.action == action && c.code.is_none())
                .count()
        };
        assert_eq!(sent("CreateGlobalCluster"), 1, "{}", host.name);
        // The secondary only: the source is not re-created.
        assert_eq!(
            emu.call_regions("CreateDBCluster"),
            vec!["eu-west-1".to_string()],
            "{}",
            host.name
        );
        // c in the source's region, a in the secondary.
        assert_eq!(sent("CreateDBInstance"), 2, "{}", host.name);
        // No password configured: nothing is sent to the source.
        for forbidden in [
            "DeleteDBCluster",
            "DeleteDBInstance",
            "RebootDBInstance",
            "ModifyDBInstance",
            "ModifyDBCluster",
        ] {
            assert_eq!(sent(forbidden), 0, "{}: {forbidden}", host.name);
        }
        let mut ids = emu.instance_ids(EAST);
        ids.sort();
        assert_eq!(
            ids,
            ["a", "b", "c"].map(|k| format!("{source}-{k}")).to_vec(),
            "{}",
            host.name
        );
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 0, "{}: second plan: {}", host.name, text(&out));

        // The attribute is a record: changing it is a plan error.
        w.write(
            "main.tf",
            &config(&emu, &id, &grow_body("someone-else", &["a", "b", "c"])),
        );
        let out = w.run_env(host, &["plan", "-no-color"], &FAST_POLL);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("Source Cluster Cannot Change"),
            "{}: {}",
            host.name,
            text(&out)
        );
    });
}

#[test]
fn a_source_that_contradicts_the_configuration_is_refused_before_any_change() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("growbad", host);
        let source = format!("{id}-legacy");
        standalone(&emu, &source, &["a"]);
        let body = grow_body(&source, &["a"])
            + "  engine_version = \"15.4\"\n  database_name = \"other\"\n";
        let w = Workdir::new(&config(&emu, &id, &body));
        emu.clear_calls();
        let out = w.run_env(host, &["apply", "-auto-approve", "-no-color"], &FAST_POLL);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.matches("Configuration Contradicts The Source").count() == 2
                && err.contains("engine_version")
                && err.contains("database_name"),
            "{}: {err}",
            host.name
        );
        assert!(mutating(&emu.calls()).is_empty(), "{}", host.name);
    });
}

#[test]
fn restore_a_snapshot_into_a_new_global_database() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("restore", host);
        let source = format!("{id}-old");
        standalone(&emu, &source, &["a"]);
        let snapshot = format!("{id}-snap");
        let rds = emu.rds(EAST);
        emu.block_on(
            rds.create_db_cluster_snapshot()
                .db_cluster_identifier(&source)
                .db_cluster_snapshot_identifier(&snapshot)
                .send(),
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let out = emu
                .block_on(
                    rds.describe_db_cluster_snapshots()
                        .db_cluster_snapshot_identifier(&snapshot)
                        .send(),
                )
                .unwrap();
            if out.db_cluster_snapshots()[0].status() == Some("available") {
                break;
            }
            assert!(Instant::now() < deadline, "snapshot not available");
            std::thread::sleep(Duration::from_millis(50));
        }
        let body = format!(
            r#"  snapshot_identifier = "{snapshot}"
  master_password     = "a-new-password-for-the-copy"
  primary_region      = "us-east-1"
  skip_final_snapshot = true
  regions = {{
    "us-east-1" = {{ instance_class = "db.r6g.large", instances = {{ a = {{}} }} }}
    "eu-west-1" = {{ instance_class = "db.r6g.large", instances = {{ a = {{}} }} }}
  }}
"#
        );
        let w = Workdir::new(&config(&emu, &id, &body));
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let primary = format!("{id}-us-east-1");
        assert_eq!(members(&emu, &id), (2, primary.clone()), "{}", host.name);
        assert_eq!(
            emu.call_regions("RestoreDBClusterFromSnapshot"),
            vec![EAST.to_string()],
            "{}",
            host.name
        );
        // The primary was restored, not created; the secondary was created.
        assert_eq!(
            emu.call_regions("CreateDBCluster"),
            vec!["eu-west-1".to_string()],
            "{}",
            host.name
        );
        // A password given anyway is set on the restored primary afterwards.
        assert_eq!(
            emu.call_regions("ModifyDBCluster"),
            vec![EAST.to_string()],
            "{}",
            host.name
        );
        // The snapshot's source is left alone.
        let calls = emu.calls();
        assert!(
            !calls.iter().any(|c| c.action.starts_with("Delete")),
            "{}: {calls:?}",
            host.name
        );
        assert!(emu.cluster_ids(EAST).contains(&source), "{}", host.name);
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 0, "{}: second plan: {}", host.name, text(&out));
        // Another snapshot replaces the topology.
        w.write(
            "main.tf",
            &config(&emu, &id, &body.replace(&snapshot, "another-snap")),
        );
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 2, "{}", host.name);
        assert!(
            text(&out).contains("must be replaced"),
            "{}: {}",
            host.name,
            text(&out)
        );
    });
}
