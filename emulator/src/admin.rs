//! The JSON admin API under `/_emulator/`: state, call log, reset, region
//! outages, fault injection, the virtual clock, CloudWatch lag values, and
//! (in `behaviour`) switchable AWS behaviours and forced statuses.

mod behaviour;

use crate::ids;
use crate::model::{key, Role};
use crate::shared::{ArmedFault, Inner, Shared};
use crate::timing::iso8601;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Response, StatusCode};
use serde_json::{json, Value};

type Resp = Response<Full<Bytes>>;

fn reply(status: u16, v: &Value) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(v.to_string())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn bad(status: u16, msg: impl Into<String>) -> Resp {
    reply(status, &json!({ "error": msg.into() }))
}

/// Serves one admin request; `path` is what follows `/_emulator/`.
pub(crate) fn handle(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Resp {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["state"]) => reply(200, &state_json(shared)),
        ("GET", ["calls"]) => {
            let inner = shared.lock();
            reply(
                200,
                &serde_json::to_value(&inner.calls).unwrap_or(Value::Null),
            )
        }
        ("DELETE", ["calls"]) => {
            shared.lock().calls.clear();
            reply(200, &json!({ "ok": true }))
        }
        ("POST", ["reset"]) => {
            let mut inner = shared.lock();
            *inner = Inner {
                time_scale: shared.config.time_scale,
                ..Default::default()
            };
            shared.save(&inner.st);
            reply(200, &json!({ "ok": true }))
        }
        ("POST", ["regions", region, "outage"]) => {
            let mut inner = shared.lock();
            inner.st.outages.insert(region.to_string());
            reply(200, &json!({ "ok": true, "outages": inner.st.outages }))
        }
        ("DELETE", ["regions", region, "outage"]) => {
            let mut inner = shared.lock();
            inner.settle();
            let (now, scale) = (inner.now(), inner.time_scale);
            inner.st.outages.remove(*region);
            inner.st.region_restored(region, now, scale);
            reply(200, &json!({ "ok": true, "outages": inner.st.outages }))
        }
        ("GET", ["faults"]) => {
            let inner = shared.lock();
            reply(
                200,
                &json!({
                    "faults": inner.faults,
                    "throttle": inner.throttle,
                    "server_error": inner.server_error,
                    "rate_limit_per_second": inner.rate_limit,
                }),
            )
        }
        ("POST", ["faults"]) => add_fault(shared, body),
        ("DELETE", ["faults"]) => {
            let mut inner = shared.lock();
            inner.faults.clear();
            inner.throttle = 0.0;
            inner.throttle_acc = 0.0;
            inner.server_error = 0.0;
            inner.server_error_acc = 0.0;
            inner.rate_limit = None;
            inner.windows.clear();
            reply(200, &json!({ "ok": true }))
        }
        ("POST", ["clock"]) => set_clock(shared, body),
        ("POST", ["maintenance"]) => maintenance(shared, body),
        ("GET", ["behaviour"]) => behaviour::get(shared),
        ("POST", ["behaviour"]) => behaviour::set(shared, body),
        ("POST", ["status"]) => behaviour::set_status(shared, body),
        ("GET", ["metrics"]) => {
            let inner = shared.lock();
            reply(
                200,
                &serde_json::to_value(&inner.metrics).unwrap_or(Value::Null),
            )
        }
        ("POST", ["metrics"]) => set_metrics(shared, body),
        ("DELETE", ["metrics"]) => {
            shared.lock().metrics.clear();
            reply(200, &json!({ "ok": true }))
        }
        ("GET", ["health"]) => reply(200, &json!({ "ok": true })),
        _ => bad(404, format!("no admin route {method} /_emulator/{path}")),
    }
}

