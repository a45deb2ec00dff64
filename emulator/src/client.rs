//! A typed client for the admin API under `/_emulator/` (state, call log,
//! reset, region outages, faults, throttling, rate limits, the virtual
//! clock), for tests and benchmarks: [`AdminClient`] for async callers (an
//! emulator running in the caller's own tokio runtime must be called this
//! way) and [`BlockingAdminClient`] for plain threads.
//!
//! It speaks just enough HTTP/1.1 for this API: one request per connection
//! (`Connection: close`), a loopback `Host` header, a body read to the end
//! and delimited by `Content-Length` or chunked encoding.

use crate::shared::Call;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;

/// How long one admin exchange may take, connect to last byte.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why an admin call failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The TCP connection could not be opened.
    #[error("connecting to the emulator at {addr}: {source}")]
    Connect {
        /// The emulator's address.
        addr: SocketAddr,
        /// The socket error.
        source: std::io::Error,
    },
    /// Writing the request or reading the answer failed.
    #[error("{method} /_emulator/{path}: {source}")]
    Io {
        /// The request method.
        method: &'static str,
        /// The path under `/_emulator/`.
        path: String,
        /// The socket error.
        source: std::io::Error,
    },
    /// No complete answer within the exchange timeout.
    #[error("{method} /_emulator/{path}: no answer within {EXCHANGE_TIMEOUT:?}")]
    Timeout {
        /// The request method.
        method: &'static str,
        /// The path under `/_emulator/`.
        path: String,
    },
    /// The answer was not an HTTP/1.1 response this client understands.
    #[error("{method} /_emulator/{path}: malformed answer: {reason}")]
    Malformed {
        /// The request method.
        method: &'static str,
        /// The path under `/_emulator/`.
        path: String,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// The emulator answered with a non-2xx status.
    #[error("{method} /_emulator/{path}: HTTP {status}: {body}")]
    Status {
        /// The request method.
        method: &'static str,
        /// The path under `/_emulator/`.
        path: String,
        /// The HTTP status.
        status: u16,
        /// The answer's body (a JSON `{"error": ...}` object).
        body: String,
    },
    /// A 2xx answer whose body is not the JSON expected.
    #[error("{method} /_emulator/{path}: unexpected body: {source}")]
    Json {
        /// The request method.
        method: &'static str,
        /// The path under `/_emulator/`.
        path: String,
        /// The decoding error.
        source: serde_json::Error,
    },
}

/// One injected failure for `POST /_emulator/faults`: the `nth` next call of
/// `action` (in `region`, if set) answers `code` with `status` and
/// `message`, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    action: String,
    nth: u64,
    code: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl Fault {
    /// The next call of `action` (`"*"` for any action) fails with a 500
    /// `InternalFailure`.
    pub fn new(action: impl Into<String>) -> Self {
        Fault {
            action: action.into(),
            nth: 1,
            code: "InternalFailure".to_string(),
            status: 500,
            region: None,
            message: None,
        }
    }
    /// Fails the `nth` matching call instead of the next one (1-based).
    #[must_use]
    pub fn nth(mut self, nth: u64) -> Self {
        self.nth = nth;
        self
    }
    /// Answers this error code and HTTP status (400..=599).
    #[must_use]
    pub fn error(mut self, code: impl Into<String>, status: u16) -> Self {
        self.code = code.into();
        self.status = status;
        self
    }
    /// Matches only calls signed for `region`.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
    /// The error message (default `Injected fault`).
    #[must_use]
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// A change of the virtual clock (`POST /_emulator/clock`): both parts in
/// one request, applied together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ClockChange {
    /// Moves the virtual clock forward, completing what falls due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advance_seconds: Option<f64>,
    /// Duration multiplier for operations started from now on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_scale: Option<f64>,
}

/// Switchable AWS behaviours (`POST /_emulator/behaviour`); `None` leaves a
/// setting as it is. All are off after a reset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Behaviour {
    /// RemoveFromGlobalCluster returns while the cluster is still listed;
    /// it is `promoting` (secondaries) until it has left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub async_detach: Option<bool>,
    /// Milliseconds during which a just-created object is missing from
    /// Describe calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_after_write_lag_ms: Option<u64>,
    /// Global clusters keep no tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_global_tags: Option<bool>,
}

