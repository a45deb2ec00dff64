//! The admin API: region outages with failover, faults, throttling, rate
//! limits, the call log, state and reset.

use crate::common::*;
use aurora_emulator::{AdminError, Fault};
use aws_sdk_rds::config::retry::RetryConfig;
use aws_sdk_rds::error::SdkError;
use std::time::Duration;

#[tokio::test]
async fn failover_with_data_loss_while_the_primary_region_is_down() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);

    emu.admin().outage(EAST).await.unwrap();
    // Every request signed for us-east-1 gets its connection closed, no HTTP answer.
    let err = east.describe_db_clusters().send().await.unwrap_err();
    assert!(
        matches!(err, SdkError::DispatchFailure(_)),
        "expected a transport error, got {err:?}"
    );
    let raw_answer = raw(
        &emu,
        &rds_request(Some(EAST), "Action=DescribeDBClusters&Version=2014-10-31"),
    )
    .await;
    assert!(
        raw_answer.is_none(),
        "connection must close without a response"
    );
    // Other regions still answer; the global view is partition-wide.
    west.describe_global_clusters().send().await.unwrap();

    // A planned switchover needs every member; a failover with data loss does not.
    let sw = west
        .switchover_global_cluster()
        .global_cluster_identifier("g")
        .target_db_cluster_identifier(cluster_arn(WEST, "g-west"))
        .send()
        .await;
    assert_eq!(code(sw), "InvalidGlobalClusterStateFault");
    set_time_scale(&emu, 1.0).await;
    let r = west
        .failover_global_cluster()
        .global_cluster_identifier("g")
        .target_db_cluster_identifier(cluster_arn(WEST, "g-west"))
        .allow_data_loss(true)
        .send()
        .await
        .unwrap();
    let g = r.global_cluster().unwrap();
    assert_eq!(g.status(), Some("failing-over"));
    assert_eq!(
        g.failover_state().unwrap().is_data_loss_allowed(),
        Some(true)
    );
    advance(&emu, 90).await;

    let g = west.describe_global_clusters().send().await.unwrap();
    let g = &g.global_clusters()[0];
    assert_eq!(g.status(), Some("available"));
    let members = g.global_cluster_members();
    let writer = members
        .iter()
        .find(|m| m.is_writer() == Some(true))
        .unwrap();
    assert_eq!(
        writer.db_cluster_arn(),
        Some(cluster_arn(WEST, "g-west").as_str())
    );
    let old = members
        .iter()
        .find(|m| m.is_writer() == Some(false))
        .unwrap();
    assert_eq!(
        old.db_cluster_arn(),
        Some(cluster_arn(EAST, "g-east").as_str()),
        "old primary stays as a secondary"
    );
    assert_eq!(
        old.synchronization_status().map(|s| s.as_str()),
        Some("pending-resync")
    );
    let w = west
        .describe_db_clusters()
        .db_cluster_identifier("g-west")
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.db_clusters()[0].db_cluster_members()[0].is_cluster_writer(),
        Some(true)
    );

    // The region comes back: the old primary resynchronises and is a normal secondary again.
    emu.admin().restore(EAST).await.unwrap();
    let g = east.describe_global_clusters().send().await.unwrap();
    let old = g.global_clusters()[0]
        .global_cluster_members()
        .iter()
        .find(|m| m.is_writer() == Some(false))
        .unwrap()
        .clone();
    assert_eq!(
        old.synchronization_status().map(|s| s.as_str()),
        Some("pending-resync")
    );
    advance(&emu, 300).await;
    let g = east.describe_global_clusters().send().await.unwrap();
    let old = g.global_clusters()[0]
        .global_cluster_members()
        .iter()
        .find(|m| m.is_writer() == Some(false))
        .unwrap()
        .clone();
    assert_eq!(
        old.synchronization_status().map(|s| s.as_str()),
        Some("connected")
    );
    // Before rejoining, Aurora snapshots the former primary.
    let snaps = east
        .describe_db_cluster_snapshots()
        .db_cluster_identifier("g-east")
        .send()
        .await
        .unwrap();
    let snap = snaps.db_cluster_snapshots()[0]
        .db_cluster_snapshot_identifier()
        .unwrap();
    assert!(
        snap.starts_with("rds:unplanned-global-failover-g-east-"),
        "{snap}"
    );
    let e = east
        .describe_db_clusters()
        .db_cluster_identifier("g-east")
        .send()
        .await
        .unwrap();
    assert_eq!(
        e.db_clusters()[0].db_cluster_members()[0].is_cluster_writer(),
        Some(false)
    );

    let calls = emu.admin().calls().await.unwrap();
    let dropped: Vec<_> = calls.iter().filter(|c| c.status == 0).collect();
    assert_eq!(dropped.len(), 2);
    assert_eq!(dropped[0].region, EAST);
    emu.shutdown().await;
}

