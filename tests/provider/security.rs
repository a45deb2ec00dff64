//! Secrets with real hosts (OpenTofu 1.6, Terraform 1.15) against an
//! in-process `aurora-emulator`:
//!
//! - `master_password` and `master_password_wo` are sensitive in the schema
//!   the host reads (and the latter write-only on hosts that know it);
//! - with `TF_LOG=trace`, no output of a successful, a refreshing, a failing
//!   (primary and secondary create faults), a resuming or a destroying run
//!   holds the password, while the state file keeps `master_password` marked
//!   sensitive;
//! - `master_password_wo` never reaches the state file, a saved plan (every
//!   member of the zip) or `show -json`, yet is exactly what the primary's
//!   CreateDBCluster carried; OpenTofu 1.6 refuses it at validate;
//! - secondaries never receive credentials: every CreateDBCluster succeeded,
//!   the emulator answered no InvalidParameterCombination, and a recording
//!   proxy between the provider and the emulator shows master credentials and
//!   the database name only in the primary region's CreateDBCluster.
//!
//! The plugin channel's pinned client certificate is tested in
//! `tests/handshake.rs`.

use crate::common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

use aurora_emulator::Fault;
use common::{header, per_host, text, Emu, Host, Workdir, FAST_POLL};

const SCALE: f64 = 0.002;
const PASSWORD: &str = "Zq7-trace-canary-4471";
const WO_PASSWORD: &str = "Wx3-write-only-canary-9025";

/// A global cluster identifier unique to the host.
fn gci(prefix: &str, host: &Host) -> String {
    format!("{prefix}-{}", host.name.replace('.', ""))
}

/// Three regions: the primary with two instances, a secondary with one, and a
/// headless secondary.
const REGIONS: &str = r#"
  regions = {
    "us-east-1"      = { instance_class = "db.r6g.large", instances = { a = { promotion_tier = 0 }, b = {} } }
    "eu-west-1"      = { instance_class = "db.r6g.large", instances = { a = {} } }
    "ap-southeast-2" = {}
  }
"#;

/// The topology with `password` (attribute lines) against `endpoint`.
fn config(endpoint: &str, id: &str, password: &str, variable: &str) -> String {
    header(&format!(
        "  region       = \"us-east-1\"\n  endpoint_url = \"{endpoint}\""
    )) + variable
        + &format!(
            r#"
resource "replication_topology" "orders" {{
  global_cluster_identifier = "{id}"
  engine                    = "aurora-postgresql"
  engine_version            = "16.4"
  database_name             = "orders"
  master_username           = "app"
{password}
  primary_region            = "us-east-1"
  skip_final_snapshot       = true
{REGIONS}
}}
"#
        )
}

// ---------------------------------------------------------------------------
// A recording TCP proxy: forwards bytes both ways unchanged and keeps what
// clients sent, so a test can read the requests the provider made.

/// The bytes each client connection sent, one buffer per connection.
type Sent = Arc<Mutex<Vec<Arc<Mutex<Vec<u8>>>>>>;

struct Recorder {
    addr: std::net::SocketAddr,
    sent: Sent,
}