impl Behaviour {
    /// Everything on: asynchronous detach, `lag_ms` of read-after-write lag,
    /// global-cluster tags dropped.
    pub fn realistic(lag_ms: u64) -> Self {
        Behaviour {
            async_detach: Some(true),
            read_after_write_lag_ms: Some(lag_ms),
            drop_global_tags: Some(true),
        }
    }
}

/// CloudWatch lag values for `POST /_emulator/metrics`: every
/// global-database secondary in `region` reports them from now on. A value
/// left unset has no datapoints (`rpo_lag_ms` only ever shows on
/// aurora-postgresql clusters, as in AWS).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LagMetrics {
    /// The region whose secondaries report these values.
    pub region: String,
    /// `AuroraGlobalDBReplicationLag`, ms.
    pub replication_lag_ms: Option<f64>,
    /// `AuroraGlobalDBRPOLag`, ms.
    pub rpo_lag_ms: Option<f64>,
    /// `AuroraGlobalDBProgressLag`, ms (unset: the replication lag).
    pub progress_lag_ms: Option<f64>,
    /// `AuroraGlobalDBDataTransferBytes`.
    pub data_transfer_bytes: Option<f64>,
}

impl LagMetrics {
    /// Replication and RPO lag of `region`'s secondaries, in ms.
    pub fn new(region: impl Into<String>, replication_lag_ms: f64, rpo_lag_ms: f64) -> Self {
        LagMetrics {
            region: region.into(),
            replication_lag_ms: Some(replication_lag_ms),
            rpo_lag_ms: Some(rpo_lag_ms),
            progress_lag_ms: None,
            data_transfer_bytes: None,
        }
    }
}

/// The object of a forced status (`POST /_emulator/status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// A DB cluster: region and identifier.
    Cluster(String, String),
    /// A DB instance: region and identifier.
    Instance(String, String),
}

/// One admin request, transport-neutral.
struct Request {
    method: &'static str,
    path: String,
    body: String,
}

impl Request {
    fn new(method: &'static str, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            body: String::new(),
        }
    }

    fn json(method: &'static str, path: impl Into<String>, body: &impl Serialize) -> Self {
        Request {
            method,
            path: path.into(),
            // Serialising these plain structs and `json!` values cannot fail.
            body: serde_json::to_string(body).unwrap_or_default(),
        }
    }

    fn bytes(&self, addr: SocketAddr) -> Vec<u8> {
        format!(
            "{} /_emulator/{} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            self.method,
            self.path,
            self.body.len(),
            self.body
        )
        .into_bytes()
    }

    fn io(&self, source: std::io::Error) -> AdminError {
        AdminError::Io {
            method: self.method,
            path: self.path.clone(),
            source,
        }
    }

    fn timeout(&self) -> AdminError {
        AdminError::Timeout {
            method: self.method,
            path: self.path.clone(),
        }
    }

    fn malformed(&self, reason: &'static str) -> AdminError {
        AdminError::Malformed {
            method: self.method,
            path: self.path.clone(),
            reason,
        }
    }

    /// Splits a whole answer into status and body.
    fn parse(&self, raw: &[u8]) -> Result<Reply, AdminError> {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| self.malformed("no end of headers"))?;
        let (head, rest) = raw.split_at(end);
        let body = rest.get(4..).unwrap_or_default();
        let head = String::from_utf8_lossy(head);
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.strip_prefix("HTTP/1.1 "))
            .and_then(|l| l.get(..3))
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| self.malformed("no HTTP/1.1 status line"))?;
        let header = |name: &str| {
            head.split("\r\n").skip(1).find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
            })
        };
        let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            dechunk(body).ok_or_else(|| self.malformed("bad chunked body"))?
        } else if let Some(len) = header("content-length") {
            let len: usize = len
                .parse()
                .map_err(|_| self.malformed("bad Content-Length"))?;
            body.get(..len)
                .ok_or_else(|| self.malformed("body shorter than Content-Length"))?
                .to_vec()
        } else {
            body.to_vec()
        };
        Ok(Reply {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// The JSON of a 2xx answer.
    fn decode<T: serde::de::DeserializeOwned>(&self, reply: Reply) -> Result<T, AdminError> {
        if !(200..300).contains(&reply.status) {
            return Err(AdminError::Status {
                method: self.method,
                path: self.path.clone(),
                status: reply.status,
                body: reply.body,
            });
        }
        serde_json::from_str(&reply.body).map_err(|source| AdminError::Json {
            method: self.method,
            path: self.path.clone(),
            source,
        })
    }
}

/// The concatenated data of a chunked body.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let (size, after) = rest.split_at(line_end);
        let size = std::str::from_utf8(size).ok()?;
        let size = size.split(';').next()?.trim();
        let n = usize::from_str_radix(size, 16).ok()?;
        let after = after.get(2..)?;
        if n == 0 {
            return Some(out);
        }
        out.extend_from_slice(after.get(..n)?);
        rest = after.get(n..)?.strip_prefix(b"\r\n")?;
    }
}

