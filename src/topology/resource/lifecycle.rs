//! Apply, read and import: the glue between Terraform's requests, the
//! resource model, the desired topology, the executor and the state builder.

use std::time::Duration;

use tokio::time::Instant;

use crate::aws::{ObservedTopology, RegionObservation, Secret};
use crate::engine::{ApplyRequest, Ctx, StateResponse};
use crate::tf::{Diagnostic, Diagnostics, Value};

use super::desired::{timeout_of, Operation};
use super::model::{Field, Topology};
use super::reconcile::Desired;
use super::reconcile::{full_tags, Context};
use super::reconcile::{Failure, Run};
use super::rules::MAX_TIMEOUT;
use super::state;
use super::Meta;

pub(super) fn not_configured() -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::error(
        "Provider Not Configured",
        "The replication provider was not configured before this operation. This is a bug in the host; run the command again.",
    ));
    d
}

pub(super) fn error(summary: &str, detail: String) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::error(summary, detail));
    d
}

/// A readable list of what exists, for diagnostics.
fn inventory(obs: Option<&ObservedTopology>) -> String {
    let Some(o) = obs else {
        return "nothing (no global cluster)".into();
    };
    let mut lines = vec![format!(
        "global cluster {} ({})",
        o.global.id, o.global.status
    )];
    for m in &o.global.members {
        let role = if m.is_writer { "primary" } else { "secondary" };
        match o.regions.get(&m.region) {
            Some(RegionObservation::Reached { cluster, instances }) => {
                let status = cluster.as_ref().map_or("missing", |c| c.status.as_str());
                lines.push(format!(
                    "{}: {role} cluster {} ({status})",
                    m.region, m.cluster_id
                ));
                for i in instances {
                    lines.push(format!("{}:   instance {} ({})", m.region, i.id, i.status));
                }
            }
            _ => lines.push(format!(
                "{}: {role} cluster {} (region unreachable)",
                m.region, m.cluster_id
            )),
        }
    }
    lines
        .iter()
        .map(|l| format!("  - {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn failure_detail(f: &Failure) -> String {
    match &f.step {
        Some(step) => format!("Step \"{step}\" failed: {}", f.error),
        None => f.error.to_string(),
    }
}

/// The instant `timeout` from now; when that does not fit in an `Instant`,
/// the furthest of [`MAX_TIMEOUT`] from now and now itself that does.
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(MAX_TIMEOUT))
        .unwrap_or(now)
}

