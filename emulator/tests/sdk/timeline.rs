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

#[tokio::test]
async fn statuses_advance_with_scaled_durations() {
    // 0.001: cluster create 0.3 s, instance create 0.6 s, switchover 0.12 s,
    // upgrade 0.9 s, instance delete 0.3 s, cluster delete 0.12 s.
    let emu = emulator(0.001).await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    east.create_global_cluster()
        .global_cluster_identifier("t")
        .engine(PG)
        .send()
        .await
        .unwrap();
    east.create_db_cluster()
        .db_cluster_identifier("t-east")
        .engine(PG)
        .global_cluster_identifier("t")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    let (seen, took) = trace("available", || async {
        let r = east
            .describe_db_clusters()
            .db_cluster_identifier("t-east")
            .send()
            .await
            .unwrap();
        r.db_clusters()[0].status().map(str::to_string)
    })
    .await;
    assert_eq!(seen, ["creating", "available"]);
    assert!(took >= Duration::from_millis(250), "{took:?}");

    east.create_db_instance()
        .db_instance_identifier("t-east-1")
        .db_cluster_identifier("t-east")
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
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
    let (seen, took) = trace("available", || async {
        let r = west
            .describe_db_instances()
            .db_instance_identifier("t-west-1")
            .send()
            .await
            .unwrap();
        r.db_instances()[0].db_instance_status().map(str::to_string)
    })
    .await;
    assert_eq!(seen, ["creating", "available"]);
    assert!(took >= Duration::from_millis(500), "{took:?}");
    wait_all_available(&emu).await;

    west.switchover_global_cluster()
        .global_cluster_identifier("t")
        .target_db_cluster_identifier(cluster_arn(WEST, "t-west"))
        .send()
        .await
        .unwrap();
    let (seen, _) = trace("available", || async {
        let r = west
            .describe_global_clusters()
            .global_cluster_identifier("t")
            .send()
            .await
            .unwrap();
        r.global_clusters()[0].status().map(str::to_string)
    })
    .await;
    assert_eq!(seen, ["switching-over", "available"]);

    west.modify_db_cluster()
        .db_cluster_identifier("t-west")
        .backup_retention_period(5)
        .send()
        .await
        .unwrap();
    let (seen, _) = trace("available", || async {
        let r = west
            .describe_db_clusters()
            .db_cluster_identifier("t-west")
            .send()
            .await
            .unwrap();
        r.db_clusters()[0].status().map(str::to_string)
    })
    .await;
    assert_eq!(seen, ["modifying", "available"]);

    east.modify_db_cluster()
        .db_cluster_identifier("t-east")
        .engine_version("15.5")
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let (seen, _) = trace("available", || async {
        let r = east
            .describe_db_instances()
            .db_instance_identifier("t-east-1")
            .send()
            .await
            .unwrap();
        r.db_instances()[0].db_instance_status().map(str::to_string)
    })
    .await;
    assert_eq!(seen, ["upgrading", "available"]);

    east.remove_from_global_cluster()
        .global_cluster_identifier("t")
        .db_cluster_identifier(cluster_arn(EAST, "t-east"))
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    east.delete_db_instance()
        .db_instance_identifier("t-east-1")
        .send()
        .await
        .unwrap();
    let (seen, _) = trace("gone", || async {
        east.describe_db_instances()
            .db_instance_identifier("t-east-1")
            .send()
            .await
            .ok()
            .and_then(|r| {
                r.db_instances()
                    .first()
                    .and_then(|i| i.db_instance_status().map(str::to_string))
            })
    })
    .await;
    assert_eq!(seen, ["deleting", "gone"]);
    east.delete_db_cluster()
        .db_cluster_identifier("t-east")
        .skip_final_snapshot(true)
        .send()
        .await
        .unwrap();
    let (seen, _) = trace("gone", || async {
        east.describe_db_clusters()
            .db_cluster_identifier("t-east")
            .send()
            .await
            .ok()
            .and_then(|r| {
                r.db_clusters()
                    .first()
                    .and_then(|c| c.status().map(str::to_string))
            })
    })
    .await;
    assert_eq!(seen, ["deleting", "gone"]);
    emu.shutdown().await;
}

#[tokio::test]
async fn failover_state_moves_from_pending_to_failing_over() {
    let emu = emulator(0.0).await;
    topology(&emu, "f").await;
    // Switchover: 120 s × 0.005 = 0.6 s; "pending" for the first quarter.
    set_time_scale(&emu, 0.005).await;
    let west = client(&emu, WEST);
    west.switchover_global_cluster()
        .global_cluster_identifier("f")
        .target_db_cluster_identifier(cluster_arn(WEST, "f-west"))
        .send()
        .await
        .unwrap();
    let (seen, _) = trace("done", || async {
        let r = west
            .describe_global_clusters()
            .global_cluster_identifier("f")
            .send()
            .await
            .unwrap();
        let g = &r.global_clusters()[0];
        Some(match g.failover_state() {
            Some(fs) => format!("{}/{}", g.status().unwrap(), fs.status().unwrap().as_str()),
            None => "done".to_string(),
        })
    })
    .await;
    assert_eq!(
        seen,
        [
            "switching-over/pending",
            "switching-over/failing-over",
            "done"
        ]
    );
    emu.shutdown().await;
}
