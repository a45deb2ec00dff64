//! CloudWatch `GetMetricData` for the Aurora global database lag metrics, in
//! the two wire protocols current clients use for CloudWatch (its service
//! model lists `smithy-rpc-v2-cbor`, `json` and `query`; each client takes
//! the first it supports in its own order): Smithy RPC v2 CBOR, which the
//! Rust SDK uses (`POST
//! /service/GraniteServiceVersion20100801/operation/GetMetricData`,
//! `smithy-protocol: rpc-v2-cbor`, CBOR bodies), and AWS JSON 1.0, which
//! botocore prefers (`POST /`, `X-Amz-Target:
//! GraniteServiceVersion20100801.GetMetricData`, JSON bodies, timestamps as
//! epoch seconds). Requests are signed for service `monitoring`. The service
//! is `awsQueryCompatible`, so errors also carry the query-protocol code in
//! `x-amzn-query-error`.
//!
//! Served metrics (namespace `AWS/RDS`, one dimension `DBClusterIdentifier`),
//! for every cluster that is a secondary member of a global cluster in the
//! request's region: `AuroraGlobalDBReplicationLag`, `AuroraGlobalDBRPOLag`
//! (aurora-postgresql only, as AWS documents it), `AuroraGlobalDBProgressLag`
//! and `AuroraGlobalDBDataTransferBytes`. Their values come from the admin
//! API (`POST /_emulator/metrics`, per region); datapoints exist from the
//! period in which a value was set up to the current one, one per period,
//! timestamped on the virtual clock. Any other metric answers no datapoints,
//! as CloudWatch does for a metric it has never received.
//!
//! Not modelled: metric math and Metrics Insights queries (answered with
//! `InvalidParameterValue`), pagination (`NextToken`), label templates.

pub(crate) mod cbor;

use crate::error::ApiError;
use crate::ids;
use crate::model::Role;
use crate::server::{self, Dropped};
use crate::shared::{Call, Shared};
use bytes::Bytes;
use cbor::Cbor;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde::Serialize;

type Resp = Response<Full<Bytes>>;

/// The path prefix of CloudWatch's RPC v2 CBOR operations.
pub(crate) const PATH_PREFIX: &str = "/service/GraniteServiceVersion20100801/operation/";
/// The `X-Amz-Target` prefix of CloudWatch's AWS JSON 1.0 operations.
pub(crate) const TARGET_PREFIX: &str = "GraniteServiceVersion20100801.";

/// The wire protocol of a request (its answer uses the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// Smithy RPC v2 CBOR.
    Cbor,
    /// AWS JSON 1.0.
    Json,
}

/// The namespace of the served metrics.
const NAMESPACE: &str = "AWS/RDS";
/// The one dimension the served metrics have.
const DIMENSION: &str = "DBClusterIdentifier";

/// Most queries in one `GetMetricData` call.
const MAX_QUERIES: usize = 500;
/// Most datapoints one call returns (AWS's limit per call).
const MAX_DATAPOINTS: i64 = 100_800;

/// The lag values set for one region's secondaries (`POST /_emulator/metrics`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RegionMetrics {
    /// `AuroraGlobalDBReplicationLag`, ms.
    pub replication_lag_ms: Option<f64>,
    /// `AuroraGlobalDBRPOLag`, ms (aurora-postgresql clusters only).
    pub rpo_lag_ms: Option<f64>,
    /// `AuroraGlobalDBProgressLag`, ms; unset = the replication lag.
    pub progress_lag_ms: Option<f64>,
    /// `AuroraGlobalDBDataTransferBytes`.
    pub data_transfer_bytes: Option<f64>,
    /// Virtual time the values were set, epoch ms: datapoints start in the
    /// period containing it.
    pub since_ms: u64,
}

impl RegionMetrics {
    /// The value of `metric` for a cluster of `engine`, if it has datapoints.
    fn value(&self, metric: &str, engine: &str) -> Option<f64> {
        match metric {
            "AuroraGlobalDBReplicationLag" => self.replication_lag_ms,
            "AuroraGlobalDBRPOLag" if engine == "aurora-postgresql" => self.rpo_lag_ms,
            "AuroraGlobalDBProgressLag" => self.progress_lag_ms.or(self.replication_lag_ms),
            "AuroraGlobalDBDataTransferBytes" => self.data_transfer_bytes,
            _ => None,
        }
    }
}