/// ApplyResourceChange.
pub(super) async fn apply(ctx: &Ctx<Meta>, req: ApplyRequest) -> StateResponse {
    let Some(meta) = ctx.meta.as_ref() else {
        return StateResponse {
            state: req.prior,
            private: vec![],
            diagnostics: not_configured(),
        };
    };
    let create = req.prior.is_null();
    let destroy = req.planned.is_null();
    let prior = Topology::from_value(&req.prior);
    let planned = Topology::from_value(&req.planned);
    let config = Topology::from_value(&req.config);
    let base = if destroy { &prior } else { &planned };
    let Some(id) = base.global_cluster_identifier.as_str().map(str::to_string) else {
        return StateResponse {
            state: req.prior,
            private: vec![],
            diagnostics: error(
                "Missing Identifier",
                "The planned state has no global_cluster_identifier.".into(),
            ),
        };
    };
    let desired = if destroy {
        None
    } else {
        match Desired::from_model(&planned, &config) {
            Some(d) => Some(d),
            None => {
                return StateResponse {
                    state: req.prior,
                    private: vec![],
                    diagnostics: error("Incomplete Plan", "The planned state lacks values the apply needs (identifiers, instance classes or primary_region).".into()),
                }
            }
        }
    };
    let op = if create {
        Operation::Create
    } else if destroy {
        Operation::Delete
    } else {
        Operation::Update
    };
    let deadline = deadline_after(timeout_of(base, op));
    let target = meta.target(&id, &[&planned, &prior]);
    let final_snapshot = if destroy && prior.skip_final_snapshot.as_bool() != Some(true) {
        prior.final_snapshot_identifier.as_str().map(str::to_string)
    } else {
        None
    };
    let tags = desired
        .as_ref()
        .map(|d| full_tags(&meta.config.default_tags, &d.tags, &id))
        .unwrap_or_default();
    // A topology grown from a cluster or restored from a snapshot: check
    // the source against the configuration before any change.
    if let (true, Some(d)) = (create, desired.as_ref().filter(|d| d.origin.is_some())) {
        let diagnostics = super::origin::preflight(&meta.clients, d, &config).await;
        if diagnostics.has_errors() {
            return StateResponse {
                state: Value::Null,
                private: vec![],
                diagnostics,
            };
        }
    }
    let rotate_password = if destroy {
        None
    } else if create {
        // The master user of a grown or restored primary comes from what
        // exists; a password given anyway is set once it is ours (SPEC §8).
        desired
            .as_ref()
            .filter(|d| d.origin.is_some())
            .and_then(|d| d.master_password.clone())
    } else {
        password_change(&prior, &planned, &config)
    };
    // Clusters of the prior state, plus those an earlier failed apply may
    // have left detached (kept in private data, since the state it returned
    // no longer lists them).
    let mut known = known_clusters(&prior);
    for k in pending_from_private(&req.planned_private) {
        if !known.contains(&k) {
            known.push(k);
        }
    }
    let run = Run {
        target: &target,
        desired: desired.as_ref(),
        ctx: Context {
            tags,
            final_snapshot,
        },
        deadline,
        stop: ctx.stop.clone(),
        creating: create,
        rotate_password,
        known_clusters: known.clone(),
    };
    tracing::info!(global_cluster = %id, operation = ?op, "apply started");
    match run.reconcile().await {
        Ok(observed) => {
            if destroy {
                return StateResponse::default();
            }
            match observed {
                Some(o) => {
                    let (mut state, diagnostics) =
                        state::from_observed(&o, &planned, &meta.config.default_tags);
                    if let Field::Known(regions) = &mut state.regions {
                        super::settings::keep_planned_nulls(regions, planned.regions.known());
                    }
                    if planned.engine_lifecycle_support.is_null() {
                        state.engine_lifecycle_support = Field::Null;
                    }
                    if planned.apply_immediately.is_null() {
                        state.apply_immediately = Field::Null;
                    }
                    StateResponse {
                        state: state.to_value(),
                        private: vec![],
                        diagnostics,
                    }
                }
                None => StateResponse {
                    state: Value::Null,
                    private: vec![],
                    diagnostics: error(
                        "Topology Not Found After Apply",
                        format!(
                            "The global cluster {id} could not be found after the apply finished."
                        ),
                    ),
                },
            }
        }
        Err(f) => {
            let detail = failure_detail(&f);
            if create {
                // Terraform would taint anything returned from a failed
                // create and then replace it; return nothing and let the next
                // apply adopt what was created (it carries our ownership tag).
                return StateResponse {
                    state: Value::Null,
                    private: vec![],
                    diagnostics: error(
                        "Topology Creation Incomplete",
                        format!(
                            "{detail}\n\nWhat exists in AWS now:\n{}\n\nNothing was deleted. Run apply again to resume: the provider adopts the objects it created (tagged replication:topology = {id}) and carries on from there.",
                            inventory(f.observed.as_ref())
                        ),
                    ),
                };
            }
            let mut diagnostics = error(
                if destroy { "Destroy Incomplete" } else { "Update Incomplete" },
                format!(
                    "{detail}\n\nWhat exists in AWS now:\n{}\n\nThe state records what exists; run apply again to continue from there.",
                    inventory(f.observed.as_ref())
                ),
            );
            let state = match &f.observed {
                Some(o) => {
                    let (st, warnings) = state::from_observed(o, base, &meta.config.default_tags);
                    diagnostics.extend(warnings);
                    st.to_value()
                }
                None if f.observed_fresh => Value::Null,
                None => req.prior.clone(),
            };
            StateResponse {
                state,
                private: pending_to_private(&known),
                diagnostics,
            }
        }
    }
}

/// (region, cluster id, was primary) of every region a state knows.
fn known_clusters(state: &Topology) -> Vec<(String, String, bool)> {
    let primary = state.primary_region.as_str();
    state
        .region_entries()
        .filter_map(|(region, r)| {
            r.known()?.cluster_identifier.as_str().map(|c| {
                (
                    region.clone(),
                    c.to_string(),
                    primary == Some(region.as_str()),
                )
            })
        })
        .collect()
}

/// Private data: the clusters to look for leftovers of, as JSON.
fn pending_to_private(known: &[(String, String, bool)]) -> Vec<u8> {
    let list: Vec<serde_json::Value> = known
        .iter()
        .map(|(r, c, p)| serde_json::json!({"region": r, "cluster": c, "primary": p}))
        .collect();
    serde_json::to_vec(&serde_json::json!({ "pending_clusters": list })).unwrap_or_default()
}