/// An admin answer: status and body, whatever the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body (JSON).
    pub body: String,
}

impl Reply {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// The requests behind the typed methods, shared by both clients.
mod requests {
    use super::{json, Behaviour, ClockChange, Fault, LagMetrics, Object, Request};

    pub(super) fn state() -> Request {
        Request::new("GET", "state")
    }
    pub(super) fn calls() -> Request {
        Request::new("GET", "calls")
    }
    pub(super) fn clear_calls() -> Request {
        Request::new("DELETE", "calls")
    }
    pub(super) fn reset() -> Request {
        Request::new("POST", "reset")
    }
    pub(super) fn outage(region: &str, on: bool) -> Request {
        Request::new(
            if on { "POST" } else { "DELETE" },
            format!("regions/{region}/outage"),
        )
    }
    pub(super) fn faults() -> Request {
        Request::new("GET", "faults")
    }
    pub(super) fn add_fault(fault: &Fault) -> Request {
        Request::json("POST", "faults", fault)
    }
    pub(super) fn throttle(fraction: f64) -> Request {
        Request::json("POST", "faults", &json!({ "throttle": fraction }))
    }
    pub(super) fn server_error(fraction: f64) -> Request {
        Request::json("POST", "faults", &json!({ "server_error": fraction }))
    }
    pub(super) fn rate_limit(per_second: u32) -> Request {
        Request::json(
            "POST",
            "faults",
            &json!({ "rate_limit_per_second": per_second }),
        )
    }
    pub(super) fn clear_faults() -> Request {
        Request::new("DELETE", "faults")
    }
    pub(super) fn clock(change: ClockChange) -> Request {
        Request::json("POST", "clock", &change)
    }
    pub(super) fn health() -> Request {
        Request::new("GET", "health")
    }
    pub(super) fn maintenance(region: Option<&str>) -> Request {
        Request::json("POST", "maintenance", &json!({ "region": region }))
    }
    pub(super) fn behaviour(b: &Behaviour) -> Request {
        Request::json("POST", "behaviour", b)
    }
    pub(super) fn force_status(object: &Object, status: &str, seconds: Option<f64>) -> Request {
        let (kind, region, id) = match object {
            Object::Cluster(r, i) => ("cluster", r, i),
            Object::Instance(r, i) => ("instance", r, i),
        };
        Request::json(
            "POST",
            "status",
            &json!({ "region": region, kind: id, "status": status, "seconds": seconds }),
        )
    }
    pub(super) fn set_metrics(metrics: &LagMetrics) -> Request {
        Request::json("POST", "metrics", metrics)
    }
    pub(super) fn clear_metrics() -> Request {
        Request::new("DELETE", "metrics")
    }
}

/// Async client for one emulator's admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminClient {
    addr: SocketAddr,
}

