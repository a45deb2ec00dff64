//! Reliability under faults and interruptions, with a real Terraform against
//! the emulator (SPEC §5, issue "Survive faults, interruptions and hostile
//! input"):
//! - fault matrix: a non-retryable failure injected at each mutating RDS call
//!   of each sequence in turn; every run must fail with a diagnostic naming
//!   the step, and a plain re-apply must converge with no orphan and no
//!   duplicate object;
//! - kill matrix: the provider process is SIGKILLed right after each mutating
//!   call; a re-apply must converge the same way and never replace the
//!   primary;
//! - throttling and transient 5xx answers are absorbed by retries;
//! - a too-short timeout fails cleanly with the observed state recorded;
//! - an unreachable region is reported by name during refresh.
//!
//! `make test` runs a slice of each matrix; `make reliability` (env
//! RELIABILITY_FULL=1) runs all of it and prints the report table kept in
//! docs/reliability.md.

use crate::common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aurora_emulator::{ClockChange, Fault};
use common::{header, hosts, text, Call, Emu, Host, Workdir};

// ---------------------------------------------------------------- emulator

/// The shared in-process emulator harness, plus what these tests need.
fn emulator(time_scale: f64) -> Emu {
    let emu = Emu::start(time_scale);
    realistic_if_asked(&emu);
    emu
}

/// With `RELIABILITY_REALISTIC=1` (as `make reliability` sets it), the
/// emulator runs with AWS's timing and consistency effects on:
/// asynchronous detach, 1.5 s of read-after-write lag, and global clusters
/// that drop their tags (moto's behaviour, and an account without
/// global-cluster tagging). A create killed right after
/// CreateGlobalCluster then leaves an empty, untagged global cluster; the
/// re-apply adopts it because it is blank (no member, no tag, this
/// topology's engine, version and encryption: see
/// src/topology/reconcile/ownership.rs).
fn realistic_if_asked(emu: &Emu) {
    if std::env::var("RELIABILITY_REALISTIC").is_ok_and(|v| v == "1") {
        let aws = aurora_emulator::Behaviour {
            async_detach: Some(true),
            read_after_write_lag_ms: Some(1_500),
            drop_global_tags: Some(true),
        };
        emu.admin().behaviour(&aws).unwrap();
    }
}

fn endpoint(emu: &Emu) -> String {
    emu.emu.endpoint()
}

fn state(emu: &Emu) -> serde_json::Value {
    emu.admin().state().unwrap()
}

