//! Benchmarks through a real host: Terraform (from `make tools`) runs the
//! release provider against the release `aurora-emulator` binary.
//!
//! Sections (pass their names as arguments; default: all):
//! - `apply`: create (3 regions × 2 instances), add a region, switchover,
//!   destroy at time scale `BENCH_TIME_SCALE` (0.05); apply wall time against
//!   the critical-path lower bound computed from the emulator's duration
//!   table and its ordering rules, and Describe calls per wait.
//! - `refresh`: RDS calls per refresh of one topology for several region and
//!   instance counts (expected 1 + 2R).
//! - `scale`: 100 topologies × 3 regions refreshed under a per-region rate
//!   limit (`BENCH_RATE_LIMIT`, 20 calls/s): errors, time against calls ÷
//!   rate, peak RSS of the provider.
//!
//! - `scale1000`: `BENCH_SCALE_COUNTS` (1000) topologies × 3 regions, no
//!   rate limit: created, refreshed (`plan -refresh-only`) and planned
//!   (`plan`), each by a provider the bench starts itself (reattach mode) so
//!   that its peak RSS and CPU time are read from its own `/proc` entry.
//!   Not part of the default list of `cargo bench --bench host`; `make
//!   bench` (`scripts/bench.sh`) runs it.
//!
//! The apply section runs with the emulator's realistic behaviours on
//! (asynchronous detach, `BENCH_RAW_LAG_MS` (500) ms of read-after-write
//! lag, global clusters without tags); `BENCH_REALISM=0` turns them off.
//!
//! The poll interval is `REPLICATION_POLL_INTERVAL` (`BENCH_POLL`, 100ms).
//! Prints Markdown sections on stdout; progress on stderr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{
    env_f64, env_str, header, secs, topology_hcl, with_peak_rss, Call, Emulator, Workdir,
};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |s: &str| args.is_empty() && s != "scale1000" || args.iter().any(|a| a == s);
    if want("apply") {
        apply_section();
    }
    if want("refresh") {
        refresh_section();
    }
    if want("scale") {
        scale_section();
    }
    if want("scale1000") {
        scale1000_section();
    }
}

// ------------------------------------------------------------------ apply

/// The emulator's duration table (`emulator/src/timing.rs`, the one place it
/// is scripted), read from its source so the bound cannot drift from it.
const TIMING_RS: &str = include_str!("../emulator/src/timing.rs");

/// The operations of the table this bench uses.
#[derive(Debug, Clone, Copy)]
enum Op {
    CreateCluster,
    CreateInstance,
    DeleteCluster,
    DeleteGlobal,
    DeleteInstance,
    Switchover,
    Detach,
}

impl Op {
    /// Seconds at time scale 1, as `Op::seconds` in the emulator says.
    fn seconds(self) -> f64 {
        let name = format!("Op::{self:?} =>");
        TIMING_RS
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(name.as_str()))
            .and_then(|rest| rest.trim().trim_end_matches(',').parse().ok())
            .unwrap_or_else(|| panic!("no `{name} <seconds>,` line in emulator/src/timing.rs"))
    }
}

/// One operation of a sequence's dependency graph: its scripted duration and
/// what must have happened before it may be sent. `after` holds
/// `(node, completed)`: `completed = false` means the earlier call only has
/// to have been sent (e.g. a cluster in `creating` already accepts
/// CreateDBInstance).
struct Node {
    what: String,
    secs: f64,
    after: Vec<(usize, bool)>,
}

#[derive(Default)]
struct Graph(Vec<Node>);

impl Graph {
    fn add(&mut self, what: impl Into<String>, secs: f64, after: Vec<(usize, bool)>) -> usize {
        self.0.push(Node {
            what: what.into(),
            secs,
            after,
        });
        self.0.len() - 1
    }

    /// Longest path: the earliest time everything has completed, in
    /// unscaled seconds, and the chain that sets it.
    fn critical_path(&self) -> (f64, Vec<String>) {
        let mut start = vec![0.0f64; self.0.len()];
        let mut via: Vec<Option<usize>> = vec![None; self.0.len()];
        for (i, n) in self.0.iter().enumerate() {
            for &(d, done) in &n.after {
                let t = start[d] + if done { self.0[d].secs } else { 0.0 };
                if t > start[i] {
                    start[i] = t;
                    via[i] = Some(d);
                }
            }
        }
        let (mut last, mut end) = (0usize, 0.0f64);
        for (i, n) in self.0.iter().enumerate() {
            if start[i] + n.secs > end {
                end = start[i] + n.secs;
                last = i;
            }
        }
        let mut chain = vec![format!(
            "{} ({:.0} s)",
            self.0[last].what, self.0[last].secs
        )];
        let mut at = last;
        while let Some(p) = via[at] {
            chain.push(format!("{} ({:.0} s)", self.0[p].what, self.0[p].secs));
            at = p;
        }
        chain.reverse();
        (end, chain)
    }