impl Recorder {
    fn start(upstream: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let sent: Sent = Arc::default();
        let streams = sent.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let log: Arc<Mutex<Vec<u8>>> = Arc::default();
                streams.lock().unwrap().push(log.clone());
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || pipe(client, server, Some(log)));
                std::thread::spawn(move || pipe(s2, c2, None));
            }
        });
        Self { addr, sent }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every RDS request seen so far: (region, action, parameters).
    fn requests(&self) -> Vec<RdsRequest> {
        let streams = self.sent.lock().unwrap();
        streams
            .iter()
            .flat_map(|s| split_requests(&s.lock().unwrap()))
            .collect()
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream, log: Option<Arc<Mutex<Vec<u8>>>>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if let Some(log) = &log {
                    log.lock().unwrap().extend_from_slice(&buf[..n]);
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

#[derive(Debug)]
struct RdsRequest {
    region: String,
    action: String,
    params: Vec<(String, String)>,
}

impl RdsRequest {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits one connection's client bytes into HTTP/1.1 requests (the SDK
/// sends Query API bodies with a Content-Length).
fn split_requests(mut bytes: &[u8]) -> Vec<RdsRequest> {
    let mut out = Vec::new();
    while let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&bytes[..end]).to_string();
        let header = |name: &str| {
            head.lines().find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_string())
            })
        };
        assert!(
            header("transfer-encoding").is_none(),
            "chunked request bodies are not handled: {head}"
        );
        let len: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let body_end = (end + 4 + len).min(bytes.len());
        let params = form_pairs(&bytes[end + 4..body_end]);
        let region = header("authorization")
            .and_then(|a| {
                a.split("Credential=")
                    .nth(1)
                    .and_then(|c| c.split('/').nth(2))
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let action = params
            .iter()
            .find(|(k, _)| k == "Action")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        if !head.starts_with("GET /_emulator") && !head.contains(" /_emulator/") {
            out.push(RdsRequest {
                region,
                action,
                params,
            });
        }
        bytes = &bytes[body_end..];
    }
    out
}

/// `application/x-www-form-urlencoded` pairs.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                },
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).to_string()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

// ---------------------------------------------------------------------------

/// Runs the host with `TF_LOG=trace` (and fast polling); the logs go to the
/// captured stderr.
fn traced(w: &Workdir, host: &Host, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all: Vec<(&str, &str)> = FAST_POLL.to_vec();
    all.push(("TF_LOG", "trace"));
    all.extend_from_slice(env);
    w.run_env(host, args, &all)
}

/// Panics when `secret` appears anywhere in the output, naming the lines.
fn assert_absent(host: &Host, what: &str, out: &Output, secret: &str) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let s = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = s.lines().filter(|l| l.contains(secret)).take(5).collect();
        assert!(
            lines.is_empty(),
            "{}: {what}: the password appears in {stream}:\n{}",
            host.name,
            lines.join("\n")
        );
    }
}

/// The trace really was on and reached the provider (so a clean search means
/// something): the host's own trace lines and the provider's log lines.
fn assert_traced(host: &Host, what: &str, out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[TRACE]"),
        "{}: {what}: no trace output: {}",
        host.name,
        text(out)
    );
    assert!(
        err.contains("provider.terraform-provider-replication"),
        "{}: {what}: no provider log lines: {}",
        host.name,
        text(out)
    );
}

fn ok(host: &Host, what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{}: {what} failed: {}",
        host.name,
        text(out)
    );
}

