//! The HTTP edge: one hyper HTTP/1.1 server for the RDS Query API and the
//! admin API, the request pipeline (signature → outage → action → rate limit
//! → throttle → injected fault → handler) and the call log.

use crate::error::ApiError;
use crate::model::State;
use crate::query::Params;
use crate::rds::{self, Ctx};
use crate::shared::{Call, Inner, Shared};
use crate::{admin, cloudwatch, ids, EmulatorConfig};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

/// Largest request body accepted.
const MAX_BODY: usize = 1 << 20;

/// How long a client may take to send a request's headers (hyper closes
/// the connection after it; it needs a timer to enforce it).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client may take to send a request's body once its headers
/// arrived.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Other services' actions that clients pointed at the emulator by a shared
/// endpoint (`AWS_ENDPOINT_URL`) send; named in the call log so that tests
/// can see them. Any other unknown action is logged as "".
const FOREIGN_ACTIONS: &[&str] = &[
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "GetCallerIdentity",
];

/// The error a request future returns to make hyper close the connection
/// without writing any response (a region outage).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped: region {0} is in outage")]
pub(crate) struct Dropped(pub(crate) String);

/// A running emulator.
pub struct RunningEmulator {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    shared: Arc<Shared>,
}

impl RunningEmulator {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://IP:PORT`, for `endpoint_url`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// An async client for this emulator's admin API.
    pub fn admin(&self) -> crate::AdminClient {
        crate::AdminClient::new(self.addr)
    }
    /// Stops accepting, closes connections and saves the state file.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
        let st = self.shared.lock().st.clone();
        self.shared.save(&st);
    }
}

pub(crate) async fn start(
    listen: SocketAddr,
    config: EmulatorConfig,
) -> std::io::Result<RunningEmulator> {
    let mut st = State::default();
    if let Some(path) = &config.state_file {
        if path.exists() {
            let bytes = std::fs::read(path)?;
            st = serde_json::from_slice(&bytes).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("state file {}: {e}", path.display()),
                )
            })?;
        }
    }
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        inner: Mutex::new(Inner {
            st,
            time_scale: config.time_scale,
            ..Inner::default()
        }),
        config,
        started: Instant::now(),
    });
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
    let accept_shared = shared.clone();
    let task = tokio::spawn(async move {
        let mut conns = JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut stop_rx => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let shared = accept_shared.clone();
                    conns.spawn(async move {
                        let svc = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                        let _ = hyper::server::conn::http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(HEADER_READ_TIMEOUT)
                            .keep_alive(true)
                            .serve_connection(TokioIo::new(stream), svc)
                            .await;
                    });
                }
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        }
        conns.shutdown().await;
    });
    Ok(RunningEmulator {
        addr,
        stop: Some(stop_tx),
        task,
        shared,
    })
}

