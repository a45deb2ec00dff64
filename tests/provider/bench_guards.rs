//! Regression guards for the benchmark figures that can be pinned exactly:
//! RDS call counts (never times). The provider runs in-process through the
//! engine API against an in-process emulator at time scale 0, so these run
//! in a few seconds and need no host binary.
//!
//! - A refresh (ReadResource) of a topology with R regions makes exactly
//!   1 + 2R calls (one DescribeGlobalClusters, then one DescribeDBClusters
//!   and one DescribeDBInstances per region), whatever the instance count.
//! - Creating a 2-region topology makes a pinned number of mutating calls:
//!   no call is repeated, no step is sent twice.
//! - Apply against the critical path, as call order: a cluster's instances
//!   are sent with the cluster (no observation of the topology in between),
//!   and a destroy sends DeleteGlobalCluster before it waits for the
//!   instance deletions.
//! - Replication lag: no CloudWatch call on refresh or an unchanged plan,
//!   one GetMetricData (to the target region) on a plan that moves the
//!   primary.
//! - A switchover or failover is one wait, then the final observation.

use std::collections::BTreeMap;

use terraform_provider_replication::engine::{
    self, ApplyRequest, ClientCapabilities, EngineApi, PlanRequest,
};
use terraform_provider_replication::tf::{self, Value};
use terraform_provider_replication::topology::ReplicationProvider;

const TYPE: &str = "replication_topology";
const CAPS: ClientCapabilities = ClientCapabilities {
    deferral_allowed: false,
    write_only_attributes_allowed: true,
};
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

struct Harness {
    emu: aurora_emulator::RunningEmulator,
    server: engine::Server<ReplicationProvider>,
    _env: crate::common::EnvGuard,
}

impl Harness {
    async fn start() -> Self {
        Self::start_with(0.0, "10ms").await
    }

    /// Emulator at `time_scale`, waits polling first after `poll`.
    async fn start_with(time_scale: f64, poll: &str) -> Self {
        let env = crate::common::lock_env(&[
            "REPLICATION_POLL_INTERVAL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_EC2_METADATA_DISABLED",
        ]);
        // At time scale 0 most waits finish on their first poll.
        std::env::set_var("REPLICATION_POLL_INTERVAL", poll);
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "secret-example-key");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        let emu = aurora_emulator::start(
            "127.0.0.1:0".parse().unwrap(),
            aurora_emulator::EmulatorConfig {
                time_scale,
                state_file: None,
            },
        )
        .await
        .unwrap();
        let server = engine::Server::new(ReplicationProvider::default());
        let ty = server.provider_schema().block.value_type();
        let cfg = serde_json::json!({ "region": "us-east-1", "endpoint_url": emu.endpoint() });
        let cfg = tf::json::decode(cfg.to_string().as_bytes(), &ty).unwrap();
        let d = server.configure(&cfg, CAPS).await;
        assert!(!d.has_errors(), "configure: {d:?}");
        Self {
            emu,
            server,
            _env: env,
        }
    }

    /// The call log as (region, action, code) triples.
    async fn calls(&self) -> Vec<(String, String, Option<String>)> {
        self.emu
            .admin()
            .calls()
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.region, c.action, c.code))
            .collect()
    }

    async fn clear_calls(&self) {
        self.emu.admin().clear_calls().await.unwrap();
    }

    /// Plans and applies the create of `id` with `instances[i]` instances in
    /// `REGIONS[i]`; returns the new state.
    async fn create(&self, id: &str, instances: &[usize]) -> Value {
        let config = self.config(id, instances, "us-east-1", None);
        self.update(Value::Null, config).await
    }

    /// Applies the destroy of `state`.
    async fn destroy(&self, state: Value) {
        let applied = self
            .server
            .apply(
                TYPE,
                ApplyRequest {
                    prior: state,
                    planned: Value::Null,
                    config: Value::Null,
                    planned_private: vec![],
                },
                CAPS,
            )
            .await;
        assert!(
            !applied.diagnostics.has_errors(),
            "destroy: {:?}",
            applied.diagnostics
        );
        assert!(applied.state.is_null(), "destroy left a state");
    }
}

