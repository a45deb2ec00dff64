//! The service's validation and ordering rules, each with its real error code.

use crate::common::*;
use aws_sdk_rds::Client;

async fn primary(c: &Client, id: &str, global: Option<&str>) {
    c.create_db_cluster()
        .db_cluster_identifier(id)
        .engine(PG)
        .set_global_cluster_identifier(global.map(str::to_string))
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
}

async fn instance(c: &Client, id: &str, cluster: &str) {
    c.create_db_instance()
        .db_instance_identifier(id)
        .db_cluster_identifier(cluster)
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn secondaries_reject_credentials_and_database_name() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    let eu = client(&emu, EU);
    let base = || {
        eu.create_db_cluster()
            .db_cluster_identifier("g-eu")
            .engine(PG)
            .global_cluster_identifier("g")
    };
    assert_eq!(
        code(base().master_username("app").send().await),
        "InvalidParameterCombination"
    );
    assert_eq!(
        code(base().master_user_password("correct-horse-1").send().await),
        "InvalidParameterCombination"
    );
    assert_eq!(
        code(base().manage_master_user_password(true).send().await),
        "InvalidParameterCombination"
    );
    assert_eq!(
        code(base().database_name("db").send().await),
        "InvalidParameterCombination"
    );
    assert_eq!(
        code(base().engine_version("15.2").send().await),
        "InvalidParameterCombination",
        "older than the primary"
    );
    assert_eq!(
        code(base().engine("aurora-mysql").send().await),
        "InvalidParameterCombination",
        "engine mismatch"
    );
    let west = client(&emu, WEST);
    assert_eq!(
        code(
            west.create_db_cluster()
                .db_cluster_identifier("g-west2")
                .engine(PG)
                .global_cluster_identifier("g")
                .send()
                .await
        ),
        "InvalidParameterValue",
        "one member per region"
    );
    assert_eq!(
        code(
            eu.create_db_cluster()
                .db_cluster_identifier("x")
                .engine(PG)
                .global_cluster_identifier("missing")
                .send()
                .await
        ),
        "GlobalClusterNotFoundFault"
    );
    base().send().await.unwrap();
    emu.shutdown().await;
}

