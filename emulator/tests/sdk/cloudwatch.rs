//! CloudWatch GetMetricData through the real aws-sdk-cloudwatch (Smithy RPC
//! v2 CBOR): lag values set with the admin API, datapoints on the virtual
//! clock, validation errors with their codes, outages and the call log.

use crate::common::*;
use aurora_emulator::{LagMetrics, RunningEmulator};
use aws_sdk_cloudwatch::config::retry::RetryConfig;
use aws_sdk_cloudwatch::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudwatch::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat, ScanBy, StatusCode,
};
use aws_sdk_cloudwatch::Client;
use std::time::{Duration, SystemTime};

fn cw(emu: &RunningEmulator, region: &str) -> Client {
    let conf = aws_sdk_cloudwatch::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
        .endpoint_url(emu.endpoint())
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(conf)
}

fn query(id: &str, metric: &str, cluster: &str, stat: &str, period: i32) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/RDS")
                        .metric_name(metric)
                        .dimensions(
                            Dimension::builder()
                                .name("DBClusterIdentifier")
                                .value(cluster)
                                .build(),
                        )
                        .build(),
                )
                .period(period)
                .stat(stat)
                .build(),
        )
        .build()
}

fn lag_queries(cluster: &str) -> Vec<MetricDataQuery> {
    vec![
        query(
            "repl",
            "AuroraGlobalDBReplicationLag",
            cluster,
            "Maximum",
            60,
        ),
        query("rpo", "AuroraGlobalDBRPOLag", cluster, "Maximum", 60),
        query(
            "progress",
            "AuroraGlobalDBProgressLag",
            cluster,
            "Average",
            60,
        ),
        query(
            "bytes",
            "AuroraGlobalDBDataTransferBytes",
            cluster,
            "Sum",
            300,
        ),
    ]
}

/// `[now - 10 min, now + 1 min]`, wall clock.
fn window() -> (DateTime, DateTime) {
    let now = SystemTime::now();
    (
        DateTime::from(now - Duration::from_secs(600)),
        DateTime::from(now + Duration::from_secs(60)),
    )
}

async fn get(
    emu: &RunningEmulator,
    region: &str,
    queries: Vec<MetricDataQuery>,
) -> Vec<MetricDataResult> {
    let (start, end) = window();
    cw(emu, region)
        .get_metric_data()
        .set_metric_data_queries(Some(queries))
        .start_time(start)
        .end_time(end)
        .send()
        .await
        .unwrap()
        .metric_data_results()
        .to_vec()
}

fn by_id<'a>(results: &'a [MetricDataResult], id: &str) -> &'a MetricDataResult {
    results
        .iter()
        .find(|r| r.id() == Some(id))
        .unwrap_or_else(|| panic!("no result {id} in {results:?}"))
}

#[tokio::test]
async fn lag_set_by_the_admin_api_is_served_for_secondaries_only() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    // Nothing set yet: a known metric with no datapoints, as CloudWatch answers.
    let before = get(&emu, WEST, lag_queries("g-west")).await;
    assert_eq!(before.len(), 4);
    assert!(before.iter().all(|r| r.values().is_empty()), "{before:?}");

    emu.admin()
        .set_metrics(&LagMetrics {
            data_transfer_bytes: Some(4096.0),
            ..LagMetrics::new(WEST, 1500.0, 2500.0)
        })
        .await
        .unwrap();
    let results = get(&emu, WEST, lag_queries("g-west")).await;
    let repl = by_id(&results, "repl");
    assert_eq!(repl.values(), [1500.0]);
    assert_eq!(repl.status_code(), Some(&StatusCode::Complete));
    assert_eq!(repl.label(), Some("AuroraGlobalDBReplicationLag"));
    // The datapoint is the start of the current minute of the virtual clock.
    let ts = repl.timestamps()[0].secs();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(ts % 60, 0);
    assert!(now - ts < 120, "datapoint {ts} is not recent (now {now})");
    assert_eq!(by_id(&results, "rpo").values(), [2500.0]);
    // Progress lag follows the replication lag unless set.
    assert_eq!(by_id(&results, "progress").values(), [1500.0]);
    // A five-minute Sum counts five one-minute samples.
    assert_eq!(by_id(&results, "bytes").values(), [4096.0 * 5.0]);

    // The primary publishes no global-database lag; other regions have none set.
    let primary = get(&emu, EAST, lag_queries("g-east")).await;
    assert!(primary.iter().all(|r| r.values().is_empty()), "{primary:?}");
    // The cluster must be in the signed region.
    let elsewhere = get(&emu, EAST, lag_queries("g-west")).await;
    assert!(elsewhere.iter().all(|r| r.values().is_empty()));

    // Minutes later (virtual clock) there is one datapoint per minute, newest first.
    advance(&emu, 180).await;
    let wall = SystemTime::now();
    let later = cw(&emu, WEST)
        .get_metric_data()
        .metric_data_queries(query(
            "repl",
            "AuroraGlobalDBReplicationLag",
            "g-west",
            "Maximum",
            60,
        ))
        .start_time(DateTime::from(wall - Duration::from_secs(600)))
        .end_time(DateTime::from(wall + Duration::from_secs(600)))
        .send()
        .await
        .unwrap();
    let stamps: Vec<i64> = later.metric_data_results()[0]
        .timestamps()
        .iter()
        .map(DateTime::secs)
        .collect();
    assert!(stamps.len() >= 3, "{stamps:?}");
    assert!(stamps.windows(2).all(|w| w[0] - w[1] == 60), "{stamps:?}");

    // Clearing the values removes the datapoints.
    emu.admin().clear_metrics().await.unwrap();
    let cleared = get(&emu, WEST, lag_queries("g-west")).await;
    assert!(cleared.iter().all(|r| r.values().is_empty()));
    emu.shutdown().await;
}

