//! The switchable AWS behaviours (`/_emulator/behaviour`) and forced
//! statuses (`/_emulator/status`), and the AWS rules that came with them:
//! asynchronous removal from a global cluster, read-after-write lag, global
//! clusters without tags, the `db-cluster-id` filter of
//! DescribeGlobalClusters, DeleteDBCluster of a primary with members.

use crate::common::*;
use aurora_emulator::{Behaviour, Object};

async fn global_members(c: &aws_sdk_rds::Client, gid: &str) -> Vec<String> {
    let g = c
        .describe_global_clusters()
        .global_cluster_identifier(gid)
        .send()
        .await
        .unwrap();
    g.global_clusters()[0]
        .global_cluster_members()
        .iter()
        .filter_map(|m| m.db_cluster_arn().map(str::to_string))
        .collect()
}

async fn cluster(c: &aws_sdk_rds::Client, id: &str) -> aws_sdk_rds::types::DbCluster {
    let out = c
        .describe_db_clusters()
        .db_cluster_identifier(id)
        .send()
        .await
        .unwrap();
    out.db_clusters()[0].clone()
}

#[tokio::test]
async fn removal_from_a_global_cluster_is_asynchronous_when_switched_on() {
    let emu = emulator(0.0).await;
    let (east, west) = (client(&emu, EAST), client(&emu, WEST));
    topology(&emu, "orders").await;
    let on = Behaviour {
        async_detach: Some(true),
        ..Default::default()
    };
    let set = emu.admin().behaviour(&on).await.unwrap();
    assert_eq!(set["async_detach"], true);
    // Detach takes 120 s of virtual time at scale 1.
    set_time_scale(&emu, 1.0).await;
    west.delete_db_instance()
        .db_instance_identifier("orders-west-1")
        .send()
        .await
        .unwrap();
    let out = west
        .remove_from_global_cluster()
        .global_cluster_identifier("orders")
        .db_cluster_identifier(cluster_arn(WEST, "orders-west"))
        .send()
        .await
        .unwrap();
    // The answer, and reads for a while, still list the member.
    let listed = out.global_cluster().unwrap().global_cluster_members().len();
    assert_eq!(listed, 2);
    assert_eq!(global_members(&east, "orders").await.len(), 2);
    let c = cluster(&west, "orders-west").await;
    assert_eq!(c.status(), Some("promoting"));
    assert_eq!(c.global_cluster_identifier(), Some("orders"));
    assert_eq!(
        code(
            west.delete_db_cluster()
                .db_cluster_identifier("orders-west")
                .skip_final_snapshot(true)
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "still part of the global cluster"
    );
    assert_eq!(
        code(
            west.remove_from_global_cluster()
                .global_cluster_identifier("orders")
                .db_cluster_identifier(cluster_arn(WEST, "orders-west"))
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "already leaving"
    );
    advance(&emu, 121).await;
    assert_eq!(
        global_members(&east, "orders").await,
        [cluster_arn(EAST, "orders-east")]
    );
    let c = cluster(&west, "orders-west").await;
    assert_eq!(c.status(), Some("available"));
    assert_eq!(c.global_cluster_identifier(), None);
    west.delete_db_cluster()
        .db_cluster_identifier("orders-west")
        .skip_final_snapshot(true)
        .send()
        .await
        .unwrap();

    // The primary, last member: the global cluster is not empty until it left.
    east.remove_from_global_cluster()
        .global_cluster_identifier("orders")
        .db_cluster_identifier(cluster_arn(EAST, "orders-east"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        cluster(&east, "orders-east").await.status(),
        Some("available")
    );
    let refused = east
        .delete_global_cluster()
        .global_cluster_identifier("orders")
        .send()
        .await;
    let e = refused.unwrap_err();
    let text = format!("{:?}", e.as_service_error());
    assert!(text.contains("is not empty"), "{text}");
    assert_eq!(
        aws_sdk_rds::error::ProvideErrorMetadata::code(&e),
        Some("InvalidGlobalClusterStateFault")
    );
    advance(&emu, 121).await;
    assert!(global_members(&east, "orders").await.is_empty());
    east.delete_global_cluster()
        .global_cluster_identifier("orders")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn removal_stays_synchronous_by_default() {
    let emu = emulator(0.0).await;
    let (east, west) = (client(&emu, EAST), client(&emu, WEST));
    topology(&emu, "orders").await;
    let out = west
        .remove_from_global_cluster()
        .global_cluster_identifier("orders")
        .db_cluster_identifier(cluster_arn(WEST, "orders-west"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.global_cluster().unwrap().global_cluster_members().len(),
        1
    );
    assert_eq!(global_members(&east, "orders").await.len(), 1);
}

#[tokio::test]
async fn describe_global_clusters_filters_by_member_cluster() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    topology(&emu, "orders").await;
    east.create_global_cluster()
        .global_cluster_identifier("other")
        .engine(PG)
        .send()
        .await
        .unwrap();
    for value in [
        cluster_arn(WEST, "orders-west"),
        "orders-west".to_string(),
        "orders-east".to_string(),
    ] {
        let out = east
            .describe_global_clusters()
            .filters(filter("db-cluster-id", &[&value]))
            .send()
            .await
            .unwrap();
        let ids: Vec<_> = out
            .global_clusters()
            .iter()
            .filter_map(|g| g.global_cluster_identifier())
            .collect();
        assert_eq!(ids, ["orders"], "{value}");
    }
    let none = east
        .describe_global_clusters()
        .filters(filter("db-cluster-id", &[&cluster_arn(EU, "nothing")]))
        .send()
        .await
        .unwrap();
    assert!(none.global_clusters().is_empty());
    assert_eq!(
        code(
            east.describe_global_clusters()
                .filters(filter("engine", &[PG]))
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
}

#[tokio::test]
async fn just_created_objects_are_invisible_for_the_lag_window() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    emu.admin()
        .behaviour(&Behaviour {
            read_after_write_lag_ms: Some(60_000),
            ..Default::default()
        })
        .await
        .unwrap();
    east.create_global_cluster()
        .global_cluster_identifier("lagging")
        .engine(PG)
        .send()
        .await
        .unwrap();
    east.create_db_cluster()
        .db_cluster_identifier("lagging-east")
        .engine(PG)
        .global_cluster_identifier("lagging")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            east.describe_global_clusters()
                .global_cluster_identifier("lagging")
                .send()
                .await
        ),
        "GlobalClusterNotFoundFault"
    );
    assert_eq!(
        code(
            east.describe_db_clusters()
                .db_cluster_identifier("lagging-east")
                .send()
                .await
        ),
        "DBClusterNotFoundFault"
    );
    let all = east.describe_db_clusters().send().await.unwrap();
    assert!(all.db_clusters().is_empty());
    // It exists all the same: a second create is refused.
    assert_eq!(
        code(
            east.create_global_cluster()
                .global_cluster_identifier("lagging")
                .engine(PG)
                .send()
                .await
        ),
        "GlobalClusterAlreadyExistsFault"
    );
    advance(&emu, 61).await;
    assert_eq!(global_members(&east, "lagging").await.len(), 1);
    assert_eq!(
        cluster(&east, "lagging-east").await.db_cluster_identifier(),
        Some("lagging-east")
    );
}

#[tokio::test]
async fn global_cluster_tags_can_be_dropped() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    emu.admin()
        .behaviour(&Behaviour {
            drop_global_tags: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    let out = east
        .create_global_cluster()
        .global_cluster_identifier("untagged")
        .engine(PG)
        .tags(tag("team", "a"))
        .send()
        .await
        .unwrap();
    assert!(out.global_cluster().unwrap().tag_list().is_empty());
    let arn = "arn:aws:rds::123456789012:global-cluster:untagged";
    east.add_tags_to_resource()
        .resource_name(arn)
        .tags(tag("team", "b"))
        .send()
        .await
        .unwrap();
    let listed = east
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .unwrap();
    assert!(listed.tag_list().is_empty());
    // Clusters keep theirs.
    east.create_db_cluster()
        .db_cluster_identifier("untagged-east")
        .engine(PG)
        .global_cluster_identifier("untagged")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .tags(tag("team", "a"))
        .send()
        .await
        .unwrap();
    let c = cluster(&east, "untagged-east").await;
    assert_eq!(c.tag_list().len(), 1);
}

#[tokio::test]
async fn any_status_can_be_forced_for_a_while_or_for_good() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    topology(&emu, "orders").await;
    let admin = emu.admin();
    let c = Object::Cluster(EAST.into(), "orders-east".into());
    let i = Object::Instance(EAST.into(), "orders-east-1".into());
    admin
        .force_status(&c, "inaccessible-encryption-credentials", None)
        .await
        .unwrap();
    admin
        .force_status(&i, "rebooting", Some(30.0))
        .await
        .unwrap();
    set_time_scale(&emu, 1.0).await;
    admin
        .force_status(&i, "rebooting", Some(30.0))
        .await
        .unwrap();
    let status = |id: &'static str| {
        let east = east.clone();
        async move {
            let out = east
                .describe_db_instances()
                .db_instance_identifier(id)
                .send()
                .await
                .unwrap();
            out.db_instances()[0]
                .db_instance_status()
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(
        cluster(&east, "orders-east").await.status(),
        Some("inaccessible-encryption-credentials")
    );
    assert_eq!(status("orders-east-1").await, "rebooting");
    advance(&emu, 31).await;
    assert_eq!(status("orders-east-1").await, "available");
    advance(&emu, 3600).await;
    assert_eq!(
        cluster(&east, "orders-east").await.status(),
        Some("inaccessible-encryption-credentials")
    );
    let missing = Object::Cluster(EAST.into(), "nothing".into());
    assert!(admin.force_status(&missing, "failed", None).await.is_err());
}

#[tokio::test]
async fn a_primary_with_other_members_is_refused_with_the_global_state_code() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    topology(&emu, "orders").await;
    east.delete_db_instance()
        .db_instance_identifier("orders-east-1")
        .send()
        .await
        .ok();
    assert_eq!(
        code(
            east.delete_db_cluster()
                .db_cluster_identifier("orders-east")
                .skip_final_snapshot(true)
                .send()
                .await
        ),
        "InvalidGlobalClusterStateFault"
    );
}

#[tokio::test]
async fn global_cluster_identifiers_are_limited_to_63_characters() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let long = format!("g{}", "a".repeat(63));
    assert_eq!(
        code(
            east.create_global_cluster()
                .global_cluster_identifier(&long)
                .engine(PG)
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    east.create_global_cluster()
        .global_cluster_identifier(&long[..63])
        .engine(PG)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            east.modify_global_cluster()
                .global_cluster_identifier(&long[..63])
                .new_global_cluster_identifier(&long)
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
}
