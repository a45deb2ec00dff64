//! Value limits, quotas and cross-region rules (emulator/src/rds/limits.rs),
//! each asserted with the code AWS answers through aws-sdk-rds.

use crate::common::*;
use aws_sdk_rds::error::ProvideErrorMetadata;
use aws_sdk_rds::Client;

const MYSQL: &str = "aurora-mysql";

/// The code and message of a failed call.
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

async fn standalone(
    c: &Client,
    id: &str,
    engine: &str,
    password: &str,
) -> Result<(), aws_sdk_rds::Error> {
    c.create_db_cluster()
        .db_cluster_identifier(id)
        .engine(engine)
        .master_username("app")
        .master_user_password(password)
        .send()
        .await
        .map(|_| ())
        .map_err(Into::into)
}

async fn writer(c: &Client, id: &str, cluster: &str) {
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
async fn master_password_length_and_characters() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    for (engine, pw, why) in [
        (PG, "short-7", "shorter than 8"),
        (
            MYSQL,
            &"a".repeat(42) as &str,
            "longer than 41 (Aurora MySQL)",
        ),
        (PG, &"a".repeat(100), "longer than 99 (Aurora PostgreSQL)"),
        (PG, "has/slash1", "'/'"),
        (PG, "has\"quote1", "'\"'"),
        (PG, "has@at-sign", "'@'"),
        (PG, "has a space", "space"),
    ] {
        let (code, message) = failure(standalone(&east, "pw", engine, pw).await);
        assert_eq!(code, "InvalidParameterValue", "{why}");
        assert!(message.contains("MasterUserPassword"), "{why}: {message}");
        assert!(!message.contains(pw), "{why}: the password is never echoed");
    }
    standalone(&east, "pw-mysql", MYSQL, &"a".repeat(41))
        .await
        .unwrap();
    standalone(&east, "pw-pg", PG, &"a".repeat(99))
        .await
        .unwrap();
    wait_all_available(&emu).await;
    let (code, _) = failure(
        east.modify_db_cluster()
            .db_cluster_identifier("pw-mysql")
            .master_user_password("b".repeat(42))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterValue", "ModifyDBCluster too");
    emu.shutdown().await;
}

#[tokio::test]
async fn identifiers_are_at_most_63_characters() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let long = format!("a{}", "b".repeat(63));
    let ok = format!("a{}", "b".repeat(62));
    assert_eq!(
        code(standalone(&east, &long, PG, "correct-horse-1").await),
        "InvalidParameterValue",
        "DBClusterIdentifier"
    );
    standalone(&east, &ok, PG, "correct-horse-1").await.unwrap();
    assert_eq!(
        code(
            east.create_db_instance()
                .db_instance_identifier(&long)
                .db_cluster_identifier(&ok)
                .engine(PG)
                .db_instance_class("db.r6g.large")
                .send()
                .await
        ),
        "InvalidParameterValue",
        "DBInstanceIdentifier"
    );
    assert_eq!(
        code(
            east.create_global_cluster()
                .global_cluster_identifier(&long)
                .engine(PG)
                .send()
                .await
        ),
        "InvalidParameterValue",
        "GlobalClusterIdentifier"
    );
    east.create_global_cluster()
        .global_cluster_identifier(&ok)
        .engine(PG)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            east.modify_global_cluster()
                .global_cluster_identifier(&ok)
                .new_global_cluster_identifier(&long)
                .send()
                .await
        ),
        "InvalidParameterValue",
        "NewGlobalClusterIdentifier"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn one_cluster_name_per_global_database() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    east.create_global_cluster()
        .global_cluster_identifier("g")
        .engine(PG)
        .send()
        .await
        .unwrap();
    east.create_db_cluster()
        .db_cluster_identifier("orders")
        .engine(PG)
        .global_cluster_identifier("g")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    writer(&east, "orders-1", "orders").await;
    wait_all_available(&emu).await;
    let (code, message) = failure(
        west.create_db_cluster()
            .db_cluster_identifier("orders")
            .engine(PG)
            .global_cluster_identifier("g")
            .send()
            .await,
    );
    assert_eq!(code, "DBClusterAlreadyExistsFault");
    assert!(message.contains("orders"), "{message}");
    // Outside the global database the name is free in another region.
    standalone(&west, "orders", PG, "correct-horse-1")
        .await
        .unwrap();
    emu.shutdown().await;
}