/// Serves one CloudWatch request: the same pipeline as RDS calls (region
/// from the signature, outage, rate limit, throttle, injected faults, call
/// log), then the operation.
pub(crate) fn handle(
    shared: &Shared,
    protocol: Protocol,
    operation: &str,
    auth: Option<&str>,
    body: &[u8],
) -> Result<Resp, Dropped> {
    let request_id = ids::request_id();
    let region = server::region_for_service(auth, "monitoring");
    let mut inner = shared.lock();
    let time_ms = shared.started.elapsed().as_millis() as u64;
    inner.seq += 1;
    let seq = inner.seq;
    let logged_action = if operation == "GetMetricData" {
        operation.to_string()
    } else {
        String::new()
    };
    let region_name = region.as_ref().cloned().unwrap_or_default();
    let log = |inner: &mut crate::shared::Inner, status: u16, code: Option<String>| {
        inner.log_call(Call {
            seq,
            time_ms,
            region: region_name.clone(),
            action: logged_action.clone(),
            status,
            code,
        });
    };
    if let Ok(r) = &region {
        if inner.st.outages.contains(r) {
            log(&mut inner, 0, Some("ConnectionDropped".into()));
            return Err(Dropped(r.clone()));
        }
    }
    let result = (|| -> Result<Cbor, ApiError> {
        let region = region?;
        if operation != "GetMetricData" {
            return Err(ApiError::new(
                "UnknownOperationException",
                404,
                format!("Operation {operation} is not served by this emulator"),
            ));
        }
        server::check_rate(&mut inner, &region)?;
        server::check_throttle(&mut inner)?;
        server::check_server_error(&mut inner)?;
        server::check_faults(&mut inner, operation, &region)?;
        inner.settle();
        let request = match protocol {
            Protocol::Cbor => cbor::decode(body).map_err(|e| {
                ApiError::new(
                    "SerializationException",
                    400,
                    format!("Invalid CBOR body: {e}"),
                )
            })?,
            Protocol::Json => serde_json::from_slice::<serde_json::Value>(body)
                .map(|v| from_json(&v, ""))
                .map_err(|e| {
                    ApiError::new(
                        "SerializationException",
                        400,
                        format!("Invalid JSON body: {e}"),
                    )
                })?,
        };
        let now = inner.now();
        get_metric_data(&inner, &region, now, &request)
    })();
    Ok(match result {
        Ok(doc) => {
            log(&mut inner, 200, None);
            response(protocol, 200, &doc, &request_id, None)
        }
        Err(e) => {
            log(&mut inner, e.status, Some(e.code.clone()));
            error_response(protocol, &e, &request_id)
        }
    })
}

/// Members whose JSON number is a timestamp (epoch seconds).
const TIMESTAMP_MEMBERS: [&str; 2] = ["StartTime", "EndTime"];

/// An AWS JSON 1.0 request as the document tree; timestamp members become
/// tag-1 items, as in CBOR.
fn from_json(v: &serde_json::Value, member: &str) -> Cbor {
    use serde_json::Value as J;
    match v {
        J::Null => Cbor::Null,
        J::Bool(b) => Cbor::Bool(*b),
        J::Number(n) => {
            let item = match n.as_i64() {
                Some(i) => Cbor::Int(i128::from(i)),
                None => Cbor::Float(n.as_f64().unwrap_or(f64::NAN)),
            };
            if TIMESTAMP_MEMBERS.contains(&member) {
                Cbor::Tagged(1, Box::new(item))
            } else {
                item
            }
        }
        J::String(s) => Cbor::Text(s.clone()),
        J::Array(items) => Cbor::Array(items.iter().map(|i| from_json(i, "")).collect()),
        J::Object(m) => Cbor::Map(
            m.iter()
                .map(|(k, x)| (k.clone(), from_json(x, k)))
                .collect(),
        ),
    }
}