fn is_read(action: &str) -> bool {
    ["Describe", "List", "Get"]
        .iter()
        .any(|read| action.starts_with(read))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_makes_one_plus_two_calls_per_region_whatever_the_instances() {
    let h = Harness::start().await;
    let mut counts: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for r in 1..=3 {
        for per_region in [1, 3] {
            let id = format!("guard-r{r}-i{per_region}");
            let state = h.create(&id, &vec![per_region; r]).await;
            h.clear_calls().await;
            let read = h.server.read(TYPE, state, vec![], CAPS).await;
            assert!(
                !read.diagnostics.has_errors(),
                "read {id}: {:?}",
                read.diagnostics
            );
            assert!(!read.state.is_null(), "read {id} lost the topology");
            let calls = h.calls().await;
            assert!(
                calls.iter().all(|c| is_read(&c.1) && c.2.is_none()),
                "read {id} made {calls:?}"
            );
            let count = |a: &str| calls.iter().filter(|c| c.1 == a).count();
            assert_eq!(count("DescribeGlobalClusters"), 1, "{id}: {calls:?}");
            assert_eq!(count("DescribeDBClusters"), r, "{id}: {calls:?}");
            assert_eq!(count("DescribeDBInstances"), r, "{id}: {calls:?}");
            assert_eq!(
                calls.len(),
                1 + 2 * r,
                "refresh of {id} (R={r}, {per_region} instances per region): {calls:?}"
            );
            counts.insert((r, per_region), calls.len());
        }
    }
    for r in 1..=3 {
        assert_eq!(
            counts[&(r, 1)],
            counts[&(r, 3)],
            "refresh calls depend on the instance count at R={r}"
        );
    }
}

/// Pinned: CreateGlobalCluster, 2 × CreateDBCluster, 3 × CreateDBInstance;
/// tags travel with the create calls, so nothing else changes anything.
const CREATE_2_REGIONS_MUTATING: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_of_two_regions_makes_a_pinned_number_of_mutating_calls() {
    let h = Harness::start().await;
    h.clear_calls().await;
    h.create("guard-create", &[2, 1]).await;
    let calls = h.calls().await;
    let mutating: Vec<(String, String)> = calls
        .iter()
        .filter(|c| !is_read(&c.1))
        .map(|c| (c.0.clone(), c.1.clone()))
        .collect();
    // The first observation finds nothing: GlobalClusterNotFoundFault is its answer.
    assert!(
        calls
            .iter()
            .all(|c| c.2.is_none() || c.2.as_deref() == Some("GlobalClusterNotFoundFault")),
        "error answers during create: {calls:?}"
    );
    let count = |a: &str| mutating.iter().filter(|c| c.1 == a).count();
    assert_eq!(count("CreateGlobalCluster"), 1, "{mutating:?}");
    assert_eq!(count("CreateDBCluster"), 2, "{mutating:?}");
    assert_eq!(count("CreateDBInstance"), 3, "{mutating:?}");
    assert_eq!(
        mutating.len(),
        CREATE_2_REGIONS_MUTATING,
        "mutating calls of a 2-region create: {mutating:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_are_sent_with_their_cluster_and_deletions_are_awaited_last() {
    let h = Harness::start().await;
    h.clear_calls().await;
    let state = h.create("guard-order", &[2, 1]).await;
    let calls = h.calls().await;
    // Each observation of the topology starts with DescribeGlobalClusters:
    // none may fall between a cluster's creation and its instances'.
    for region in &REGIONS[..2] {
        let at = |action: &str| -> Vec<usize> {
            calls
                .iter()
                .enumerate()
                .filter(|(_, c)| c.0 == *region && c.1 == action)
                .map(|(n, _)| n)
                .collect()
        };
        let cluster = at("CreateDBCluster");
        let instances = at("CreateDBInstance");
        assert_eq!(cluster.len(), 1, "{region}: {calls:?}");
        assert!(!instances.is_empty(), "{region}: {calls:?}");
        let last = *instances.iter().max().unwrap();
        let between = &calls[cluster[0]..last];
        assert!(
            between.iter().all(|c| c.1 != "DescribeGlobalClusters"),
            "{region}: the topology was observed between the cluster and its instances: {between:?}"
        );
    }
    // The secondary waits for the primary's writer to replicate from.
    let first = |region: &str, action: &str| {
        calls
            .iter()
            .position(|c| c.0 == region && c.1 == action)
            .unwrap()
    };
    assert!(
        first(REGIONS[0], "CreateDBInstance") < first(REGIONS[1], "CreateDBCluster"),
        "{calls:?}"
    );

    h.clear_calls().await;
    h.destroy(state).await;
    let calls = h.calls().await;
    let delete_global = calls
        .iter()
        .position(|c| c.1 == "DeleteGlobalCluster")
        .expect("DeleteGlobalCluster sent");

    // The deletions are awaited after DeleteGlobalCluster, together: the
    // waits of a region share one DescribeDBInstances (filtered by
    // db-instance-id, which answers an empty list once they are gone) and
    // one DescribeDBClusters. At time scale 0 everything is gone at the
    // first poll, so each region polls exactly once for each kind: 2 calls
    // for the 3 instance deletions, where polling alone made 3.
    let after = &calls[delete_global..];
    for region in &REGIONS[..2] {
        for action in ["DescribeDBInstances", "DescribeDBClusters"] {
            let polls: Vec<_> = after
                .iter()
                .filter(|c| c.0 == *region && c.1 == action)
                .collect();
            assert_eq!(
                polls.len(),
                1,
                "{region}: {action} after DeleteGlobalCluster: {after:?}"
            );
            assert!(polls[0].2.is_none(), "{region}: {after:?}");
        }
    }
}

/// Describe calls of a create of 3 regions × 2 instances, at most: half of
/// the 283 the apply benchmark counted when every wait polled on its own
/// (docs/benchmarks.md; this test counted 257 then). Waits of one region
/// share their Describe calls.
const CREATE_3X2_DESCRIBE_MAX: usize = 141;

/// The apply benchmark's create at a fifth of its scale: emulator durations
/// × 0.01 and a first poll interval of 20 ms (the bench: × 0.05 and 100 ms),
/// so every wait polls about as many times as there. Counts calls, not time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_of_three_regions_shares_describe_calls_between_waits() {
    let h = Harness::start_with(0.01, "20ms").await;
    h.clear_calls().await;
    h.create("guard-shared-polls", &[2, 2, 2]).await;
    let calls = h.calls().await;
    let describes: Vec<&(String, String, Option<String>)> =
        calls.iter().filter(|c| is_read(&c.1)).collect();
    let mut by_action: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for c in &describes {
        *by_action.entry((c.0.as_str(), c.1.as_str())).or_default() += 1;
    }
    eprintln!(
        "create 3 regions x 2 instances: {} Describe calls {by_action:?}",
        describes.len()
    );
    assert_eq!(
        calls.iter().filter(|c| c.1 == "CreateDBInstance").count(),
        6,
        "{calls:?}"
    );
    assert!(
        describes.len() <= CREATE_3X2_DESCRIBE_MAX,
        "{} Describe calls for one create (at most {CREATE_3X2_DESCRIBE_MAX}): {by_action:?}",
        describes.len()
    );
}

/// A refresh that is one burst beyond a region's rate limit (the scale
/// bench's short case, in-process): 10 topologies × 3 regions read at once
/// with the emulator allowing 5 calls per second per region. With the
/// default pacing every read is answered, nothing fails, and every throttled
/// call was sent again: the call log holds the answered calls plus the
/// throttling answers, nothing else. The reads share calls (the shared
/// pollers): no more answered calls than the 1 + 2R = 7 per topology of
/// reading alone, none of a region's Describe kinds asked more than once per
/// topology, and fewer calls than reading alone in all. Counts only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_refresh_under_a_rate_limit_is_paced_without_errors() {
    let h = Harness::start().await;
    let mut states = Vec::new();
    for n in 0..10 {
        states.push(h.create(&format!("guard-burst-{n}"), &[1, 1, 1]).await);
    }
    // The emulator's window is one second: let the creates age out.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    h.clear_calls().await;
    h.emu.admin().rate_limit(5).await.unwrap();
    let reads = states
        .iter()
        .map(|state| h.server.read(TYPE, state.clone(), vec![], CAPS));
    let started = std::time::Instant::now();
    let reads = futures::future::join_all(reads).await;
    let wall = started.elapsed();
    h.emu.admin().clear_faults().await.unwrap();
    for (read, state) in reads.iter().zip(&states) {
        assert!(!read.diagnostics.has_errors(), "{:?}", read.diagnostics);
        assert!(!read.state.is_null(), "a topology was lost");
        // Shared calls answer each read with its own topology's objects.
        assert_eq!(&read.state, state, "a read saw another topology");
    }
    let calls = h.calls().await;
    let throttled = calls
        .iter()
        .filter(|c| c.2.as_deref() == Some("Throttling"))
        .count();
    let answered = calls.iter().filter(|c| c.2.is_none()).count();
    let busiest = REGIONS
        .iter()
        .map(|r| calls.iter().filter(|c| c.0 == *r && c.2.is_none()).count())
        .max()
        .unwrap_or(0);
    eprintln!(
        "burst: {answered} answered, {throttled} throttled, {wall:?} (busiest region {busiest} calls, floor {} s at 5/s)",
        busiest as f64 / 5.0
    );
    assert_eq!(
        calls.len(),
        answered + throttled,
        "other answers: {calls:?}"
    );
    for region in REGIONS {
        for op in ["DescribeDBClusters", "DescribeDBInstances"] {
            let n = calls
                .iter()
                .filter(|c| c.0 == region && c.1 == op && c.2.is_none())
                .count();
            assert!((1..=10).contains(&n), "{region} {op}: {n} calls: {calls:?}");
        }
    }
    let globals = calls
        .iter()
        .filter(|c| c.1 == "DescribeGlobalClusters" && c.2.is_none())
        .count();
    assert!(
        (1..=10).contains(&globals),
        "{globals} global reads: {calls:?}"
    );
    assert!(answered < 10 * 7, "no call was shared: {calls:?}");
}

