//! Shared helpers for the end-to-end tests: the real hosts (OpenTofu 1.6,
//! Terraform 1.15, and Terraform 1.11 when the machine has one), a CLI config
//! with `dev_overrides` pointing at the freshly built provider, and scratch
//! working directories.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) const PROVIDER_BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-replication");

/// The provider binary the hosts run: `REPLICATION_PROVIDER_BIN` when set
/// (`make portable-check` points it at the unpacked release binary), else the
/// one cargo built for this test run.
pub(crate) fn provider_bin() -> PathBuf {
    match std::env::var_os("REPLICATION_PROVIDER_BIN") {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(
                p.is_file(),
                "REPLICATION_PROVIDER_BIN={} is not a file",
                p.display()
            );
            p
        }
        None => PathBuf::from(PROVIDER_BIN),
    }
}
pub(crate) const SOURCE: &str = "registry.terraform.io/replication/replication";

/// One real host binary.
#[derive(Clone, Debug)]
pub(crate) struct Host {
    pub(crate) name: &'static str,
    pub(crate) path: PathBuf,
    /// Whether the host supports write-only attributes (Terraform >= 1.11).
    pub(crate) write_only: bool,
}

fn tool(env: &str, default: &str) -> Option<PathBuf> {
    match std::env::var_os(env) {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(
                p.exists(),
                "{env}={} does not exist: run `make tools`",
                p.display()
            );
            Some(p)
        }
        None => {
            let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(default);
            if p.exists() {
                Some(p)
            } else {
                eprintln!("skipping host: {env} is unset and {} is missing (run `make tools`, or `make test`)", p.display());
                None
            }
        }
    }
}

/// The hosts to test with: tofu 1.6.2 and terraform 1.15 from `make tools`,
/// plus a terraform 1.11.x found on PATH.
pub(crate) fn hosts() -> Vec<Host> {
    let mut out = Vec::new();
    if let Some(path) = tool("REPLICATION_TOFU", ".tools/bin/tofu") {
        out.push(Host {
            name: "tofu-1.6",
            path,
            write_only: false,
        });
    }
    if let Some(path) = tool("REPLICATION_TERRAFORM", ".tools/bin/terraform") {
        out.push(Host {
            name: "terraform-1.15",
            path,
            write_only: true,
        });
    }
    match Command::new("terraform").arg("version").output() {
        Ok(o) if String::from_utf8_lossy(&o.stdout).starts_with("Terraform v1.11.") => {
            let path = which("terraform").unwrap_or_else(|| PathBuf::from("terraform"));
            out.push(Host {
                name: "terraform-1.11",
                path,
                write_only: true,
            });
        }
        _ => eprintln!("skipping host terraform-1.11: no Terraform 1.11.x on PATH"),
    }
    out
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// A scratch working directory with a CLI config whose dev_overrides point at
/// the built provider.
pub(crate) struct Workdir {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) cli_config: PathBuf,
}

impl Workdir {
    pub(crate) fn new(main_tf: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("replication-e2e")
            .tempdir()
            .unwrap();
        // A directory holding only the provider: cargo's target/debug also
        // holds terraform-provider-replication.d, which a host may pick.
        let provider_dir = dir.path().join("provider");
        std::fs::create_dir_all(&provider_dir).unwrap();
        std::os::unix::fs::symlink(
            provider_bin(),
            provider_dir.join("terraform-provider-replication"),
        )
        .unwrap();
        let cli_config = dir.path().join("cli.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                provider_dir.display()
            ),
        )
        .unwrap();
        let w = Self { dir, cli_config };
        w.write("main.tf", main_tf);
        w
    }

    pub(crate) fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the host in this directory.
    pub(crate) fn run(&self, host: &Host, args: &[&str]) -> Output {
        self.run_env(host, args, &[])
    }

    pub(crate) fn run_env(&self, host: &Host, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(&host.path);
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret-example-key")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output()
            .unwrap_or_else(|e| panic!("running {}: {e}", host.path.display()))
    }
}

