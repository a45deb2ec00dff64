//! The emulator's request edge, black-box: a sequence of HTTP requests,
//! each a form body, a query string and an `Authorization` header, goes to a
//! real in-process emulator over loopback, so the server's own pipeline runs
//! (hyper, form parsing, query merge, SigV4 region extraction, action and
//! version checks, every handler against the state earlier requests built),
//! with the virtual clock and time scale moved between requests through the
//! admin API. Each input starts from `POST /_emulator/reset`.
//!
//! Oracles: no panic anywhere in the process (libFuzzer's panic hook aborts,
//! whichever thread panics); an RDS request is always answered (no dropped
//! connection: no outage is ever set) and never with a 5xx (no fault is ever
//! injected, so a 5xx is an internal error).
//!
//! Bodies are either raw bytes or forms assembled from the parameter names
//! and values the handlers read, so both the parser and the handlers get
//! exercised.

#![no_main]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use arbitrary::Arbitrary;
use aurora_emulator::{EmulatorConfig, RunningEmulator};
use libfuzzer_sys::fuzz_target;

/// Every action the emulator answers (and one it does not).
const ACTIONS: &[&str] = &[
    "CreateGlobalCluster",
    "DescribeGlobalClusters",
    "ModifyGlobalCluster",
    "DeleteGlobalCluster",
    "RemoveFromGlobalCluster",
    "SwitchoverGlobalCluster",
    "FailoverGlobalCluster",
    "CreateDBCluster",
    "DescribeDBClusters",
    "ModifyDBCluster",
    "DeleteDBCluster",
    "CreateDBInstance",
    "DescribeDBInstances",
    "ModifyDBInstance",
    "DeleteDBInstance",
    "CreateDBClusterSnapshot",
    "DescribeDBClusterSnapshots",
    "DeleteDBClusterSnapshot",
    "RestoreDBClusterFromSnapshot",
    "AddTagsToResource",
    "RemoveTagsFromResource",
    "ListTagsForResource",
    "CreateDBSnapshot",
];

const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "ap-southeast-2"];

/// Parameter names the handlers read.
const PARAMS: &[&str] = &[
    "GlobalClusterIdentifier",
    "DBClusterIdentifier",
    "DBInstanceIdentifier",
    "Engine",
    "EngineVersion",
    "DatabaseName",
    "MasterUsername",
    "MasterUserPassword",
    "ManageMasterUserPassword",
    "StorageEncrypted",
    "KmsKeyId",
    "DeletionProtection",
    "DBInstanceClass",
    "PromotionTier",
    "DBSubnetGroupName",
    "DBClusterParameterGroupName",
    "EnableGlobalWriteForwarding",
    "SourceDBClusterIdentifier",
    "TargetDbClusterIdentifier",
    "AllowDataLoss",
    "Switchover",
    "AllowMajorVersionUpgrade",
    "ApplyImmediately",
    "NewGlobalClusterIdentifier",
    "NewDBClusterIdentifier",
    "SkipFinalSnapshot",
    "FinalDBSnapshotIdentifier",
    "DBClusterSnapshotIdentifier",
    "SnapshotIdentifier",
    "SnapshotType",
    "DbClusterResourceId",
    "ResourceName",
    "Marker",
    "MaxRecords",
    "Port",
    "BackupRetentionPeriod",
    "PubliclyAccessible",
    "AvailabilityZone",
    "VpcSecurityGroupIds.VpcSecurityGroupId.1",
    "VpcSecurityGroupIds.VpcSecurityGroupId.2",
    "Tags.Tag.1.Key",
    "Tags.Tag.1.Value",
    "Tags.Tag.2.Key",
    "Tags.Tag.2.Value",
    "TagKeys.member.1",
    "Filters.Filter.1.Name",
    "Filters.Filter.1.Values.Value.1",
    "Filters.Filter.2.Name",
    "Filters.Filter.2.Values.Value.1",
    "Version",
    "Action",
    "X-Amz-Credential",
];

/// Values worth trying: identifiers that earlier requests may have created,
/// ARNs of them, engines, versions, booleans and numbers.
const VALUES: &[&str] = &[
    "orders",
    "orders-us-east-1",
    "orders-eu-west-1",
    "orders-us-east-1-a",
    "orders-eu-west-1-a",
    "arn:aws:rds::123456789012:global-cluster:orders",
    "arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1",
    "arn:aws:rds:eu-west-1:123456789012:cluster:orders-eu-west-1",
    "arn:aws:rds:us-east-1:123456789012:db:orders-us-east-1-a",
    "arn:aws:kms:us-east-1:123456789012:key/aws-rds-default",
    "arn:aws:kms:eu-west-1:123456789012:key/aws-rds-default",
    "aurora-postgresql",
    "aurora-mysql",
    "16.4",
    "15.4",
    "17.1",
    "8.0.mysql_aurora.3.05.2",
    "db.r6g.large",
    "app",
    "correct-horse-battery",
    "true",
    "false",
    "0",
    "1",
    "15",
    "20",
    "100",
    "-1",
    "9223372036854775807",
    "db-cluster-id",
    "db-instance-id",
    "global-cluster-id",
    "engine",
    "2014-10-31",
    "",
];

#[derive(Arbitrary, Debug)]
enum Text {
    Known(u8),
    Other(String),
}