/// The document tree as AWS JSON 1.0 (timestamps as epoch seconds).
fn to_json(doc: &Cbor) -> serde_json::Value {
    use serde_json::Value as J;
    match doc {
        Cbor::Null => J::Null,
        Cbor::Bool(b) => J::Bool(*b),
        Cbor::Int(n) => i64::try_from(*n).map_or(J::Null, J::from),
        Cbor::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Cbor::Text(s) => J::String(s.clone()),
        Cbor::Bytes(_) => J::Null,
        Cbor::Array(items) => J::Array(items.iter().map(to_json).collect()),
        Cbor::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
        Cbor::Tagged(_, inner) => to_json(inner),
    }
}

/// One metric query after validation.
struct Query<'a> {
    id: &'a str,
    label: Option<&'a str>,
    metric: &'a str,
    namespace: &'a str,
    dimensions: Vec<(&'a str, &'a str)>,
    period_s: i64,
    stat: &'a str,
    return_data: bool,
}

fn missing(name: &str) -> ApiError {
    ApiError::missing_parameter(format!("The parameter {name} is required."))
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid_value(message)
}

/// Metric ids: a lowercase letter, then letters, digits and underscores.
fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && id.len() <= 255
}

/// Periods CloudWatch accepts: 1, 5, 10, 20, 30 or a multiple of 60.
fn valid_period(p: i64) -> bool {
    matches!(p, 1 | 5 | 10 | 20 | 30) || (p >= 60 && p % 60 == 0)
}

/// A statistic name: the five basic ones or an extended statistic
/// (`p99`, `tm90`, `wm(10%:90%)`, `IQM`, ...).
fn valid_stat(s: &str) -> bool {
    matches!(
        s,
        "Average" | "Maximum" | "Minimum" | "Sum" | "SampleCount" | "IQM"
    ) || ["p", "tm", "wm", "tc", "ts", "pr"].iter().any(|prefix| {
        s.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit() || c == '('))
    })
}

fn parse_query(n: usize, q: &Cbor) -> Result<Query<'_>, ApiError> {
    let at = |field: &str| format!("MetricDataQueries.member.{n}.{field}");
    let id = q
        .get("Id")
        .and_then(Cbor::as_str)
        .ok_or_else(|| missing(&at("Id")))?;
    if !valid_id(id) {
        return Err(invalid(format!(
            "The value {id} for parameter {} is not valid: it must start with a lowercase letter and contain only letters, numbers and underscores.",
            at("Id")
        )));
    }
    if q.get("Expression").is_some() {
        return Err(invalid(format!(
            "{}: metric math and Metrics Insights expressions are not supported by aurora-emulator.",
            at("Expression")
        )));
    }
    let stat = q.get("MetricStat").ok_or_else(|| {
        ApiError::invalid_combination(format!(
            "Exactly one of {} and {} must be specified.",
            at("MetricStat"),
            at("Expression")
        ))
    })?;
    let metric = stat
        .get("Metric")
        .ok_or_else(|| missing(&at("MetricStat.Metric")))?;
    let name = metric
        .get("MetricName")
        .and_then(Cbor::as_str)
        .ok_or_else(|| missing(&at("MetricStat.Metric.MetricName")))?;
    let namespace = metric
        .get("Namespace")
        .and_then(Cbor::as_str)
        .ok_or_else(|| missing(&at("MetricStat.Metric.Namespace")))?;
    let mut dimensions = Vec::new();
    for (i, d) in metric
        .get("Dimensions")
        .and_then(Cbor::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let field = |f: &str| {
            at(&format!(
                "MetricStat.Metric.Dimensions.member.{}.{f}",
                i + 1
            ))
        };
        let dn = d
            .get("Name")
            .and_then(Cbor::as_str)
            .ok_or_else(|| missing(&field("Name")))?;
        let dv = d
            .get("Value")
            .and_then(Cbor::as_str)
            .ok_or_else(|| missing(&field("Value")))?;
        dimensions.push((dn, dv));
    }
    let period_s = stat
        .get("Period")
        .and_then(Cbor::as_i64)
        .ok_or_else(|| missing(&at("MetricStat.Period")))?;
    if !valid_period(period_s) {
        return Err(invalid(format!(
            "The parameter {} must be 1, 5, 10, 20, 30, or a multiple of 60.",
            at("MetricStat.Period")
        )));
    }
    let stat_name = stat
        .get("Stat")
        .and_then(Cbor::as_str)
        .ok_or_else(|| missing(&at("MetricStat.Stat")))?;
    if !valid_stat(stat_name) {
        return Err(invalid(format!(
            "The value {stat_name} for parameter {} is not a valid statistic.",
            at("MetricStat.Stat")
        )));
    }
    Ok(Query {
        id,
        label: q.get("Label").and_then(Cbor::as_str),
        metric: name,
        namespace,
        dimensions,
        period_s,
        stat: stat_name,
        return_data: !matches!(q.get("ReturnData"), Some(Cbor::Bool(false))),
    })
}

