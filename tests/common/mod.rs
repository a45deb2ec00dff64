//! Shared helpers for the end-to-end tests: the real hosts (OpenTofu 1.6,
//! Terraform 1.15, and Terraform 1.11 when the machine has one), a CLI config
//! with `dev_overrides` pointing at the freshly built provider, and scratch
//! working directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const PROVIDER_BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-replication");
pub const SOURCE: &str = "registry.terraform.io/replication/replication";

/// One real host binary.
#[derive(Clone, Debug)]
pub struct Host {
    pub name: &'static str,
    pub path: PathBuf,
    /// Whether the host supports write-only attributes (Terraform >= 1.11).
    pub write_only: bool,
}

fn tool(env: &str, default: &str) -> Option<PathBuf> {
    match std::env::var_os(env) {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(p.exists(), "{env}={} does not exist: run `make tools`", p.display());
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
pub fn hosts() -> Vec<Host> {
    let mut out = Vec::new();
    if let Some(path) = tool("REPLICATION_TOFU", ".tools/bin/tofu") {
        out.push(Host { name: "tofu-1.6", path, write_only: false });
    }
    if let Some(path) = tool("REPLICATION_TERRAFORM", ".tools/bin/terraform") {
        out.push(Host { name: "terraform-1.15", path, write_only: true });
    }
    match Command::new("terraform").arg("version").output() {
        Ok(o) if String::from_utf8_lossy(&o.stdout).starts_with("Terraform v1.11.") => {
            let path = which("terraform").unwrap_or_else(|| PathBuf::from("terraform"));
            out.push(Host { name: "terraform-1.11", path, write_only: true });
        }
        _ => eprintln!("skipping host terraform-1.11: no Terraform 1.11.x on PATH"),
    }
    out
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()))
}

/// A scratch working directory with a CLI config whose dev_overrides point at
/// the built provider.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    pub cli_config: PathBuf,
}

impl Workdir {
    pub fn new(main_tf: &str) -> Self {
        let dir = tempfile::Builder::new().prefix("replication-e2e").tempdir().unwrap();
        let provider_dir = Path::new(PROVIDER_BIN).parent().unwrap();
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

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the host in this directory.
    pub fn run(&self, host: &Host, args: &[&str]) -> Output {
        self.run_env(host, args, &[])
    }

    pub fn run_env(&self, host: &Host, args: &[&str], env: &[(&str, &str)]) -> Output {
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
        cmd.output().unwrap_or_else(|e| panic!("running {}: {e}", host.path.display()))
    }
}

/// Both output streams, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The `terraform { required_providers }` block every test config starts with.
pub fn header(provider_block: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    replication = {{\n      source = \"{SOURCE}\"\n    }}\n  }}\n}}\n\nprovider \"replication\" {{\n{provider_block}\n}}\n"
    )
}