#[tokio::test]
async fn injected_faults_fire_once_on_the_nth_call() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    emu.admin()
        .add_fault(
            &Fault::new("DescribeDBClusters")
                .nth(2)
                .error("InternalFailure", 500),
        )
        .await
        .unwrap();
    east.describe_db_clusters().send().await.unwrap();
    east.describe_db_instances().send().await.unwrap();
    let err = west.describe_db_clusters().send().await.unwrap_err();
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    assert_eq!(code(Err::<(), _>(err)), "InternalFailure");
    east.describe_db_clusters().send().await.unwrap();

    // Region-scoped fault with a client-side code.
    emu.admin()
        .add_fault(
            &Fault::new("CreateGlobalCluster")
                .error("GlobalClusterQuotaExceededFault", 400)
                .region(WEST)
                .message("quota"),
        )
        .await
        .unwrap();
    east.create_global_cluster()
        .global_cluster_identifier("a")
        .engine(PG)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            west.create_global_cluster()
                .global_cluster_identifier("b")
                .engine(PG)
                .send()
                .await
        ),
        "GlobalClusterQuotaExceededFault"
    );
    west.create_global_cluster()
        .global_cluster_identifier("b")
        .engine(PG)
        .send()
        .await
        .unwrap();

    // The SDK's standard retry policy recovers from one transient 500.
    emu.admin()
        .add_fault(&Fault::new("DescribeGlobalClusters"))
        .await
        .unwrap();
    let retrying = client_with_retries(
        &emu,
        EAST,
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(5)),
    );
    assert_eq!(
        retrying
            .describe_global_clusters()
            .send()
            .await
            .unwrap()
            .global_clusters()
            .len(),
        2
    );

    let r = emu
        .admin()
        .request("POST", "faults", "not json")
        .await
        .unwrap();
    assert_eq!(r.status, 400, "{}", r.body);
    let err = emu.admin().add_fault(&Fault::new("X").nth(0)).await;
    assert!(
        matches!(err, Err(AdminError::Status { status: 400, .. })),
        "{err:?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn throttling_and_rate_limits() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    emu.admin().throttle(0.5).await.unwrap();
    let mut throttled = 0;
    for _ in 0..10 {
        if let Err(e) = east.describe_db_clusters().send().await {
            assert_eq!(code(Err::<(), _>(e)), "Throttling");
            throttled += 1;
        }
    }
    assert_eq!(throttled, 5);
    emu.admin().clear_faults().await.unwrap();
    for _ in 0..5 {
        east.describe_db_clusters().send().await.unwrap();
    }

    emu.admin().rate_limit(4).await.unwrap();
    let mut results = Vec::new();
    for _ in 0..6 {
        results.push(east.describe_db_clusters().send().await.is_ok());
    }
    assert_eq!(results, [true, true, true, true, false, false]);
    assert!(
        west.describe_db_clusters().send().await.is_ok(),
        "limits are per region"
    );
    assert_eq!(code(east.describe_db_clusters().send().await), "Throttling");
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert!(
        east.describe_db_clusters().send().await.is_ok(),
        "window slides"
    );
    emu.admin().clear_faults().await.unwrap();
    emu.shutdown().await;
}

#[tokio::test]
async fn call_log_state_and_reset() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    topology(&emu, "g").await;
    emu.admin().clear_calls().await.unwrap();
    east.describe_db_clusters().send().await.unwrap();
    let _ = east
        .describe_db_clusters()
        .db_cluster_identifier("nope")
        .send()
        .await;
    let calls = emu.admin().calls().await.unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].action, "DescribeDBClusters");
    assert_eq!(calls[0].region, EAST);
    assert_eq!(calls[0].status, 200);
    assert!(calls[0].code.is_none());
    let raw = emu
        .admin()
        .request("GET", "calls", "")
        .await
        .unwrap()
        .json();
    assert!(raw[0]["time_ms"].is_u64() && raw[0]["code"].is_null());
    assert_eq!(calls[1].status, 404);
    assert_eq!(calls[1].code.as_deref(), Some("DBClusterNotFoundFault"));
    assert!(calls[1].seq > calls[0].seq);

    let st = emu.admin().state().await.unwrap();
    assert_eq!(st["global_clusters"][0]["id"], "g");
    assert_eq!(
        st["global_clusters"][0]["members"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(st["clusters"].as_array().unwrap().len(), 2);
    let primary = st["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == "primary")
        .unwrap();
    assert_eq!(primary["region"], EAST);
    assert_eq!(st["instances"].as_array().unwrap().len(), 2);

    emu.admin().reset().await.unwrap();
    let st = emu.admin().state().await.unwrap();
    assert!(st["global_clusters"].as_array().unwrap().is_empty());
    assert!(st["clusters"].as_array().unwrap().is_empty());
    assert!(emu.admin().calls().await.unwrap().is_empty());
    let r = emu.admin().request("GET", "nope", "").await.unwrap();
    assert_eq!(r.status, 404);
    emu.shutdown().await;
}