fn get_metric_data(
    inner: &crate::shared::Inner,
    region: &str,
    now_ms: u64,
    request: &Cbor,
) -> Result<Cbor, ApiError> {
    let queries = request
        .get("MetricDataQueries")
        .and_then(Cbor::as_array)
        .ok_or_else(|| missing("MetricDataQueries"))?;
    if queries.is_empty() || queries.len() > MAX_QUERIES {
        return Err(invalid(format!(
            "The collection MetricDataQueries must contain between 1 and {MAX_QUERIES} items."
        )));
    }
    let start = request
        .get("StartTime")
        .and_then(Cbor::as_epoch_ms)
        .ok_or_else(|| missing("StartTime"))?;
    let end = request
        .get("EndTime")
        .and_then(Cbor::as_epoch_ms)
        .ok_or_else(|| missing("EndTime"))?;
    if start >= end {
        return Err(invalid(
            "The parameter StartTime must be less than the parameter EndTime.",
        ));
    }
    if request.get("NextToken").is_some_and(|t| *t != Cbor::Null) {
        return Err(ApiError::new(
            "InvalidNextToken",
            400,
            "The service returned an invalid NextToken.",
        ));
    }
    let descending = match request.get("ScanBy").and_then(Cbor::as_str) {
        None | Some("TimestampDescending") => true,
        Some("TimestampAscending") => false,
        Some(other) => {
            return Err(invalid(format!(
                "The value {other} for parameter ScanBy is not valid: use TimestampDescending or TimestampAscending."
            )))
        }
    };
    let max_points = match request.get("MaxDatapoints").and_then(Cbor::as_i64) {
        Some(n) if n > 0 => n.min(MAX_DATAPOINTS),
        Some(_) => return Err(invalid("The parameter MaxDatapoints must be positive.")),
        None => MAX_DATAPOINTS,
    };
    let mut parsed = Vec::with_capacity(queries.len());
    for (i, q) in queries.iter().enumerate() {
        let q = parse_query(i + 1, q)?;
        if parsed.iter().any(|p: &Query<'_>| p.id == q.id) {
            return Err(invalid(format!(
                "The value {} for parameter MetricDataQueries.member.{}.Id is not unique.",
                q.id,
                i + 1
            )));
        }
        parsed.push(q);
    }
    let window = Window {
        start_ms: start,
        end_ms: end,
        now_ms: i64::try_from(now_ms).unwrap_or(i64::MAX),
        descending,
    };
    let mut budget = max_points;
    let mut results = Vec::new();
    for q in parsed.iter().filter(|q| q.return_data) {
        let points = match series(inner, region, q) {
            Some((value, since)) => {
                let times = window.timestamps(since, q.period_s * 1000, budget);
                budget -= times.len() as i64;
                let samples = (q.period_s / 60).max(1) as f64;
                let v = match q.stat {
                    "Sum" => value * samples,
                    "SampleCount" => samples,
                    _ => value,
                };
                times.into_iter().map(|t| (t, v)).collect()
            }
            None => Vec::new(),
        };
        results.push(Cbor::Map(vec![
            ("Id".into(), Cbor::Text(q.id.to_string())),
            (
                "Label".into(),
                Cbor::Text(q.label.unwrap_or(q.metric).to_string()),
            ),
            (
                "Timestamps".into(),
                Cbor::Array(
                    points
                        .iter()
                        .map(|(t, _)| Cbor::Tagged(1, Box::new(Cbor::Int(i128::from(t / 1000)))))
                        .collect(),
                ),
            ),
            (
                "Values".into(),
                Cbor::Array(points.iter().map(|(_, v)| Cbor::Float(*v)).collect()),
            ),
            ("StatusCode".into(), Cbor::Text("Complete".into())),
        ]));
    }
    Ok(Cbor::Map(vec![
        ("MetricDataResults".into(), Cbor::Array(results)),
        ("Messages".into(), Cbor::Array(Vec::new())),
    ]))
}

