//! Starting from what exists: CreateGlobalCluster from a source cluster,
//! CreateDBClusterSnapshot and RestoreDBClusterFromSnapshot, each rule with
//! its code, through the real aws-sdk-rds client.

use crate::common::*;
use aurora_emulator::RunningEmulator;
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