impl Harness {
    /// The configuration of `id` with `instances[i]` instances in
    /// `REGIONS[i]`, the primary in `primary` and, when given, `failover_mode`.
    fn config(&self, id: &str, instances: &[usize], primary: &str, mode: Option<&str>) -> Value {
        let ty = self
            .server
            .resource_schema(TYPE)
            .unwrap()
            .block
            .value_type();
        let regions: serde_json::Map<String, serde_json::Value> = instances
            .iter()
            .enumerate()
            .map(|(n, count)| {
                let inst: serde_json::Map<String, serde_json::Value> = (0..*count)
                    .map(|k| (format!("i{k}"), serde_json::json!({})))
                    .collect();
                (
                    REGIONS[n].to_string(),
                    serde_json::json!({ "instance_class": "db.r6g.large", "instances": inst }),
                )
            })
            .collect();
        let mut config = serde_json::json!({
            "global_cluster_identifier": id,
            "engine": "aurora-postgresql",
            "engine_version": "16.4",
            "master_username": "app",
            "master_password": "guard-password-1",
            "skip_final_snapshot": true,
            "primary_region": primary,
            "regions": regions,
        });
        if let Some(mode) = mode {
            config["failover_mode"] = mode.into();
        }
        tf::json::decode(config.to_string().as_bytes(), &ty).unwrap()
    }