    fn mutating_calls(&self) -> usize {
        self.0.iter().filter(|n| !n.what.starts_with('(')).count()
    }
}

/// Create of `regions` (first = primary) with `instances` each.
/// `phased = false`: only what the emulator (like RDS) enforces — a cluster
/// may join a global cluster that is still `creating`, an instance may be
/// added to a `creating` cluster, and a secondary may join once the primary
/// has an available writer instance to replicate from. `phased = true`: the
/// provider's phases (global; primary cluster with its instances; the
/// secondaries with theirs — each phase waiting for the previous one).
fn create_graph(regions: &[&str], instances: usize, phased: bool) -> Graph {
    let mut g = Graph::default();
    // An empty global cluster (no SourceDBClusterIdentifier) is `available`
    // at once; Op::CreateGlobal times one made from an existing cluster.
    let global = g.add("CreateGlobalCluster", 0.0, vec![]);
    let primary = g.add(
        format!("CreateDBCluster {}", regions[0]),
        Op::CreateCluster.seconds(),
        vec![(global, phased)],
    );
    let mut primary_phase = vec![(primary, true)];
    for k in 0..instances {
        let i = g.add(
            format!("CreateDBInstance {}/{k}", regions[0]),
            Op::CreateInstance.seconds(),
            vec![(primary, false)],
        );
        primary_phase.push((i, true));
    }
    // The writer: the first primary instance to be available.
    let source = if instances > 0 { primary + 1 } else { primary };
    for r in &regions[1..] {
        let after = if phased {
            primary_phase.clone()
        } else {
            vec![(source, true)]
        };
        let c = g.add(
            format!("CreateDBCluster {r}"),
            Op::CreateCluster.seconds(),
            after,
        );
        for k in 0..instances {
            g.add(
                format!("CreateDBInstance {r}/{k}"),
                Op::CreateInstance.seconds(),
                vec![(c, false)],
            );
        }
    }
    g
}

/// A secondary region with `instances` joins (the primary has its writer):
/// the provider sends the instances right after the cluster, as RDS allows.
fn add_region_graph(region: &str, instances: usize) -> Graph {
    let mut g = Graph::default();
    let c = g.add(
        format!("CreateDBCluster {region}"),
        Op::CreateCluster.seconds(),
        vec![],
    );
    for k in 0..instances {
        g.add(
            format!("CreateDBInstance {region}/{k}"),
            Op::CreateInstance.seconds(),
            vec![(c, false)],
        );
    }
    g
}

fn switchover_graph() -> Graph {
    let mut g = Graph::default();
    g.add("SwitchoverGlobalCluster", Op::Switchover.seconds(), vec![]);
    g
}

/// Destroy of `primary` + `secondaries`, `instances` each, no final snapshot.
/// Emulator rules: RemoveFromGlobalCluster needs the cluster available (not
/// its instances gone) and detaches at once (the cluster is `modifying` for
/// the Detach duration); DeleteDBCluster needs the cluster detached,
/// available and no instance outside `deleting`; the last primary instance
/// and the primary's membership may go once no secondary is a member;
/// DeleteGlobalCluster needs no members. Phased (the provider): one phase in
/// which each secondary sends its instance deletions and its detach, then
/// deletes its cluster once detached, while the primary, once it is the only
/// member, does the same; a second phase deletes the global cluster once
/// every cluster deletion was accepted; deletions are awaited at the end.
/// With `async_detach` (the emulator's realistic behaviour, as in AWS) a
/// removed secondary stays a member until its detach completes, so the
/// primary's last steps wait for the detach to complete, not just to be sent.
fn destroy_graph(
    primary: &str,
    secondaries: &[&str],
    instances: usize,
    phased: bool,
    async_detach: bool,
) -> Graph {
    let mut g = Graph::default();
    let mut removes = Vec::new();
    let mut phase_a = Vec::new();
    for r in secondaries {
        let mut mine = Vec::new();
        for k in 0..instances {
            mine.push(g.add(
                format!("DeleteDBInstance {r}/{k}"),
                Op::DeleteInstance.seconds(),
                vec![],
            ));
        }
        let rm_after = if phased {
            mine.iter().map(|&i| (i, false)).collect()
        } else {
            vec![]
        };
        let rm = g.add(
            format!("RemoveFromGlobalCluster {r}"),
            Op::Detach.seconds(),
            rm_after,
        );
        let mut after = vec![(rm, true)];
        after.extend(mine.iter().map(|&i| (i, false)));
        let dc = g.add(
            format!("DeleteDBCluster {r}"),
            Op::DeleteCluster.seconds(),
            after,
        );
        removes.push(rm);
        phase_a.push((dc, false));
    }
    let gate: Vec<(usize, bool)> = removes.iter().map(|&r| (r, async_detach)).collect();
    let mut prim_instances = Vec::new();
    for k in 0..instances {
        prim_instances.push(g.add(
            format!("DeleteDBInstance {primary}/{k}"),
            Op::DeleteInstance.seconds(),
            gate.clone(),
        ));
    }
    let mut rm_after = gate.clone();
    rm_after.extend(prim_instances.iter().map(|&i| (i, false)));
    let rm = g.add(format!("RemoveFromGlobalCluster {primary}"), 0.0, rm_after);
    let dc = g.add(
        format!("DeleteDBCluster {primary}"),
        Op::DeleteCluster.seconds(),
        vec![(rm, false)],
    );
    phase_a.push((dc, false));
    let after = if phased { phase_a } else { vec![(rm, false)] };
    g.add("DeleteGlobalCluster", Op::DeleteGlobal.seconds(), after);
    g
}

