//! The `aurora-emulator` binary: the ready line, SIGTERM shutdown and the
//! state file surviving a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

fn spawn(state: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aurora-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--time-scale",
            "0",
            "--state-file",
        ])
        .arg(state)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .to_string();
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );
    (child, addr)
}

fn rds(addr: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/rds/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn terminate(mut child: Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "clean exit on SIGTERM, got {exit:?}");
}

#[test]
fn ready_line_sigterm_and_state_file() {
    let state =
        std::env::temp_dir().join(format!("aurora-emulator-test-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&state);
    let (child, addr) = spawn(&state);
    let created = rds(
        &addr,
        "Action=CreateGlobalCluster&Version=2014-10-31&GlobalClusterIdentifier=kept&Engine=aurora-postgresql",
    );
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");
    terminate(child);
    assert!(state.exists(), "state file written");

    let (child, addr) = spawn(&state);
    let described = rds(&addr, "Action=DescribeGlobalClusters&Version=2014-10-31");
    assert!(
        described.contains("<GlobalClusterIdentifier>kept</GlobalClusterIdentifier>"),
        "{described}"
    );
    terminate(child);
    let _ = std::fs::remove_file(&state);
}

#[test]
fn a_non_loopback_listen_address_is_warned_about() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aurora-emulator"))
        .args(["--listen", "0.0.0.0:0", "--time-scale", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on 0.0.0.0:"), "{line}");
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains("warning") && stderr.contains("not a loopback address"),
        "{stderr}"
    );

    let (child, _) = spawn(
        &std::env::temp_dir().join(format!("aurora-emulator-quiet-{}.json", std::process::id())),
    );
    terminate(child);
}

#[test]
fn bad_flags_exit_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_aurora-emulator"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: aurora-emulator"));
    let out = Command::new(env!("CARGO_BIN_EXE_aurora-emulator"))
        .args(["--time-scale", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