#[tokio::test]
async fn global_write_forwarding_needs_a_global_database() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    let (c, message) = failure(
        east.create_db_cluster()
            .db_cluster_identifier("alone")
            .engine(PG)
            .master_username("app")
            .master_user_password("correct-horse-1")
            .enable_global_write_forwarding(true)
            .send()
            .await,
    );
    assert_eq!(c, "InvalidParameterCombination");
    assert!(message.contains("global cluster identifier is not specified"));
    standalone(&east, "alone", PG, "correct-horse-1")
        .await
        .unwrap();
    wait_all_available(&emu).await;
    assert_eq!(
        code(
            east.modify_db_cluster()
                .db_cluster_identifier("alone")
                .enable_global_write_forwarding(true)
                .send()
                .await
        ),
        "InvalidParameterCombination",
        "ModifyDBCluster on a standalone cluster"
    );
    // A secondary takes it.
    west.modify_db_cluster()
        .db_cluster_identifier("g-west")
        .enable_global_write_forwarding(true)
        .send()
        .await
        .unwrap();
    emu.shutdown().await;
}

/// Regions besides EAST, enough for 11 secondaries.
const SECONDARY_REGIONS: [&str; 11] = [
    "us-west-2",
    "us-west-1",
    "us-east-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
];

#[tokio::test]
async fn at_most_ten_secondaries_and_fifteen_readers_plus_secondaries() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    east.create_global_cluster()
        .global_cluster_identifier("g")
        .engine(PG)
        .send()
        .await
        .unwrap();
    east.create_db_cluster()
        .db_cluster_identifier("g-p")
        .engine(PG)
        .global_cluster_identifier("g")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    writer(&east, "g-p-0", "g-p").await;
    wait_all_available(&emu).await;
    let secondary = |region: &str, n: usize| {
        let c = client(&emu, region);
        async move {
            c.create_db_cluster()
                .db_cluster_identifier(format!("g-s{n}"))
                .engine(PG)
                .global_cluster_identifier("g")
                .send()
                .await
        }
    };
    for (n, region) in SECONDARY_REGIONS.iter().take(10).enumerate() {
        secondary(region, n).await.unwrap();
    }
    let (code, message) = failure(secondary(SECONDARY_REGIONS[10], 10).await);
    assert_eq!(code, "InvalidParameterValue", "the 11th secondary");
    assert!(message.contains("10 secondary"), "{message}");
    // 10 secondaries leave room for 5 readers in the primary.
    for n in 1..=5 {
        writer(&east, &format!("g-p-{n}"), "g-p").await;
    }
    let (code, message) = failure(
        east.create_db_instance()
            .db_instance_identifier("g-p-6")
            .db_cluster_identifier("g-p")
            .engine(PG)
            .db_instance_class("db.r6g.large")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterValue", "the 6th reader");
    assert!(message.contains("15"), "{message}");
    emu.shutdown().await;
}

#[tokio::test]
async fn secondaries_count_against_a_full_primary() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    east.create_global_cluster()
        .global_cluster_identifier("g")
        .engine(PG)
        .send()
        .await
        .unwrap();
    east.create_db_cluster()
        .db_cluster_identifier("g-p")
        .engine(PG)
        .global_cluster_identifier("g")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    // A writer and 14 readers: one secondary fits, a second does not.
    for n in 0..=14 {
        writer(&east, &format!("g-p-{n}"), "g-p").await;
    }
    wait_all_available(&emu).await;
    let add = |region: &str, id: &str| {
        let c = client(&emu, region);
        let id = id.to_string();
        async move {
            c.create_db_cluster()
                .db_cluster_identifier(id)
                .engine(PG)
                .global_cluster_identifier("g")
                .send()
                .await
        }
    };
    add(WEST, "g-west").await.unwrap();
    assert_eq!(code(add(EU, "g-eu").await), "InvalidParameterValue");
    emu.shutdown().await;
}

