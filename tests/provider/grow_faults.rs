//! A failed grow or restore converges (SPEC §5, §8), with Terraform 1.15
//! against the emulator: a non-retryable failure is injected at each
//! mutating RDS call a clean run of the create makes (the emulator's fault
//! API, counted per action and region), the apply fails, and a second apply
//! with the same configuration converges to the two-region global database
//! with a plan that changes nothing. The cluster a grow starts from keeps
//! its DbClusterResourceId through every run and is never deleted: no
//! DeleteDBCluster (nor DeleteDBInstance) appears in the call log of any
//! run, failed or not. `make test` runs the first, middle and last fault
//! point of each sequence; `make reliability` runs every one.

use crate::common;
use crate::e2e_grow::{grow_body, members, resource_id, standalone, EAST, SCALE};

use std::time::{Duration, Instant};

use aurora_emulator::Fault;
use common::{config, hosts, plan_code, text, Call, Emu, Host, Workdir, FAST_POLL};

const GID: &str = "grownfault";

#[derive(Clone, Copy, Debug)]
enum Seq {
    /// `source_db_cluster_identifier` = a cluster with instances a and b;
    /// the configuration adds c.
    Grow,
    /// `snapshot_identifier` = a snapshot of another cluster.
    Restore,
}

fn source() -> String {
    format!("{GID}-legacy")
}

fn snapshot() -> String {
    format!("{GID}-snap")
}

/// Whether DescribeGlobalClusters reports the global cluster's tags (as
/// AWS does), or none (as some backends and partitions do: then a grown
/// global cluster is recognised by its writer being the source).
#[derive(Clone, Copy, Debug)]
enum GlobalTags {
    Kept,
    Dropped,
}

/// Resets the emulator and makes what the sequence starts from; returns
/// the workdir and the source cluster's resource id.
fn prepare(emu: &Emu, seq: Seq, tags: GlobalTags) -> (Workdir, String) {
    emu.admin().reset().unwrap();
    emu.admin()
        .behaviour(&aurora_emulator::Behaviour {
            drop_global_tags: Some(matches!(tags, GlobalTags::Dropped)),
            ..Default::default()
        })
        .unwrap();
    let before = standalone(emu, &source(), &["a", "b"]);
    let body = match seq {
        Seq::Grow => grow_body(&source(), &["a", "b", "c"]),
        Seq::Restore => {
            let rds = emu.rds(EAST);
            emu.block_on(
                rds.create_db_cluster_snapshot()
                    .db_cluster_identifier(source())
                    .db_cluster_snapshot_identifier(snapshot())
                    .send(),
            )
            .unwrap();
            let deadline = Instant::now() + Duration::from_secs(60);
            while emu
                .block_on(
                    rds.describe_db_cluster_snapshots()
                        .db_cluster_snapshot_identifier(snapshot())
                        .send(),
                )
                .unwrap()
                .db_cluster_snapshots()[0]
                .status()
                != Some("available")
            {
                assert!(Instant::now() < deadline, "snapshot not available");
                std::thread::sleep(Duration::from_millis(50));
            }
            format!(
                r#"  snapshot_identifier = "{}"
  primary_region      = "us-east-1"
  skip_final_snapshot = true
  regions = {{
    "us-east-1" = {{ instance_class = "db.r6g.large", instances = {{ a = {{}} }} }}
    "eu-west-1" = {{ instance_class = "db.r6g.large", instances = {{ a = {{}} }} }}
  }}
"#,
                snapshot()
            )
        }
    };
    emu.clear_calls();
    (Workdir::new(&config(emu, GID, &body)), before)
}

fn apply(w: &Workdir, host: &Host) -> std::process::Output {
    w.run_env(host, &["apply", "-auto-approve", "-no-color"], &FAST_POLL)
}

/// (action, region) of every call that changes something.
fn mutating(calls: &[Call]) -> Vec<(String, String)> {
    calls
        .iter()
        .filter(|c| !c.is_read())
        .map(|c| (c.action.clone(), c.region.clone()))
        .collect()
}