    /// Plans `config` over `state`; the GetMetricData calls it made, as regions.
    async fn lag_calls_of_plan(&self, state: &Value, config: Value) -> Vec<String> {
        self.clear_calls().await;
        let plan = self
            .server
            .plan(
                TYPE,
                PlanRequest {
                    prior: state.clone(),
                    proposed: config.clone(),
                    config,
                    prior_private: vec![],
                },
                CAPS,
            )
            .await;
        assert!(!plan.diagnostics.has_errors(), "{:?}", plan.diagnostics);
        self.calls()
            .await
            .into_iter()
            .filter(|c| c.1 == "GetMetricData")
            .map(|c| c.0)
            .collect()
    }
}

/// Replication lag costs nothing on refresh or an unchanged plan, and one
/// GetMetricData, to the target's region, on a plan that moves the primary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_is_read_once_per_primary_move_and_never_otherwise() {
    let h = Harness::start().await;
    let shape = [1, 1, 1];
    let state = h.create("guard-lag", &shape).await;
    h.clear_calls().await;
    let read = h.server.read(TYPE, state.clone(), vec![], CAPS).await;
    assert!(!read.diagnostics.has_errors(), "{:?}", read.diagnostics);
    assert!(
        h.calls().await.iter().all(|c| c.1 != "GetMetricData"),
        "refresh read CloudWatch"
    );
    let unchanged = h.config("guard-lag", &shape, "us-east-1", Some("switchover"));
    assert_eq!(
        h.lag_calls_of_plan(&state, unchanged).await,
        Vec::<String>::new()
    );
    for (to, mode) in [("eu-west-1", "switchover"), ("ap-southeast-2", "failover")] {
        let moved = h.config("guard-lag", &shape, to, Some(mode));
        assert_eq!(
            h.lag_calls_of_plan(&state, moved).await,
            [to],
            "{mode} to {to}"
        );
    }
}