/// Both output streams, for assertion messages.
pub(crate) fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The `terraform { required_providers }` block every test config starts with.
pub(crate) fn header(provider_block: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    replication = {{\n      source = \"{SOURCE}\"\n    }}\n  }}\n}}\n\nprovider \"replication\" {{\n{provider_block}\n}}\n"
    )
}

// ---------------------------------------------------------------------------
// Emulator-backed end-to-end helpers: one in-process `aurora-emulator` per
// host run, its admin API, aws-sdk-rds clients against it, and host commands
// that must succeed.

/// Env for every host command against the emulator: fast polling.
pub(crate) const FAST_POLL: [(&str, &str); 1] = [("REPLICATION_POLL_INTERVAL", "50ms")];

/// An in-process emulator with the runtime that serves it.
pub(crate) struct Emu {
    pub(crate) rt: tokio::runtime::Runtime,
    pub(crate) emu: aurora_emulator::RunningEmulator,
}

/// One entry of the emulator's call log.
pub(crate) use aurora_emulator::Call;

impl Emu {
    /// Starts an emulator on a free loopback port.
    pub(crate) fn start(time_scale: f64) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emu = rt
            .block_on(aurora_emulator::start(
                "127.0.0.1:0".parse().unwrap(),
                aurora_emulator::EmulatorConfig {
                    time_scale,
                    state_file: None,
                },
            ))
            .unwrap();
        Self { rt, emu }
    }

    /// The provider block body for this emulator, home region us-east-1.
    pub(crate) fn provider_block(&self) -> String {
        format!(
            "  region       = \"us-east-1\"\n  endpoint_url = \"{}\"",
            self.emu.endpoint()
        )
    }

    /// A blocking client for the emulator's admin API.
    pub(crate) fn admin(&self) -> aurora_emulator::BlockingAdminClient {
        aurora_emulator::BlockingAdminClient::new(self.emu.addr())
    }

    /// The call log, in arrival order.
    pub(crate) fn calls(&self) -> Vec<Call> {
        self.admin().calls().unwrap()
    }

    /// Successful calls of `action`, as regions in order.
    pub(crate) fn call_regions(&self, action: &str) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| c.action == action && c.code.is_none())
            .map(|c| c.region)
            .collect()
    }

    pub(crate) fn clear_calls(&self) {
        self.admin().clear_calls().unwrap();
    }

    /// An aws-sdk-rds client for `region` against the emulator.
    pub(crate) fn rds(&self, region: &str) -> aws_sdk_rds::Client {
        let conf = aws_sdk_rds::Config::builder()
            .behavior_version(aws_sdk_rds::config::BehaviorVersion::latest())
            .region(aws_sdk_rds::config::Region::new(region.to_string()))
            .credentials_provider(aws_sdk_rds::config::Credentials::new(
                "AKIDEXAMPLE",
                "secret-example-key",
                None,
                None,
                "test",
            ))
            .endpoint_url(self.emu.endpoint())
            .build();
        aws_sdk_rds::Client::from_conf(conf)
    }

    pub(crate) fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// What the RDS API reports about one global cluster and its members.
    pub(crate) fn observe(&self, gci: &str) -> Option<Topology> {
        self.block_on(observe_topology(self, gci, "us-east-1", &[]))
    }

    /// Like [`Emu::observe`], asking `via` for the global cluster and
    /// leaving out the member clusters of the `skip` regions (in outage).
    pub(crate) fn observe_via(&self, gci: &str, via: &str, skip: &[&str]) -> Option<Topology> {
        self.block_on(observe_topology(self, gci, via, skip))
    }

    /// Polls until nothing of `gci` is in a transitional status.
    pub(crate) fn wait_settled(&self, gci: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            match self.observe(gci) {
                Some(t) if !t.settled() => {}
                _ => return,
            }
            assert!(std::time::Instant::now() < deadline, "{gci} did not settle");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// One DB instance as the RDS API describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RdsInstance {
    pub(crate) id: String,
    pub(crate) class: String,
    pub(crate) tier: i32,
    pub(crate) status: String,
    pub(crate) writer: bool,
}

/// One regional cluster as the RDS API describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RdsCluster {
    pub(crate) region: String,
    pub(crate) id: String,
    pub(crate) arn: String,
    pub(crate) status: String,
    pub(crate) engine_version: String,
    pub(crate) create_time: Option<aws_sdk_rds::primitives::DateTime>,
    /// Instances by identifier.
    pub(crate) instances: BTreeMap<String, RdsInstance>,
}