/// The value and start time of the series a query names, if it has one: a
/// served metric of a secondary global-database member in `region` whose
/// region has values set.
fn series(inner: &crate::shared::Inner, region: &str, q: &Query<'_>) -> Option<(f64, u64)> {
    if q.namespace != NAMESPACE {
        return None;
    }
    let [(DIMENSION, cluster_id)] = q.dimensions.as_slice() else {
        return None;
    };
    let set = inner.metrics.get(region)?;
    let cluster = inner
        .st
        .clusters
        .get(&crate::model::key(region, cluster_id))?;
    if inner.st.role(cluster) != Role::Secondary {
        return None;
    }
    set.value(q.metric, &cluster.engine)
        .map(|v| (v, set.since_ms))
}

/// The time range of a request, on the virtual clock.
struct Window {
    start_ms: i64,
    end_ms: i64,
    now_ms: i64,
    descending: bool,
}

impl Window {
    /// Period-aligned datapoint times of a series that started at `since`:
    /// from the period containing `since` to the current one, inside
    /// `[start, end)`, at most `budget` of them, newest first when
    /// descending.
    fn timestamps(&self, since: u64, period_ms: i64, budget: i64) -> Vec<i64> {
        if period_ms <= 0 || budget <= 0 {
            return Vec::new();
        }
        let align = |t: i64| t.div_euclid(period_ms) * period_ms;
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        let lo = align(since).max(align(self.start_ms + period_ms - 1));
        let hi = align(self.now_ms).min(align(self.end_ms - 1));
        if lo > hi {
            return Vec::new();
        }
        let count = ((hi - lo) / period_ms + 1).min(budget);
        (0..count)
            .map(|k| {
                if self.descending {
                    hi - k * period_ms
                } else {
                    lo + k * period_ms
                }
            })
            .collect()
    }
}

/// The Smithy shape an error code belongs to (`__type`), for the codes this
/// module answers; other codes (throttling, injected faults) stand as they are.
fn shape_of(code: &str) -> &str {
    match code {
        "InvalidParameterValue" => "com.amazonaws.cloudwatch#InvalidParameterValueException",
        "MissingParameter" => "com.amazonaws.cloudwatch#MissingRequiredParameterException",
        "InvalidParameterCombination" => {
            "com.amazonaws.cloudwatch#InvalidParameterCombinationException"
        }
        "InvalidNextToken" => "com.amazonaws.cloudwatch#InvalidNextToken",
        "InternalServiceError" => "com.amazonaws.cloudwatch#InternalServiceFault",
        other => other,
    }
}