impl Text {
    fn get<'a>(&'a self, table: &'a [&'a str]) -> &'a str {
        match self {
            Text::Known(i) => table[usize::from(*i) % table.len()],
            Text::Other(s) => s,
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Body {
    Raw(Vec<u8>),
    Form { action: u8, version_ok: bool, params: Vec<(Text, Text)> },
}

#[derive(Arbitrary, Debug)]
enum Auth {
    None,
    Signed(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Step {
    /// An RDS Query API request.
    Rds { body: Body, query: Option<Vec<u8>>, auth: Auth, get: bool },
    /// `POST /_emulator/clock {"advance_seconds": ..}`.
    Advance(f64),
    /// `POST /_emulator/clock {"time_scale": ..}`.
    Scale(f64),
}

fn body(b: &Body) -> Vec<u8> {
    match b {
        Body::Raw(bytes) => bytes.clone(),
        Body::Form { action, version_ok, params } => {
            let mut f = form_urlencoded::Serializer::new(String::new());
            f.append_pair("Action", ACTIONS[usize::from(*action) % ACTIONS.len()]);
            f.append_pair("Version", if *version_ok { "2014-10-31" } else { "2013-01-10" });
            for (k, v) in params {
                f.append_pair(k.get(PARAMS), v.get(VALUES));
            }
            f.finish().into_bytes()
        }
    }
}

/// A header value as HTTP allows it (no control characters but tab): hyper
/// drops a request with any other, before the emulator sees it.
fn header_value(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() || *c == '\t').collect()
}

fn authorization(a: &Auth) -> Option<String> {
    match a {
        Auth::None => None,
        Auth::Signed(i) => Some(format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/{}/rds/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
            REGIONS[usize::from(*i) % REGIONS.len()]
        )),
        Auth::Raw(s) => Some(header_value(s)),
    }
}

/// Arbitrary bytes as a valid request-target query: unreserved and form
/// punctuation kept, everything else percent-encoded.
fn query_string(q: &[u8]) -> String {
    let mut out = String::new();
    for &b in q {
        if b.is_ascii_alphanumeric() || b"-._~=&%+".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Emulator {
    _rt: tokio::runtime::Runtime,
    _emu: RunningEmulator,
    addr: SocketAddr,
    conn: Mutex<Option<TcpStream>>,
}

fn emulator() -> &'static Emulator {
    static EMU: OnceLock<Emulator> = OnceLock::new();
    EMU.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let emu = rt
            .block_on(aurora_emulator::start(
                "127.0.0.1:0".parse().expect("address"),
                EmulatorConfig { time_scale: 0.01, state_file: None },
            ))
            .expect("emulator starts");
        let addr = emu.addr();
        Emulator { _rt: rt, _emu: emu, addr, conn: Mutex::new(None) }
    })
}

/// One HTTP/1.1 exchange on the kept-alive connection: the status, or None
/// when the server closed a fresh connection without an answer. (A reused
/// connection the server closed after an earlier answer is retried once on
/// a new one.)
fn exchange(e: &Emulator, head: &str, body: &[u8]) -> Option<u16> {
    let mut req = format!("{head}Host: localhost\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    req.extend_from_slice(body);
    let mut guard = e.conn.lock().unwrap_or_else(|p| p.into_inner());
    for _ in 0..2 {
        let fresh = guard.is_none();
        if fresh {
            let s = TcpStream::connect(e.addr).expect("connect to the emulator");
            s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
            s.set_nodelay(true).expect("nodelay");
            *guard = Some(s);
        }
        let s = guard.as_mut().expect("connected");
        match s.write_all(&req).ok().and_then(|()| read_response(s)) {
            Some((status, close)) => {
                if close {
                    *guard = None;
                }
                return Some(status);
            }
            None => {
                *guard = None;
                if fresh {
                    return None;
                }
            }
        }
    }
    None
}

/// Reads one response: (status, server asked to close).
fn read_response(s: &mut TcpStream) -> Option<(u16, bool)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    let end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut byte).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let close = head.lines().any(|l| l.starts_with("connection:") && l.contains("close"));
    let mut have = buf.len() - (end + 4);
    while have < len {
        let n = s.read(&mut byte).ok().filter(|n| *n > 0)?;
        have += n;
    }
    Some((status, close))
}

fn admin(e: &Emulator, path: &str, json: &str) -> Option<u16> {
    exchange(e, &format!("POST /_emulator/{path} HTTP/1.1\r\nContent-Type: application/json\r\n"), json.as_bytes())
}

fuzz_target!(|steps: Vec<Step>| {
    let e = emulator();
    assert_eq!(admin(e, "reset", "{}"), Some(200), "reset");
    for step in steps.iter().take(16) {
        match step {
            Step::Advance(s) => {
                admin(e, "clock", &format!("{{\"advance_seconds\": {s:?}}}")).expect("clock answered");
            }
            Step::Scale(s) => {
                admin(e, "clock", &format!("{{\"time_scale\": {s:?}}}")).expect("clock answered");
            }
            Step::Rds { body: b, query, auth, get } => {
                let target = match query {
                    Some(q) => format!("/?{}", query_string(q)),
                    None => "/".to_string(),
                };
                let mut head = format!(
                    "{} {target} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n",
                    if *get { "GET" } else { "POST" }
                );
                if let Some(a) = authorization(auth) {
                    head.push_str(&format!("Authorization: {a}\r\n"));
                }
                let status = exchange(e, &head, &body(b));
                let status = status.unwrap_or_else(|| panic!("the emulator dropped the connection on {step:?}"));
                assert!(status < 500, "the emulator answered {status} to {step:?}");
            }
        }
    }
});