impl AdminClient {
    /// A client for the emulator listening on `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        AdminClient { addr }
    }

    /// Sends any request and returns the answer whatever its status (for
    /// testing the API's own error answers; the typed methods are the
    /// normal way in).
    pub async fn request(
        &self,
        method: &'static str,
        path: &str,
        body: &str,
    ) -> Result<Reply, AdminError> {
        self.exchange(&Request {
            method,
            path: path.to_string(),
            body: body.to_string(),
        })
        .await
    }

    async fn exchange(&self, req: &Request) -> Result<Reply, AdminError> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let io = async {
            let mut s = tokio::net::TcpStream::connect(self.addr)
                .await
                .map_err(|source| AdminError::Connect {
                    addr: self.addr,
                    source,
                })?;
            s.write_all(&req.bytes(self.addr))
                .await
                .map_err(|e| req.io(e))?;
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).await.map_err(|e| req.io(e))?;
            req.parse(&raw)
        };
        tokio::time::timeout(EXCHANGE_TIMEOUT, io)
            .await
            .map_err(|_| req.timeout())?
    }

    async fn call<T: serde::de::DeserializeOwned>(&self, req: Request) -> Result<T, AdminError> {
        let reply = self.exchange(&req).await?;
        req.decode(reply)
    }

    async fn ok(&self, req: Request) -> Result<(), AdminError> {
        self.call::<Value>(req).await.map(drop)
    }

    /// Every object with its status, settled to now (the document described
    /// in `docs/emulator.md`).
    pub async fn state(&self) -> Result<Value, AdminError> {
        self.call(requests::state()).await
    }
    /// The call log, oldest first.
    pub async fn calls(&self) -> Result<Vec<Call>, AdminError> {
        self.call(requests::calls()).await
    }
    /// Empties the call log.
    pub async fn clear_calls(&self) -> Result<(), AdminError> {
        self.ok(requests::clear_calls()).await
    }
    /// Forgets all state, calls, faults, outages and the clock offset.
    pub async fn reset(&self) -> Result<(), AdminError> {
        self.ok(requests::reset()).await
    }
    /// Starts an outage of `region`: its calls get their connection closed.
    pub async fn outage(&self, region: &str) -> Result<(), AdminError> {
        self.ok(requests::outage(region, true)).await
    }
    /// Ends the outage of `region`.
    pub async fn restore(&self, region: &str) -> Result<(), AdminError> {
        self.ok(requests::outage(region, false)).await
    }
    /// Pending faults, throttle, server error fraction and rate limit.
    pub async fn faults(&self) -> Result<Value, AdminError> {
        self.call(requests::faults()).await
    }
    /// Arms one injected failure.
    pub async fn add_fault(&self, fault: &Fault) -> Result<(), AdminError> {
        self.ok(requests::add_fault(fault)).await
    }
    /// Throttles exactly this fraction (0..=1) of all calls.
    pub async fn throttle(&self, fraction: f64) -> Result<(), AdminError> {
        self.ok(requests::throttle(fraction)).await
    }
    /// Answers this fraction (0..=1) of all calls with a 500 `InternalFailure`.
    pub async fn server_error(&self, fraction: f64) -> Result<(), AdminError> {
        self.ok(requests::server_error(fraction)).await
    }
    /// Limits each region to `per_second` calls over a sliding second.
    pub async fn rate_limit(&self, per_second: u32) -> Result<(), AdminError> {
        self.ok(requests::rate_limit(per_second)).await
    }
    /// Removes every fault, the throttle, server errors and the rate limit.
    pub async fn clear_faults(&self) -> Result<(), AdminError> {
        self.ok(requests::clear_faults()).await
    }
    /// Moves the virtual clock and/or changes the time scale.
    pub async fn clock(&self, change: ClockChange) -> Result<(), AdminError> {
        self.ok(requests::clock(change)).await
    }
    /// Moves the virtual clock forward by `seconds`.
    pub async fn advance(&self, seconds: f64) -> Result<(), AdminError> {
        self.clock(ClockChange {
            advance_seconds: Some(seconds),
            time_scale: None,
        })
        .await
    }
    /// Sets the duration multiplier for operations started from now on.
    pub async fn set_time_scale(&self, scale: f64) -> Result<(), AdminError> {
        self.clock(ClockChange {
            advance_seconds: None,
            time_scale: Some(scale),
        })
        .await
    }
    /// Whether the emulator answers.
    pub async fn health(&self) -> Result<(), AdminError> {
        self.ok(requests::health()).await
    }
    /// Applies every modification waiting for a maintenance window (in
    /// `region`, or everywhere) now; returns how many clusters and
    /// instances had some.
    pub async fn apply_pending_maintenance(&self, region: Option<&str>) -> Result<u64, AdminError> {
        let v: Value = self.call(requests::maintenance(region)).await?;
        Ok(v.get("applied").and_then(Value::as_u64).unwrap_or(0))
    }
    /// Switches AWS behaviours on or off; returns the whole setting.
    pub async fn behaviour(&self, b: &Behaviour) -> Result<Value, AdminError> {
        self.call(requests::behaviour(b)).await
    }
    /// Puts a cluster or instance into `status`, back to `available` after
    /// `seconds` of virtual time, or for good with `None`.
    pub async fn force_status(
        &self,
        object: &Object,
        status: &str,
        seconds: Option<f64>,
    ) -> Result<(), AdminError> {
        self.ok(requests::force_status(object, status, seconds))
            .await
    }
    /// Sets the CloudWatch lag values of a region's secondaries.
    pub async fn set_metrics(&self, metrics: &LagMetrics) -> Result<(), AdminError> {
        self.ok(requests::set_metrics(metrics)).await
    }
    /// Removes every region's lag values (no datapoints anywhere).
    pub async fn clear_metrics(&self) -> Result<(), AdminError> {
        self.ok(requests::clear_metrics()).await
    }
}