/// A global cluster and its members, read through DescribeGlobalClusters,
/// then DescribeDBClusters and DescribeDBInstances in every member region.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Topology {
    pub(crate) id: String,
    pub(crate) status: String,
    pub(crate) engine_version: String,
    pub(crate) failover_state: bool,
    /// Region of the writer member.
    pub(crate) writer: Option<String>,
    /// Clusters by region.
    pub(crate) regions: BTreeMap<String, RdsCluster>,
}

impl Topology {
    pub(crate) fn settled(&self) -> bool {
        self.status == "available"
            && !self.failover_state
            && self.regions.values().all(|c| {
                c.status == "available" && c.instances.values().all(|i| i.status == "available")
            })
    }

    /// Region -> sorted instance identifiers.
    pub(crate) fn layout(&self) -> BTreeMap<String, Vec<String>> {
        self.regions
            .iter()
            .map(|(r, c)| (r.clone(), c.instances.keys().cloned().collect()))
            .collect()
    }
}

async fn observe_topology(emu: &Emu, gci: &str, via: &str, skip: &[&str]) -> Option<Topology> {
    let out = emu
        .rds(via)
        .describe_global_clusters()
        .global_cluster_identifier(gci)
        .send()
        .await;
    let g = match out {
        Ok(o) => o.global_clusters.unwrap_or_default().into_iter().next()?,
        Err(e)
            if aws_sdk_rds::error::ProvideErrorMetadata::code(&e)
                == Some("GlobalClusterNotFoundFault") =>
        {
            return None
        }
        Err(e) => panic!("DescribeGlobalClusters {gci}: {e:?}"),
    };
    let mut regions = BTreeMap::new();
    let mut writer = None;
    for m in g.global_cluster_members.unwrap_or_default() {
        let arn = m.db_cluster_arn.clone().unwrap_or_default();
        let region = arn.split(':').nth(3).unwrap_or_default().to_string();
        let id = arn.rsplit(':').next().unwrap_or_default().to_string();
        if m.is_writer == Some(true) {
            writer = Some(region.clone());
        }
        if skip.contains(&region.as_str()) {
            continue;
        }
        let client = emu.rds(&region);
        let c = client
            .describe_db_clusters()
            .db_cluster_identifier(&id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DescribeDBClusters {id}: {e:?}"));
        let c = c
            .db_clusters
            .unwrap_or_default()
            .into_iter()
            .next()
            .expect("member cluster exists");
        let writer_instance: Option<String> = c
            .db_cluster_members
            .clone()
            .unwrap_or_default()
            .into_iter()
            .find(|m| m.is_cluster_writer == Some(true))
            .and_then(|m| m.db_instance_identifier);
        let filter = aws_sdk_rds::types::Filter::builder()
            .name("db-cluster-id")
            .values(id.clone())
            .build();
        let is = client
            .describe_db_instances()
            .filters(filter)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DescribeDBInstances {id}: {e:?}"));
        let instances = is
            .db_instances
            .unwrap_or_default()
            .into_iter()
            .map(|i| {
                let iid = i.db_instance_identifier.clone().unwrap_or_default();
                (
                    iid.clone(),
                    RdsInstance {
                        writer: writer_instance.as_deref() == Some(iid.as_str()),
                        id: iid,
                        class: i.db_instance_class.unwrap_or_default(),
                        tier: i.promotion_tier.unwrap_or(-1),
                        status: i.db_instance_status.unwrap_or_default(),
                    },
                )
            })
            .collect();
        regions.insert(
            region.clone(),
            RdsCluster {
                region,
                id,
                arn,
                status: c.status.unwrap_or_default(),
                engine_version: c.engine_version.unwrap_or_default(),
                create_time: c.cluster_create_time,
                instances,
            },
        );
    }
    Some(Topology {
        id: g.global_cluster_identifier.unwrap_or_default(),
        status: g.status.unwrap_or_default(),
        engine_version: g.engine_version.unwrap_or_default(),
        failover_state: g.failover_state.is_some(),
        writer,
        regions,
    })
}

/// Runs a host command against the emulator (fast polling) and panics with
/// both streams unless it succeeds.
pub(crate) fn tf_ok(w: &Workdir, host: &Host, args: &[&str]) -> Output {
    let out = w.run_env(host, args, &FAST_POLL);
    assert!(
        out.status.success(),
        "{}: {} failed: {}",
        host.name,
        args.join(" "),
        text(&out)
    );
    out
}

/// `plan -detailed-exitcode`: 0 = no changes, 2 = changes (panics on 1).
pub(crate) fn plan_code(w: &Workdir, host: &Host) -> (i32, Output) {
    let out = w.run_env(
        host,
        &["plan", "-no-color", "-detailed-exitcode"],
        &FAST_POLL,
    );
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 2,
        "{}: plan failed: {}",
        host.name,
        text(&out)
    );
    (code, out)
}

