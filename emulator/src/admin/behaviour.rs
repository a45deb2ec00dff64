//! Admin routes for the switchable AWS behaviours and forced statuses:
//!
//! * `GET /_emulator/behaviour`, `POST /_emulator/behaviour` with any of
//!   `{"async_detach": bool, "read_after_write_lag_ms": n, "drop_global_tags": bool}`
//!   (see [`crate::model::Realism`]); the answer is the whole setting.
//! * `POST /_emulator/status` with `{"region", "cluster" | "instance",
//!   "status", "seconds"?}`: puts a cluster or instance into `status` (any of
//!   AWS's words, e.g. `inaccessible-encryption-credentials`,
//!   `storage-optimization`, `incompatible-parameters`, `failed`,
//!   `maintenance`, `backing-up`, `rebooting`), back to `available` after
//!   `seconds` of virtual time (scaled by the time scale), or for good
//!   without it.

use serde_json::{json, Value};

use super::{bad, reply, Resp};
use crate::model::{key, Next, Pending, Realism};
use crate::shared::Shared;

pub(super) fn get(shared: &Shared) -> Resp {
    let inner = shared.lock();
    reply(200, &json!(inner.st.realism))
}

pub(super) fn set(shared: &Shared, body: &[u8]) -> Resp {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return bad(400, "expected a JSON object"),
    };
    let mut inner = shared.lock();
    let mut r: Realism = inner.st.realism.clone();
    for (name, value) in v.as_object().into_iter().flatten() {
        match (name.as_str(), value) {
            ("async_detach", Value::Bool(b)) => r.async_detach = *b,
            ("drop_global_tags", Value::Bool(b)) => r.drop_global_tags = *b,
            ("read_after_write_lag_ms", n) if n.as_u64().is_some() => {
                r.read_after_write_lag_ms = n.as_u64().unwrap_or_default();
            }
            (other, _) => {
                return bad(
                    400,
                    format!("unknown behaviour or wrong type: {other} (async_detach and drop_global_tags are booleans, read_after_write_lag_ms a non-negative integer)"),
                )
            }
        }
    }
    inner.settle();
    inner.st.realism = r;
    inner.st.drop_global_tags();
    reply(200, &json!(inner.st.realism))
}

pub(super) fn set_status(shared: &Shared, body: &[u8]) -> Resp {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return bad(400, "expected a JSON object"),
    };
    let text = |n: &str| v.get(n).and_then(Value::as_str).map(str::to_string);
    let (Some(region), Some(status)) = (text("region"), text("status")) else {
        return bad(400, "\"region\" and \"status\" are required");
    };
    if status.is_empty() || status == "deleting" {
        return bad(400, "status must be a non-empty status other than deleting");
    }
    let seconds = match v.get("seconds") {
        None | Some(Value::Null) => None,
        Some(s) => match s.as_f64() {
            Some(s) if s >= 0.0 && s.is_finite() => Some(s),
            _ => return bad(400, "seconds must be a non-negative number"),
        },
    };
    let mut inner = shared.lock();
    inner.settle();
    let now = inner.now();
    let scale = inner.time_scale;
    // Seconds of virtual time, scaled like the operation durations.
    let pending = match seconds {
        Some(s) => {
            let ms = s * 1000.0 * scale.max(0.0);
            let ms = if ms.is_finite() {
                ms as u64
            } else {
                u64::MAX / 4
            };
            Pending {
                due: Some(now.saturating_add(ms)),
                next: Next::Available,
            }
        }
        None => Pending::default(),
    };
    let st = &mut inner.st;
    match (text("cluster"), text("instance")) {
        (Some(id), None) => match st.clusters.get_mut(&key(&region, &id)) {
            Some(c) => {
                c.status = status.clone();
                c.pending = pending;
            }
            None => return bad(404, format!("no cluster {id} in {region}")),
        },
        (None, Some(id)) => match st.instances.get_mut(&key(&region, &id)) {
            Some(i) => {
                i.status = status.clone();
                i.pending = pending;
            }
            None => return bad(404, format!("no instance {id} in {region}")),
        },
        _ => return bad(400, "give exactly one of \"cluster\" and \"instance\""),
    }
    reply(200, &json!({ "ok": true, "status": status }))
}