/// Blocking client for one emulator's admin API (plain threads; do not call
/// it from the runtime that serves the emulator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockingAdminClient {
    addr: SocketAddr,
}

impl BlockingAdminClient {
    /// A client for the emulator listening on `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        BlockingAdminClient { addr }
    }

    /// Sends any request and returns the answer whatever its status.
    pub fn request(
        &self,
        method: &'static str,
        path: &str,
        body: &str,
    ) -> Result<Reply, AdminError> {
        self.exchange(&Request {
            method,
            path: path.to_string(),
            body: body.to_string(),
        })
    }

    fn exchange(&self, req: &Request) -> Result<Reply, AdminError> {
        use std::io::{Read, Write};
        let connect = |source| AdminError::Connect {
            addr: self.addr,
            source,
        };
        let mut s =
            std::net::TcpStream::connect_timeout(&self.addr, EXCHANGE_TIMEOUT).map_err(connect)?;
        s.set_read_timeout(Some(EXCHANGE_TIMEOUT))
            .and_then(|()| s.set_write_timeout(Some(EXCHANGE_TIMEOUT)))
            .map_err(|e| req.io(e))?;
        s.write_all(&req.bytes(self.addr)).map_err(|e| req.io(e))?;
        let mut raw = Vec::new();
        match s.read_to_end(&mut raw) {
            Ok(_) => req.parse(&raw),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Err(req.timeout())
            }
            Err(e) => Err(req.io(e)),
        }
    }

    fn call<T: serde::de::DeserializeOwned>(&self, req: Request) -> Result<T, AdminError> {
        let reply = self.exchange(&req)?;
        req.decode(reply)
    }

    fn ok(&self, req: Request) -> Result<(), AdminError> {
        self.call::<Value>(req).map(drop)
    }

    /// See [`AdminClient::state`].
    pub fn state(&self) -> Result<Value, AdminError> {
        self.call(requests::state())
    }
    /// See [`AdminClient::calls`].
    pub fn calls(&self) -> Result<Vec<Call>, AdminError> {
        self.call(requests::calls())
    }
    /// See [`AdminClient::clear_calls`].
    pub fn clear_calls(&self) -> Result<(), AdminError> {
        self.ok(requests::clear_calls())
    }
    /// See [`AdminClient::reset`].
    pub fn reset(&self) -> Result<(), AdminError> {
        self.ok(requests::reset())
    }
    /// See [`AdminClient::outage`].
    pub fn outage(&self, region: &str) -> Result<(), AdminError> {
        self.ok(requests::outage(region, true))
    }
    /// See [`AdminClient::restore`].
    pub fn restore(&self, region: &str) -> Result<(), AdminError> {
        self.ok(requests::outage(region, false))
    }
    /// See [`AdminClient::faults`].
    pub fn faults(&self) -> Result<Value, AdminError> {
        self.call(requests::faults())
    }
    /// See [`AdminClient::add_fault`].
    pub fn add_fault(&self, fault: &Fault) -> Result<(), AdminError> {
        self.ok(requests::add_fault(fault))
    }
    /// See [`AdminClient::throttle`].
    pub fn throttle(&self, fraction: f64) -> Result<(), AdminError> {
        self.ok(requests::throttle(fraction))
    }
    /// See [`AdminClient::server_error`].
    pub fn server_error(&self, fraction: f64) -> Result<(), AdminError> {
        self.ok(requests::server_error(fraction))
    }
    /// See [`AdminClient::rate_limit`].
    pub fn rate_limit(&self, per_second: u32) -> Result<(), AdminError> {
        self.ok(requests::rate_limit(per_second))
    }
    /// See [`AdminClient::clear_faults`].
    pub fn clear_faults(&self) -> Result<(), AdminError> {
        self.ok(requests::clear_faults())
    }
    /// See [`AdminClient::clock`].
    pub fn clock(&self, change: ClockChange) -> Result<(), AdminError> {
        self.ok(requests::clock(change))
    }
    /// See [`AdminClient::advance`].
    pub fn advance(&self, seconds: f64) -> Result<(), AdminError> {
        self.clock(ClockChange {
            advance_seconds: Some(seconds),
            time_scale: None,
        })
    }
    /// See [`AdminClient::set_time_scale`].
    pub fn set_time_scale(&self, scale: f64) -> Result<(), AdminError> {
        self.clock(ClockChange {
            advance_seconds: None,
            time_scale: Some(scale),
        })
    }
    /// See [`AdminClient::health`].
    pub fn health(&self) -> Result<(), AdminError> {
        self.ok(requests::health())
    }
    /// See [`AdminClient::apply_pending_maintenance`].
    pub fn apply_pending_maintenance(&self, region: Option<&str>) -> Result<u64, AdminError> {
        let v: Value = self.call(requests::maintenance(region))?;
        Ok(v.get("applied").and_then(Value::as_u64).unwrap_or(0))
    }
    /// See [`AdminClient::behaviour`].
    pub fn behaviour(&self, b: &Behaviour) -> Result<Value, AdminError> {
        self.call(requests::behaviour(b))
    }
    /// See [`AdminClient::force_status`].
    pub fn force_status(
        &self,
        object: &Object,
        status: &str,
        seconds: Option<f64>,
    ) -> Result<(), AdminError> {
        self.ok(requests::force_status(object, status, seconds))
    }
    /// See [`AdminClient::set_metrics`].
    pub fn set_metrics(&self, metrics: &LagMetrics) -> Result<(), AdminError> {
        self.ok(requests::set_metrics(metrics))
    }
    /// See [`AdminClient::clear_metrics`].
    pub fn clear_metrics(&self) -> Result<(), AdminError> {
        self.ok(requests::clear_metrics())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_with_length_chunked_or_close_delimited_bodies() {
        let req = requests::state();
        let table: [(&[u8], u16, &str); 3] = [
            (
                b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}trailing",
                200,
                "{}",
            ),
            (
                b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n",
                404,
                "{\"a\":1}",
            ),
            (b"HTTP/1.1 200 OK\r\n\r\n[]", 200, "[]"),
        ];
        for (raw, status, body) in table {
            let r = req.parse(raw).unwrap();
            assert_eq!((r.status, r.body.as_str()), (status, body));
        }
        for bad in [
            &b"HTTP/1.1 200 OK\r\n"[..],
            b"SMTP 220\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n{}",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        ] {
            assert!(
                matches!(req.parse(bad), Err(AdminError::Malformed { .. })),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn faults_serialise_as_the_api_expects() {
        let f = Fault::new("CreateDBCluster")
            .nth(2)
            .error("InvalidParameterValue", 400)
            .region("eu-west-1")
            .message("no");
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            json!({"action": "CreateDBCluster", "nth": 2, "code": "InvalidParameterValue",
                   "status": 400, "region": "eu-west-1", "message": "no"})
        );
        assert_eq!(
            serde_json::to_value(Fault::new("*")).unwrap(),
            json!({"action": "*", "nth": 1, "code": "InternalFailure", "status": 500})
        );
    }
}
