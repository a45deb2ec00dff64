//! Replication lag of global-database secondaries, from CloudWatch.
//!
//! Aurora publishes, for each secondary cluster of a global database and in
//! the secondary's region, the metrics `AuroraGlobalDBReplicationLag` and
//! (aurora-postgresql) `AuroraGlobalDBRPOLag` in the `AWS/RDS` namespace,
//! with the dimension `DBClusterIdentifier`, in milliseconds.
//! [`read_lag`] reads both for every cluster it is given with one
//! `GetMetricData` call to that region, and keeps each series' latest
//! datapoint of the last [`LAG_WINDOW`].
//!
//! This is the only place `aws-sdk-cloudwatch` is called; the call goes
//! through the same retry policy as the RDS calls ([`super::retry::send`]),
//! paced by CloudWatch's own pacer of the region, not RDS's: AWS limits the
//! two APIs separately. (Throttling answers of CloudWatch are retried by the
//! SDK before the pacer hears of them: its protocol's error bodies are not
//! the Query XML that [`super::retry::ThrottlingLeftToPacer`] reads.)

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::types::{
    Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat, ScanBy,
};
use aws_smithy_types::DateTime;

use super::config::Clients;
use super::error::{AwsError, ErrorKind};
use super::retry;

/// How far back a datapoint still counts as the current lag.
pub const LAG_WINDOW: Duration = Duration::from_secs(10 * 60);

/// The period of the datapoints asked for: Aurora publishes these metrics
/// once a minute.
pub(super) const LAG_PERIOD_SECONDS: i32 = 60;

/// Slack added after "now" at the end of the window, for a clock behind
/// CloudWatch's.
const END_SLACK: Duration = Duration::from_secs(60);

/// Most clusters one call can cover (two queries each, 500 per call).
pub(super) const MAX_CLUSTERS_PER_CALL: usize = 250;

/// The namespace and dimension of the lag metrics.
const NAMESPACE: &str = "AWS/RDS";
const DIMENSION: &str = "DBClusterIdentifier";

/// The two lag metrics read, and the prefix of their query ids.
const REPLICATION_LAG: &str = "AuroraGlobalDBReplicationLag";
const RPO_LAG: &str = "AuroraGlobalDBRPOLag";

/// One datapoint: a lag in milliseconds and the start of the minute it
/// describes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LagPoint {
    /// The lag, ms (the maximum over the minute).
    pub millis: f64,
    /// When it was observed (the datapoint's timestamp).
    pub at: SystemTime,
}

/// The latest lag datapoints of one secondary cluster; `None` where the
/// metric had no datapoint within [`LAG_WINDOW`] (or the engine does not
/// publish it: aurora-mysql has no RPO lag).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClusterLag {
    /// `AuroraGlobalDBReplicationLag`.
    pub replication: Option<LagPoint>,
    /// `AuroraGlobalDBRPOLag`.
    pub rpo: Option<LagPoint>,
}

impl ClusterLag {
    /// The figure for data loss on a failover: the RPO lag where the engine
    /// publishes it, else the replication lag.
    pub fn data_loss(&self) -> Option<LagPoint> {
        self.rpo.or(self.replication)
    }
}

/// The query ids of cluster number `n`: letters, digits and underscores,
/// starting with a lowercase letter, as CloudWatch requires.
fn ids(n: usize) -> (String, String) {
    (format!("replication_{n}"), format!("rpo_{n}"))
}

fn query(id: String, metric: &str, cluster: &str) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(NAMESPACE)
                        .metric_name(metric)
                        .dimensions(Dimension::builder().name(DIMENSION).value(cluster).build())
                        .build(),
                )
                .period(LAG_PERIOD_SECONDS)
                .stat("Maximum")
                .build(),
        )
        .return_data(true)
        .build()
}

/// The queries of one call: the two lag metrics of every cluster.
fn lag_queries(clusters: &[String]) -> Vec<MetricDataQuery> {
    clusters
        .iter()
        .enumerate()
        .flat_map(|(n, cluster)| {
            let (replication, rpo) = ids(n);
            [
                query(replication, REPLICATION_LAG, cluster),
                query(rpo, RPO_LAG, cluster),
            ]
        })
        .collect()
}

/// `[now - LAG_WINDOW, now + END_SLACK]`.
fn window(now: SystemTime) -> (DateTime, DateTime) {
    let start = now
        .checked_sub(LAG_WINDOW)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let end = now.checked_add(END_SLACK).unwrap_or(now);
    (DateTime::from(start), DateTime::from(end))
}

/// The newest datapoint of a result, whatever order it came in.
fn latest(result: &MetricDataResult) -> Option<LagPoint> {
    result
        .timestamps()
        .iter()
        .zip(result.values())
        .filter(|(_, v)| v.is_finite())
        .max_by(|(a, _), (b, _)| a.cmp(b))
        .and_then(|(at, millis)| {
            Some(LagPoint {
                millis: *millis,
                at: SystemTime::try_from(*at).ok()?,
            })
        })
}