pub(crate) fn pending_from_private(private: &[u8]) -> Vec<(String, String, bool)> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(private) else {
        return Vec::new();
    };
    let text = |e: &serde_json::Value, k: &str| e.get(k)?.as_str().map(str::to_string);
    v.get("pending_clusters")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| {
                    Some((
                        text(e, "region")?,
                        text(e, "cluster")?,
                        e.get("primary")
                            .and_then(serde_json::Value::as_bool)
                            .unwrap_or(false),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The password to send again during an update: a changed master_password,
/// or master_password_wo when its version changed.
fn password_change(prior: &Topology, planned: &Topology, config: &Topology) -> Option<Secret> {
    let new = planned.master_password.as_str();
    if new.is_some() && new != prior.master_password.as_str() {
        return new.map(Secret::new);
    }
    if planned.master_password_wo_version != prior.master_password_wo_version {
        return config.master_password_wo.as_str().map(Secret::new);
    }
    None
}

/// ReadResource.
pub(super) async fn read(ctx: &Ctx<Meta>, prior: Value, private: Vec<u8>) -> StateResponse {
    let Some(meta) = ctx.meta.as_ref() else {
        return StateResponse {
            state: prior,
            private,
            diagnostics: not_configured(),
        };
    };
    let prior_model = Topology::from_value(&prior);
    let Some(id) = prior_model
        .global_cluster_identifier
        .as_str()
        .map(str::to_string)
    else {
        return StateResponse {
            state: prior,
            private,
            diagnostics: Diagnostics::default(),
        };
    };
    let target = meta.target(&id, &[&prior_model]);
    match target.observe().await {
        Ok(None) => {
            tracing::info!(global_cluster = %id, "global cluster is gone; removing from state");
            StateResponse {
                state: Value::Null,
                private,
                diagnostics: Diagnostics::default(),
            }
        }
        Ok(Some(o)) => {
            let (state, diagnostics) =
                state::from_observed(&o, &prior_model, &meta.config.default_tags);
            // A region the prior state had that is no longer a member may be
            // an interrupted removal's detached cluster: remember it, so the
            // next apply deletes what is left of it.
            let mut pending = pending_from_private(&private);
            for k in known_clusters(&prior_model) {
                let still_member = o
                    .global
                    .members
                    .iter()
                    .any(|m| m.region == k.0 && m.cluster_id == k.1);
                if !still_member && !pending.contains(&k) {
                    pending.push(k);
                }
            }
            let private = if pending.is_empty() {
                private
            } else {
                pending_to_private(&pending)
            };
            StateResponse {
                state: state.to_value(),
                private,
                diagnostics,
            }
        }
        Err(e) if e.is_unreachable() => {
            let mut d = Diagnostics::default();
            d.push(Diagnostic::warning(
                "Topology Could Not Be Read",
                format!("No region of {id} answered ({e}). The last known state is kept; the next refresh tries again."),
            ));
            StateResponse {
                state: prior,
                private,
                diagnostics: d,
            }
        }
        Err(e) => StateResponse {
            state: prior,
            private,
            diagnostics: error(
                "Reading The Topology Failed",
                format!("Reading global cluster {id} failed: {e}"),
            ),
        },
    }
}

/// ImportResourceState: the id is the global cluster identifier.
pub(super) async fn import(ctx: &Ctx<Meta>, id: &str) -> StateResponse {
    let Some(meta) = ctx.meta.as_ref() else {
        return StateResponse {
            diagnostics: not_configured(),
            ..Default::default()
        };
    };
    if let Some(reason) = super::rules::identifier(id) {
        return StateResponse {
            diagnostics: error(
                "Invalid Import Identifier",
                format!("The import ID must be a global cluster identifier; {id:?} {reason}."),
            ),
            ..Default::default()
        };
    }
    let target = meta.target(id, &[]);
    match target.observe().await {
        Ok(Some(o)) => {
            let (state, diagnostics) =
                state::from_observed(&o, &Topology::default(), &meta.config.default_tags);
            StateResponse {
                state: state.to_value(),
                private: vec![],
                diagnostics,
            }
        }
        Ok(None) => StateResponse {
            diagnostics: error(
                "Cannot Import Non-Existent Topology",
                format!(
                    "No global cluster named {id} exists (asked in {}).",
                    target.home_region
                ),
            ),
            ..Default::default()
        },
        Err(e) => StateResponse {
            diagnostics: error(
                "Import Failed",
                format!("Reading global cluster {id} failed: {e}"),
            ),
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Instant::now() + timeout` panicked for a timeout like
    /// "3000000000000000h"; the deadline is computed with checked arithmetic.
    #[test]
    fn a_deadline_beyond_the_clock_does_not_panic() {
        let before = Instant::now();
        let far = deadline_after(Duration::MAX);
        assert!(far >= before + MAX_TIMEOUT);
        let near = deadline_after(Duration::from_secs(60));
        assert!(near >= before + Duration::from_secs(60));
        assert!(near < before + Duration::from_secs(3600));
    }
}