fn file(w: &Workdir, name: &str) -> String {
    std::fs::read_to_string(w.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every CreateDBCluster succeeded, the emulator answered no
/// InvalidParameterCombination (its answer to credentials on a secondary),
/// and on the wire only the primary region's CreateDBCluster carried master
/// credentials or a database name. Returns the primary's password as sent.
fn assert_no_credentials_on_secondaries(
    emu: &Emu,
    rec: &Recorder,
    host: &Host,
    primary: &str,
) -> Option<String> {
    let calls = emu.calls();
    let creates: Vec<_> = calls
        .iter()
        .filter(|c| c.action == "CreateDBCluster")
        .collect();
    assert!(
        !creates.is_empty(),
        "{}: no CreateDBCluster: {calls:#?}",
        host.name
    );
    for c in &creates {
        assert!(
            c.code.is_none() && c.status == 200,
            "{}: CreateDBCluster in {} failed: {c:?}",
            host.name,
            c.region
        );
    }
    assert!(
        calls
            .iter()
            .all(|c| c.code.as_deref() != Some("InvalidParameterCombination")),
        "{}: the emulator answered InvalidParameterCombination: {calls:#?}",
        host.name
    );
    let requests = rec.requests();
    let wire: Vec<_> = requests
        .iter()
        .filter(|r| r.action == "CreateDBCluster")
        .collect();
    assert_eq!(
        wire.len(),
        creates.len(),
        "{}: the recorder missed requests: {requests:#?}",
        host.name
    );
    let mut primary_password = None;
    for r in requests
        .iter()
        .filter(|r| r.action.starts_with("Create") || r.action.starts_with("Modify"))
    {
        let creds: Vec<&str> = [
            "MasterUsername",
            "MasterUserPassword",
            "ManageMasterUserPassword",
            "DatabaseName",
        ]
        .into_iter()
        .filter(|k| r.param(k).is_some())
        .collect();
        if r.action == "CreateDBCluster" && r.region == primary {
            assert!(
                creds.contains(&"MasterUsername"),
                "{}: the primary got no user: {r:?}",
                host.name
            );
            primary_password = r.param("MasterUserPassword").map(str::to_string);
        } else if r.action != "ModifyDBCluster" || r.region != primary {
            assert!(
                creds.is_empty(),
                "{}: {} in {} carried {creds:?}",
                host.name,
                r.action,
                r.region
            );
        }
    }
    let regions: std::collections::BTreeSet<&str> =
        wire.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(
        regions.len(),
        3,
        "{}: clusters created in {regions:?}",
        host.name
    );
    primary_password
}

#[test]
fn passwords_are_sensitive_in_the_schema() {
    for host in common::hosts() {
        let w = Workdir::new(&header("  region = \"us-east-1\""));
        let out = w.run(&host, &["providers", "schema", "-json"]);
        ok(&host, "providers schema", &out);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let attrs = &json["provider_schemas"][common::SOURCE]["resource_schemas"]
            ["replication_topology"]["block"]["attributes"];
        assert_eq!(
            attrs["master_password"]["sensitive"], true,
            "{}: {:#}",
            host.name, attrs["master_password"]
        );
        assert_eq!(
            attrs["master_password_wo"]["sensitive"], true,
            "{}: {:#}",
            host.name, attrs["master_password_wo"]
        );
        if host.write_only {
            assert_eq!(
                attrs["master_password_wo"]["write_only"], true,
                "{}: {:#}",
                host.name, attrs["master_password_wo"]
            );
        }
        let ds = &json["provider_schemas"][common::SOURCE]["data_source_schemas"]
            ["replication_topology"]["block"]["attributes"];
        assert!(
            ds.get("master_password").is_none() && ds.get("master_password_wo").is_none(),
            "{}: {ds:#}",
            host.name
        );
    }
}

#[test]
fn trace_logs_never_hold_the_password_and_secondaries_get_no_credentials() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let rec = Recorder::start(emu.emu.addr());
        let id = gci("sec-trace", host);
        let variable = "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n";
        let w = Workdir::new(&config(
            &rec.endpoint(),
            &id,
            "  master_password = var.db_password",
            variable,
        ));
        let var = [("TF_VAR_db_password", PASSWORD)];

        let out = traced(&w, host, &["apply", "-auto-approve", "-no-color"], &var);
        ok(host, "apply", &out);
        assert_traced(host, "apply", &out);
        assert_absent(host, "apply", &out, PASSWORD);

        // Credentials went to the primary only.
        let sent = assert_no_credentials_on_secondaries(&emu, &rec, host, "us-east-1");
        assert_eq!(
            sent.as_deref(),
            Some(PASSWORD),
            "{}: the primary's password as sent",
            host.name
        );

        // The state keeps master_password (sensitive, not write-only) and marks it.
        let state: serde_json::Value =
            serde_json::from_str(&file(&w, "terraform.tfstate")).unwrap();
        let instance = &state["resources"][0]["instances"][0];
        assert_eq!(
            instance["attributes"]["master_password"], PASSWORD,
            "{}",
            host.name
        );
        assert!(
            instance["sensitive_attributes"]
                .to_string()
                .contains("master_password"),
            "{}: master_password not marked sensitive in state: {:#}",
            host.name,
            instance["sensitive_attributes"]
        );

        // Refresh + plan, and destroy under trace.
        let out = traced(&w, host, &["plan", "-no-color", "-detailed-exitcode"], &var);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: plan after create: {}",
            host.name,
            text(&out)
        );
        assert_absent(host, "plan", &out, PASSWORD);
        let out = traced(&w, host, &["destroy", "-auto-approve", "-no-color"], &var);
        ok(host, "destroy", &out);
        assert_traced(host, "destroy", &out);
        assert_absent(host, "destroy", &out, PASSWORD);
        assert!(emu.observe(&id).is_none(), "{}: destroyed", host.name);
    });
}