#[tokio::test]
async fn rpo_lag_is_published_for_aurora_postgresql_only() {
    let emu = emulator(0.0).await;
    let east = client(&emu, EAST);
    let west = client(&emu, WEST);
    east.create_global_cluster()
        .global_cluster_identifier("m")
        .engine("aurora-mysql")
        .send()
        .await
        .unwrap();
    east.create_db_cluster()
        .db_cluster_identifier("m-east")
        .engine("aurora-mysql")
        .global_cluster_identifier("m")
        .master_username("app")
        .master_user_password("correct-horse-1")
        .send()
        .await
        .unwrap();
    east.create_db_instance()
        .db_instance_identifier("m-east-1")
        .db_cluster_identifier("m-east")
        .engine("aurora-mysql")
        .db_instance_class("db.r6g.large")
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    west.create_db_cluster()
        .db_cluster_identifier("m-west")
        .engine("aurora-mysql")
        .global_cluster_identifier("m")
        .send()
        .await
        .unwrap();
    wait_all_available(&emu).await;
    emu.admin()
        .set_metrics(&LagMetrics::new(WEST, 800.0, 900.0))
        .await
        .unwrap();
    let results = get(&emu, WEST, lag_queries("m-west")).await;
    assert_eq!(by_id(&results, "repl").values(), [800.0]);
    assert!(by_id(&results, "rpo").values().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn invalid_requests_get_cloudwatch_error_codes() {
    let emu = emulator(0.0).await;
    let client = cw(&emu, WEST);
    let (start, end) = window();
    let send = |queries: Vec<MetricDataQuery>, start: DateTime, end: DateTime| {
        let client = client.clone();
        async move {
            client
                .get_metric_data()
                .set_metric_data_queries(Some(queries))
                .start_time(start)
                .end_time(end)
                .send()
                .await
        }
    };
    let code = |r: Result<_, SdkError<_, _>>| -> String {
        let e = r.expect_err("an error");
        ProvideErrorMetadata::code(&e)
            .unwrap_or_default()
            .to_string()
    };
    let q = |id: &str, stat: &str, period: i32| {
        query(id, "AuroraGlobalDBReplicationLag", "c", stat, period)
    };
    assert_eq!(
        code(send(vec![q("Upper", "Maximum", 60)], start, end).await),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(send(vec![q("a", "Maximum", 45)], start, end).await),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(send(vec![q("a", "Biggest", 60)], start, end).await),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(
            send(
                vec![q("a", "Maximum", 60), q("a", "Minimum", 60)],
                start,
                end
            )
            .await
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(send(vec![q("a", "Maximum", 60)], end, start).await),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(send(vec![], start, end).await),
        "InvalidParameterValue"
    );
    let math = MetricDataQuery::builder()
        .id("e")
        .expression("m1 * 2")
        .build();
    assert_eq!(
        code(send(vec![math], start, end).await),
        "InvalidParameterValue"
    );
    let bare = MetricDataQuery::builder().id("b").build();
    assert_eq!(
        code(send(vec![bare], start, end).await),
        "InvalidParameterCombination"
    );
    let paged = client
        .get_metric_data()
        .metric_data_queries(q("a", "Maximum", 60))
        .start_time(start)
        .end_time(end)
        .next_token("nope")
        .send()
        .await;
    assert!(
        matches!(
            paged.as_ref().err().and_then(|e| e.as_service_error()),
            Some(e) if e.is_invalid_next_token()
        ),
        "{paged:?}"
    );
    // Every answered call is in the call log under its operation.
    let calls = emu.admin().calls().await.unwrap();
    assert!(!calls.is_empty());
    assert!(calls
        .iter()
        .all(|c| c.action == "GetMetricData" && c.region == WEST));
    emu.shutdown().await;
}

#[tokio::test]
async fn an_outage_drops_cloudwatch_connections_too() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    emu.admin()
        .set_metrics(&LagMetrics::new(WEST, 100.0, 200.0))
        .await
        .unwrap();
    emu.admin().outage(WEST).await.unwrap();
    let (start, end) = window();
    let err = cw(&emu, WEST)
        .get_metric_data()
        .set_metric_data_queries(Some(lag_queries("g-west")))
        .start_time(start)
        .end_time(end)
        .scan_by(ScanBy::TimestampDescending)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::DispatchFailure(_)), "{err:?}");
    let dropped = emu.admin().calls().await.unwrap();
    let last = dropped.last().unwrap();
    assert_eq!((last.action.as_str(), last.status), ("GetMetricData", 0));
    emu.admin().restore(WEST).await.unwrap();
    let results = get(&emu, WEST, lag_queries("g-west")).await;
    assert_eq!(by_id(&results, "repl").values(), [100.0]);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_admin_api_rejects_bad_metric_values() {
    let emu = emulator(0.0).await;
    for body in [
        r#"{"replication_lag_ms": 5}"#,
        r#"{"region": "nowhere", "replication_lag_ms": 5}"#,
        r#"{"region": "eu-west-1", "replication_lag_ms": -5}"#,
        r#"{"region": "eu-west-1", "rpo_lag_ms": "lots"}"#,
        r#"[1]"#,
    ] {
        let r = emu.admin().request("POST", "metrics", body).await.unwrap();
        assert_eq!(r.status, 400, "{body}: {}", r.body);
    }
    let ok = emu
        .admin()
        .request(
            "POST",
            "metrics",
            r#"{"region": "eu-west-1", "replication_lag_ms": 1500, "rpo_lag_ms": 2500}"#,
        )
        .await
        .unwrap();
    assert_eq!(ok.status, 200, "{}", ok.body);
    let listed = emu
        .admin()
        .request("GET", "metrics", "")
        .await
        .unwrap()
        .json();
    assert_eq!(listed["eu-west-1"]["rpo_lag_ms"], 2500.0);
    emu.shutdown().await;
}

/// botocore speaks AWS JSON 1.0 to CloudWatch (`X-Amz-Target`, JSON bodies,
/// epoch-second timestamps); the same call as raw HTTP.
#[tokio::test]
async fn aws_json_requests_are_served_too() {
    let emu = emulator(0.0).await;
    topology(&emu, "g").await;
    emu.admin()
        .set_metrics(&LagMetrics::new(WEST, 1500.0, 2500.0))
        .await
        .unwrap();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let body = serde_json::json!({
        "MetricDataQueries": [{
            "Id": "rpo",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/RDS",
                    "MetricName": "AuroraGlobalDBRPOLag",
                    "Dimensions": [{"Name": "DBClusterIdentifier", "Value": "g-west"}],
                },
                "Period": 60,
                "Stat": "Maximum",
            },
        }],
        "StartTime": now - 600,
        "EndTime": now + 60,
    })
    .to_string();
    let request = |body: &str| {
        format!(
            "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: GraniteServiceVersion20100801.GetMetricData\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKID/20261126/{WEST}/monitoring/aws4_request, SignedHeaders=host, Signature=00\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    let (status, answer) = raw(&emu, &request(&body)).await.unwrap();
    assert_eq!(status, 200, "{answer}");
    let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let result = &v["MetricDataResults"][0];
    assert_eq!(result["Id"], "rpo");
    assert_eq!(result["Values"], serde_json::json!([2500.0]));
    let ts = result["Timestamps"][0].as_i64().unwrap();
    assert!(ts % 60 == 0 && (now as i64 - ts) < 120, "{ts}");
    // Errors: __type in the body, the query code in x-amzn-query-error.
    let (status, answer) = raw(&emu, &request(r#"{"MetricDataQueries": []}"#))
        .await
        .unwrap();
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer.contains("MissingRequiredParameterException")
            || answer.contains("InvalidParameterValueException"),
        "{answer}"
    );
    emu.shutdown().await;
}