fn add_fault(shared: &Shared, body: &[u8]) -> Resp {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return bad(400, "expected a JSON object"),
        Err(e) => return bad(400, format!("invalid JSON: {e}")),
    };
    let mut inner = shared.lock();
    if let Some(t) = v.get("throttle") {
        match t.as_f64() {
            Some(f) if (0.0..=1.0).contains(&f) => {
                inner.throttle = f;
                inner.throttle_acc = 0.0;
                return reply(200, &json!({ "ok": true }));
            }
            _ => return bad(400, "throttle must be a number between 0 and 1"),
        }
    }
    if let Some(t) = v.get("server_error") {
        match t.as_f64() {
            Some(f) if (0.0..=1.0).contains(&f) => {
                inner.server_error = f;
                inner.server_error_acc = 0.0;
                return reply(200, &json!({ "ok": true }));
            }
            _ => return bad(400, "server_error must be a number between 0 and 1"),
        }
    }
    if let Some(r) = v.get("rate_limit_per_second") {
        match r.as_u64() {
            Some(n) if n > 0 && n <= u64::from(u32::MAX) => {
                inner.rate_limit = Some(n as u32);
                inner.windows.clear();
                return reply(200, &json!({ "ok": true }));
            }
            _ => return bad(400, "rate_limit_per_second must be a positive integer"),
        }
    }
    let str_field = |name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
    let Some(action) = str_field("action") else {
        return bad(
            400,
            "a fault needs \"action\" (or use \"throttle\" / \"rate_limit_per_second\")",
        );
    };
    let nth = match v.get("nth") {
        None | Some(Value::Null) => 1,
        Some(n) => match n.as_u64() {
            Some(n) if n >= 1 => n,
            _ => return bad(400, "nth must be a positive integer"),
        },
    };
    let status = match v.get("status") {
        None | Some(Value::Null) => 500,
        Some(s) => match s.as_u64() {
            Some(s) if (400..=599).contains(&s) => s as u16,
            _ => return bad(400, "status must be an HTTP error status (400..=599)"),
        },
    };
    let fault = ArmedFault {
        action: Some(action).filter(|a| a != "*"),
        region: str_field("region"),
        remaining: nth,
        code: str_field("code").unwrap_or_else(|| "InternalFailure".into()),
        status,
        message: str_field("message").unwrap_or_else(|| "Injected fault".into()),
    };
    inner.faults.push(fault);
    reply(200, &json!({ "ok": true }))
}

/// `POST /_emulator/metrics` with `{"region": R, "replication_lag_ms": N,
/// "rpo_lag_ms": N, "progress_lag_ms": N, "data_transfer_bytes": N}`: the
/// CloudWatch values of every global-database secondary in `R` from now on
/// (a missing or null value: that metric has no datapoints; all of them
/// null: the region's values are removed).
fn set_metrics(shared: &Shared, body: &[u8]) -> Resp {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return bad(400, "expected a JSON object"),
        Err(e) => return bad(400, format!("invalid JSON: {e}")),
    };
    let Some(region) = v.get("region").and_then(Value::as_str) else {
        return bad(400, "\"region\" (a region name) is required");
    };
    if !ids::looks_like_region(region) {
        return bad(400, format!("{region:?} is not a region name"));
    }
    // A field that is present must be a non-negative number; the error
    // names the first field that is not.
    let number = |name: &str| -> Result<Option<f64>, String> {
        match v.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(n) => match n.as_f64() {
                Some(f) if f >= 0.0 && f.is_finite() => Ok(Some(f)),
                _ => Err(format!("{name} must be a non-negative number")),
            },
        }
    };
    let values = (|| {
        Ok::<_, String>((
            number("replication_lag_ms")?,
            number("rpo_lag_ms")?,
            number("progress_lag_ms")?,
            number("data_transfer_bytes")?,
        ))
    })();
    let (replication, rpo, progress, bytes) = match values {
        Ok(t) => t,
        Err(message) => return bad(400, message),
    };
    let mut inner = shared.lock();
    if replication.is_none() && rpo.is_none() && progress.is_none() && bytes.is_none() {
        inner.metrics.remove(region);
    } else {
        let since_ms = inner.now();
        inner.metrics.insert(
            region.to_string(),
            crate::cloudwatch::RegionMetrics {
                replication_lag_ms: replication,
                rpo_lag_ms: rpo,
                progress_lag_ms: progress,
                data_transfer_bytes: bytes,
                since_ms,
            },
        );
    }
    reply(200, &json!({ "ok": true }))
}