/// What must hold after every run: the source cluster is the same object,
/// and nothing was deleted.
fn source_untouched(emu: &Emu, before: &str, what: &str) {
    assert_eq!(
        resource_id(emu, &source()),
        before,
        "{what}: the source cluster was replaced"
    );
    let deletes: Vec<Call> = emu
        .calls()
        .into_iter()
        .filter(|c| c.action == "DeleteDBCluster" || c.action == "DeleteDBInstance")
        .collect();
    assert!(deletes.is_empty(), "{what}: {deletes:?}");
}

/// The converged topology: two members, the expected writer, a clean plan.
fn converged(emu: &Emu, w: &Workdir, host: &Host, seq: Seq, what: &str) {
    let writer = match seq {
        Seq::Grow => source(),
        Seq::Restore => format!("{GID}-us-east-1"),
    };
    assert_eq!(members(emu, GID), (2, writer), "{what}");
    let (code, out) = plan_code(w, host);
    assert_eq!(code, 0, "{what}: plan after re-apply: {}", text(&out));
}

/// Indices of the fault points to run: every one with RELIABILITY_FULL=1
/// (`make reliability`), else the first, middle and last (`make test`).
fn points(n: usize) -> Vec<usize> {
    if std::env::var("RELIABILITY_FULL").is_ok_and(|v| v == "1") || n <= 3 {
        (0..n).collect()
    } else {
        let mut v = vec![0, n / 2, n - 1];
        v.dedup();
        v
    }
}

#[test]
fn a_failed_grow_or_restore_converges_and_spares_the_source() {
    let Some(host) = hosts().into_iter().find(|h| h.name == "terraform-1.15") else {
        eprintln!("skipping: no terraform 1.15");
        return;
    };
    let emu = Emu::start(SCALE);
    let mut table = Vec::new();
    let runs = [
        (Seq::Grow, GlobalTags::Kept),
        (Seq::Grow, GlobalTags::Dropped),
        (Seq::Restore, GlobalTags::Kept),
        (Seq::Restore, GlobalTags::Dropped),
    ];
    for (seq, tags) in runs {
        let (w, before) = prepare(&emu, seq, tags);
        let out = apply(&w, &host);
        assert!(
            out.status.success(),
            "clean {seq:?} {tags:?}: {}",
            text(&out)
        );
        let plan = mutating(&emu.calls());
        source_untouched(&emu, &before, &format!("clean {seq:?}"));
        converged(&emu, &w, &host, seq, &format!("clean {seq:?}"));
        assert!(
            plan.iter().any(|(a, _)| a == "CreateGlobalCluster"),
            "{seq:?}: {plan:?}"
        );
        let mut ok = 0;
        for k in points(plan.len()) {
            let (action, region) = &plan[k];
            let nth = plan[..=k]
                .iter()
                .filter(|(a, r)| a == action && r == region)
                .count();
            let what = format!("{seq:?} (global tags {tags:?}): {action}#{nth} in {region}");
            let (w, before) = prepare(&emu, seq, tags);
            emu.admin()
                .add_fault(
                    &Fault::new(action.as_str())
                        .nth(nth as u64)
                        .error("InvalidParameterValue", 400)
                        .region(region.as_str())
                        .message("injected fault"),
                )
                .unwrap();
            let out = apply(&w, &host);
            emu.admin().clear_faults().unwrap();
            assert!(!out.status.success(), "{what} did not fail: {}", text(&out));
            // Terraform wraps the diagnostic's lines.
            let err = String::from_utf8_lossy(&out.stderr)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                err.contains("InvalidParameterValue: injected fault"),
                "{what}: {}",
                text(&out)
            );
            source_untouched(&emu, &before, &format!("{what}, failed run"));
            let out = apply(&w, &host);
            assert!(out.status.success(), "{what}: re-apply: {}", text(&out));
            source_untouched(&emu, &before, &format!("{what}, re-apply"));
            converged(&emu, &w, &host, seq, &what);
            ok += 1;
        }
        let points: Vec<String> = plan.iter().map(|(a, r)| format!("{a} {r}")).collect();
        table.push((
            format!("{seq:?}, global tags {tags:?}"),
            points.join(", "),
            ok,
        ));
    }
    println!("\nFailed grow / restore (terraform 1.15, one non-retryable failure per run):");
    println!("| sequence | mutating calls = fault points | faults run, converged on re-apply with the source kept |");
    println!("|---|---|---|");
    for (seq, points, ok) in table {
        println!("| {seq} | {points} | {ok} |");
    }
}