impl Harness {
    /// Plans and applies `config` over `state`; returns the new state.
    async fn update(&self, state: Value, config: Value) -> Value {
        let plan = self
            .server
            .plan(
                TYPE,
                PlanRequest {
                    prior: state.clone(),
                    proposed: config.clone(),
                    config: config.clone(),
                    prior_private: vec![],
                },
                CAPS,
            )
            .await;
        assert!(
            !plan.diagnostics.has_errors(),
            "plan: {:?}",
            plan.diagnostics
        );
        let applied = self
            .server
            .apply(
                TYPE,
                ApplyRequest {
                    prior: state,
                    planned: plan.planned,
                    config,
                    planned_private: plan.private,
                },
                CAPS,
            )
            .await;
        assert!(
            !applied.diagnostics.has_errors(),
            "apply: {:?}",
            applied.diagnostics
        );
        applied.state
    }
}

/// A move of the primary is one wait (settled, no FailoverState, the target
/// the writer) and then the observation that becomes the state: at time
/// scale 0 the move is complete at the wait's first poll, so exactly two
/// DescribeGlobalClusters follow the switchover or failover call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_of_the_primary_is_one_wait_then_the_final_read() {
    let h = Harness::start().await;
    let shape = [1, 1, 1];
    let mut state = h.create("guard-move", &shape).await;
    for (to, mode, action) in [
        ("eu-west-1", "switchover", "SwitchoverGlobalCluster"),
        ("ap-southeast-2", "failover", "FailoverGlobalCluster"),
    ] {
        h.clear_calls().await;
        let config = h.config("guard-move", &shape, to, Some(mode));
        state = h.update(state, config).await;
        let calls = h.calls().await;
        let sent = calls
            .iter()
            .position(|c| c.1 == action)
            .unwrap_or_else(|| panic!("no {action}: {calls:?}"));
        let global_reads_after = calls
            .get(sent + 1..)
            .unwrap_or_default()
            .iter()
            .filter(|c| c.1 == "DescribeGlobalClusters")
            .count();
        assert_eq!(global_reads_after, 2, "{mode} to {to}: {calls:?}");
    }
}