type Resp = Response<Full<Bytes>>;

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let (parts, body) = req.into_parts();
    if !parts
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(is_loopback_host)
    {
        let e = ApiError::new(
            "InvalidHostHeader",
            403,
            "The Host header must name a loopback address (127.0.0.0/8, localhost or [::1]), with or without a port",
        );
        return Ok(error_response(&e, &ids::request_id()));
    }
    let read = tokio::time::timeout(BODY_READ_TIMEOUT, Limited::new(body, MAX_BODY).collect());
    let body = match read.await {
        Ok(Ok(b)) => b.to_bytes(),
        Err(_) => {
            let e = ApiError::new(
                "RequestTimeout",
                408,
                "The request body did not arrive in time",
            );
            return Ok(error_response(&e, &ids::request_id()));
        }
        Ok(Err(_)) => {
            let e = ApiError::new(
                "RequestEntityTooLarge",
                413,
                "Request body too large or unreadable",
            );
            return Ok(error_response(&e, &ids::request_id()));
        }
    };
    let path = parts.uri.path();
    if let Some(rest) = path.strip_prefix("/_emulator/") {
        return Ok(admin::handle(&shared, &parts.method, rest, &body));
    }
    // CloudWatch: RPC v2 CBOR by path, AWS JSON 1.0 by X-Amz-Target.
    let json_target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(cloudwatch::TARGET_PREFIX));
    let cloudwatch_call = match (path.strip_prefix(cloudwatch::PATH_PREFIX), json_target) {
        (Some(op), _) => Some((cloudwatch::Protocol::Cbor, op)),
        (None, Some(op)) if path == "/" => Some((cloudwatch::Protocol::Json, op)),
        _ => None,
    };
    if let (Some((protocol, operation)), true) = (cloudwatch_call, parts.method == Method::POST) {
        let auth = parts
            .headers
            .get(hyper::header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or("\u{0}"));
        return cloudwatch::handle(&shared, protocol, operation, auth, &body);
    }
    if parts.method != Method::POST && parts.method != Method::GET {
        let e = ApiError::new(
            "InvalidAction",
            400,
            format!("Unsupported HTTP method {}", parts.method),
        );
        return Ok(error_response(&e, &ids::request_id()));
    }
    let mut params = Params::parse(&body);
    if let Some(q) = parts.uri.query() {
        params.merge(Params::parse(q.as_bytes()));
    }
    let auth = parts
        .headers
        .get(hyper::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    rds_call(&shared, auth, &params)
}

/// Whether a `Host` header names this machine: `localhost`, an address in
/// 127.0.0.0/8 or `[::1]`, each with or without a port. Anything else is
/// refused, so a web page whose name was rebound to 127.0.0.1 (DNS
/// rebinding) cannot drive the emulator from a browser.
fn is_loopback_host(host: &str) -> bool {
    let port_ok = |p: &str| p.is_empty() || p.parse::<u16>().is_ok();
    if let Some(rest) = host.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after.strip_prefix(':') {
            Some(p) if !p.is_empty() => p,
            Some(_) => return false,
            None if after.is_empty() => "",
            None => return false,
        };
        return port_ok(port)
            && ip
                .parse::<std::net::Ipv6Addr>()
                .is_ok_and(|a| a.is_loopback());
    }
    let (name, port) = match host.split_once(':') {
        Some((_, "")) => return false,
        Some((n, p)) => (n, p),
        None => (host, ""),
    };
    port_ok(port)
        && (name.eq_ignore_ascii_case("localhost")
            || name
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|a| a.is_loopback()))
}

/// Region from a SigV4 `Authorization` header or `X-Amz-Credential` query parameter.
pub(crate) fn region_from_auth(auth: Option<&str>, params: &Params) -> Result<String, ApiError> {
    region_from_scope(auth, params, "rds")
}

/// Region from a SigV4 `Authorization` header scoped to `service`.
pub(crate) fn region_for_service(auth: Option<&str>, service: &str) -> Result<String, ApiError> {
    region_from_scope(auth, &Params::default(), service)
}