#[test]
fn failing_applies_never_log_the_password() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("sec-fail", host);
        let w = Workdir::new(&config(
            &emu.emu.endpoint(),
            &id,
            &format!("  master_password = \"{PASSWORD}\""),
            "",
        ));

        // The call that carries the password fails; then a secondary's create
        // fails after the primary (with its instances) exists; then the
        // secondary's instance fails; then a plain apply finishes.
        for (fault, step) in [
            (
                Fault::new("CreateDBCluster")
                    .error("InvalidParameterValue", 400)
                    .region("us-east-1")
                    .message("Injected: primary create refused"),
                "primary create fault",
            ),
            (
                Fault::new("CreateDBCluster")
                    .error("InvalidParameterValue", 400)
                    .region("eu-west-1")
                    .message("Injected: secondary create refused"),
                "secondary create fault",
            ),
            (
                Fault::new("CreateDBInstance")
                    .error("StorageQuotaExceeded", 400)
                    .region("eu-west-1")
                    .message("Injected: quota"),
                "instance create fault",
            ),
        ] {
            emu.admin().add_fault(&fault).unwrap();
            let out = traced(&w, host, &["apply", "-auto-approve", "-no-color"], &[]);
            assert!(
                !out.status.success(),
                "{}: {step}: apply succeeded: {}",
                host.name,
                text(&out)
            );
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("Injected"),
                "{}: {step}: AWS error not shown: {}",
                host.name,
                text(&out)
            );
            assert_traced(host, step, &out);
            assert_absent(host, step, &out, PASSWORD);
            emu.admin().clear_faults().unwrap();
        }
        let out = traced(&w, host, &["apply", "-auto-approve", "-no-color"], &[]);
        ok(host, "resuming apply", &out);
        assert_absent(host, "resuming apply", &out, PASSWORD);

        // A destroy that fails, then one that succeeds.
        emu.admin()
            .add_fault(
                &Fault::new("DeleteDBInstance")
                    .error("InvalidParameterValue", 400)
                    .region("eu-west-1")
                    .message("Injected: busy"),
            )
            .unwrap();
        let out = traced(&w, host, &["destroy", "-auto-approve", "-no-color"], &[]);
        assert!(
            !out.status.success(),
            "{}: failing destroy succeeded: {}",
            host.name,
            text(&out)
        );
        assert_absent(host, "failing destroy", &out, PASSWORD);
        emu.admin().clear_faults().unwrap();
        let out = traced(&w, host, &["destroy", "-auto-approve", "-no-color"], &[]);
        ok(host, "destroy", &out);
        assert_absent(host, "destroy", &out, PASSWORD);
    });
}

/// Every member of a saved plan (a zip), decompressed, as one string.
fn plan_members(plan: &Path) -> String {
    let python = std::env::var("REPLICATION_PYTHON").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(".tools/venv/bin/python")
            .display()
            .to_string()
    });
    let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist():\n    sys.stdout.buffer.write(('== ' + n + '\\n').encode())\n    sys.stdout.buffer.write(z.read(n))\n";
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(plan)
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e}"));
    assert!(out.status.success(), "reading the plan zip: {}", text(&out));
    let s = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        s.contains("== tfplan"),
        "not a plan file: {}",
        &s[..s.len().min(300)]
    );
    s
}

