//! Starting from what exists: CreateGlobalCluster from a source cluster,
//! CreateDBClusterSnapshot and RestoreDBClusterFromSnapshot, each rule with
//! its code, through the real aws-sdk-rds client.

use crate::common::*;
use aurora_emulator::{Behaviour, Fault, RunningEmulator};
use aws_sdk_rds::error::ProvideErrorMetadata;
use aws_sdk_rds::Client;

/// Code and message of a failed call.
fn failure<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, E>,
) -> (String, String) {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => (
            e.code().unwrap_or_default().to_string(),
            e.message().unwrap_or_default().to_string(),
        ),
    }
}

/// A standalone aurora-postgresql 16.1 cluster `id` in EAST, encrypted,
/// with database `appdb`, master user `app` and one instance `{id}-1`;
/// the clock is moved on until both are available.
async fn standalone(emu: &RunningEmulator, id: &str) -> Client {
    let east = client(emu, EAST);
    east.create_db_cluster()
        .db_cluster_identifier(id)
        .engine(PG)
        .engine_version("16.1")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .storage_encrypted(true)
        .database_name("appdb")
        .port(5433)
        .send()
        .await
        .unwrap();
    east.create_db_instance()
        .db_instance_identifier(format!("{id}-1"))
        .db_cluster_identifier(id)
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    advance(emu, 3600).await;
    east
}

async fn cluster(east: &Client, id: &str) -> aws_sdk_rds::types::DbCluster {
    east.describe_db_clusters()
        .db_cluster_identifier(id)
        .send()
        .await
        .unwrap()
        .db_clusters()[0]
        .clone()
}

