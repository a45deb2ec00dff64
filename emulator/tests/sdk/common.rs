//! Helpers shared by the aws-sdk-rds integration tests.

use aurora_emulator::{EmulatorConfig, RunningEmulator};
use aws_sdk_rds::config::retry::RetryConfig;
use aws_sdk_rds::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_rds::error::ProvideErrorMetadata;
use aws_sdk_rds::types::{Filter, Tag};
use aws_sdk_rds::Client;
use std::future::Future;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) const EAST: &str = "us-east-1";
pub(crate) const WEST: &str = "us-west-2";
pub(crate) const EU: &str = "eu-west-1";
pub(crate) const PG: &str = "aurora-postgresql";

/// Starts an emulator on a free loopback port.
pub(crate) async fn emulator(time_scale: f64) -> RunningEmulator {
    let addr = "127.0.0.1:0".parse().unwrap();
    aurora_emulator::start(
        addr,
        EmulatorConfig {
            time_scale,
            state_file: None,
        },
    )
    .await
    .unwrap()
}

/// An aws-sdk-rds client for one region, without retries.
pub(crate) fn client(emu: &RunningEmulator, region: &str) -> Client {
    client_with_retries(emu, region, RetryConfig::disabled())
}

/// An aws-sdk-rds client with a given retry policy.
pub(crate) fn client_with_retries(
    emu: &RunningEmulator,
    region: &str,
    retry: RetryConfig,
) -> Client {
    let conf = aws_sdk_rds::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
        .endpoint_url(emu.endpoint())
        .retry_config(retry)
        .build();
    Client::from_conf(conf)
}

/// The error code of a failed call.
pub(crate) fn code<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, E>,
) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e
            .code()
            .unwrap_or_else(|| panic!("no error code in {e:?}"))
            .to_string(),
    }
}

pub(crate) fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build()
}

pub(crate) fn filter(name: &str, values: &[&str]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.iter().map(|s| s.to_string()).collect()))
        .build()
}

pub(crate) fn cluster_arn(region: &str, id: &str) -> String {
    format!("arn:aws:rds:{region}:123456789012:cluster:{id}")
}

/// Polls `f` until it returns true (panics after `secs`).
pub(crate) async fn eventually<F, Fut>(secs: u64, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

/// One raw HTTP/1.1 exchange (Connection: close); `None` when the server
/// closed the connection without answering.
pub(crate) async fn raw(emu: &RunningEmulator, request: &[u8]) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "no answer within 10 s to {:?}",
        String::from_utf8_lossy(&request[..request.len().min(200)])
    );
    if buf.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

/// A signed-looking RDS Query POST for `region` with a form body.
pub(crate) fn rds_request(region: Option<&str>, body: &str) -> Vec<u8> {
    let auth = region
        .map(|r| {
            format!(
                "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261126/{r}/rds/aws4_request, SignedHeaders=host, Signature=00\r\n"
            )
        })
        .unwrap_or_default();
    format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Creates a global cluster with a primary (one instance) in EAST and a
/// secondary (one instance) in WEST, and waits until everything is available.
pub(crate) async fn topology(emu: &RunningEmulator, gid: &str) {
    let east = client(emu, EAST);
    let west = client(emu, WEST);
    east.create_global_cluster()
        .global_cluster_identifier(gid)
        .engine(PG)
        .engine_version("15.4")
        .send()
        .await
        .unwrap();
    east.create_db_cluster()
        .db_cluster_identifier(format!("{gid}-east"))
        .engine(PG)
        .global_cluster_identifier(gid)
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    east.create_db_instance()
        .db_instance_identifier(format!("{gid}-east-1"))
        .db_cluster_identifier(format!("{gid}-east"))
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    west.create_db_cluster()
        .db_cluster_identifier(format!("{gid}-west"))
        .engine(PG)
        .global_cluster_identifier(gid)
        .send()
        .await
        .unwrap();
    west.create_db_instance()
        .db_instance_identifier(format!("{gid}-west-1"))
        .db_cluster_identifier(format!("{gid}-west"))
        .engine(PG)
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    wait_all_available(emu).await;
}

/// Waits until every object in the admin state is `available`.
pub(crate) async fn wait_all_available(emu: &RunningEmulator) {
    eventually(20, "everything available", || async {
        let st = emu.admin().state().await.unwrap();
        ["global_clusters", "clusters", "instances"]
            .iter()
            .all(|k| {
                st[*k]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|o| o["status"] == "available")
            })
    })
    .await;
}

/// Changes the time scale for operations started from now on.
pub(crate) async fn set_time_scale(emu: &RunningEmulator, scale: f64) {
    emu.admin().set_time_scale(scale).await.unwrap();
}

/// Moves the virtual clock forward.
pub(crate) async fn advance(emu: &RunningEmulator, seconds: u64) {
    emu.admin().advance(seconds as f64).await.unwrap();
}