#[tokio::test]
async fn create_validation() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let c = || {
        east.create_db_cluster()
            .db_cluster_identifier("c1")
            .engine(PG)
    };
    assert_eq!(
        code(c().master_user_password("correct-horse-1").send().await),
        "InvalidParameterValue",
        "no user"
    );
    assert_eq!(
        code(c().master_username("app").send().await),
        "InvalidParameterValue",
        "no password"
    );
    assert_eq!(
        code(
            c().master_username("app")
                .master_user_password("correct-horse-1")
                .manage_master_user_password(true)
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    assert_eq!(
        code(
            c().master_username("app")
                .master_user_password("short")
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            east.create_db_cluster()
                .db_cluster_identifier("c1")
                .engine("oracle")
                .master_username("a")
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            c().master_username("app")
                .master_user_password("correct-horse-1")
                .engine_version("banana")
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            east.create_db_cluster()
                .db_cluster_identifier("1-bad--id")
                .engine(PG)
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    let r = c()
        .master_username("app")
        .manage_master_user_password(true)
        .send()
        .await
        .unwrap();
    assert!(r
        .db_cluster()
        .unwrap()
        .master_user_secret()
        .unwrap()
        .secret_arn()
        .unwrap()
        .starts_with("arn:aws:secretsmanager:us-east-1:"));
    assert_eq!(
        code(
            c().master_username("app")
                .master_user_password("correct-horse-1")
                .send()
                .await
        ),
        "DBClusterAlreadyExistsFault"
    );
    // Same identifier in another region is a different cluster.
    primary(&client(&emu, WEST), "c1", None).await;

    let i = || {
        east.create_db_instance()
            .db_instance_identifier("i1")
            .engine(PG)
            .db_instance_class("db.r6g.large")
    };
    assert_eq!(
        code(i().send().await),
        "MissingParameter",
        "no DBClusterIdentifier"
    );
    assert_eq!(
        code(i().db_cluster_identifier("nope").send().await),
        "DBClusterNotFoundFault"
    );
    assert_eq!(
        code(
            i().db_cluster_identifier("c1")
                .db_instance_class("large")
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            i().db_cluster_identifier("c1")
                .engine("aurora-mysql")
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    assert_eq!(
        code(
            i().db_cluster_identifier("c1")
                .promotion_tier(16)
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            i().db_cluster_identifier("c1")
                .master_user_password("correct-horse-1")
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    i().db_cluster_identifier("c1")
        .promotion_tier(0)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(i().db_cluster_identifier("c1").send().await),
        "DBInstanceAlreadyExists"
    );
    assert_eq!(
        code(
            east.describe_db_instances()
                .db_instance_identifier("zzz")
                .send()
                .await
        ),
        "DBInstanceNotFound"
    );
    assert_eq!(
        code(
            east.describe_global_clusters()
                .global_cluster_identifier("zzz")
                .send()
                .await
        ),
        "GlobalClusterNotFoundFault"
    );
    assert_eq!(
        code(
            east.create_global_cluster()
                .global_cluster_identifier("g")
                .send()
                .await
        ),
        "InvalidParameterValue",
        "no engine, no source (AWS: 'value for engineName should be specified')"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn deletion_protection_blocks_deletes() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    east.create_global_cluster()
        .global_cluster_identifier("g")
        .engine(PG)
        .deletion_protection(true)
        .send()
        .await
        .unwrap();
    east.create_db_cluster()
        .db_cluster_identifier("c")
        .engine(PG)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .deletion_protection(true)
        .send()
        .await
        .unwrap();
    east.create_db_instance()
        .db_instance_identifier("i")
        .db_cluster_identifier("c")
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .deletion_protection(true)
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    assert_eq!(
        code(
            east.delete_global_cluster()
                .global_cluster_identifier("g")
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    assert_eq!(
        code(
            east.delete_db_instance()
                .db_instance_identifier("i")
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    assert_eq!(
        code(
            east.delete_db_cluster()
                .db_cluster_identifier("c")
                .skip_final_snapshot(true)
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    east.modify_global_cluster()
        .global_cluster_identifier("g")
        .deletion_protection(false)
        .send()
        .await
        .unwrap();
    east.modify_db_instance()
        .db_instance_identifier("i")
        .deletion_protection(false)
        .send()
        .await
        .unwrap();
    east.modify_db_cluster()
        .db_cluster_identifier("c")
        .deletion_protection(false)
        .send()
        .await
        .unwrap();
    east.delete_global_cluster()
        .global_cluster_identifier("g")
        .send()
        .await
        .unwrap();
    east.delete_db_instance()
        .db_instance_identifier("i")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            east.delete_db_cluster()
                .db_cluster_identifier("c")
                .skip_final_snapshot(true)
                .final_db_snapshot_identifier("f")
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    set_time_scale(&emu, 1.0).await;
    east.delete_db_cluster()
        .db_cluster_identifier("c")
        .skip_final_snapshot(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            east.delete_db_cluster()
                .db_cluster_identifier("c")
                .skip_final_snapshot(true)
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "already deleting"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn switchover_preconditions() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    let east = client(&emu, EAST);
    let eu = client(&emu, EU);
    eu.create_db_cluster()
        .db_cluster_identifier("g-eu")
        .engine(PG)
        .global_cluster_identifier("g")
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    let sw = |target: String| {
        east.switchover_global_cluster()
            .global_cluster_identifier("g")
            .target_db_cluster_identifier(target)
    };
    assert_eq!(
        code(sw(cluster_arn(EU, "g-eu")).send().await),
        "InvalidDBClusterStateFault",
        "headless secondary"
    );
    assert_eq!(
        code(
            east.remove_from_global_cluster()
                .global_cluster_identifier("g")
                .db_cluster_identifier("g-east")
                .send()
                .await
        ),
        "InvalidParameterValue",
        "RemoveFromGlobalCluster takes an ARN"
    );
    assert_eq!(
        code(sw("g-west".to_string()).send().await),
        "DBClusterNotFoundFault",
        "a plain identifier names a cluster in the signing region only"
    );
    assert_eq!(
        code(
            east.describe_global_clusters()
                .filters(filter("global-cluster-id", &["g"]))
                .send()
                .await
        ),
        "InvalidParameterValue",
        "region is the only DescribeGlobalClusters filter"
    );
    assert_eq!(
        code(sw(cluster_arn(EAST, "g-east")).send().await),
        "InvalidParameterValue",
        "already primary"
    );
    assert_eq!(
        code(sw(cluster_arn(EU, "nope")).send().await),
        "DBClusterNotFoundFault"
    );
    assert_eq!(
        code(
            east.switchover_global_cluster()
                .global_cluster_identifier("zz")
                .target_db_cluster_identifier(cluster_arn(EU, "g-eu"))
                .send()
                .await
        ),
        "GlobalClusterNotFoundFault"
    );
    assert_eq!(
        code(
            east.failover_global_cluster()
                .global_cluster_identifier("g")
                .target_db_cluster_identifier(cluster_arn(WEST, "g-west"))
                .allow_data_loss(true)
                .switchover(true)
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    instance(&eu, "g-eu-1", "g-eu").await;
    wait_all_available(&emu).await;
    // From here on operations take real-service time, so they stay in flight.
    set_time_scale(&emu, 1.0).await;
    let west = client(&emu, WEST);
    west.modify_db_cluster()
        .db_cluster_identifier("g-west")
        .backup_retention_period(7)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(sw(cluster_arn(WEST, "g-west")).send().await),
        "InvalidDBClusterStateFault",
        "target modifying"
    );
    assert_eq!(
        code(sw(cluster_arn(EU, "g-eu")).send().await),
        "InvalidGlobalClusterStateFault",
        "another member modifying"
    );
    advance(&emu, 3600).await;
    let r = east
        .failover_global_cluster()
        .global_cluster_identifier("g")
        .target_db_cluster_identifier(cluster_arn(WEST, "g-west"))
        .switchover(true)
        .send()
        .await
        .unwrap();
    assert_eq!(r.global_cluster().unwrap().status(), Some("switching-over"));
    assert_eq!(
        code(sw(cluster_arn(EU, "g-eu")).send().await),
        "InvalidGlobalClusterStateFault",
        "switchover already running"
    );
    assert_eq!(
        code(
            east.modify_db_cluster()
                .db_cluster_identifier("g-east")
                .backup_retention_period(3)
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "member of a global cluster that is switching over"
    );
    advance(&emu, 3600).await;
    let g = east
        .describe_global_clusters()
        .global_cluster_identifier("g")
        .send()
        .await
        .unwrap();
    let writer = g.global_clusters()[0]
        .global_cluster_members()
        .iter()
        .find(|m| m.is_writer() == Some(true))
        .unwrap()
        .clone();
    assert_eq!(
        writer.db_cluster_arn(),
        Some(cluster_arn(WEST, "g-west").as_str())
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn in_flight_states_block_operations() {
    // time scale 1: everything stays in its transitional status for the whole test.
    let emu = emulator(1.0).await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    east.create_global_cluster()
        .global_cluster_identifier("g")
        .engine(PG)
        .send()
        .await
        .unwrap();
    primary(&east, "p", Some("g")).await;
    assert_eq!(
        code(
            west.create_db_cluster()
                .db_cluster_identifier("s")
                .engine(PG)
                .global_cluster_identifier("g")
                .send()
                .await
        ),
        "InvalidParameterValue",
        "without a writer instance the primary is no replication source"
    );
    assert_eq!(
        code(
            east.modify_db_cluster()
                .db_cluster_identifier("p")
                .backup_retention_period(3)
                .send()
                .await
        ),
        "InvalidDBClusterStateFault"
    );
    assert_eq!(
        code(
            east.delete_db_cluster()
                .db_cluster_identifier("p")
                .skip_final_snapshot(true)
                .send()
                .await
        ),
        "InvalidDBClusterStateFault"
    );
    instance(&east, "p1", "p").await;
    assert_eq!(
        code(
            east.modify_db_instance()
                .db_instance_identifier("p1")
                .promotion_tier(2)
                .send()
                .await
        ),
        "InvalidDBInstanceState"
    );
    assert_eq!(
        code(
            east.delete_db_instance()
                .db_instance_identifier("p1")
                .send()
                .await
        ),
        "InvalidDBInstanceState"
    );
    let secondary = || {
        west.create_db_cluster()
            .db_cluster_identifier("s")
            .engine(PG)
            .global_cluster_identifier("g")
            .send()
    };
    assert_eq!(
        code(secondary().await),
        "InvalidDBClusterStateFault",
        "a secondary needs an available writer in the primary"
    );
    advance(&emu, 900).await;
    secondary().await.unwrap();
    assert_eq!(
        code(
            east.switchover_global_cluster()
                .global_cluster_identifier("g")
                .target_db_cluster_identifier(cluster_arn(WEST, "s"))
                .send()
                .await
        ),
        "InvalidDBClusterStateFault",
        "target still creating"
    );
    assert_eq!(
        code(
            east.modify_global_cluster()
                .global_cluster_identifier("g")
                .engine_version("15.5")
                .send()
                .await
        ),
        "InvalidGlobalClusterStateFault",
        "members not available"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn engine_upgrade_order() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    assert_eq!(
        code(
            east.modify_db_cluster()
                .db_cluster_identifier("g-east")
                .engine_version("15.5")
                .apply_immediately(true)
                .send()
                .await
        ),
        "InvalidParameterValue",
        "minor upgrade of the primary before its secondaries"
    );
    assert_eq!(
        code(
            east.modify_db_cluster()
                .db_cluster_identifier("g-east")
                .engine_version("15.2")
                .send()
                .await
        ),
        "InvalidParameterCombination",
        "downgrade"
    );
    assert_eq!(
        code(
            west.modify_db_cluster()
                .db_cluster_identifier("g-west")
                .engine_version("16.1")
                .allow_major_version_upgrade(true)
                .send()
                .await
        ),
        "InvalidParameterCombination",
        "major upgrade of a member goes through ModifyGlobalCluster"
    );
    let r = west
        .modify_db_cluster()
        .db_cluster_identifier("g-west")
        .engine_version("15.5")
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    assert_eq!(r.db_cluster().unwrap().status(), Some("upgrading"));
    wait_all_available(&emu).await;
    east.modify_db_cluster()
        .db_cluster_identifier("g-east")
        .engine_version("15.5")
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    let g = east
        .describe_global_clusters()
        .global_cluster_identifier("g")
        .send()
        .await
        .unwrap();
    assert_eq!(
        g.global_clusters()[0].engine_version(),
        Some("15.5"),
        "the global cluster reports its primary's version"
    );

    assert_eq!(
        code(
            east.modify_global_cluster()
                .global_cluster_identifier("g")
                .engine_version("16.1")
                .send()
                .await
        ),
        "InvalidParameterCombination",
        "major upgrade needs AllowMajorVersionUpgrade"
    );
    let r = east
        .modify_global_cluster()
        .global_cluster_identifier("g")
        .engine_version("16.1")
        .allow_major_version_upgrade(true)
        .send()
        .await
        .unwrap();
    assert_eq!(r.global_cluster().unwrap().status(), Some("upgrading"));
    wait_all_available(&emu).await;
    let g = east
        .describe_global_clusters()
        .global_cluster_identifier("g")
        .send()
        .await
        .unwrap();
    assert_eq!(g.global_clusters()[0].engine_version(), Some("16.1"));
    for (c, id) in [(&east, "g-east"), (&west, "g-west")] {
        let d = c
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
            .unwrap();
        assert_eq!(d.db_clusters()[0].engine_version(), Some("16.1"));
        let i = c
            .describe_db_instances()
            .db_instance_identifier(format!("{id}-1"))
            .send()
            .await
            .unwrap();
        assert_eq!(i.db_instances()[0].engine_version(), Some("16.1"));
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn modify_cluster_and_instance() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    assert_eq!(
        code(
            west.modify_db_cluster()
                .db_cluster_identifier("g-west")
                .master_user_password("another-pass-2")
                .send()
                .await
        ),
        "InvalidParameterCombination",
        "password of a secondary"
    );
    let r = east
        .modify_db_cluster()
        .db_cluster_identifier("g-east")
        .master_user_password("another-pass-2")
        .vpc_security_group_ids("sg-1")
        .vpc_security_group_ids("sg-2")
        .db_cluster_parameter_group_name("custom-pg")
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let c = r.db_cluster().unwrap();
    assert_eq!(c.status(), Some("modifying"));
    let sgs: Vec<_> = c
        .vpc_security_groups()
        .iter()
        .filter_map(|s| s.vpc_security_group_id())
        .collect();
    assert_eq!(sgs, ["sg-1", "sg-2"]);
    assert_eq!(c.db_cluster_parameter_group(), Some("custom-pg"));
    west.modify_db_cluster()
        .db_cluster_identifier("g-west")
        .enable_global_write_forwarding(true)
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    let g = east.describe_global_clusters().send().await.unwrap();
    let s = g.global_clusters()[0]
        .global_cluster_members()
        .iter()
        .find(|m| m.is_writer() == Some(false))
        .unwrap()
        .clone();
    assert_eq!(
        s.global_write_forwarding_status().map(|s| s.as_str()),
        Some("enabled")
    );

    let r = east
        .modify_db_instance()
        .db_instance_identifier("g-east-1")
        .db_instance_class("db.r6g.xlarge")
        .promotion_tier(3)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let i = r.db_instance().unwrap();
    assert_eq!(i.db_instance_status(), Some("modifying"));
    assert_eq!(i.db_instance_class(), Some("db.r6g.xlarge"));
    assert_eq!(i.promotion_tier(), Some(3));
    assert_eq!(
        code(
            east.modify_db_instance()
                .db_instance_identifier("nope")
                .promotion_tier(1)
                .send()
                .await
        ),
        "DBInstanceNotFound"
    );
    assert_eq!(
        code(
            east.modify_db_cluster()
                .db_cluster_identifier("nope")
                .deletion_protection(true)
                .send()
                .await
        ),
        "DBClusterNotFoundFault"
    );
    assert_eq!(
        code(
            east.modify_global_cluster()
                .global_cluster_identifier("nope")
                .deletion_protection(true)
                .send()
                .await
        ),
        "GlobalClusterNotFoundFault"
    );

    // Rename the global cluster: members follow.
    east.modify_global_cluster()
        .global_cluster_identifier("g")
        .new_global_cluster_identifier("g2")
        .send()
        .await
        .unwrap();
    let c = east
        .describe_db_clusters()
        .db_cluster_identifier("g-east")
        .send()
        .await
        .unwrap();
    assert_eq!(c.db_clusters()[0].global_cluster_identifier(), Some("g2"));
    emu.shutdown().await;
}

#[tokio::test]
async fn tags_on_every_resource_type() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    east.create_global_cluster()
        .global_cluster_identifier("g")
        .engine(PG)
        .tags(tag("team", "db"))
        .send()
        .await
        .unwrap();
    east.create_db_cluster()
        .db_cluster_identifier("c")
        .engine(PG)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .tags(tag("env", "test"))
        .send()
        .await
        .unwrap();
    instance(&east, "i", "c").await;
    let arns = [
        "arn:aws:rds::123456789012:global-cluster:g".to_string(),
        cluster_arn(EAST, "c"),
        "arn:aws:rds:us-east-1:123456789012:db:i".to_string(),
    ];
    for arn in &arns {
        east.add_tags_to_resource()
            .resource_name(arn)
            .tags(tag("a", "1"))
            .tags(tag("b", "2"))
            .send()
            .await
            .unwrap();
        east.add_tags_to_resource()
            .resource_name(arn)
            .tags(tag("a", "3"))
            .send()
            .await
            .unwrap();
        east.remove_tags_from_resource()
            .resource_name(arn)
            .tag_keys("b")
            .send()
            .await
            .unwrap();
        let l = east
            .list_tags_for_resource()
            .resource_name(arn)
            .send()
            .await
            .unwrap();
        let a: Vec<_> = l
            .tag_list()
            .iter()
            .filter(|t| t.key() == Some("a"))
            .map(|t| t.value().unwrap_or(""))
            .collect();
        assert_eq!(a, ["3"], "{arn}");
        assert!(l.tag_list().iter().all(|t| t.key() != Some("b")));
    }
    let c = east
        .describe_db_clusters()
        .db_cluster_identifier("c")
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = c.db_clusters()[0]
        .tag_list()
        .iter()
        .filter_map(|t| t.key())
        .collect();
    assert_eq!(keys, ["env", "a"]);
    assert_eq!(
        code(
            east.list_tags_for_resource()
                .resource_name("c")
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            east.list_tags_for_resource()
                .resource_name(cluster_arn(EAST, "zz"))
                .send()
                .await
        ),
        "DBClusterNotFoundFault"
    );
    assert_eq!(
        code(
            east.add_tags_to_resource()
                .resource_name(cluster_arn(EAST, "c"))
                .tags(tag("aws:x", "1"))
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn filters_and_pagination() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    for n in 0..45 {
        primary(&east, &format!("c{n:02}"), None).await;
    }
    instance(&east, "c07-a", "c07").await;
    instance(&east, "c07-b", "c07").await;
    instance(&east, "c08-a", "c08").await;

    let mut pages = east
        .describe_db_clusters()
        .max_records(20)
        .into_paginator()
        .send();
    let mut sizes = Vec::new();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        sizes.push(page.db_clusters().len());
        ids.extend(
            page.db_clusters()
                .iter()
                .filter_map(|c| c.db_cluster_identifier().map(str::to_string)),
        );
    }
    assert_eq!(sizes, [20, 20, 5]);
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 45);

    let r = east
        .describe_db_clusters()
        .max_records(20)
        .send()
        .await
        .unwrap();
    assert_eq!(r.marker(), Some("c20"));
    assert_eq!(
        code(east.describe_db_clusters().max_records(5).send().await),
        "InvalidParameterValue"
    );

    let r = east
        .describe_db_instances()
        .filters(filter("db-cluster-id", &["c07"]))
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = r
        .db_instances()
        .iter()
        .filter_map(|i| i.db_instance_identifier())
        .collect();
    assert_eq!(ids, ["c07-a", "c07-b"]);
    let arn = cluster_arn(EAST, "c08");
    let r = east
        .describe_db_instances()
        .filters(filter("db-cluster-id", &["c07", &arn]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.db_instances().len(), 3);
    let r = east
        .describe_db_clusters()
        .filters(filter("db-cluster-id", &["c01", "c02"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.db_clusters().len(), 2);
    assert_eq!(
        code(
            east.describe_db_clusters()
                .filters(filter("color", &["red"]))
                .send()
                .await
        ),
        "InvalidParameterValue"
    );
    assert!(client(&emu, WEST)
        .describe_db_clusters()
        .send()
        .await
        .unwrap()
        .db_clusters()
        .is_empty());

    east.create_global_cluster()
        .global_cluster_identifier("ga")
        .engine(PG)
        .send()
        .await
        .unwrap();
    east.create_global_cluster()
        .global_cluster_identifier("gb")
        .source_db_cluster_identifier(cluster_arn(EAST, "c01"))
        .send()
        .await
        .unwrap();
    let r = east
        .describe_global_clusters()
        .filters(filter("region", &[EAST]))
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = r
        .global_clusters()
        .iter()
        .filter_map(|g| g.global_cluster_identifier())
        .collect();
    assert_eq!(ids, ["gb"]);
    assert_eq!(
        client(&emu, EU)
            .describe_global_clusters()
            .send()
            .await
            .unwrap()
            .global_clusters()
            .len(),
        2,
        "partition-wide"
    );
    emu.shutdown().await;
}