#[test]
fn write_only_password_is_never_stored() {
    per_host(|host| {
        if !host.write_only {
            // OpenTofu 1.6 would store it in state: refused at validate.
            let variable =
                "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n";
            let w = Workdir::new(&config(
                "http://127.0.0.1:1",
                "sec-wo",
                "  master_password_wo = var.db_password",
                variable,
            ));
            let out = w.run_env(
                host,
                &["validate", "-no-color"],
                &[("TF_VAR_db_password", WO_PASSWORD)],
            );
            assert!(
                !out.status.success(),
                "{}: validate accepted master_password_wo: {}",
                host.name,
                text(&out)
            );
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("Write-Only Attribute Not Supported"),
                "{}: {}",
                host.name,
                text(&out)
            );
            assert_absent(host, "validate", &out, WO_PASSWORD);
            return;
        }
        let emu = Emu::start(SCALE);
        let rec = Recorder::start(emu.emu.addr());
        let id = gci("sec-wo", host);
        // An ephemeral variable, as write-only arguments are meant to be fed:
        // Terraform keeps no copy of it in the plan either.
        let variable = "variable \"db_password\" {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\n";
        let password =
            "  master_password_wo         = var.db_password\n  master_password_wo_version = 1";
        let w = Workdir::new(&config(&rec.endpoint(), &id, password, variable));
        let var = [("TF_VAR_db_password", WO_PASSWORD)];

        let out = traced(&w, host, &["plan", "-no-color", "-out=tfplan"], &var);
        ok(host, "plan -out", &out);
        assert_absent(host, "plan -out", &out, WO_PASSWORD);
        let raw = std::fs::read(w.path().join("tfplan")).unwrap();
        assert!(
            !raw.windows(WO_PASSWORD.len())
                .any(|b| b == WO_PASSWORD.as_bytes()),
            "{}: password in the raw plan file",
            host.name
        );
        let members = plan_members(&w.path().join("tfplan"));
        assert!(
            !members.contains(WO_PASSWORD),
            "{}: password inside the plan file",
            host.name
        );
        let shown = w.run_env(host, &["show", "-json", "tfplan"], &var);
        ok(host, "show -json tfplan", &shown);
        assert_absent(host, "show -json tfplan", &shown, WO_PASSWORD);
        let plan: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
        let after = &plan["resource_changes"][0]["change"]["after"];
        assert!(
            after["master_password_wo"].is_null(),
            "{}: planned master_password_wo: {after:#}",
            host.name
        );
        assert_eq!(after["master_password_wo_version"], 1, "{}", host.name);

        let out = traced(
            &w,
            host,
            &["apply", "-auto-approve", "-no-color", "tfplan"],
            &var,
        );
        ok(host, "apply tfplan", &out);
        assert_traced(host, "apply tfplan", &out);
        assert_absent(host, "apply tfplan", &out, WO_PASSWORD);

        // It reached AWS: exactly this password, on the primary only.
        let sent = assert_no_credentials_on_secondaries(&emu, &rec, host, "us-east-1");
        assert_eq!(
            sent.as_deref(),
            Some(WO_PASSWORD),
            "{}: the primary's password as sent",
            host.name
        );

        // And it is nowhere in state.
        let state = file(&w, "terraform.tfstate");
        assert!(
            !state.contains(WO_PASSWORD),
            "{}: password in the state file",
            host.name
        );
        let json: serde_json::Value = serde_json::from_str(&state).unwrap();
        let attrs = &json["resources"][0]["instances"][0]["attributes"];
        assert!(
            attrs["master_password_wo"].is_null() && attrs["master_password"].is_null(),
            "{}: {attrs:#}",
            host.name
        );
        let shown = w.run_env(host, &["show", "-json"], &var);
        ok(host, "show -json", &shown);
        assert_absent(host, "show -json", &shown, WO_PASSWORD);

        // A second plan (refresh included) is empty and still clean.
        let out = traced(
            &w,
            host,
            &["plan", "-no-color", "-detailed-exitcode", "-out=tfplan2"],
            &var,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: plan after apply: {}",
            host.name,
            text(&out)
        );
        assert_absent(host, "second plan", &out, WO_PASSWORD);
        assert!(
            !plan_members(&w.path().join("tfplan2")).contains(WO_PASSWORD),
            "{}: password inside the second plan",
            host.name
        );
        let out = traced(&w, host, &["destroy", "-auto-approve", "-no-color"], &var);
        ok(host, "destroy", &out);
        assert_absent(host, "destroy", &out, WO_PASSWORD);
    });
}