async fn global_status(east: &Client, id: &str) -> String {
    east.describe_global_clusters()
        .global_cluster_identifier(id)
        .send()
        .await
        .unwrap()
        .global_clusters()[0]
        .status()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn grow_makes_the_standalone_cluster_the_writer_in_place() {
    let emu = emulator(1.0).await;
    let east = standalone(&emu, "solo").await;
    let before = cluster(&east, "solo").await;
    assert_eq!(before.status(), Some("available"));

    let g = east
        .create_global_cluster()
        .global_cluster_identifier("orders")
        .source_db_cluster_identifier(cluster_arn(EAST, "solo"))
        .send()
        .await
        .unwrap();
    let g = g.global_cluster().unwrap();
    assert_eq!(g.status(), Some("creating"));
    assert_eq!(g.engine(), Some(PG));
    assert_eq!(g.engine_version(), Some("16.1"));
    assert_eq!(g.storage_encrypted(), Some(true));
    assert_eq!(g.database_name(), Some("appdb"));
    let members = g.global_cluster_members();
    assert_eq!(members.len(), 1);
    assert_eq!(
        members[0].db_cluster_arn(),
        Some(&*cluster_arn(EAST, "solo"))
    );
    assert_eq!(members[0].is_writer(), Some(true));

    // The cluster itself is untouched: same resource id, endpoints,
    // instances and writer; it now names its global cluster.
    let after = cluster(&east, "solo").await;
    assert_eq!(
        after.db_cluster_resource_id(),
        before.db_cluster_resource_id()
    );
    assert_eq!(after.endpoint(), before.endpoint());
    assert_eq!(after.reader_endpoint(), before.reader_endpoint());
    assert_eq!(after.status(), Some("available"));
    assert_eq!(after.global_cluster_identifier(), Some("orders"));
    let writers: Vec<_> = after
        .db_cluster_members()
        .iter()
        .filter(|m| m.is_cluster_writer() == Some(true))
        .filter_map(|m| m.db_instance_identifier())
        .collect();
    assert_eq!(writers, ["solo-1"]);

    // `creating` for the CreateGlobalCluster duration (60 s), then available.
    advance(&emu, 55).await;
    assert_eq!(global_status(&east, "orders").await, "creating");
    advance(&emu, 10).await;
    assert_eq!(global_status(&east, "orders").await, "available");

    // A secondary joins as with any other global cluster (encrypted: its own key).
    let west = client(&emu, WEST);
    west.create_db_cluster()
        .db_cluster_identifier("solo-west")
        .engine(PG)
        .global_cluster_identifier("orders")
        .kms_key_id("arn:aws:kms:us-west-2:123456789012:key/west")
        .send()
        .await
        .unwrap();
    let secondary = cluster(&west, "solo-west").await;
    assert_eq!(secondary.engine_version(), Some("16.1"));
    assert_eq!(secondary.master_username(), Some("app"));
}

#[tokio::test]
async fn grow_refusals_carry_aws_codes_and_change_nothing() {
    let emu = emulator(1.0).await;
    let east = standalone(&emu, "solo").await;
    let arn = cluster_arn(EAST, "solo");
    let create = || {
        east.create_global_cluster()
            .global_cluster_identifier("orders")
            .source_db_cluster_identifier(&arn)
    };

    // Inherited settings are refused whatever their value, even the source's own.
    for (req, name) in [
        (create().engine(PG), "engineName"),
        (create().engine_version("16.1"), "engineVersion"),
        (create().database_name("appdb"), "databaseName"),
        (create().storage_encrypted(true), "storageEncrypted"),
    ] {
        let (code, message) = failure(req.send().await);
        assert_eq!(code, "InvalidParameterCombination", "{name}");
        assert_eq!(
            message,
            format!("When creating global cluster from existing db cluster, value for {name} should not be specified since it will be inherited from source cluster")
        );
    }

    // The API takes the source's ARN.
    let (code, _) = failure(
        east.create_global_cluster()
            .global_cluster_identifier("orders")
            .source_db_cluster_identifier("solo")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterValue");

    let (code, _) = failure(
        east.create_global_cluster()
            .global_cluster_identifier("orders")
            .source_db_cluster_identifier(cluster_arn(EAST, "nope"))
            .send()
            .await,
    );
    assert_eq!(code, "DBClusterNotFoundFault");

    // Nothing was created by any refusal.
    assert!(east
        .describe_global_clusters()
        .send()
        .await
        .unwrap()
        .global_clusters()
        .is_empty());
    assert_eq!(
        cluster(&east, "solo").await.global_cluster_identifier(),
        None
    );

    // A source that is not available.
    east.create_db_cluster()
        .db_cluster_identifier("young")
        .engine(PG)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    let (code, _) = failure(
        east.create_global_cluster()
            .global_cluster_identifier("orders")
            .source_db_cluster_identifier(cluster_arn(EAST, "young"))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidDBClusterStateFault", "source still creating");

    // A source already in a global cluster, as primary or as secondary.
    create().send().await.unwrap();
    let (code, _) = failure(
        east.create_global_cluster()
            .global_cluster_identifier("again")
            .source_db_cluster_identifier(&arn)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidDBClusterStateFault", "already a primary");
    advance(&emu, 120).await;
    client(&emu, WEST)
        .create_db_cluster()
        .db_cluster_identifier("solo-west")
        .engine(PG)
        .global_cluster_identifier("orders")
        .kms_key_id("arn:aws:kms:us-west-2:123456789012:key/west")
        .send()
        .await
        .unwrap();
    advance(&emu, 3600).await;
    let (code, _) = failure(
        east.create_global_cluster()
            .global_cluster_identifier("again")
            .source_db_cluster_identifier(cluster_arn(WEST, "solo-west"))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidDBClusterStateFault", "already a secondary");
}

fn snapshot_arn(region: &str, id: &str) -> String {
    format!("arn:aws:rds:{region}:123456789012:cluster-snapshot:{id}")
}

async fn snapshot(east: &Client, id: &str) -> aws_sdk_rds::types::DbClusterSnapshot {
    east.describe_db_cluster_snapshots()
        .db_cluster_snapshot_identifier(id)
        .send()
        .await
        .unwrap()
        .db_cluster_snapshots()[0]
        .clone()
}

/// `standalone` plus an available manual snapshot `snap` of it.
async fn with_snapshot(emu: &RunningEmulator) -> Client {
    let east = standalone(emu, "src").await;
    east.create_db_cluster_snapshot()
        .db_cluster_snapshot_identifier("snap")
        .db_cluster_identifier("src")
        .send()
        .await
        .unwrap();
    advance(emu, 600).await;
    east
}

#[tokio::test]
async fn cluster_snapshot_copies_the_cluster_and_becomes_available() {
    let emu = emulator(1.0).await;
    let east = standalone(&emu, "src").await;
    let src = cluster(&east, "src").await;
    let s = east
        .create_db_cluster_snapshot()
        .db_cluster_snapshot_identifier("Nightly-1")
        .db_cluster_identifier(cluster_arn(EAST, "src"))
        .tags(tag("team", "db"))
        .send()
        .await
        .unwrap();
    let s = s.db_cluster_snapshot().unwrap();
    assert_eq!(s.db_cluster_snapshot_identifier(), Some("nightly-1"));
    assert_eq!(s.status(), Some("creating"));
    assert_eq!(s.snapshot_type(), Some("manual"));
    assert_eq!(s.db_cluster_identifier(), Some("src"));
    assert_eq!(s.engine(), Some(PG));
    assert_eq!(s.engine_version(), Some("16.1"));
    assert_eq!(s.storage_encrypted(), Some(true));
    assert_eq!(s.kms_key_id(), src.kms_key_id());
    assert_eq!(s.port(), Some(5433));
    assert_eq!(s.master_username(), Some("app"));
    assert_eq!(s.db_cluster_resource_id(), src.db_cluster_resource_id());
    assert_eq!(
        s.db_cluster_snapshot_arn(),
        Some(&*snapshot_arn(EAST, "nightly-1"))
    );
    assert_eq!(s.tag_list()[0].key(), Some("team"));
    // The cluster stays available while its snapshot is taken.
    assert_eq!(cluster(&east, "src").await.status(), Some("available"));

    advance(&emu, 115).await;
    assert_eq!(
        snapshot(&east, "nightly-1").await.status(),
        Some("creating")
    );
    advance(&emu, 10).await;
    let s = snapshot(&east, "nightly-1").await;
    assert_eq!(s.status(), Some("available"));
    assert_eq!(s.percent_progress(), Some(100));
    let manual = east
        .describe_db_cluster_snapshots()
        .db_cluster_identifier("src")
        .snapshot_type("manual")
        .send()
        .await
        .unwrap();
    assert_eq!(manual.db_cluster_snapshots().len(), 1);

    // Without tags of its own, a snapshot of a CopyTagsToSnapshot cluster
    // takes the cluster's.
    east.create_db_cluster()
        .db_cluster_identifier("tagged")
        .engine(PG)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .copy_tags_to_snapshot(true)
        .tags(tag("cost", "42"))
        .send()
        .await
        .unwrap();
    advance(&emu, 600).await;
    let s = east
        .create_db_cluster_snapshot()
        .db_cluster_snapshot_identifier("tagged-1")
        .db_cluster_identifier("tagged")
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = s
        .db_cluster_snapshot()
        .unwrap()
        .tag_list()
        .iter()
        .filter_map(|t| t.key())
        .collect();
    assert_eq!(keys, ["cost"]);
}

#[tokio::test]
async fn cluster_snapshot_refusals() {
    let emu = emulator(1.0).await;
    let east = with_snapshot(&emu).await;
    let create = |snap: &str, cluster: &str| {
        east.create_db_cluster_snapshot()
            .db_cluster_snapshot_identifier(snap)
            .db_cluster_identifier(cluster)
    };
    assert_eq!(
        code(create("snap", "src").send().await),
        "DBClusterSnapshotAlreadyExistsFault"
    );
    assert_eq!(
        code(create("other", "nope").send().await),
        "DBClusterNotFoundFault"
    );
    for bad in ["1snap", "snap-", "sn--ap", "snap_1", &"s".repeat(64)] {
        assert_eq!(
            code(create(bad, "src").send().await),
            "InvalidParameterValue",
            "{bad}"
        );
    }
    east.create_db_cluster()
        .db_cluster_identifier("young")
        .engine(PG)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(create("young-1", "young").send().await),
        "InvalidDBClusterStateFault"
    );
    let all = east.describe_db_cluster_snapshots().send().await.unwrap();
    assert_eq!(
        all.db_cluster_snapshots().len(),
        1,
        "refusals create nothing"
    );
}

#[tokio::test]
async fn restore_builds_a_new_cluster_that_can_grow_into_a_global_database() {
    let emu = emulator(1.0).await;
    let east = with_snapshot(&emu).await;
    let src = cluster(&east, "src").await;
    let r = east
        .restore_db_cluster_from_snapshot()
        .db_cluster_identifier("Restored")
        .snapshot_identifier(snapshot_arn(EAST, "snap"))
        .engine(PG)
        .db_subnet_group_name("private")
        .vpc_security_group_ids("sg-1")
        .deletion_protection(true)
        .backup_retention_period(7)
        .storage_type("aurora-iopt1")
        .enable_iam_database_authentication(true)
        .tags(tag("origin", "snap"))
        .send()
        .await
        .unwrap();
    let c = r.db_cluster().unwrap();
    assert_eq!(c.db_cluster_identifier(), Some("restored"));
    assert_eq!(c.status(), Some("creating"));
    assert!(c.db_cluster_members().is_empty());
    assert_ne!(c.db_cluster_resource_id(), src.db_cluster_resource_id());
    assert_eq!(c.engine(), Some(PG));
    assert_eq!(c.engine_version(), Some("16.1"));
    assert_eq!(c.master_username(), Some("app"));
    assert_eq!(c.database_name(), Some("appdb"));
    assert_eq!(c.storage_encrypted(), Some(true));
    assert_eq!(c.kms_key_id(), src.kms_key_id());
    assert_eq!(c.port(), Some(5433));
    assert_eq!(c.db_subnet_group(), Some("private"));
    assert_eq!(
        c.vpc_security_groups()[0].vpc_security_group_id(),
        Some("sg-1")
    );
    assert_eq!(c.deletion_protection(), Some(true));
    assert_eq!(c.backup_retention_period(), Some(7));
    assert_eq!(c.storage_type(), Some("aurora-iopt1"));
    assert_eq!(c.iam_database_authentication_enabled(), Some(true));
    assert_eq!(c.tag_list()[0].key(), Some("origin"));
    assert_eq!(c.global_cluster_identifier(), None);

    // Longer than a plain create (300 s): `creating` for 900 s, and no
    // instance can be added until it is available.
    advance(&emu, 600).await;
    assert_eq!(cluster(&east, "restored").await.status(), Some("creating"));
    let add_instance = || {
        east.create_db_instance()
            .db_instance_identifier("restored-1")
            .db_cluster_identifier("restored")
            .engine(PG)
            .db_instance_class("db.r6g.large")
    };
    assert_eq!(
        code(add_instance().send().await),
        "InvalidDBClusterStateFault"
    );
    advance(&emu, 295).await;
    assert_eq!(cluster(&east, "restored").await.status(), Some("creating"));
    advance(&emu, 10).await;
    assert_eq!(cluster(&east, "restored").await.status(), Some("available"));
    add_instance().send().await.unwrap();

    // The restored cluster is the source of a new global database.
    let g = east
        .create_global_cluster()
        .global_cluster_identifier("migrated")
        .source_db_cluster_identifier(cluster_arn(EAST, "restored"))
        .send()
        .await
        .unwrap();
    let g = g.global_cluster().unwrap();
    assert_eq!(g.database_name(), Some("appdb"));
    assert_eq!(g.engine_version(), Some("16.1"));
    assert_eq!(g.global_cluster_members()[0].is_writer(), Some(true));
    assert_eq!(
        cluster(&east, "restored").await.db_cluster_resource_id(),
        c.db_cluster_resource_id()
    );

    // A newer minor version is allowed; the snapshot is found by identifier too.
    let r = east
        .restore_db_cluster_from_snapshot()
        .db_cluster_identifier("newer")
        .snapshot_identifier("snap")
        .engine(PG)
        .engine_version("16.4")
        .port(6000)
        .send()
        .await
        .unwrap();
    let c = r.db_cluster().unwrap();
    assert_eq!(c.engine_version(), Some("16.4"));
    assert_eq!(c.port(), Some(6000));
    assert_eq!(c.deletion_protection(), Some(false));
}

#[tokio::test]
async fn restore_refusals() {
    let emu = emulator(1.0).await;
    let east = with_snapshot(&emu).await;
    let restore = |id: &str, snap: &str| {
        east.restore_db_cluster_from_snapshot()
            .db_cluster_identifier(id)
            .snapshot_identifier(snap)
            .engine(PG)
    };
    assert_eq!(
        code(restore("r", "nope").send().await),
        "DBClusterSnapshotNotFoundFault"
    );
    assert_eq!(
        code(restore("r", &snapshot_arn(WEST, "snap")).send().await),
        "DBClusterSnapshotNotFoundFault",
        "a snapshot of another region"
    );
    let (code_, message) = failure(restore("r", "snap").engine_version("16.0").send().await);
    assert_eq!(code_, "InvalidParameterCombination");
    assert_eq!(
        message,
        "The engine version you requested for your restored DB cluster (16.0) is earlier than the engine version of the DB cluster snapshot (16.1)."
    );
    assert_eq!(
        code(restore("r", "snap").engine_version("17.1").send().await),
        "InvalidParameterCombination",
        "another major version"
    );
    assert_eq!(
        code(
            east.restore_db_cluster_from_snapshot()
                .db_cluster_identifier("r")
                .snapshot_identifier("snap")
                .engine("aurora-mysql")
                .send()
                .await
        ),
        "InvalidParameterCombination",
        "another engine"
    );
    assert_eq!(
        code(restore("src", "snap").send().await),
        "DBClusterAlreadyExistsFault"
    );
    assert_eq!(
        code(restore("r-", "snap").send().await),
        "InvalidParameterValue"
    );

    // A snapshot still being taken can't be restored.
    east.create_db_cluster_snapshot()
        .db_cluster_snapshot_identifier("fresh")
        .db_cluster_identifier("src")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(restore("r", "fresh").send().await),
        "InvalidDBClusterSnapshotStateFault"
    );

    let clusters = east.describe_db_clusters().send().await.unwrap();
    assert_eq!(clusters.db_clusters().len(), 1, "refusals create nothing");
}

#[tokio::test]
async fn new_actions_go_through_faults_outages_and_the_call_log() {
    let emu = emulator(1.0).await;
    let east = with_snapshot(&emu).await;
    emu.admin()
        .add_fault(&Fault::new("CreateDBClusterSnapshot"))
        .await
        .unwrap();
    emu.admin()
        .add_fault(
            &Fault::new("RestoreDBClusterFromSnapshot")
                .error("InsufficientDBClusterCapacityFault", 403),
        )
        .await
        .unwrap();
    let snap = || {
        east.create_db_cluster_snapshot()
            .db_cluster_snapshot_identifier("again")
            .db_cluster_identifier("src")
    };
    let restore = || {
        east.restore_db_cluster_from_snapshot()
            .db_cluster_identifier("r")
            .snapshot_identifier("snap")
            .engine(PG)
    };
    assert_eq!(code(snap().send().await), "InternalFailure");
    assert_eq!(
        code(restore().send().await),
        "InsufficientDBClusterCapacityFault"
    );
    // A fault fires once; the failed calls changed nothing.
    snap().send().await.unwrap();
    restore().send().await.unwrap();

    emu.admin().outage(EAST).await.unwrap();
    assert!(restore().send().await.is_err(), "dropped during an outage");
    emu.admin().restore(EAST).await.unwrap();

    let calls = emu.admin().calls().await.unwrap();
    let logged: Vec<(&str, Option<&str>)> = calls
        .iter()
        .filter(|c| {
            c.action == "CreateDBClusterSnapshot" || c.action == "RestoreDBClusterFromSnapshot"
        })
        .map(|c| (c.action.as_str(), c.code.as_deref()))
        .collect();
    assert_eq!(
        logged,
        [
            ("CreateDBClusterSnapshot", None),
            ("CreateDBClusterSnapshot", Some("InternalFailure")),
            (
                "RestoreDBClusterFromSnapshot",
                Some("InsufficientDBClusterCapacityFault")
            ),
            ("CreateDBClusterSnapshot", None),
            ("RestoreDBClusterFromSnapshot", None),
            ("RestoreDBClusterFromSnapshot", Some("ConnectionDropped")),
        ]
    );
}

#[tokio::test]
async fn a_restored_cluster_has_the_read_after_write_lag_of_a_create() {
    let emu = emulator(1.0).await;
    let east = with_snapshot(&emu).await;
    emu.admin()
        .behaviour(&Behaviour {
            read_after_write_lag_ms: Some(30_000),
            ..Behaviour::default()
        })
        .await
        .unwrap();
    east.restore_db_cluster_from_snapshot()
        .db_cluster_identifier("late")
        .snapshot_identifier("snap")
        .engine(PG)
        .send()
        .await
        .unwrap();
    let describe = || {
        east.describe_db_clusters()
            .db_cluster_identifier("late")
            .send()
    };
    assert_eq!(code(describe().await), "DBClusterNotFoundFault");
    advance(&emu, 31).await;
    assert_eq!(
        describe().await.unwrap().db_clusters()[0].status(),
        Some("creating")
    );
}