/// Every object with its status, settled to now.
pub(crate) fn state_json(shared: &Shared) -> Value {
    let mut inner = shared.lock();
    inner.settle();
    let st = &inner.st;
    let globals: Vec<Value> = st
        .globals
        .values()
        .map(|g| {
            json!({
                "id": g.id,
                "arn": ids::global_arn(&g.id),
                "status": g.status,
                "engine": g.engine,
                "engine_version": st.global_version(g),
                "deletion_protection": g.deletion_protection,
                "members": g.members.iter().map(|m| json!({
                    "cluster_arn": ids::cluster_arn(&m.region, &m.cluster_id),
                    "region": m.region,
                    "cluster_id": m.cluster_id,
                    "is_writer": m.is_writer,
                    "synchronization_status": m.sync,
                })).collect::<Vec<_>>(),
                "failover_state": g.op.as_ref().map(|o| json!({
                    "from": ids::cluster_arn(&o.from.0, &o.from.1),
                    "to": ids::cluster_arn(&o.to.0, &o.to.1),
                    "is_data_loss_allowed": o.data_loss,
                })),
            })
        })
        .collect();
    let clusters: Vec<Value> = st
        .clusters
        .values()
        .map(|c| {
            json!({
                "region": c.region,
                "id": c.id,
                "arn": ids::cluster_arn(&c.region, &c.id),
                "status": c.status,
                "engine": c.engine,
                "engine_version": c.engine_version,
                "global_cluster": c.global,
                "role": match st.role(c) { Role::Standalone => "standalone", Role::Primary => "primary", Role::Secondary => "secondary" },
                "writer": c.writer,
                "deletion_protection": c.deletion_protection,
                "storage_encrypted": c.storage_encrypted,
                "preferred_maintenance_window": c.settings.maintenance_window(&c.region),
                "pending_modified_values": !c.settings.pending.is_empty(),
                "pending_until": c.settings.pending.due.map(iso8601),
                "instances": st.cluster_instances(&c.region, &c.id).iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let instances: Vec<Value> = st
        .instances
        .values()
        .map(|i| {
            let writer = st
                .clusters
                .get(&key(&i.region, &i.cluster_id))
                .and_then(|c| c.writer.clone());
            json!({
                "region": i.region,
                "id": i.id,
                "cluster": i.cluster_id,
                "status": i.status,
                "class": i.class,
                "promotion_tier": i.promotion_tier,
                "is_writer": writer.as_deref() == Some(i.id.as_str()),
                "pending_modified_values": !i.settings.pending.is_empty(),
                "pending_until": i.settings.pending.due.map(iso8601),
            })
        })
        .collect();
    let snapshots: Vec<Value> = st
        .snapshots
        .values()
        .map(|s| {
            json!({
                "region": s.region,
                "id": s.id,
                "cluster": s.cluster_id,
                "status": s.status,
                "created": iso8601(s.created_ms),
            })
        })
        .collect();
    json!({
        "time_scale": inner.time_scale,
        "clock_offset_ms": inner.clock_offset_ms,
        "outages": st.outages,
        "global_clusters": globals,
        "clusters": clusters,
        "instances": instances,
        "snapshots": snapshots,
    })
}

/// `POST /_emulator/clock` with `{"advance_seconds": N}` (move the virtual
/// clock forward, completing what falls due) and/or `{"time_scale": X}`
/// (durations of operations started from now on).
fn set_clock(shared: &Shared, body: &[u8]) -> Resp {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return bad(
                400,
                "expected a JSON object with advance_seconds and/or time_scale",
            )
        }
    };
    let mut inner = shared.lock();
    if let Some(a) = v.get("advance_seconds") {
        match a.as_f64() {
            Some(s) if s >= 0.0 && s.is_finite() => {
                inner.clock_offset_ms = inner.clock_offset_ms.saturating_add((s * 1000.0) as u64)
            }
            _ => return bad(400, "advance_seconds must be a non-negative number"),
        }
    }
    if let Some(t) = v.get("time_scale") {
        match t.as_f64() {
            Some(s) if s >= 0.0 && s.is_finite() => inner.time_scale = s,
            _ => return bad(400, "time_scale must be a non-negative number"),
        }
    }
    inner.settle();
    reply(
        200,
        &json!({ "ok": true, "time_scale": inner.time_scale, "clock_offset_ms": inner.clock_offset_ms }),
    )
}

/// `POST /_emulator/maintenance` with `{}` or `{"region": "us-east-1"}`:
/// applies every modification waiting for a maintenance window (of that
/// region, or everywhere) now, as if each window had just started.
fn maintenance(shared: &Shared, body: &[u8]) -> Resp {
    let v: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(v @ Value::Object(_)) => v,
            _ => return bad(400, "expected a JSON object, optionally with \"region\""),
        }
    };
    let region = match v.get("region") {
        None | Some(Value::Null) => None,
        Some(Value::String(r)) => Some(r.clone()),
        Some(_) => return bad(400, "region must be a string"),
    };
    let mut inner = shared.lock();
    inner.settle();
    let now = inner.now();
    let applied = inner.st.maintenance_now(region.as_deref(), now);
    inner.settle();
    reply(200, &json!({ "ok": true, "applied": applied }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Instant;

    /// Found by the `emulator_request` fuzz target: a second large
    /// `advance_seconds` overflowed the virtual clock offset (a panic in
    /// debug builds, a clock wrapped into the past in release builds).
    #[test]
    fn clock_advance_overflow_saturates() {
        let shared = Shared {
            inner: Mutex::new(Inner::default()),
            config: crate::EmulatorConfig::default(),
            started: Instant::now(),
        };
        for _ in 0..2 {
            let r = handle(
                &shared,
                &Method::POST,
                "clock",
                br#"{"advance_seconds": 1e300}"#,
            );
            assert_eq!(r.status(), StatusCode::OK);
        }
        assert_eq!(shared.lock().clock_offset_ms, u64::MAX);
    }
}