#[tokio::test]
async fn storage_encryption_must_match_the_global_cluster() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    for (gid, global_encrypted) in [("enc", true), ("plain", false)] {
        east.create_global_cluster()
            .global_cluster_identifier(gid)
            .engine(PG)
            .storage_encrypted(global_encrypted)
            .send()
            .await
            .unwrap();
        let (code, message) = failure(
            east.create_db_cluster()
                .db_cluster_identifier(format!("{gid}-p"))
                .engine(PG)
                .global_cluster_identifier(gid)
                .master_username("app")
                .master_user_password("correct-horse-1")
                .storage_encrypted(!global_encrypted)
                .send()
                .await,
        );
        assert_eq!(code, "InvalidParameterValue", "{gid}: first member");
        assert!(
            message.contains(&format!("should match setting for global cluster {gid}")),
            "{message}"
        );
    }
    east.create_db_cluster()
        .db_cluster_identifier("enc-p")
        .engine(PG)
        .global_cluster_identifier("enc")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    writer(&east, "enc-p-1", "enc-p").await;
    wait_all_available(&emu).await;
    assert_eq!(
        code(
            west.create_db_cluster()
                .db_cluster_identifier("enc-s")
                .engine(PG)
                .global_cluster_identifier("enc")
                .storage_encrypted(false)
                .send()
                .await
        ),
        "InvalidParameterValue",
        "an unencrypted secondary"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn engine_version_rules_of_members_and_global_cluster() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    let eu = client(&emu, EU);
    // A headless third member.
    eu.create_db_cluster()
        .db_cluster_identifier("g-eu")
        .engine(PG)
        .global_cluster_identifier("g")
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;

    let upgrade = |c: &Client, id: &str| {
        c.modify_db_cluster()
            .db_cluster_identifier(id)
            .engine_version("15.5")
            .apply_immediately(true)
            .send()
    };
    let (code, message) = failure(upgrade(&east, "g-east").await);
    assert_eq!(code, "InvalidParameterValue", "primary before secondaries");
    assert!(
        message.contains("upgrade global replicas first"),
        "{message}"
    );
    let (code, message) = failure(upgrade(&eu, "g-eu").await);
    assert_eq!(code, "InvalidDBClusterStateFault", "headless member");
    assert!(
        message.contains("Cannot modify engine version without a healthy primary instance"),
        "{message}"
    );

    // While one member upgrades, another member's upgrade is refused.
    set_time_scale(&emu, 1.0).await;
    writer(&eu, "g-eu-1", "g-eu").await;
    advance(&emu, 3600).await;
    upgrade(&west, "g-west").await.unwrap();
    let (code, message) = failure(upgrade(&eu, "g-eu").await);
    assert_eq!(
        code, "InvalidGlobalClusterStateFault",
        "another member upgrading"
    );
    assert!(message.contains("is upgrading"), "{message}");
    advance(&emu, 3600).await;
    upgrade(&eu, "g-eu").await.unwrap();
    emu.shutdown().await;
}

#[tokio::test]
async fn modify_global_cluster_minor_versions_by_engine() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    east.create_global_cluster()
        .global_cluster_identifier("my")
        .engine(MYSQL)
        .engine_version("8.0.mysql_aurora.3.05.2")
        .send()
        .await
        .unwrap();
    let (code, message) = failure(
        east.modify_global_cluster()
            .global_cluster_identifier("my")
            .engine_version("8.0.mysql_aurora.3.06.0")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterValue");
    assert!(
        message.contains("only supports Major Version Upgrades"),
        "{message}"
    );
    // A major version still needs AllowMajorVersionUpgrade.
    assert_eq!(
        code_of(
            east.modify_global_cluster()
                .global_cluster_identifier("my")
                .engine_version("8.4.mysql_aurora.4.0.0")
                .send()
                .await
        ),
        "InvalidParameterCombination"
    );
    // Aurora PostgreSQL takes a managed minor upgrade.
    topology(&emu, "g").await;
    east.modify_global_cluster()
        .global_cluster_identifier("g")
        .engine_version("15.5")
        .send()
        .await
        .unwrap();
    emu.shutdown().await;
}

fn code_of<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, E>,
) -> String {
    failure(r).0
}
