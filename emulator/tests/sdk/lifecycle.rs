//! Create → describe → switchover → teardown of a two-region global database.

use crate::common::*;
use aws_sdk_rds::types::FailoverStatus;

#[tokio::test]
async fn full_lifecycle_with_switchover_and_teardown() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    topology(&emu, "orders").await;

    // Global view: primary in EAST lists the secondary as a reader.
    let g = east
        .describe_global_clusters()
        .global_cluster_identifier("orders")
        .send()
        .await
        .unwrap();
    let g = &g.global_clusters()[0];
    assert_eq!(g.status(), Some("available"));
    assert_eq!(g.engine(), Some(PG));
    assert_eq!(g.engine_version(), Some("15.4"));
    assert_eq!(
        g.global_cluster_arn(),
        Some("arn:aws:rds::123456789012:global-cluster:orders")
    );
    assert!(g.endpoint().unwrap().starts_with("orders.global-"));
    assert!(g.failover_state().is_none());
    let members = g.global_cluster_members();
    assert_eq!(members.len(), 2);
    let primary = members
        .iter()
        .find(|m| m.is_writer() == Some(true))
        .unwrap();
    assert_eq!(
        primary.db_cluster_arn(),
        Some(cluster_arn(EAST, "orders-east").as_str())
    );
    assert_eq!(primary.readers(), [cluster_arn(WEST, "orders-west")]);
    let secondary = members
        .iter()
        .find(|m| m.is_writer() == Some(false))
        .unwrap();
    assert_eq!(
        secondary.synchronization_status().map(|s| s.as_str()),
        Some("connected")
    );
    assert_eq!(
        secondary
            .global_write_forwarding_status()
            .map(|s| s.as_str()),
        Some("disabled")
    );

    // Regional views.
    let c = east
        .describe_db_clusters()
        .db_cluster_identifier("orders-east")
        .send()
        .await
        .unwrap();
    let c = &c.db_clusters()[0];
    assert_eq!(c.status(), Some("available"));
    assert_eq!(c.global_cluster_identifier(), Some("orders"));
    assert_eq!(c.master_username(), Some("app"));
    assert_eq!(
        c.db_cluster_members()[0].db_instance_identifier(),
        Some("orders-east-1")
    );
    assert_eq!(c.db_cluster_members()[0].is_cluster_writer(), Some(true));
    assert!(c.endpoint().unwrap().contains(".cluster-"));
    let s = west
        .describe_db_clusters()
        .db_cluster_identifier(cluster_arn(WEST, "orders-west"))
        .send()
        .await
        .unwrap();
    let s = &s.db_clusters()[0];
    assert_eq!(
        s.master_username(),
        Some("app"),
        "secondary inherits the master user name"
    );
    assert_eq!(s.db_cluster_members()[0].is_cluster_writer(), Some(false));
    // Clusters are regional: EAST does not see the WEST cluster by plain id.
    assert_eq!(
        code(
            east.describe_db_clusters()
                .db_cluster_identifier("orders-west")
                .send()
                .await
        ),
        "DBClusterNotFoundFault"
    );

    // Switchover to WEST, at real-service speed so its progress is visible.
    set_time_scale(&emu, 1.0).await;
    let r = east
        .switchover_global_cluster()
        .global_cluster_identifier("orders")
        .target_db_cluster_identifier(cluster_arn(WEST, "orders-west"))
        .send()
        .await
        .unwrap();
    let g = r.global_cluster().unwrap();
    assert_eq!(g.status(), Some("switching-over"));
    let fs = g.failover_state().unwrap();
    assert_eq!(fs.status(), Some(&FailoverStatus::Pending));
    assert_eq!(
        fs.from_db_cluster_arn(),
        Some(cluster_arn(EAST, "orders-east").as_str())
    );
    assert_eq!(
        fs.to_db_cluster_arn(),
        Some(cluster_arn(WEST, "orders-west").as_str())
    );
    assert_eq!(fs.is_data_loss_allowed(), Some(false));
    advance(&emu, 60).await;
    let g = east.describe_global_clusters().send().await.unwrap();
    let fs = g.global_clusters()[0].failover_state().unwrap();
    // Documented for switchovers, outside botocore's enum.
    assert_eq!(fs.status().map(|s| s.as_str()), Some("switching-over"));
    assert_ne!(fs.status(), Some(&FailoverStatus::FailingOver));
    assert_eq!(g.global_clusters()[0].status(), Some("switching-over"));
    advance(&emu, 61).await;
    set_time_scale(&emu, 0.0).await;
    wait_all_available(&emu).await;
    let g = west.describe_global_clusters().send().await.unwrap();
    let g = &g.global_clusters()[0];
    assert!(g.failover_state().is_none());
    let writer = g
        .global_cluster_members()
        .iter()
        .find(|m| m.is_writer() == Some(true))
        .unwrap();
    assert_eq!(
        writer.db_cluster_arn(),
        Some(cluster_arn(WEST, "orders-west").as_str())
    );
    let w = west
        .describe_db_clusters()
        .db_cluster_identifier("orders-west")
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.db_clusters()[0].db_cluster_members()[0].is_cluster_writer(),
        Some(true)
    );
    let e = east
        .describe_db_clusters()
        .db_cluster_identifier("orders-east")
        .send()
        .await
        .unwrap();
    assert_eq!(
        e.db_clusters()[0].db_cluster_members()[0].is_cluster_writer(),
        Some(false)
    );

    // Teardown in AWS's order. The old primary (EAST) is now the secondary.
    assert_eq!(
        code(
            west.delete_db_instance()
                .db_instance_identifier("orders-west-1")
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "last instance of the primary while a secondary exists"
    );
    assert_eq!(
        code(
            east.delete_db_cluster()
                .db_cluster_identifier("orders-east")
                .skip_final_snapshot(true)
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "attached secondary"
    );
    assert_eq!(
        code(
            west.delete_global_cluster()
                .global_cluster_identifier("orders")
                .send()
                .await
        ),
        "InvalidGlobalClusterStateFault",
        "non-empty global cluster"
    );
    assert_eq!(
        code(
            west.remove_from_global_cluster()
                .global_cluster_identifier("orders")
                .db_cluster_identifier(cluster_arn(WEST, "orders-west"))
                .send()
                .await
        ),
        "InvalidGlobalClusterStateFault",
        "primary can't leave before the secondaries"
    );
    east.remove_from_global_cluster()
        .global_cluster_identifier("orders")
        .db_cluster_identifier(cluster_arn(EAST, "orders-east"))
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    let e = east
        .describe_db_clusters()
        .db_cluster_identifier("orders-east")
        .send()
        .await
        .unwrap();
    assert_eq!(e.db_clusters()[0].global_cluster_identifier(), None);
    assert_eq!(
        e.db_clusters()[0].db_cluster_members()[0].is_cluster_writer(),
        Some(true),
        "detached cluster is promoted"
    );
    assert_eq!(
        code(
            east.delete_db_cluster()
                .db_cluster_identifier("orders-east")
                .skip_final_snapshot(true)
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "cluster with instances"
    );
    east.delete_db_instance()
        .db_instance_identifier("orders-east-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            east.delete_db_cluster()
                .db_cluster_identifier("orders-east")
                .send()
                .await
        ),
        "InvalidParameterCombination",
        "neither SkipFinalSnapshot nor FinalDBSnapshotIdentifier"
    );
    let d = east
        .delete_db_cluster()
        .db_cluster_identifier("orders-east")
        .final_db_snapshot_identifier("orders-east-final")
        .send()
        .await
        .unwrap();
    assert_eq!(d.db_cluster().unwrap().status(), Some("deleting"));
    // Now the primary is alone: its last instance can go, then it leaves the global cluster.
    west.delete_db_instance()
        .db_instance_identifier("orders-west-1")
        .send()
        .await
        .unwrap();
    west.remove_from_global_cluster()
        .global_cluster_identifier("orders")
        .db_cluster_identifier(cluster_arn(WEST, "orders-west"))
        .send()
        .await
        .unwrap();
    west.delete_db_cluster()
        .db_cluster_identifier("orders-west")
        .skip_final_snapshot(true)
        .send()
        .await
        .unwrap();
    west.delete_global_cluster()
        .global_cluster_identifier("orders")
        .send()
        .await
        .unwrap();

    eventually(10, "everything gone", || async {
        let st = emu.admin().state().await.unwrap();
        st["global_clusters"].as_array().unwrap().is_empty()
            && st["clusters"].as_array().unwrap().is_empty()
            && st["instances"].as_array().unwrap().is_empty()
    })
    .await;
    let snaps = east
        .describe_db_cluster_snapshots()
        .db_cluster_identifier("orders-east")
        .send()
        .await
        .unwrap();
    let snap = &snaps.db_cluster_snapshots()[0];
    assert_eq!(
        snap.db_cluster_snapshot_identifier(),
        Some("orders-east-final")
    );
    assert_eq!(snap.status(), Some("available"));
    assert_eq!(snap.engine_version(), Some("15.4"));
    assert!(
        west.describe_db_cluster_snapshots()
            .send()
            .await
            .unwrap()
            .db_cluster_snapshots()
            .is_empty(),
        "snapshots are regional"
    );
    let del = east
        .delete_db_cluster_snapshot()
        .db_cluster_snapshot_identifier("orders-east-final")
        .send()
        .await
        .unwrap();
    assert_eq!(del.db_cluster_snapshot().unwrap().status(), Some("deleted"));
    assert_eq!(
        code(
            east.delete_db_cluster_snapshot()
                .db_cluster_snapshot_identifier("orders-east-final")
                .send()
                .await
        ),
        "DBClusterSnapshotNotFoundFault"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn create_global_cluster_from_an_existing_cluster() {
    let emu = emulator(1.0).await;
    let east = client(&emu, EAST);
    east.create_db_cluster()
        .db_cluster_identifier("solo")
        .engine(PG)
        .engine_version("16.1")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .storage_encrypted(true)
        .database_name("appdb")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            east.create_global_cluster()
                .global_cluster_identifier("g")
                .source_db_cluster_identifier(cluster_arn(EAST, "solo"))
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "source still creating"
    );
    set_time_scale(&emu, 0.0).await;
    advance(&emu, 3600).await;
    let g = east
        .create_global_cluster()
        .global_cluster_identifier("g")
        .source_db_cluster_identifier(cluster_arn(EAST, "solo"))
        .send()
        .await
        .unwrap();
    let g = g.global_cluster().unwrap();
    assert_eq!(g.engine_version(), Some("16.1"));
    assert_eq!(g.storage_encrypted(), Some(true));
    assert_eq!(g.database_name(), Some("appdb"));
    assert_eq!(g.global_cluster_members()[0].is_writer(), Some(true));
    assert_eq!(
        code(
            east.create_global_cluster()
                .global_cluster_identifier("g")
                .engine(PG)
                .send()
                .await
        ),
        "GlobalClusterAlreadyExistsFault"
    );
    assert_eq!(
        code(
            east.create_global_cluster()
                .global_cluster_identifier("g2")
                .source_db_cluster_identifier(cluster_arn(EAST, "solo"))
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "already in a global cluster"
    );
    assert_eq!(
        code(
            east.create_global_cluster()
                .global_cluster_identifier("g3")
                .source_db_cluster_identifier(cluster_arn(EAST, "nope"))
                .send()
                .await
        ),
        "DBClusterNotFoundFault"
    );
    wait_all_available(&emu).await;

    // Encrypted primary: a cross-region secondary needs its own KMS key.
    let west = client(&emu, WEST);
    assert_eq!(
        code(
            west.create_db_cluster()
                .db_cluster_identifier("g-west")
                .engine(PG)
                .global_cluster_identifier("g")
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    assert_eq!(
        code(
            west.create_db_cluster()
                .db_cluster_identifier("g-west")
                .engine(PG)
                .global_cluster_identifier("g")
                .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/k1")
                .send()
                .await
        ),
        "KMSKeyNotAccessibleFault",
        "a key from another region"
    );
    // The primary needs an available writer to be a replication source.
    east.create_db_instance()
        .db_instance_identifier("solo-1")
        .db_cluster_identifier("solo")
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    let c = west
        .create_db_cluster()
        .db_cluster_identifier("g-west")
        .engine(PG)
        .global_cluster_identifier("g")
        .kms_key_id("arn:aws:kms:us-west-2:123456789012:key/k2")
        .enable_global_write_forwarding(true)
        .send()
        .await
        .unwrap();
    let c = c.db_cluster().unwrap();
    assert_eq!(c.storage_encrypted(), Some(true));
    assert_eq!(c.engine_version(), Some("16.1"));
    assert_eq!(c.database_name(), Some("appdb"));
    wait_all_available(&emu).await;
    let c = west
        .describe_db_clusters()
        .db_cluster_identifier("g-west")
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.db_clusters()[0]
            .global_write_forwarding_status()
            .map(|s| s.as_str()),
        Some("enabled")
    );
    assert_eq!(
        c.db_clusters()[0].global_write_forwarding_requested(),
        Some(true)
    );
    emu.shutdown().await;
}