struct SeqResult {
    name: &'static str,
    wall: Duration,
    span: Duration,
    /// `terraform apply` of a saved plan with nothing to change, right
    /// after: Terraform's own start, provider launches and exit.
    noop: Duration,
    bound: f64,
    phased: f64,
    chain: Vec<String>,
    mutating: usize,
    expected_mutating: usize,
    describes: usize,
    waits: usize,
    /// Error answers by code (NotFound ends every deletion wait).
    errors: BTreeMap<String, usize>,
    /// When each mutating call was sent, seconds after the first call.
    timeline: Vec<String>,
}

/// Waits that follow each successful mutating call in the executor.
fn waits_of(c: &Call) -> usize {
    match c.action.as_str() {
        "AddTagsToResource" | "RemoveTagsFromResource" => 0,
        // A switchover or failover is one wait: settled with the target as
        // writer.
        _ => 1,
    }
}

fn run_sequence(
    emu: &Emulator,
    w: &Workdir,
    name: &'static str,
    main_tf: &str,
    destroy: bool,
    rules: Graph,
    phased: Graph,
) -> SeqResult {
    eprintln!("apply: {name}");
    w.write(main_tf);
    let plan_args: Vec<&str> = if destroy {
        vec!["plan", "-destroy", "-out=tfplan", "-no-color"]
    } else {
        vec!["plan", "-out=tfplan", "-no-color"]
    };
    w.tf(&plan_args);
    emu.clear_calls();
    let (_, wall) = w.tf(&["apply", "-no-color", "-auto-approve", "tfplan"]);
    let calls = emu.calls();
    // The same command with nothing to do: what Terraform itself takes to
    // start, launch the provider, read the plan and exit.
    let mut noop_args = plan_args.clone();
    noop_args.retain(|a| *a != "-out=tfplan");
    noop_args.push("-out=noop");
    let (out, _) = w.tf(&noop_args);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("No changes"),
        "{name}: the plan after the apply is not empty"
    );
    let (_, noop) = w.tf(&["apply", "-no-color", "-auto-approve", "noop"]);
    let span = match (calls.first(), calls.last()) {
        (Some(a), Some(b)) => Duration::from_millis(b.time_ms - a.time_ms),
        _ => Duration::ZERO,
    };
    let mutating: Vec<&Call> = calls.iter().filter(|c| !c.is_read() && c.ok()).collect();
    let scale = emu.time_scale;
    let (bound, chain) = rules.critical_path();
    let (phased_bound, _) = phased.critical_path();
    SeqResult {
        name,
        wall,
        span,
        noop,
        bound: bound * scale,
        phased: phased_bound * scale,
        chain,
        mutating: mutating.len(),
        expected_mutating: rules.mutating_calls(),
        describes: calls
            .iter()
            .filter(|c| c.action.starts_with("Describe"))
            .count(),
        waits: mutating.iter().map(|c| waits_of(c)).sum(),
        timeline: {
            let t0 = calls.first().map_or(0, |c| c.time_ms);
            mutating
                .iter()
                .map(|c| {
                    format!(
                        "{} {} @{:.1}",
                        c.action,
                        c.region,
                        (c.time_ms - t0) as f64 / 1000.0
                    )
                })
                .collect()
        },
        errors: calls
            .iter()
            .filter_map(|c| c.code.clone())
            .fold(BTreeMap::new(), |mut m, code| {
                *m.entry(code).or_default() += 1;
                m
            }),
    }
}