/// `plan -detailed-exitcode` must find nothing to change; `step` names
/// the moment in the failure message. Returns the plan's output.
pub(crate) fn assert_no_changes(w: &Workdir, host: &Host, step: &str) -> Output {
    let (code, out) = plan_code(w, host);
    assert_eq!(code, 0, "{}: {step}: {}", host.name, text(&out));
    out
}

/// After a destroy: no global cluster, no cluster or instance left in any
/// of `regions`, and one final snapshot `<gci>-final` of the cluster in
/// `final_region` (the last primary), none elsewhere.
pub(crate) fn assert_torn_down(
    emu: &Emu,
    host: &Host,
    gci: &str,
    regions: &[&str],
    final_region: &str,
) {
    assert!(
        emu.observe(gci).is_none(),
        "{}: global cluster still exists",
        host.name
    );
    for &r in regions {
        assert_eq!(
            emu.cluster_ids(r),
            Vec::<String>::new(),
            "{}: clusters left in {r}",
            host.name
        );
        assert_eq!(
            emu.instance_ids(r),
            Vec::<String>::new(),
            "{}: instances left in {r}",
            host.name
        );
        let want = if r == final_region {
            vec![(format!("{gci}-final"), format!("{gci}-{r}"))]
        } else {
            vec![]
        };
        assert_eq!(emu.snapshots(r), want, "{}: snapshots in {r}", host.name);
    }
}

/// `plan -out` then `show -json` of that plan.
pub(crate) fn plan_json(w: &Workdir, host: &Host) -> (Output, serde_json::Value) {
    let out = tf_ok(w, host, &["plan", "-no-color", "-out=tfplan"]);
    let shown = tf_ok(w, host, &["show", "-json", "tfplan"]);
    (out, serde_json::from_slice(&shown.stdout).unwrap())
}

/// Every leaf path where `a` and `b` differ, as "x.y.z" strings (objects
/// compared key by key; a key missing on one side is one difference).
pub(crate) fn json_diff(a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, path: &str, out: &mut Vec<String>) {
        match (a, b) {
            (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
                let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    match (x.get(k), y.get(k)) {
                        (Some(l), Some(r)) => walk(l, r, &p, out),
                        _ => out.push(p),
                    }
                }
            }
            _ if a != b => out.push(path.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(a, b, "", &mut out);
    out
}

/// Runs `f` once per host, each in its own thread (they use separate
/// emulators), and re-raises the first panic with the host's name.
pub(crate) fn per_host(f: impl Fn(&Host) + Sync) {
    let hosts = hosts();
    std::thread::scope(|s| {
        let handles: Vec<_> = hosts.iter().map(|h| (h.name, s.spawn(|| f(h)))).collect();
        let mut failed = Vec::new();
        for (name, h) in handles {
            if let Err(e) = h.join() {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failed.push(format!("{name}: {msg}"));
            }
        }
        assert!(
            failed.is_empty(),
            "failed on {} host(s):\n{}",
            failed.len(),
            failed.join("\n\n")
        );
    });
}

impl Emu {
    /// DescribeDBClusterSnapshots in `region`: (snapshot id, cluster id).
    pub(crate) fn snapshots(&self, region: &str) -> Vec<(String, String)> {
        let out = self
            .block_on(self.rds(region).describe_db_cluster_snapshots().send())
            .unwrap();
        out.db_cluster_snapshots
            .unwrap_or_default()
            .into_iter()
            .map(|s| {
                (
                    s.db_cluster_snapshot_identifier.unwrap_or_default(),
                    s.db_cluster_identifier.unwrap_or_default(),
                )
            })
            .collect()
    }

    /// DescribeDBClusters in `region`: every cluster identifier.
    pub(crate) fn cluster_ids(&self, region: &str) -> Vec<String> {
        let out = self
            .block_on(self.rds(region).describe_db_clusters().send())
            .unwrap();
        out.db_clusters
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| c.db_cluster_identifier)
            .collect()
    }

    /// DescribeDBInstances in `region`: every instance identifier.
    pub(crate) fn instance_ids(&self, region: &str) -> Vec<String> {
        let out = self
            .block_on(self.rds(region).describe_db_instances().send())
            .unwrap();
        out.db_instances
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| i.db_instance_identifier)
            .collect()
    }
}

