//! Runs the boto3 scenarios against an in-process emulator, with the
//! interpreter named by `REPLICATION_PYTHON` (a Python with boto3
//! installed): `boto3_scenario.py` (create → switchover → teardown) and
//! `boto3_cloudwatch.py` (GetMetricData of the lag metrics, in the protocol
//! botocore chooses for CloudWatch).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use aurora_emulator::EmulatorConfig;

/// Runs `tests/<script>` against a fresh emulator and checks that it exits
/// successfully and prints `ok_line`; skipped (with the reason) without
/// `REPLICATION_PYTHON`.
async fn run_scenario(what: &str, script: &str, ok_line: &str) {
    let Ok(python) = std::env::var("REPLICATION_PYTHON") else {
        eprintln!("skipping {what}: REPLICATION_PYTHON is not set (point it at a Python with boto3 installed)");
        return;
    };
    let emu = aurora_emulator::start(
        "127.0.0.1:0".parse().unwrap(),
        EmulatorConfig {
            time_scale: 0.0,
            state_file: None,
        },
    )
    .await
    .unwrap();
    let script = format!("{}/tests/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = tokio::process::Command::new(&python)
        .arg(script)
        .arg(emu.endpoint())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{what} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains(ok_line), "{stdout}");
    emu.shutdown().await;
}

#[tokio::test]
async fn boto3_create_switchover_teardown() {
    run_scenario("boto3 scenario", "boto3_scenario.py", "boto3 scenario OK").await;
}

#[tokio::test]
async fn boto3_reads_lag_metrics() {
    run_scenario(
        "boto3 CloudWatch scenario",
        "boto3_cloudwatch.py",
        "boto3 cloudwatch OK",
    )
    .await;
}
