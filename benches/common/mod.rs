//! Shared pieces of the host-driven benchmarks: the release `aurora-emulator`
//! binary as a child process, its admin API and call log, a scratch working
//! directory whose CLI config points `dev_overrides` at the release provider,
//! the real `terraform` from `make tools`, and small statistics helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `$BENCH_PROVIDER` (the script points it at a copy of the plain
/// `cargo build --release` binary), else the binary cargo built for this
/// bench (same code, but dev-dependency features unified in).
pub(crate) fn provider_bin() -> PathBuf {
    std::env::var_os("BENCH_PROVIDER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-replication")))
}
/// The provider's source address.
pub(crate) const SOURCE: &str = "registry.terraform.io/replication/replication";

/// `$BENCH_EMULATOR`, else `aurora-emulator` next to the provider binary
/// cargo built (`make bench` builds both in release).
pub(crate) fn emulator_bin() -> PathBuf {
    std::env::var_os("BENCH_EMULATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_BIN_EXE_terraform-provider-replication"))
                .parent()
                .expect("target dir")
                .join("aurora-emulator")
        })
}

/// `$REPLICATION_TERRAFORM`, else `.tools/bin/terraform` (`make tools`).
pub(crate) fn terraform_bin() -> PathBuf {
    let p = std::env::var_os("REPLICATION_TERRAFORM")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/terraform"));
    assert!(p.exists(), "{} is missing: run `make tools`", p.display());
    p
}

/// A number from the environment, or `default`.
pub(crate) fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A string from the environment, or `default`.
pub(crate) fn env_str(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// One entry of the emulator's call log.
pub(crate) use aurora_emulator::Call;

/// The emulator binary, killed on drop.
pub(crate) struct Emulator {
    child: Child,
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) time_scale: f64,
}

impl Emulator {
    /// Starts the release emulator on a free loopback port.
    pub(crate) fn start(time_scale: f64) -> Self {
        let bin = emulator_bin();
        let mut child = Command::new(&bin)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--time-scale",
                &time_scale.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "starting {}: {e} (build it with `cargo build --release -p aurora-emulator`)",
                    bin.display()
                )
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("emulator output");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("emulator said {line:?}"));
        Self {
            child,
            addr,
            time_scale,
        }
    }

    pub(crate) fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A blocking client for the emulator's admin API.
    pub(crate) fn admin(&self) -> aurora_emulator::BlockingAdminClient {
        aurora_emulator::BlockingAdminClient::new(self.addr)
    }

    /// The call log in arrival order.
    pub(crate) fn calls(&self) -> Vec<Call> {
        self.admin().calls().expect("call log")
    }

    pub(crate) fn clear_calls(&self) {
        self.admin().clear_calls().expect("clear the call log");
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch working directory for one configuration.
pub(crate) struct Workdir {
    pub(crate) dir: PathBuf,
    cli_config: PathBuf,
    terraform: PathBuf,
    pub(crate) env: Vec<(String, String)>,
}

impl Workdir {
    pub(crate) fn new(name: &str, main_tf: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("replication-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("workdir");
        let provider = provider_bin();
        let provider_dir = provider.parent().expect("provider dir");
        let cli_config = dir.join("cli.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                provider_dir.display()
            ),
        )
        .expect("cli config");
        let w = Self {
            dir,
            cli_config,
            terraform: terraform_bin(),
            env: Vec::new(),
        };
        w.write(main_tf);
        w
    }

    pub(crate) fn write(&self, main_tf: &str) {
        std::fs::write(self.dir.join("main.tf"), main_tf).expect("main.tf");
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(args)
            .current_dir(&self.dir)
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret-example-key")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs terraform; panics with its output unless it succeeds. Returns the
    /// output and the wall time.
    pub(crate) fn tf(&self, args: &[&str]) -> (Output, Duration) {
        let started = Instant::now();
        let out = self.command(args).output().expect("running terraform");
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "terraform {} failed:\n{}",
            args.join(" "),
            text(&out)
        );
        (out, took)
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The `terraform` + `provider` header of every bench configuration.
pub(crate) fn header(endpoint: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    replication = {{\n      source = \"{SOURCE}\"\n    }}\n  }}\n}}\n\nprovider \"replication\" {{\n  region       = \"us-east-1\"\n  endpoint_url = \"{endpoint}\"\n}}\n"
    )
}

/// One `regions` entry with `instances` instances a, b, c, ...
pub(crate) fn region_hcl(region: &str, instances: usize) -> String {
    let keys: Vec<String> = (0..instances)
        .map(|i| format!("{} = {{}}", (b'a' + i as u8) as char))
        .collect();
    format!(
        "    \"{region}\" = {{\n      instance_class = \"db.r6g.large\"\n      instances = {{ {} }}\n    }}\n",
        keys.join(", ")
    )
}

/// A topology resource block.
pub(crate) fn topology_hcl(
    name: &str,
    id: &str,
    primary: &str,
    regions: &[(&str, usize)],
) -> String {
    let body: String = regions.iter().map(|(r, i)| region_hcl(r, *i)).collect();
    format!(
        "resource \"replication_topology\" \"{name}\" {{\n  global_cluster_identifier = \"{id}\"\n  engine              = \"aurora-postgresql\"\n  engine_version      = \"16.4\"\n  master_username     = \"app\"\n  master_password     = \"bench-password-1\"\n  skip_final_snapshot = true\n  primary_region      = \"{primary}\"\n  regions = {{\n{body}  }}\n}}\n"
    )
}

/// Median of a sample (sorted copy).
pub(crate) fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if v.is_empty() {
        return f64::NAN;
    }
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// A `/proc/<pid>/status` field in KiB (VmRSS, VmHWM, VmSize, Threads...).
pub(crate) fn proc_status(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(&format!("{field}:")))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

/// Pids of running processes whose executable is `exe`.
pub(crate) fn pids_of(exe: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let want = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()))
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == want))
        .collect()
}

/// Samples the peak RSS (VmHWM, KiB) of every process running `exe` while
/// `work` runs in this thread; returns `work`'s result and the largest peak
/// seen.
pub(crate) fn with_peak_rss<T>(exe: &Path, work: impl FnOnce() -> T) -> (T, u64) {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let exe = exe.to_path_buf();
    let sampler = {
        let (done, peak) = (done.clone(), peak.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                for pid in pids_of(&exe) {
                    if let Some(hwm) = proc_status(pid, "VmHWM") {
                        peak.fetch_max(hwm, Ordering::Relaxed);
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let out = work();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    (out, peak.load(Ordering::Relaxed))
}

/// Seconds with two decimals.
pub(crate) fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}