/// A global cluster identifier unique to the host.
pub(crate) fn gci(prefix: &str, host: &Host) -> String {
    format!("{prefix}-{}", host.name.replace('.', ""))
}

/// A `replication_topology.orders` on this emulator: `body` (engine version,
/// primary region, regions, ...) under the fixed identity attributes.
pub(crate) fn config(emu: &Emu, gci: &str, body: &str) -> String {
    header(&emu.provider_block())
        + &format!(
            r#"
resource "replication_topology" "orders" {{
  global_cluster_identifier = "{gci}"
  engine                    = "aurora-postgresql"
  master_username           = "app"
{body}
}}
"#
        )
}

/// Region -> (cluster id, sorted [(instance id, class, promotion tier)]).
type Layout = BTreeMap<String, (String, Vec<(String, String, i32)>)>;

/// One expected member: (region, [(instance key, class, promotion tier)]).
pub(crate) type Member<'a> = (&'a str, &'a [(&'a str, &'a str, i32)]);

/// Expected members.
pub(crate) type Want<'a> = &'a [Member<'a>];

/// Reads the topology through the RDS API and checks it is settled, has its
/// writer in `writer`, and has exactly the clusters and instances of `want`
/// (identifiers derived as `<gci>-<region>[-<key>]`).
pub(crate) fn check(emu: &Emu, host: &Host, gci: &str, writer: &str, want: Want<'_>, step: &str) {
    let t = emu.observe(gci).unwrap_or_else(|| {
        panic!(
            "{}: after {step}: global cluster {gci} is missing",
            host.name
        )
    });
    assert!(
        t.settled(),
        "{}: after {step}: not settled: {t:#?}",
        host.name
    );
    assert_eq!(
        t.writer.as_deref(),
        Some(writer),
        "{}: after {step}: writer",
        host.name
    );
    let got: Layout = t
        .regions
        .iter()
        .map(|(r, c)| {
            (
                r.clone(),
                (
                    c.id.clone(),
                    c.instances
                        .values()
                        .map(|i| (i.id.clone(), i.class.clone(), i.tier))
                        .collect(),
                ),
            )
        })
        .collect();
    let want: Layout = want
        .iter()
        .map(|(r, is)| {
            let mut is: Vec<_> = is
                .iter()
                .map(|(k, c, t)| (format!("{gci}-{r}-{k}"), c.to_string(), *t))
                .collect();
            is.sort();
            (r.to_string(), (format!("{gci}-{r}"), is))
        })
        .collect();
    assert_eq!(got, want, "{}: after {step}: members", host.name);
}

/// The `regions` attribute from one line per region.
pub(crate) fn regions(lines: &[&str]) -> String {
    format!("  regions = {{\n{}\n  }}\n", lines.join("\n"))
}

// ---------------------------------------------------------------------------
// The process environment, shared by every test of this binary.

/// Holds the environment lock and, on drop, puts back the variables it
/// was given as they were.
pub(crate) struct EnvGuard {
    saved: Vec<(&'static str, Option<std::ffi::OsString>)>,
    _lock: std::sync::MutexGuard<'static, ()>,
}

/// Serialises the tests that change process environment variables (they
/// used to be separate test binaries) and restores `vars` when the guard
/// drops. Tests that only start child processes pass their environment on
/// the command instead.
pub(crate) fn lock_env(vars: &[&'static str]) -> EnvGuard {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    EnvGuard {
        saved: vars.iter().map(|v| (*v, std::env::var_os(v))).collect(),
        _lock: lock,
    }
}

impl Drop for EnvGuard {
    fn drop(&mut self) {
        for (var, value) in &self.saved {
            match value {
                Some(v) => std::env::set_var(var, v),
                None => std::env::remove_var(var),
            }
        }
    }
}