fn apply_section() {
    let scale = env_f64("BENCH_TIME_SCALE", 0.05);
    let poll = env_str("BENCH_POLL", "100ms");
    let emu = Emulator::start(scale);
    let realism = realistic(&emu);
    let async_detach = env_f64("BENCH_REALISM", 1.0) != 0.0;
    let endpoint = emu.endpoint();
    let mut w = Workdir::new("apply", &header(&endpoint));
    w.env
        .push(("REPLICATION_POLL_INTERVAL".into(), poll.clone()));
    let three = [("us-east-1", 2), ("eu-west-1", 2), ("ap-southeast-2", 2)];
    let four = [
        ("us-east-1", 2),
        ("eu-west-1", 2),
        ("ap-southeast-2", 2),
        ("us-west-2", 2),
    ];
    let cfg = |primary: &str, regions: &[(&str, usize)]| {
        header(&endpoint) + &topology_hcl("bench", "bench", primary, regions)
    };

    let results = vec![
        run_sequence(
            &emu,
            &w,
            "create (3 regions × 2 instances)",
            &cfg("us-east-1", &three),
            false,
            create_graph(&["us-east-1", "eu-west-1", "ap-southeast-2"], 2, false),
            create_graph(&["us-east-1", "eu-west-1", "ap-southeast-2"], 2, true),
        ),
        run_sequence(
            &emu,
            &w,
            "add region (us-west-2, 2 instances)",
            &cfg("us-east-1", &four),
            false,
            add_region_graph("us-west-2", 2),
            add_region_graph("us-west-2", 2),
        ),
        run_sequence(
            &emu,
            &w,
            "switchover (us-east-1 → eu-west-1)",
            &cfg("eu-west-1", &four),
            false,
            switchover_graph(),
            switchover_graph(),
        ),
        run_sequence(
            &emu,
            &w,
            "destroy (4 regions × 2 instances)",
            &cfg("eu-west-1", &four),
            true,
            destroy_graph(
                "eu-west-1",
                &["us-east-1", "ap-southeast-2", "us-west-2"],
                2,
                false,
                async_detach,
            ),
            destroy_graph(
                "eu-west-1",
                &["us-east-1", "ap-southeast-2", "us-west-2"],
                2,
                true,
                async_detach,
            ),
        ),
    ];

    println!("## Apply against the critical path\n");
    println!(
        "Terraform 1.15 applies a saved plan (`terraform apply tfplan`) against the release emulator at time scale {scale} (durations from `emulator/src/timing.rs` × {scale}; emulator behaviours: {realism}), `REPLICATION_POLL_INTERVAL={poll}` (first poll interval; it grows ×1.5 per poll up to 10×). *Wall* is the whole `terraform apply` command (host and provider start included); *span* is first to last RDS call in `/_emulator/calls`. The **bound** is the longest chain of scripted durations through the calls the sequence makes, ordered only by what the emulator (like RDS) enforces; *phased* is the same calls ordered by the provider's phases (each phase waits for the previous one), i.e. the best this executor can do. *no-op* is, right after each apply, `terraform apply` of a saved plan with nothing to change (same configuration and state): Terraform's own start, provider launches and exit, which no provider can shorten; *floor* = bound + no-op.\n"
    );
    println!(
        "| sequence | wall | span | bound | wall / bound | span / bound | no-op | wall / floor | phased | wall / phased | mutating calls (expected) | Describe calls | waits | Describe per wait | error answers by code |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {} s | {} s | {:.2} s | **{:.2}** | {:.2} | {} s | **{:.2}** | {:.2} s | {:.2} | {} ({}) | {} | {} | {:.1} | {} |",
            r.name,
            secs(r.wall),
            secs(r.span),
            r.bound,
            r.wall.as_secs_f64() / r.bound,
            r.span.as_secs_f64() / r.bound,
            secs(r.noop),
            r.wall.as_secs_f64() / (r.bound + r.noop.as_secs_f64()),
            r.phased,
            r.wall.as_secs_f64() / r.phased,
            r.mutating,
            r.expected_mutating,
            r.describes,
            r.waits,
            r.describes as f64 / r.waits.max(1) as f64,
            if r.errors.is_empty() {
                "none".to_string()
            } else {
                r.errors
                    .iter()
                    .map(|(c, n)| format!("{c} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }
    println!("\nCritical chains (unscaled durations):\n");
    for r in &results {
        println!("- {}: {}", r.name, r.chain.join(" → "));
    }
    println!("\nMutating calls as sent (seconds after the first RDS call of the apply):\n");
    for r in &results {
        println!("- {}: {}", r.name, r.timeline.join(", "));
    }
    println!(
        "\nDescribe calls include the observation before each phase (1 + 2R calls) as well as the polls of each wait.\n"
    );
}

/// Turns on the emulator's realistic behaviours unless `BENCH_REALISM=0`;
/// says which.
fn realistic(emu: &Emulator) -> String {
    if env_f64("BENCH_REALISM", 1.0) == 0.0 {
        return "none (`BENCH_REALISM=0`)".to_string();
    }
    let lag_ms = env_f64("BENCH_RAW_LAG_MS", 500.0) as u64;
    emu.admin()
        .behaviour(&aurora_emulator::Behaviour::realistic(lag_ms))
        .expect("emulator behaviours");
    format!("asynchronous detach, {lag_ms} ms read-after-write lag, global clusters without tags")
}

// ---------------------------------------------------------------- refresh

fn refresh_section() {
    let emu = Emulator::start(0.0);
    let endpoint = emu.endpoint();
    let all = [
        "us-east-1",
        "eu-west-1",
        "ap-southeast-2",
        "us-west-2",
        "eu-central-1",
    ];
    // (regions, instances in each region): secondaries may be headless.
    let shapes: &[(usize, &[usize])] = &[
        (1, &[1]),
        (1, &[3]),
        (2, &[1, 0]),
        (2, &[2, 2]),
        (3, &[1, 0, 0]),
        (3, &[2, 2, 2]),
        (4, &[1, 1, 1, 1]),
        (4, &[3, 3, 3, 3]),
        (5, &[2, 2, 2, 2, 2]),
    ];
    let mut main_tf = header(&endpoint);
    for (n, (r, inst)) in shapes.iter().enumerate() {
        let regions: Vec<(&str, usize)> = all[..*r]
            .iter()
            .copied()
            .zip(inst.iter().copied())
            .collect();
        main_tf += &topology_hcl(
            &format!("t{n}"),
            &format!("refresh-{n}"),
            "us-east-1",
            &regions,
        );
    }
    let mut w = Workdir::new("refresh", &main_tf);
    w.env
        .push(("REPLICATION_POLL_INTERVAL".into(), "20ms".into()));
    eprintln!("refresh: creating {} topologies", shapes.len());
    w.tf(&["apply", "-no-color", "-auto-approve"]);
    println!("## RDS calls per refresh\n");
    println!(
        "`terraform plan -refresh-only -target=...` of one topology at a time (emulator time scale 0), calls counted in `/_emulator/calls`. Expected: 1 + 2R, whatever the number of instances I.\n"
    );
    println!("| R | I (per region) | calls | 1 + 2R | by action |");
    println!("|---|---|---|---|---|");
    let mut total_expected = 0;
    for (n, (r, inst)) in shapes.iter().enumerate() {
        emu.clear_calls();
        w.tf(&[
            "plan",
            "-refresh-only",
            "-no-color",
            &format!("-target=replication_topology.t{n}"),
        ]);
        let calls = emu.calls();
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        for c in &calls {
            *by.entry(c.action.clone()).or_default() += 1;
        }
        let by = by
            .iter()
            .map(|(a, n)| format!("{a} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let expected = 1 + 2 * r;
        total_expected += expected;
        let mark = if calls.len() == expected { "" } else { " ✗" };
        println!(
            "| {r} | {} (total {}) | {}{mark} | {expected} | {by} |",
            inst.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join("+"),
            inst.iter().sum::<usize>(),
            calls.len()
        );
    }
    emu.clear_calls();
    w.tf(&["plan", "-no-color"]);
    let n = emu.calls().len();
    println!(
        "\nA full `terraform plan` of all {} topologies: {n} calls (Σ(1 + 2R) = {total_expected}).\n",
        shapes.len()
    );
}

// ------------------------------------------------------------------ scale

fn scale_section() {
    let count: usize = env_f64("BENCH_TOPOLOGIES", 100.0) as usize;
    let rate: u64 = env_f64("BENCH_RATE_LIMIT", 20.0) as u64;
    let burst_count: usize = env_f64("BENCH_BURST_TOPOLOGIES", 10.0) as usize;
    let burst_rate: u64 = env_f64("BENCH_BURST_RATE_LIMIT", 5.0) as u64;
    let parallelism = env_f64("BENCH_PARALLELISM", 10.0) as usize;
    let emu = Emulator::start(0.0);
    println!("## Scale: {count} topologies × 3 regions under a rate limit\n");
    println!(
        "One configuration (`count = {count}`, 3 regions, 1 instance each), created at emulator time scale 0. Refreshed by `terraform plan -refresh-only` (parallelism {parallelism}) with the emulator allowing {rate} calls per second per region (beyond that it answers `Throttling`), once with `retry_mode` unset (the provider's own pacing, the default) and once per SDK `retry_mode` (set through `AWS_RETRY_MODE`; `BENCH_SCALE_MODES` picks among `default,standard,adaptive`), one after the other in the same run. Peak RSS is the largest VmHWM of any provider process Terraform started, sampled every 20 ms from `/proc`. A second, short configuration ({burst_count} topologies at {burst_rate} calls/s) shows a refresh that is one burst: the rate limiter of the adaptive mode meets its first throttling answer cold.\n"
    );
    scale_scenario(&emu, "fleet", count, rate);
    scale_scenario(&emu, "burst", burst_count, burst_rate);
}

/// Creates `count` topologies named `<name>-N`, then refreshes them under
/// `rate` calls/s/region in each retry mode and prints a table.
fn scale_scenario(emu: &Emulator, name: &str, count: usize, rate: u64) {
    let main_tf = format!(
        "{}\nresource \"replication_topology\" \"{name}\" {{\n  count                     = {count}\n  global_cluster_identifier = \"{name}-${{count.index}}\"\n  engine                    = \"aurora-postgresql\"\n  engine_version            = \"16.4\"\n  master_username           = \"app\"\n  master_password           = \"bench-password-1\"\n  skip_final_snapshot       = true\n  primary_region            = \"us-east-1\"\n  regions = {{\n    \"us-east-1\"      = {{ instance_class = \"db.r6g.large\", instances = {{ a = {{}} }} }}\n    \"eu-west-1\"      = {{ instance_class = \"db.r6g.large\", instances = {{ a = {{}} }} }}\n    \"ap-southeast-2\" = {{ instance_class = \"db.r6g.large\", instances = {{ a = {{}} }} }}\n  }}\n}}\n",
        header(&emu.endpoint())
    );
    let mut w = Workdir::new(name, &main_tf);
    w.env
        .push(("REPLICATION_POLL_INTERVAL".into(), "20ms".into()));
    eprintln!("scale: creating {count} topologies × 3 regions (time scale 0)");
    let (_, setup) = w.tf(&["apply", "-no-color", "-auto-approve", "-parallelism=20"]);
    eprintln!("scale: setup took {}", secs(setup));

    // Baseline without a rate limit.
    emu.clear_calls();
    let (_, free) = w.tf(&["plan", "-refresh-only", "-no-color"]);

    let modes = std::env::var("BENCH_SCALE_MODES")
        .unwrap_or_else(|_| "default,standard,adaptive".to_string());
    let runs: Vec<ScaleRun> = ["default", "standard", "adaptive"]
        .iter()
        .filter(|m| modes.split(',').any(|x| x.trim() == **m))
        .map(|mode| scale_refresh(emu, &mut w, rate, mode))
        .collect();
    let expected = count * 7;
    println!(
        "**{count} topologies at {rate} calls/s per region** (created in {} s; refresh without a limit {} s):\n",
        secs(setup),
        secs(free)
    );
    let row = |label: &str, cell: &dyn Fn(&ScaleRun) -> String| {
        let cells: Vec<String> = runs.iter().map(cell).collect();
        println!("| {label} | {} |", cells.join(" | "));
    };
    row("retry_mode", &|r| match r.mode {
        "default" => "unset (paced, the default)".to_string(),
        mode => format!("`{mode}`"),
    });
    println!("|---|{}", "---|".repeat(runs.len()));
    row("host exit code / errors reported (target 0)", &|r| {
        format!("{} / {}", r.exit, r.host_errors)
    });
    row("refresh under the limit (wall)", &|r| {
        format!("{:.2} s", r.wall)
    });
    row(
        &format!("successful calls (reading each topology alone: {expected} = {count} × 7)"),
        &|r| r.ok.to_string(),
    );
    row("successful calls per region", &|r| {
        r.per_region
            .iter()
            .map(|(g, n)| format!("{g} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    });
    row(
        "`Throttling` answers (retried) / other error answers",
        &|r| format!("{} / {}", r.throttled, r.other_errors),
    );
    row("wall ÷ (calls ÷ rate limit) (target ≤ 1.25)", &|r| {
        format!(
            "**{:.2}** ({:.2} s)",
            r.wall / (r.ok as f64 / rate as f64),
            r.ok as f64 / rate as f64
        )
    });
    row(
        "wall ÷ (busiest region's calls ÷ rate limit), the real floor",
        &|r| {
            format!(
                "**{:.2}** ({:.2} s)",
                r.wall / (r.busiest as f64 / rate as f64),
                r.busiest as f64 / rate as f64
            )
        },
    );
    row("provider peak RSS", &|r| {
        format!("{:.1} MiB", r.peak_kib as f64 / 1024.0)
    });
    println!();
}

/// Terraform's `-parallelism` for the rate-limited refreshes
/// (`BENCH_PARALLELISM`, default 10 as in Terraform).
fn parallelism_flag() -> String {
    format!(
        "-parallelism={}",
        env_f64("BENCH_PARALLELISM", 10.0) as usize
    )
}

/// One rate-limited refresh of the scale configuration.
struct ScaleRun {
    mode: &'static str,
    exit: i32,
    host_errors: usize,
    wall: f64,
    ok: usize,
    throttled: usize,
    other_errors: usize,
    per_region: BTreeMap<String, usize>,
    busiest: usize,
    peak_kib: u64,
}

fn scale_refresh(emu: &Emulator, w: &mut Workdir, rate: u64, mode: &'static str) -> ScaleRun {
    // The emulator's window is one second: let the previous run's calls age out.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    emu.admin()
        .rate_limit(u32::try_from(rate).expect("rate limit fits u32"))
        .expect("set the rate limit");
    emu.clear_calls();
    w.env.retain(|(k, _)| k != "AWS_RETRY_MODE");
    // Unset: the provider paces each region itself.
    if mode != "default" {
        w.env.push(("AWS_RETRY_MODE".into(), mode.into()));
    }
    eprintln!("scale: refreshing under {rate} calls/s per region, retry_mode {mode}");
    let provider = common::provider_bin();
    let ((out, wall), peak_kib) = with_peak_rss(&provider, || {
        let started = std::time::Instant::now();
        let out = w
            .command(&["plan", "-refresh-only", "-no-color", &parallelism_flag()])
            .output()
            .expect("terraform");
        (out, started.elapsed())
    });
    emu.admin().clear_faults().expect("clear faults");
    let calls = emu.calls();
    let ok: Vec<&Call> = calls.iter().filter(|c| c.ok()).collect();
    let throttled = calls
        .iter()
        .filter(|c| c.code.as_deref() == Some("Throttling"))
        .count();
    let mut per_region: BTreeMap<String, usize> = BTreeMap::new();
    for c in &ok {
        *per_region.entry(c.region.clone()).or_default() += 1;
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let exit = out.status.code().unwrap_or(-1);
    if exit != 0 {
        eprintln!("scale: terraform failed ({mode}):\n{}", common::text(&out));
    }
    ScaleRun {
        mode,
        exit,
        host_errors: stderr.matches("Error:").count() + stdout.matches("Error:").count(),
        wall: wall.as_secs_f64(),
        ok: ok.len(),
        throttled,
        other_errors: calls.len() - ok.len() - throttled,
        busiest: per_region.values().copied().max().unwrap_or(0),
        per_region,
        peak_kib,
    }
}

// -------------------------------------------------------------- scale1000

/// A provider the bench starts itself in debug mode (no TLS, Terraform
/// reattaches to it through `TF_REATTACH_PROVIDERS`), so that its pid is
/// known and its `/proc` entry can be read after the host is done with it.
struct OwnProvider {
    child: std::process::Child,
    reattach: String,
}

impl OwnProvider {
    fn start(env: &[(&str, &str)]) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new(common::provider_bin())
            .arg("--debug")
            .envs(env.iter().copied())
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret-example-key")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the provider");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        let reattach = lines
            .by_ref()
            .take(8)
            .map_while(Result::ok)
            .find_map(|l| {
                l.trim()
                    .strip_prefix("TF_REATTACH_PROVIDERS='")
                    .map(|r| r.trim_end_matches('\'').to_string())
            })
            .expect("the provider's reattach line");
        // Keep reading its stdout so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        OwnProvider { child, reattach }
    }

    /// Peak RSS (VmHWM, KiB) and CPU time (user + system) so far.
    fn usage(&self) -> (u64, Duration) {
        let pid = self.child.id();
        let hwm = common::proc_status(pid, "VmHWM").unwrap_or(0);
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the command name, from ppid on (proc(5) field 4):
        // utime and stime are fields 14 and 15, in clock ticks.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<u64> = after
            .split_whitespace()
            .skip(1)
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        let ticks = fields.get(10).copied().unwrap_or(0) + fields.get(11).copied().unwrap_or(0);
        (hwm, Duration::from_secs_f64(ticks as f64 / clock_ticks()))
    }
}

impl Drop for OwnProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`, else 100).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU time (user + system) of this process's children that have ended and
/// been waited for (`cutime` + `cstime` of `/proc/self/stat`): the delta
/// across one host command is that command's CPU time, as the provider and
/// the emulator, children too, are still running then.
fn ended_children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    // From field 3 (state) on: cutime and cstime are fields 16 and 17.
    let fields: Vec<u64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let ticks = fields.get(13).copied().unwrap_or(0) + fields.get(14).copied().unwrap_or(0);
    Duration::from_secs_f64(ticks as f64 / clock_ticks())
}

/// The load average now (1, 5, 15 minutes).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// One measured host command run against a provider of its own.
struct Measured {
    what: &'static str,
    wall: Duration,
    cpu: Duration,
    host_cpu: Duration,
    hwm_kib: u64,
    calls: usize,
    load: String,
}

/// Runs `terraform args` in `w` against a fresh provider; its wall time, the
/// provider's CPU time and peak RSS, and the RDS calls it made.
fn measured(
    emu: &Emulator,
    w: &Workdir,
    what: &'static str,
    args: &[&str],
    poll: &str,
) -> Measured {
    let provider = OwnProvider::start(&[("REPLICATION_POLL_INTERVAL", poll)]);
    emu.clear_calls();
    let children_before = ended_children_cpu();
    let started = std::time::Instant::now();
    let out = w
        .command(args)
        .env("TF_REATTACH_PROVIDERS", &provider.reattach)
        .output()
        .expect("terraform");
    let wall = started.elapsed();
    let host_cpu = ended_children_cpu().saturating_sub(children_before);
    assert!(
        out.status.success(),
        "terraform {} failed:\n{}",
        args.join(" "),
        common::text(&out)
    );
    let (hwm_kib, cpu) = provider.usage();
    Measured {
        what,
        wall,
        cpu,
        host_cpu,
        hwm_kib,
        calls: emu.calls().len(),
        load: load_average(),
    }
}

fn scale1000_section() {
    let counts: Vec<usize> = env_str("BENCH_SCALE_COUNTS", "1000")
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let parallelism = parallelism_flag();
    let repeat = (env_f64("BENCH_SCALE_REPEAT", 3.0) as usize).max(1);
    let mut medians = Vec::new();
    println!("## 1000 topologies: provider memory and CPU\n");
    println!(
        "`count = N` topologies × 3 regions (1 instance each) against the release emulator at time scale 0 with no rate limit, `REPLICATION_POLL_INTERVAL=20ms`, Terraform `{parallelism}`. Each row is one Terraform command served by a provider process of its own, started by the bench in debug mode (Terraform reattaches to it, so the plugin channel has no TLS): *peak RSS* is that process's VmHWM and *CPU* its user + system time, both from `/proc/<pid>` once the command is done. *host CPU* is the Terraform command's own user + system time. *create* is `terraform apply` of the configuration, *refresh* `terraform plan -refresh-only`, *plan* `terraform plan` (refresh and diff); refresh and plan run {repeat} times each (`BENCH_SCALE_REPEAT`), each run a row, and the median CPU per topology is given below the table. Targets (refresh of 1000): peak RSS ≤ 64 MiB, CPU ≤ 2 ms per topology. Load average (1/5/15 min) as each command ended: the machine is shared, so times are noisy.\n"
    );
    println!("| N | command | wall | provider CPU | CPU per topology | provider peak RSS | host (Terraform) CPU | RDS calls | load average |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for count in counts {
        let emu = Emulator::start(0.0);
        let name = format!("scale{count}");
        let main_tf = format!(
            "{}\nresource \"replication_topology\" \"t\" {{\n  count                     = {count}\n  global_cluster_identifier = \"{name}-${{count.index}}\"\n  engine                    = \"aurora-postgresql\"\n  engine_version            = \"16.4\"\n  master_username           = \"app\"\n  master_password           = \"bench-password-1\"\n  skip_final_snapshot       = true\n  primary_region            = \"us-east-1\"\n  regions = {{\n    \"us-east-1\"      = {{ instance_class = \"db.r6g.large\", instances = {{ a = {{}} }} }}\n    \"eu-west-1\"      = {{ instance_class = \"db.r6g.large\", instances = {{ a = {{}} }} }}\n    \"ap-southeast-2\" = {{ instance_class = \"db.r6g.large\", instances = {{ a = {{}} }} }}\n  }}\n}}\n",
            header(&emu.endpoint())
        );
        let w = Workdir::new(&name, &main_tf);
        eprintln!("scale1000: {count} topologies: create");
        let create_parallelism = format!(
            "-parallelism={}",
            env_f64("BENCH_CREATE_PARALLELISM", 50.0) as usize
        );
        let mut runs = vec![measured(
            &emu,
            &w,
            "create",
            &["apply", "-no-color", "-auto-approve", &create_parallelism],
            "20ms",
        )];
        // CPU time per command varies by ±20 % between runs of the same
        // binary on this shared machine: refresh and plan run `repeat` times
        // each, every run a row, and the median is the figure.
        for (what, args) in [
            (
                "refresh",
                vec!["plan", "-refresh-only", "-no-color", &parallelism],
            ),
            ("plan", vec!["plan", "-no-color", &parallelism]),
        ] {
            for k in 1..=repeat {
                eprintln!("scale1000: {count} topologies: {what} {k}/{repeat}");
                runs.push(measured(&emu, &w, what, &args, "20ms"));
            }
        }
        for what in ["refresh", "plan"] {
            let mut per: Vec<f64> = runs
                .iter()
                .filter(|r| r.what == what)
                .map(|r| r.cpu.as_secs_f64() * 1000.0 / count as f64)
                .collect();
            per.sort_by(f64::total_cmp);
            medians.push(format!(
                "{count} × {what}: **{:.2} ms** per topology (runs: {})",
                common::median(&per),
                per.iter()
                    .map(|x| format!("{x:.2}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for r in &runs {
            let note = if r.what == "create" {
                format!(" ({create_parallelism})")
            } else {
                String::new()
            };
            println!(
                "| {count} | {}{note} | {} s | {} s | **{:.2} ms** | **{:.1} MiB** | {} s | {} | {} |",
                r.what,
                secs(r.wall),
                secs(r.cpu),
                r.cpu.as_secs_f64() * 1000.0 / count as f64,
                r.hwm_kib as f64 / 1024.0,
                secs(r.host_cpu),
                r.calls,
                r.load
            );
        }
    }
    println!("\nMedian provider CPU per topology:\n");
    for m in &medians {
        println!("- {m}");
    }
    println!();
}