fn region_from_scope(
    auth: Option<&str>,
    params: &Params,
    service: &str,
) -> Result<String, ApiError> {
    let credential = match (auth, params.get("X-Amz-Credential")) {
        (Some(h), _) => {
            let h = h.trim();
            let rest = h.strip_prefix("AWS4-HMAC-SHA256").ok_or_else(|| {
                ApiError::incomplete_signature(format!(
                    "Authorization header requires 'Credential' parameter. Authorization={h}"
                ))
            })?;
            rest.split(',')
                .map(str::trim)
                .find_map(|p| p.strip_prefix("Credential="))
                .ok_or_else(|| {
                    ApiError::incomplete_signature(format!(
                        "Authorization header requires 'Credential' parameter. Authorization={h}"
                    ))
                })?
                .to_string()
        }
        (None, Some(c)) => c.to_string(),
        (None, None) => {
            return Err(ApiError::missing_token(
                "Request is missing Authentication Token",
            ))
        }
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let [key, date, region, scope_service, "aws4_request"] = parts.as_slice() else {
        return Err(ApiError::incomplete_signature(format!(
            "Credential should be scoped to a valid region and service, not '{credential}'."
        )));
    };
    if *scope_service != service || key.is_empty() {
        return Err(ApiError::incomplete_signature(format!(
            "Credential should be scoped to a valid region and service, not '{credential}'."
        )));
    }
    if date.len() != 8
        || !date.chars().all(|c| c.is_ascii_digit())
        || !ids::looks_like_region(region)
    {
        return Err(ApiError::incomplete_signature(format!(
            "Credential should be scoped to a valid region, not '{region}'."
        )));
    }
    Ok(region.to_string())
}

fn rds_call(shared: &Shared, auth: Option<&str>, params: &Params) -> Result<Resp, Dropped> {
    let request_id = ids::request_id();
    let action = params.get("Action").unwrap_or("").to_string();
    let logged_action =
        if rds::ACTIONS.contains(&action.as_str()) || FOREIGN_ACTIONS.contains(&action.as_str()) {
            action.clone()
        } else {
            String::new()
        };
    let region = region_from_auth(auth, params);
    let mut inner = shared.lock();
    let time_ms = shared.started.elapsed().as_millis() as u64;
    inner.seq += 1;
    let seq = inner.seq;
    let region_name = region.as_ref().cloned().unwrap_or_default();
    let log = |inner: &mut Inner, status: u16, code: Option<String>| {
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
    let result = (|| -> Result<Option<String>, ApiError> {
        let region = region?;
        if action.is_empty() {
            return Err(ApiError::missing_action(
                "The request must contain the parameter Action",
            ));
        }
        let version = params.required("Version")?;
        if version != "2014-10-31" || !rds::ACTIONS.contains(&action.as_str()) {
            return Err(ApiError::invalid_action(format!(
                "Could not find operation {action} for version {version}"
            )));
        }
        check_rate(&mut inner, &region)?;
        check_throttle(&mut inner)?;
        check_server_error(&mut inner)?;
        check_faults(&mut inner, &action, &region)?;
        inner.settle();
        let now = inner.now();
        let scale = inner.time_scale;
        let mut ctx = Ctx {
            st: &mut inner.st,
            region,
            now,
            scale,
            p: params,
        };
        rds::dispatch(&action, &mut ctx)
    })();
    let resp = match result {
        Ok(body) => {
            log(&mut inner, 200, None);
            if !crate::shared::is_read(&action) {
                // Saved under the lock so that files are written in call order.
                shared.save(&inner.st);
            }
            ok_response(&action, body.as_deref(), &request_id)
        }
        Err(e) => {
            log(&mut inner, e.status, Some(e.code.clone()));
            error_response(&e, &request_id)
        }
    };
    Ok(resp)
}

pub(crate) fn check_rate(inner: &mut Inner, region: &str) -> Result<(), ApiError> {
    let Some(limit) = inner.rate_limit else {
        return Ok(());
    };
    let now = Instant::now();
    let w = inner.windows.entry(region.to_string()).or_default();
    while w
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        w.pop_front();
    }
    if w.len() >= limit as usize {
        return Err(ApiError::throttling("Rate exceeded"));
    }
    w.push_back(now);
    Ok(())
}

pub(crate) fn check_throttle(inner: &mut Inner) -> Result<(), ApiError> {
    if inner.throttle <= 0.0 {
        return Ok(());
    }
    inner.throttle_acc += inner.throttle.min(1.0);
    if inner.throttle_acc >= 1.0 - 1e-9 {
        inner.throttle_acc -= 1.0;
        return Err(ApiError::throttling("Rate exceeded"));
    }
    Ok(())
}

pub(crate) fn check_server_error(inner: &mut Inner) -> Result<(), ApiError> {
    if inner.server_error <= 0.0 {
        return Ok(());
    }
    inner.server_error_acc += inner.server_error.min(1.0);
    if inner.server_error_acc >= 1.0 - 1e-9 {
        inner.server_error_acc -= 1.0;
        return Err(ApiError::new(
            "InternalFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
        ));
    }
    Ok(())
}

pub(crate) fn check_faults(inner: &mut Inner, action: &str, region: &str) -> Result<(), ApiError> {
    let hit = inner.faults.iter_mut().position(|f| {
        let matches = f.action.as_deref().is_none_or(|a| a == action)
            && f.region.as_deref().is_none_or(|r| r == region);
        if matches {
            f.remaining = f.remaining.saturating_sub(1);
        }
        matches && f.remaining == 0
    });
    match hit {
        Some(n) => {
            let f = inner.faults.remove(n);
            Err(ApiError::new(&f.code, f.status, f.message))
        }
        None => Ok(()),
    }
}

fn xml_response(status: u16, body: String, request_id: &str) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
        .header("content-type", "text/xml")
        .header("x-amzn-RequestId", request_id)
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// `<{Action}Response>` with an optional `<{Action}Result>`.
pub(crate) fn ok_response(action: &str, result: Option<&str>, request_id: &str) -> Resp {
    let mut body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\">"
    );
    if let Some(r) = result {
        body.push_str(&format!("<{action}Result>{r}</{action}Result>"));
    }
    body.push_str(&format!(
        "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    ));
    xml_response(200, body, request_id)
}

/// `<ErrorResponse>` for an error.
pub(crate) fn error_response(e: &ApiError, request_id: &str) -> Resp {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\">\
         <Error><Type>{}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        e.fault_type(),
        crate::xml::escape(&e.code),
        crate::xml::escape(&e.message)
    );
    xml_response(e.status, body, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::ArmedFault;

    #[test]
    fn region_from_signature() {
        let p = Params::default();
        let h = "AWS4-HMAC-SHA256 Credential=AKID/20261126/eu-west-1/rds/aws4_request, SignedHeaders=host, Signature=ab";
        assert_eq!(region_from_auth(Some(h), &p).unwrap(), "eu-west-1");
        assert_eq!(
            region_from_auth(None, &p).unwrap_err().code,
            "MissingAuthenticationToken"
        );
        for bad in [
            "Basic abc",
            "AWS4-HMAC-SHA256 Credential=AKID/x/y",
            "AWS4-HMAC-SHA256 Credential=AKID/20261126/nowhere/rds/aws4_request",
        ] {
            assert_eq!(
                region_from_auth(Some(bad), &p).unwrap_err().code,
                "IncompleteSignature",
                "{bad}"
            );
        }
    }

    #[test]
    fn only_loopback_host_headers_pass() {
        for ok in [
            "localhost",
            "LOCALHOST:4566",
            "127.0.0.1",
            "127.0.0.1:4566",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:4566",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:4566",
            "localhost.evil.example",
            "10.0.0.1:4566",
            "0.0.0.0:4566",
            "128.0.0.1",
            "[::2]:1",
            "[::1",
            "[::1]4566",
            "localhost:",
            "localhost:99999",
            "127.0.0.1:80:80",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn faults_fire_once_on_the_nth_match() {
        let mut inner = Inner::default();
        inner.faults.push(ArmedFault {
            action: Some("A".into()),
            region: None,
            remaining: 2,
            code: "InternalFailure".into(),
            status: 500,
            message: "x".into(),
        });
        assert!(check_faults(&mut inner, "B", "r").is_ok());
        assert!(check_faults(&mut inner, "A", "r").is_ok());
        assert_eq!(check_faults(&mut inner, "A", "r").unwrap_err().status, 500);
        assert!(check_faults(&mut inner, "A", "r").is_ok());
    }

    #[test]
    fn throttle_is_an_exact_fraction() {
        let mut inner = Inner {
            throttle: 0.3,
            ..Inner::default()
        };
        let n = (0..100)
            .filter(|_| check_throttle(&mut inner).is_err())
            .count();
        assert_eq!(n, 30);
    }
}