fn response(
    protocol: Protocol,
    status: u16,
    doc: &Cbor,
    request_id: &str,
    query_error: Option<String>,
) -> Resp {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
        .header("x-amzn-RequestId", request_id);
    let body = match protocol {
        Protocol::Cbor => {
            builder = builder
                .header("content-type", "application/cbor")
                .header("smithy-protocol", "rpc-v2-cbor");
            cbor::encode(doc)
        }
        Protocol::Json => {
            builder = builder.header("content-type", "application/x-amz-json-1.0");
            to_json(doc).to_string().into_bytes()
        }
    };
    if let Some(q) = query_error {
        builder = builder.header("x-amzn-query-error", q);
    }
    builder
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// An error: `__type` and `message` in the body, the query protocol's
/// `Code;Sender|Receiver` in `x-amzn-query-error`.
fn error_response(protocol: Protocol, e: &ApiError, request_id: &str) -> Resp {
    let doc = Cbor::Map(vec![
        ("__type".into(), Cbor::Text(shape_of(&e.code).to_string())),
        ("message".into(), Cbor::Text(e.message.clone())),
    ]);
    response(
        protocol,
        e.status,
        &doc,
        request_id,
        Some(format!("{};{}", e.code, e.fault_type())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: i64, end: i64, now: i64) -> Window {
        Window {
            start_ms: start,
            end_ms: end,
            now_ms: now,
            descending: true,
        }
    }

    #[test]
    fn datapoints_run_from_the_setting_period_to_now_inside_the_window() {
        let w = window(0, 1_000_000, 300_500);
        // Set at 130 s: periods starting 120, 180, 240, 300 s.
        assert_eq!(
            w.timestamps(130_000, 60_000, 100),
            [300_000, 240_000, 180_000, 120_000]
        );
        assert_eq!(w.timestamps(130_000, 60_000, 2), [300_000, 240_000]);
        // A window that ends before now, and one that starts after the setting.
        assert_eq!(
            window(0, 200_000, 300_500).timestamps(130_000, 60_000, 100),
            [180_000, 120_000]
        );
        assert_eq!(
            window(200_000, 1_000_000, 300_500).timestamps(0, 60_000, 100),
            [300_000, 240_000]
        );
        let asc = Window {
            descending: false,
            ..window(0, 1_000_000, 300_500)
        };
        assert_eq!(asc.timestamps(250_000, 60_000, 100), [240_000, 300_000]);
        // Set after the window's end: nothing.
        assert!(window(0, 100_000, 300_500)
            .timestamps(200_000, 60_000, 100)
            .is_empty());
    }

    #[test]
    fn ids_periods_and_stats_follow_cloudwatch_rules() {
        assert!(valid_id("m0_lag"));
        assert!(!valid_id("M0") && !valid_id("0m") && !valid_id("a-b") && !valid_id(""));
        for p in [1, 5, 10, 20, 30, 60, 300, 3600] {
            assert!(valid_period(p), "{p}");
        }
        for p in [0, 2, 45, 90, -60] {
            assert!(!valid_period(p), "{p}");
        }
        for s in ["Maximum", "Average", "p99", "tm90", "p99.9", "IQM"] {
            assert!(valid_stat(s), "{s}");
        }
        for s in ["Max", "maximum", "p", "pX"] {
            assert!(!valid_stat(s), "{s}");
        }
    }

    #[test]
    fn json_requests_read_like_cbor_ones_and_answers_carry_epoch_seconds() {
        let req: serde_json::Value = serde_json::json!({
            "StartTime": 1_700_000_000.5,
            "EndTime": 1_700_000_600,
            "MetricDataQueries": [{"Id": "a", "MetricStat": {"Period": 60}}],
        });
        let doc = from_json(&req, "");
        assert_eq!(
            doc.get("StartTime").and_then(Cbor::as_epoch_ms),
            Some(1_700_000_000_500)
        );
        assert_eq!(
            doc.get("EndTime").and_then(Cbor::as_epoch_ms),
            Some(1_700_000_600_000)
        );
        let q = &doc
            .get("MetricDataQueries")
            .and_then(Cbor::as_array)
            .unwrap()[0];
        assert_eq!(
            q.get("MetricStat")
                .and_then(|m| m.get("Period"))
                .and_then(Cbor::as_i64),
            Some(60)
        );
        let answer = Cbor::Map(vec![(
            "Timestamps".into(),
            Cbor::Array(vec![Cbor::Tagged(1, Box::new(Cbor::Int(1_700_000_040)))]),
        )]);
        assert_eq!(
            to_json(&answer),
            serde_json::json!({"Timestamps": [1_700_000_040]})
        );
    }

    #[test]
    fn rpo_lag_exists_only_for_aurora_postgresql() {
        let set = RegionMetrics {
            replication_lag_ms: Some(1500.0),
            rpo_lag_ms: Some(2500.0),
            progress_lag_ms: None,
            data_transfer_bytes: None,
            since_ms: 0,
        };
        assert_eq!(
            set.value("AuroraGlobalDBRPOLag", "aurora-postgresql"),
            Some(2500.0)
        );
        assert_eq!(set.value("AuroraGlobalDBRPOLag", "aurora-mysql"), None);
        assert_eq!(
            set.value("AuroraGlobalDBProgressLag", "aurora-mysql"),
            Some(1500.0)
        );
        assert_eq!(
            set.value("AuroraGlobalDBDataTransferBytes", "aurora-mysql"),
            None
        );
        assert_eq!(set.value("CPUUtilization", "aurora-mysql"), None);
    }
}
