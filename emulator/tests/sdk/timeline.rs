//! Status timelines at a small, non-zero time scale on the real clock.

use crate::common::*;
use std::time::{Duration, Instant};

/// Polls a status until it reaches `target`, returning the distinct statuses seen.
async fn trace<F, Fut>(target: &str, mut status: F) -> (Vec<String>, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<String>>,
{
    let start = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    while start.elapsed() < Duration::from_secs(15) {
        let s = status().await.unwrap_or_else(|| "gone".to_string());
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if s == target {
            return (seen, start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never reached {target}: {seen:?}");
}

/// Asserts that a mutation answered `during`, then reached `target` no
/// earlier than `min_ms` after the call was sent, passing only through `during`.
async fn step<F, Fut>(
    began: Instant,
    answered: Option<&str>,
    during: &str,
    target: &str,
    min_ms: u64,
    status: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<String>>,
{
    assert_eq!(answered, Some(during));
    let (seen, _) = trace(target, status).await;
    assert!(seen.iter().all(|s| s == during || s == target), "{seen:?}");
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(min_ms),
        "{during} -> {target} after {took:?}, expected >= {min_ms} ms"
    );
}

#[tokio::test]
async fn statuses_advance_with_scaled_durations() {
    // 0.001: cluster create 0.3 s, instance create 0.6 s, switchover 0.12 s,
    // modify 0.06 s, upgrade 0.9 s, instance delete 0.3 s, cluster delete 0.12 s.
    let emu = emulator(0.001).await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    let cluster_status = |c: &aws_sdk_rds::Client, id: &'static str| {
        let c = c.clone();
        move || {
            let c = c.clone();
            async move {
                c.describe_db_clusters()
                    .db_cluster_identifier(id)
                    .send()
                    .await
                    .ok()
                    .and_then(|r| {
                        r.db_clusters()
                            .first()
                            .and_then(|c| c.status().map(str::to_string))
                    })
            }
        }
    };
    let instance_status = |c: &aws_sdk_rds::Client, id: &'static str| {
        let c = c.clone();
        move || {
            let c = c.clone();
            async move {
                c.describe_db_instances()
                    .db_instance_identifier(id)
                    .send()
                    .await
                    .ok()
                    .and_then(|r| {
                        r.db_instances()
                            .first()
                            .and_then(|i| i.db_instance_status().map(str::to_string))
                    })
            }
        }
    };

    east.create_global_cluster()
        .global_cluster_identifier("t")
        .engine(PG)
        .send()
        .await
        .unwrap();
    let began = Instant::now();
    let r = east
        .create_db_cluster()
        .db_cluster_identifier("t-east")
        .engine(PG)
        .global_cluster_identifier("t")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    step(
        began,
        r.db_cluster().unwrap().status(),
        "creating",
        "available",
        300,
        cluster_status(&east, "t-east"),
    )
    .await;

    let began = Instant::now();
    let r = east
        .create_db_instance()
        .db_instance_identifier("t-east-1")
        .db_cluster_identifier("t-east")
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    step(
        began,
        r.db_instance().unwrap().db_instance_status(),
        "creating",
        "available",
        600,
        instance_status(&east, "t-east-1"),
    )
    .await;
    west.create_db_cluster()
        .db_cluster_identifier("t-west")
        .engine(PG)
        .global_cluster_identifier("t")
        .send()
        .await
        .unwrap();
    west.create_db_instance()
        .db_instance_identifier("t-west-1")
        .db_cluster_identifier("t-west")
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;

    let began = Instant::now();
    let r = west
        .switchover_global_cluster()
        .global_cluster_identifier("t")
        .target_db_cluster_identifier(cluster_arn(WEST, "t-west"))
        .send()
        .await
        .unwrap();
    let west2 = west.clone();
    step(
        began,
        r.global_cluster().unwrap().status(),
        "switching-over",
        "available",
        120,
        move || {
            let c = west2.clone();
            async move {
                let r = c
                    .describe_global_clusters()
                    .global_cluster_identifier("t")
                    .send()
                    .await
                    .unwrap();
                r.global_clusters()[0].status().map(str::to_string)
            }
        },
    )
    .await;

    let began = Instant::now();
    let r = west
        .modify_db_cluster()
        .db_cluster_identifier("t-west")
        .backup_retention_period(5)
        .send()
        .await
        .unwrap();
    step(
        began,
        r.db_cluster().unwrap().status(),
        "modifying",
        "available",
        60,
        cluster_status(&west, "t-west"),
    )
    .await;

    let began = Instant::now();
    let r = east
        .modify_db_cluster()
        .db_cluster_identifier("t-east")
        .engine_version("15.5")
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    step(
        began,
        r.db_cluster().unwrap().status(),
        "upgrading",
        "available",
        900,
        instance_status(&east, "t-east-1"),
    )
    .await;

    east.remove_from_global_cluster()
        .global_cluster_identifier("t")
        .db_cluster_identifier(cluster_arn(EAST, "t-east"))
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    let began = Instant::now();
    let r = east
        .delete_db_instance()
        .db_instance_identifier("t-east-1")
        .send()
        .await
        .unwrap();
    step(
        began,
        r.db_instance().unwrap().db_instance_status(),
        "deleting",
        "gone",
        300,
        instance_status(&east, "t-east-1"),
    )
    .await;
    let began = Instant::now();
    let r = east
        .delete_db_cluster()
        .db_cluster_identifier("t-east")
        .skip_final_snapshot(true)
        .send()
        .await
        .unwrap();
    step(
        began,
        r.db_cluster().unwrap().status(),
        "deleting",
        "gone",
        120,
        cluster_status(&east, "t-east"),
    )
    .await;
    emu.shutdown().await;
}

#[tokio::test]
async fn failover_state_moves_from_pending_to_failing_over() {
    let emu = emulator(0.0).await;
    topology(&emu, "f").await;
    // Real-service durations on the virtual clock: failover takes 90 s,
    // "pending" for its first quarter.
    set_time_scale(&emu, 1.0).await;
    let west = client(&emu, WEST);
    let r = west
        .failover_global_cluster()
        .global_cluster_identifier("f")
        .target_db_cluster_identifier(cluster_arn(WEST, "f-west"))
        .allow_data_loss(true)
        .send()
        .await
        .unwrap();
    let state = || async {
        let r = west
            .describe_global_clusters()
            .global_cluster_identifier("f")
            .send()
            .await
            .unwrap();
        let g = &r.global_clusters()[0];
        match g.failover_state() {
            Some(fs) => format!("{}/{}", g.status().unwrap(), fs.status().unwrap().as_str()),
            None => format!("{}/-", g.status().unwrap()),
        }
    };
    assert_eq!(r.global_cluster().unwrap().status(), Some("failing-over"));
    assert_eq!(state().await, "failing-over/pending");
    advance(&emu, 30).await;
    assert_eq!(state().await, "failing-over/failing-over");
    advance(&emu, 60).await;
    assert_eq!(state().await, "available/-");
    emu.shutdown().await;
}