/// Deletions AWS accepted finish by themselves; an interrupted apply may
/// leave some in flight when the re-apply returns (e.g. killed after
/// DeleteGlobalCluster, which the provider sends before awaiting the
/// clusters' and instances' deletions). Waits for them, so that the audit
/// counts only what nobody is deleting.
fn settle_deletions(emu: &Emu) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let st = state(emu);
        let deleting = ["clusters", "instances", "global_clusters"]
            .iter()
            .any(|k| {
                st[*k]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|o| o["status"] == "deleting"))
            });
        if !deleting {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn reset(emu: &Emu) {
    emu.admin().reset().unwrap();
    realistic_if_asked(emu);
}

fn mutating(calls: &[Call]) -> Vec<(String, String)> {
    calls
        .iter()
        // Reads: Describe*, tags, and the CloudWatch lag a plan that moves
        // the primary reads (a failing read only makes the plan say the
        // lag is not known).
        .filter(|c| {
            !c.action.starts_with("Describe")
                && c.action != "ListTagsForResource"
                && c.action != "GetMetricData"
        })
        .map(|c| (c.action.clone(), c.region.clone()))
        .collect()
}

// ---------------------------------------------------------------- topology configs

const E: &str = "us-east-1";
const W: &str = "eu-west-1";
const A: &str = "ap-southeast-2";

fn topology(endpoint: &str, primary: &str, regions: &[(&str, &[&str])], extra: &str) -> String {
    let mut r = String::new();
    for (name, keys) in regions {
        let inst: Vec<String> = keys.iter().map(|k| format!("{k} = {{}}")).collect();
        r.push_str(&format!(
            "    \"{name}\" = {{ instance_class = \"db.r6g.large\", instances = {{ {} }} }}\n",
            inst.join(", ")
        ));
    }
    header(&format!(
        "  region = \"{E}\"\n  endpoint_url = \"{endpoint}\""
    )) + &format!(
        r#"
resource "replication_topology" "t" {{
  global_cluster_identifier = "orders"
  engine                    = "aurora-postgresql"
  engine_version            = "16.4"
  master_username           = "app"
  master_password           = "reliability-password-1"
  primary_region            = "{primary}"
  final_snapshot_identifier = "orders-final"
{extra}
  regions = {{
{r}  }}
}}
"#
    )
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Seq {
    Create3,
    AddRegion,
    RemoveRegion,
    Switchover,
    Destroy,
}

impl Seq {
    const ALL: [Seq; 5] = [
        Seq::Create3,
        Seq::AddRegion,
        Seq::RemoveRegion,
        Seq::Switchover,
        Seq::Destroy,
    ];

    /// The sequences to run: all, or those named in RELIABILITY_SEQ (comma-separated, e.g. "remove,destroy").
    fn selected() -> Vec<Seq> {
        match std::env::var("RELIABILITY_SEQ") {
            Ok(f) if !f.is_empty() => Seq::ALL
                .into_iter()
                .filter(|s| f.split(',').any(|p| s.name().contains(p.trim())))
                .collect(),
            _ => Seq::ALL.to_vec(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Seq::Create3 => "create (3 regions)",
            Seq::AddRegion => "add region",
            Seq::RemoveRegion => "remove region",
            Seq::Switchover => "switchover",
            Seq::Destroy => "destroy",
        }
    }

    /// (setup config, target config or None for destroy)
    fn configs(self, ep: &str) -> (Option<String>, Option<String>) {
        let two = topology(ep, E, &[(E, &["a"]), (W, &["a"])], "");
        let three = topology(ep, E, &[(E, &["a", "b"]), (W, &["a"]), (A, &[])], "");
        match self {
            Seq::Create3 => (None, Some(three)),
            Seq::AddRegion => (
                Some(two),
                Some(topology(
                    ep,
                    E,
                    &[(E, &["a"]), (W, &["a"]), (A, &["a"])],
                    "",
                )),
            ),
            Seq::RemoveRegion => (
                Some(topology(
                    ep,
                    E,
                    &[(E, &["a"]), (W, &["a"]), (A, &["a"])],
                    "",
                )),
                Some(two),
            ),
            Seq::Switchover => (
                Some(two),
                Some(topology(ep, W, &[(E, &["a"]), (W, &["a"])], "")),
            ),
            Seq::Destroy => (Some(two), None),
        }
    }
}

const ENV: &[(&str, &str)] = &[("REPLICATION_POLL_INTERVAL", "20ms")];

fn terraform() -> Option<Host> {
    hosts().into_iter().find(|h| h.name == "terraform-1.15")
}

fn apply(w: &Workdir, host: &Host, destroy: bool) -> std::process::Output {
    let cmd = if destroy { "destroy" } else { "apply" };
    w.run_env(
        host,
        &[cmd, "-auto-approve", "-no-color", "-input=false"],
        ENV,
    )
}

/// Sets up a sequence's starting point and writes its target config.
fn prepare(emu: &Emu, host: &Host, seq: Seq) -> Workdir {
    reset(emu);
    let (setup, target) = seq.configs(&endpoint(emu));
    let w = Workdir::new(setup.as_deref().unwrap_or("# empty\n"));
    if setup.is_some() {
        let out = apply(&w, host, false);
        assert!(
            out.status.success(),
            "setup of {}: {}",
            seq.name(),
            text(&out)
        );
    }
    if let Some(t) = target {
        w.write("main.tf", &t);
    }
    emu.clear_calls();
    w
}

fn run_target(w: &Workdir, host: &Host, seq: Seq) -> std::process::Output {
    apply(w, host, seq == Seq::Destroy)
}

/// Orphans and duplicates in the emulator after a run.
fn audit(emu: &Emu) -> (usize, usize) {
    let st = state(emu);
    let clusters = st["clusters"].as_array().cloned().unwrap_or_default();
    let instances = st["instances"].as_array().cloned().unwrap_or_default();
    let globals = st["global_clusters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let orphan_clusters = clusters
        .iter()
        .filter(|c| c["global_cluster"].is_null())
        .count();
    let cluster_ids: Vec<(String, String)> = clusters
        .iter()
        .map(|c| {
            (
                c["region"].as_str().unwrap_or_default().to_string(),
                c["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let orphan_instances = instances
        .iter()
        .filter(|i| {
            let key = (
                i["region"].as_str().unwrap_or_default().to_string(),
                i["cluster"].as_str().unwrap_or_default().to_string(),
            );
            !cluster_ids.contains(&key)
        })
        .count();
    let empty_globals = globals
        .iter()
        .filter(|g| g["members"].as_array().is_some_and(|m| m.is_empty()))
        .count();
    let mut per_region = std::collections::BTreeMap::<String, usize>::new();
    for c in &clusters {
        *per_region
            .entry(c["region"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    let duplicates = per_region
        .values()
        .filter(|n| **n > 1)
        .map(|n| n - 1)
        .sum::<usize>()
        + globals.len().saturating_sub(1);
    (
        orphan_clusters + orphan_instances + empty_globals,
        duplicates,
    )
}

/// After recovery: the plan is empty (or, after destroy, nothing but the snapshot is left).
fn converged(emu: &Emu, w: &Workdir, host: &Host, seq: Seq) -> Result<(), String> {
    if seq == Seq::Destroy {
        let st = state(emu);
        let left = st["clusters"].as_array().map_or(0, Vec::len)
            + st["global_clusters"].as_array().map_or(0, Vec::len)
            + st["instances"].as_array().map_or(0, Vec::len);
        let snaps = st["snapshots"].as_array().map_or(0, Vec::len);
        return if left == 0 && snaps == 1 {
            Ok(())
        } else {
            Err(format!("after destroy: {st}"))
        };
    }
    let out = w.run_env(
        host,
        &["plan", "-detailed-exitcode", "-no-color", "-input=false"],
        ENV,
    );
    if out.status.code() == Some(0) {
        Ok(())
    } else {
        Err(text(&out))
    }
}

#[derive(Default, Debug)]
struct Row {
    runs: usize,
    failed_with_step: usize,
    converged: usize,
    orphans: usize,
    duplicates: usize,
    primary_replaced: usize,
}

fn full() -> bool {
    std::env::var("RELIABILITY_FULL").is_ok_and(|v| v == "1")
}

/// Indices of the fault points to run: all of them with RELIABILITY_FULL=1,
/// else the first, middle and last.
fn points(n: usize) -> Vec<usize> {
    if full() || n <= 3 {
        (0..n).collect()
    } else {
        let mut v = vec![0, n / 2, n - 1];
        v.dedup();
        v
    }
}

fn report(title: &str, rows: &[(Seq, Row)], extra: bool) {
    println!("\n{title}");
    if extra {
        println!("| sequence | runs | interrupted | converged on re-apply | orphans | duplicates | primary replaced |");
        println!("|---|---|---|---|---|---|---|");
    } else {
        println!("| sequence | runs | failed naming the step | converged on re-apply | orphans | duplicates |");
        println!("|---|---|---|---|---|---|");
    }
    for (seq, r) in rows {
        if extra {
            println!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                seq.name(),
                r.runs,
                r.failed_with_step,
                r.converged,
                r.orphans,
                r.duplicates,
                r.primary_replaced
            );
        } else {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                seq.name(),
                r.runs,
                r.failed_with_step,
                r.converged,
                r.orphans,
                r.duplicates
            );
        }
    }
}

// ---------------------------------------------------------------- a phase with a failed step

/// A destroy whose secondary cannot leave fails at once: the primary's step
/// waits for the secondaries to be detached, and gives up when one of them
/// failed instead of waiting out the delete timeout (90 minutes by default).
/// Nothing of the primary is deleted, and a re-run finishes the destroy.
#[test]
fn destroy_with_a_secondary_that_cannot_detach_fails_at_once_and_spares_the_primary() {
    let Some(host) = terraform() else { return };
    let emu = emulator(0.002);
    let w = prepare(&emu, &host, Seq::Destroy);
    emu.admin()
        .add_fault(
            &Fault::new("RemoveFromGlobalCluster")
                .error("InvalidParameterValue", 400)
                .region(W)
                .message("injected fault"),
        )
        .unwrap();
    let start = Instant::now();
    let out = run_target(&w, &host, Seq::Destroy);
    let took = start.elapsed();
    emu.admin().clear_faults().unwrap();
    assert!(!out.status.success(), "destroy succeeded: {}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("remove region {W}")) && err.contains("injected fault"),
        "step not named: {}",
        text(&out)
    );
    assert!(
        took < Duration::from_secs(60),
        "the destroy waited {took:?} before failing: {}",
        text(&out)
    );
    let st = state(&emu);
    let primary_live = st["instances"].as_array().is_some_and(|a| {
        a.iter()
            .any(|i| i["region"] == E && i["status"] == "available")
    });
    assert!(primary_live, "the primary's instance was touched: {st}");
    let out = run_target(&w, &host, Seq::Destroy);
    assert!(out.status.success(), "re-run: {}", text(&out));
    settle_deletions(&emu);
    assert_eq!(converged(&emu, &w, &host, Seq::Destroy), Ok(()));
}

// ---------------------------------------------------------------- fault matrix

#[test]
fn fault_matrix_every_mutating_call_fails_once_and_reapply_converges() {
    let Some(host) = terraform() else { return };
    let emu = emulator(0.002);
    let mut rows = Vec::new();
    for seq in Seq::selected() {
        // A clean run tells which mutating calls the sequence makes.
        let w = prepare(&emu, &host, seq);
        let out = run_target(&w, &host, seq);
        assert!(out.status.success(), "clean {}: {}", seq.name(), text(&out));
        let plan = mutating(&emu.calls());
        assert!(!plan.is_empty(), "{} made no mutating call", seq.name());
        let mut row = Row::default();
        for k in points(plan.len()) {
            let (action, region) = &plan[k];
            let nth = plan[..=k]
                .iter()
                .filter(|c| &c.0 == action && &c.1 == region)
                .count();
            let w = prepare(&emu, &host, seq);
            emu.admin()
                .add_fault(
                    &Fault::new(action.as_str())
                        .nth(nth as u64)
                        .error("InvalidParameterValue", 400)
                        .region(region.as_str())
                        .message("injected fault"),
                )
                .unwrap();
            row.runs += 1;
            let out = run_target(&w, &host, seq);
            emu.admin().clear_faults().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success(),
                "{} with {action}#{nth} in {region} failing did not fail: {}",
                seq.name(),
                text(&out)
            );
            if err.contains("failed:") && err.contains("InvalidParameterValue") {
                row.failed_with_step += 1;
            } else {
                eprintln!(
                    "{}: {action}#{nth}: the error does not name the step and AWS error:\n{err}",
                    seq.name()
                );
            }
            let out = run_target(&w, &host, seq);
            settle_deletions(&emu);
            match (out.status.success(), converged(&emu, &w, &host, seq)) {
                (true, Ok(())) => row.converged += 1,
                (ok, res) => eprintln!(
                    "{}: {action}#{nth}: re-apply ok={ok}: {}\n{:?}",
                    seq.name(),
                    text(&out),
                    res.err()
                ),
            }
            let (o, d) = audit(&emu);
            if o + d > 0 {
                eprintln!(
                    "{}: {action}#{nth} in {region}: orphans {o}, duplicates {d}: {}",
                    seq.name(),
                    state(&emu)
                );
            }
            row.orphans += o;
            row.duplicates += d;
        }
        rows.push((seq, row));
    }
    report(
        "Fault matrix (terraform 1.15, one non-retryable failure per run):",
        &rows,
        false,
    );
    for (seq, r) in &rows {
        assert_eq!(
            r.converged,
            r.runs,
            "{}: every run converges on re-apply",
            seq.name()
        );
        assert_eq!(
            r.failed_with_step,
            r.runs,
            "{}: every failure names its step and the AWS error",
            seq.name()
        );
        assert_eq!(
            (r.orphans, r.duplicates),
            (0, 0),
            "{}: no orphans or duplicates",
            seq.name()
        );
    }
}

// ---------------------------------------------------------------- kill matrix

fn descendants(root: u32) -> Vec<u32> {
    let mut parent = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(after) = stat.rsplit_once(')').map(|(_, a)| a.to_string()) else {
            continue;
        };
        let ppid: u32 = after
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        parent.push((pid, ppid));
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parent.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out.remove(0);
    out
}

fn provider_pid(host_pid: u32) -> Option<u32> {
    descendants(host_pid).into_iter().find(|p| {
        std::fs::read_to_string(format!("/proc/{p}/comm"))
            .is_ok_and(|c| c.trim().starts_with("terraform-provi"))
    })
}

#[test]
fn kill_matrix_sigkill_after_each_mutating_call_then_reapply_converges() {
    let Some(host) = terraform() else { return };
    let emu = emulator(0.005);
    let mut rows = Vec::new();
    for seq in Seq::selected() {
        let w = prepare(&emu, &host, seq);
        let out = run_target(&w, &host, seq);
        assert!(out.status.success(), "clean {}: {}", seq.name(), text(&out));
        let plan = mutating(&emu.calls());
        let mut row = Row::default();
        for k in points(plan.len()) {
            let w = prepare(&emu, &host, seq);
            let writer_region = state(&emu)["global_clusters"][0]["members"]
                .as_array()
                .and_then(|m| m.iter().find(|m| m["is_writer"] == true))
                .and_then(|m| m["region"].as_str())
                .map(str::to_string);
            let cmd = if seq == Seq::Destroy {
                "destroy"
            } else {
                "apply"
            };
            let mut child = Command::new(&host.path)
                .args([cmd, "-auto-approve", "-no-color", "-input=false"])
                .current_dir(w.path())
                .env("TF_CLI_CONFIG_FILE", &w.cli_config)
                .env("TF_IN_AUTOMATION", "1")
                .env("CHECKPOINT_DISABLE", "1")
                .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
                .env("AWS_SECRET_ACCESS_KEY", "secret-example-key")
                .env("REPLICATION_POLL_INTERVAL", "20ms")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            row.runs += 1;
            let start = Instant::now();
            let mut killed = false;
            while start.elapsed() < Duration::from_secs(60) {
                if mutating(&emu.calls()).len() > k {
                    if let Some(pid) = provider_pid(child.id()) {
                        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                        killed = true;
                    }
                    break;
                }
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            let status = child.wait().unwrap();
            if killed {
                row.failed_with_step += usize::from(!status.success());
            } else {
                // The run finished before the kill point: still a valid run.
                row.failed_with_step += 1;
            }
            emu.clear_calls();
            let out = run_target(&w, &host, seq);
            settle_deletions(&emu);
            match (out.status.success(), converged(&emu, &w, &host, seq)) {
                (true, Ok(())) => row.converged += 1,
                (ok, res) => eprintln!(
                    "kill {} after call {k}: re-apply ok={ok}: {}\n{:?}",
                    seq.name(),
                    text(&out),
                    res.err()
                ),
            }
            if seq != Seq::Destroy {
                let recovery = emu.calls();
                row.primary_replaced += recovery
                    .iter()
                    .filter(|c| {
                        c.action == "DeleteGlobalCluster"
                            || (c.action == "DeleteDBCluster"
                                && Some(&c.region) == writer_region.as_ref())
                    })
                    .count();
            }
            let (o, d) = audit(&emu);
            row.orphans += o;
            row.duplicates += d;
        }
        rows.push((seq, row));
    }
    report(
        "Kill matrix (terraform 1.15, provider SIGKILLed after the k-th mutating call):",
        &rows,
        true,
    );
    for (seq, r) in &rows {
        assert_eq!(
            r.converged,
            r.runs,
            "{}: every run converges on re-apply",
            seq.name()
        );
        assert_eq!(
            (r.orphans, r.duplicates, r.primary_replaced),
            (0, 0, 0),
            "{}: no orphans, duplicates or primary replacement",
            seq.name()
        );
    }
}

// ---------------------------------------------------------------- transient errors, timeouts, outages

#[test]
fn throttling_30_percent_and_5xx_5_percent_are_absorbed() {
    let Some(host) = terraform() else { return };
    let emu = emulator(0.002);
    emu.admin().throttle(0.3).unwrap();
    emu.admin().server_error(0.05).unwrap();
    let (_, target) = Seq::Create3.configs(&endpoint(&emu));
    let w = Workdir::new(&target.unwrap());
    let out = apply(&w, &host, false);
    assert!(
        out.status.success(),
        "apply under 30% throttling: {}",
        text(&out)
    );
    let calls = emu.calls();
    let throttled = calls
        .iter()
        .filter(|c| c.code.as_deref() == Some("Throttling"))
        .count();
    let failed = calls
        .iter()
        .filter(|c| c.code.as_deref() == Some("InternalFailure"))
        .count();
    assert!(
        throttled > 0 && failed > 0,
        "the emulator throttled {throttled} and failed {failed} calls"
    );
    emu.admin().clear_faults().unwrap();
    let out = w.run_env(&host, &["plan", "-detailed-exitcode", "-no-color"], ENV);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    println!(
        "absorbed: {throttled} throttled and {failed} 5xx answers of {} calls",
        calls.len()
    );
}

#[test]
fn too_short_timeout_fails_cleanly_with_observed_state() {
    let Some(host) = terraform() else { return };
    let emu = emulator(0.002);
    let two = topology(&endpoint(&emu), E, &[(E, &["a"]), (W, &["a"])], "");
    let w = Workdir::new(&two);
    assert!(apply(&w, &host, false).status.success());
    // Instance creation takes 600 s x 0.05 = 30 s; the update may take 2 s.
    emu.admin().set_time_scale(0.05).unwrap();
    let slow = topology(
        &endpoint(&emu),
        E,
        &[(E, &["a", "b"]), (W, &["a"])],
        "  timeouts {\n    update = \"2s\"\n  }\n",
    );
    w.write("main.tf", &slow);
    let start = Instant::now();
    let out = apply(&w, &host, false);
    let took = start.elapsed();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("timed out"),
        "{}",
        text(&out)
    );
    assert!(
        took < Duration::from_secs(20),
        "a 2 s timeout took {took:?}"
    );
    // The state records what exists: the new instance, still creating.
    let show = w.run(&host, &["show", "-json"]);
    let json: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let r = &json["values"]["root_module"]["resources"][0]["values"];
    assert!(
        r["regions"][E]["instances"]["b"]["status"].is_string(),
        "{r}"
    );
    println!("2 s timeout returned after {took:?}");
}

#[test]
fn unreachable_region_is_named_in_a_refresh_warning_within_bounded_time() {
    let Some(host) = terraform() else { return };
    let emu = emulator(0.002);
    let three = topology(
        &endpoint(&emu),
        E,
        &[(E, &["a"]), (W, &["a"]), (A, &["a"])],
        "",
    );
    let w = Workdir::new(&three);
    assert!(apply(&w, &host, false).status.success());
    emu.admin().outage(A).unwrap();
    let start = Instant::now();
    let out = w.run_env(&host, &["plan", "-no-color", "-refresh-only"], ENV);
    let took = start.elapsed();
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    assert!(
        all.contains("Region Could Not Be Read") && all.contains(A),
        "{all}"
    );
    // The region stays in state with its last known values.
    let show = w.run(&host, &["show", "-json"]);
    let json: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert!(json["values"]["root_module"]["resources"][0]["values"]["regions"][A].is_object());
    // A switchover needs every region: refused, naming the region and the way out.
    w.write(
        "main.tf",
        &topology(
            &endpoint(&emu),
            W,
            &[(E, &["a"]), (W, &["a"]), (A, &["a"])],
            "",
        ),
    );
    let out = apply(&w, &host, false);
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains(A) && all.contains("failover_mode = \"failover\""),
        "{all}"
    );
    emu.admin().restore(A).unwrap();
    println!("refresh with {A} unreachable took {took:?}");
    assert!(
        took < Duration::from_secs(90),
        "outage recognised only after {took:?}"
    );
}

#[test]
fn ctrl_c_stops_promptly_and_records_the_observed_state() {
    let Some(host) = hosts().into_iter().find(|h| h.name == "tofu-1.6") else {
        return;
    };
    let emu = emulator(0.002);
    let two = topology(&endpoint(&emu), E, &[(E, &["a"]), (W, &["a"])], "");
    let w = Workdir::new(&two);
    let out = apply(&w, &host, false);
    assert!(out.status.success(), "{}", text(&out));
    // Adding a region now takes minutes: cluster 300 s and instance 600 s at scale 0.2.
    emu.admin().set_time_scale(0.2).unwrap();
    w.write(
        "main.tf",
        &topology(
            &endpoint(&emu),
            E,
            &[(E, &["a"]), (W, &["a"]), (A, &["a"])],
            "",
        ),
    );
    emu.clear_calls();
    let child = Command::new(&host.path)
        .args(["apply", "-auto-approve", "-no-color", "-input=false"])
        .current_dir(w.path())
        .env("TF_CLI_CONFIG_FILE", &w.cli_config)
        .env("TF_IN_AUTOMATION", "1")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret-example-key")
        .env("REPLICATION_POLL_INTERVAL", "20ms")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while mutating(&emu.calls()).is_empty() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        !mutating(&emu.calls()).is_empty(),
        "the apply never started changing anything"
    );
    let interrupted = Instant::now();
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    let took = interrupted.elapsed();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        took < Duration::from_secs(20),
        "stopping took {took:?}: {}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cancelled"),
        "{}",
        text(&out)
    );
    // The state holds what exists: the new region's cluster, still being created.
    let pulled = w.run(&host, &["state", "pull"]);
    let json: serde_json::Value = serde_json::from_slice(&pulled.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\napply: {}", text(&pulled), text(&out)));
    let regions = &json["resources"][0]["instances"][0]["attributes"]["regions"];
    assert!(regions[A].is_object(), "state after Ctrl-C: {regions}");
    println!("Ctrl-C to exit: {took:?}");
    // And the next apply finishes the job.
    // Let the interrupted creation finish now instead of in a minute.
    emu.admin()
        .clock(ClockChange {
            time_scale: Some(0.002),
            advance_seconds: Some(120.0),
        })
        .unwrap();
    emu.clear_calls();
    let out = apply(&w, &host, false);
    assert!(
        out.status.success(),
        "{}\ncalls: {:?}\nstate: {}",
        text(&out),
        mutating(&emu.calls()),
        state(&emu)
    );
}