/// Matches the results of a call back to its clusters.
fn collect(clusters: &[String], results: &[MetricDataResult]) -> BTreeMap<String, ClusterLag> {
    let by_id = |id: &str| results.iter().find(|r| r.id() == Some(id)).and_then(latest);
    clusters
        .iter()
        .enumerate()
        .map(|(n, cluster)| {
            let (replication, rpo) = ids(n);
            let lag = ClusterLag {
                replication: by_id(&replication),
                rpo: by_id(&rpo),
            };
            (cluster.clone(), lag)
        })
        .collect()
}

/// The latest lag of each of `clusters` (identifiers of secondary clusters
/// in `region`), with one `GetMetricData` call to `region`. Every cluster
/// asked for is in the answer; one without datapoints has an empty
/// [`ClusterLag`].
pub async fn read_lag(
    clients: &Clients,
    region: &str,
    clusters: &[String],
) -> Result<BTreeMap<String, ClusterLag>, AwsError> {
    if clusters.is_empty() {
        return Ok(BTreeMap::new());
    }
    if clusters.len() > MAX_CLUSTERS_PER_CALL {
        return Err(AwsError::local(
            "GetMetricData",
            region,
            ErrorKind::InvalidParameter,
            format!(
                "{} clusters in one call; at most {MAX_CLUSTERS_PER_CALL}",
                clusters.len()
            ),
        ));
    }
    let client = clients.cloudwatch(region).await?;
    let queries = lag_queries(clusters);
    let (start, end) = window(SystemTime::now());
    let call = || {
        client
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(start)
            .end_time(end)
            .scan_by(ScanBy::TimestampDescending)
            .send()
    };
    let out = retry::send(clients, "GetMetricData", region, call).await;
    clients.note_reachability(
        region,
        !matches!(&out, Err(e) if e.kind == ErrorKind::Unreachable),
    );
    let out = out?;
    Ok(collect(clusters, out.metric_data_results()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_asks_both_metrics_of_every_cluster() {
        let clusters = vec!["orders-eu-west-1".to_string(), "other".to_string()];
        let q = lag_queries(&clusters);
        assert_eq!(q.len(), 4);
        let described: Vec<(String, String, String, i32, String)> = q
            .iter()
            .map(|q| {
                let stat = q.metric_stat().unwrap();
                let metric = stat.metric().unwrap();
                let dims = metric.dimensions();
                assert_eq!(dims.len(), 1);
                assert_eq!(dims[0].name(), Some(DIMENSION));
                assert_eq!(metric.namespace(), Some("AWS/RDS"));
                assert_eq!(q.return_data(), Some(true));
                (
                    q.id().unwrap().to_string(),
                    metric.metric_name().unwrap().to_string(),
                    dims[0].value().unwrap().to_string(),
                    stat.period().unwrap(),
                    stat.stat().unwrap().to_string(),
                )
            })
            .collect();
        let row = |id: &str, m: &str, c: &str| {
            (
                id.to_string(),
                m.to_string(),
                c.to_string(),
                60,
                "Maximum".to_string(),
            )
        };
        assert_eq!(
            described,
            [
                row(
                    "replication_0",
                    "AuroraGlobalDBReplicationLag",
                    "orders-eu-west-1"
                ),
                row("rpo_0", "AuroraGlobalDBRPOLag", "orders-eu-west-1"),
                row("replication_1", "AuroraGlobalDBReplicationLag", "other"),
                row("rpo_1", "AuroraGlobalDBRPOLag", "other"),
            ]
        );
        // Ids must start with a lowercase letter and be unique in the call.
        let mut ids: Vec<&str> = q.iter().map(|q| q.id().unwrap()).collect();
        assert!(ids
            .iter()
            .all(|i| i.starts_with(|c: char| c.is_ascii_lowercase())));
        ids.dedup();
        assert_eq!(ids.len(), 4);
    }

    #[test]
    fn the_window_covers_the_recent_past_and_a_little_slack() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (start, end) = window(now);
        assert_eq!(start.secs(), 1_800_000_000 - 600);
        assert_eq!(end.secs(), 1_800_000_000 + 60);
    }

    #[test]
    fn the_latest_datapoint_wins_whatever_the_order() {
        let t = |s: i64| DateTime::from_secs(s);
        let result = |id: &str, points: &[(i64, f64)]| {
            let mut b = MetricDataResult::builder().id(id);
            for (s, v) in points {
                b = b.timestamps(t(*s)).values(*v);
            }
            b.build()
        };
        let clusters = vec!["a".to_string(), "b".to_string()];
        let lag = collect(
            &clusters,
            &[
                result("replication_0", &[(120, 900.0), (180, 1500.0), (60, 3.0)]),
                result("rpo_0", &[(180, 2500.0)]),
                result("replication_1", &[]),
            ],
        );
        let a = lag["a"];
        assert_eq!(a.replication.unwrap().millis, 1500.0);
        assert_eq!(
            a.replication.unwrap().at,
            SystemTime::UNIX_EPOCH + Duration::from_secs(180)
        );
        assert_eq!(a.data_loss().unwrap().millis, 2500.0);
        // No datapoints, and a result missing from the answer: nothing read.
        assert_eq!(lag["b"], ClusterLag::default());
        assert_eq!(lag["b"].data_loss(), None);
        // Without an RPO figure, the replication lag is the data-loss figure.
        let mysql = ClusterLag {
            replication: a.replication,
            rpo: None,
        };
        assert_eq!(mysql.data_loss().unwrap().millis, 1500.0);
    }
}
