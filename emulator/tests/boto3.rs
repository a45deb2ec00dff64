//! Runs `boto3_scenario.py` (create → switchover → teardown through boto3)
//! against an in-process emulator, with the interpreter named by
//! `REPLICATION_PYTHON` (a Python with boto3 installed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use aurora_emulator::EmulatorConfig;

#[tokio::test]
async fn boto3_create_switchover_teardown() {
    let Ok(python) = std::env::var("REPLICATION_PYTHON") else {
        eprintln!("skipping boto3 scenario: REPLICATION_PYTHON is not set (point it at a Python with boto3 installed)");
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
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boto3_scenario.py");
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
        "boto3 scenario failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("boto3 scenario OK"), "{stdout}");
    emu.shutdown().await;
}

/// Runs `boto3_cloudwatch.py` (GetMetricData of the lag metrics through
/// boto3, in the protocol botocore chooses for CloudWatch).
#[tokio::test]
async fn boto3_reads_lag_metrics() {
    let Ok(python) = std::env::var("REPLICATION_PYTHON") else {
        eprintln!("skipping boto3 CloudWatch scenario: REPLICATION_PYTHON is not set (point it at a Python with boto3 installed)");
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
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boto3_cloudwatch.py");
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
        "boto3 CloudWatch scenario failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("boto3 cloudwatch OK"), "{stdout}");
    emu.shutdown().await;
}
