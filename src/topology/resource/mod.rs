//! The Terraform-facing half of `replication_topology`: the schemas, the
//! validation, Terraform's plan (PlanResourceChange), the state built from
//! an observation, and the resource's and data source's RPCs (apply, read,
//! import), and the desired topology read from a planned state. The
//! AWS-facing half (steps, the executor) lives beside this module, in
//! `reconcile`.

mod data_source;
pub mod desired;
mod identity;
mod lifecycle;
mod list;
pub(super) mod model;
pub(crate) mod origin;
pub mod plan;
pub mod schema;
mod settings;
mod state;
pub mod validate;

use async_trait::async_trait;

use crate::engine::{
    ApplyRequest, ClientCapabilities, Ctx, PlanRequest, PlanResponse, Resource, StateResponse,
};
use crate::tf::{Diagnostics, IdentitySchema, Schema, Value};

// The reconciler's modules and the configured provider, as the files of
// this module name them (`super::apply`, `super::rules`, ...).
use super::{lag, reconcile, rules, Meta};

pub use data_source::TopologyDataSource;
pub use identity::schema as identity_schema;
pub use list::{schema as list_schema, TopologyList};

/// The `replication_topology` resource.
pub struct TopologyResource {
    schema: Schema,
    identity: IdentitySchema,
}

impl Default for TopologyResource {
    fn default() -> Self {
        Self {
            schema: schema::resource(),
            identity: identity::schema(),
        }
    }
}

#[async_trait]
impl Resource<Meta> for TopologyResource {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value, caps: ClientCapabilities) -> Diagnostics {
        validate::resource(config, caps)
    }

    async fn plan(&self, ctx: &Ctx<Meta>, req: PlanRequest) -> PlanResponse {
        let provider_region = ctx.meta.as_ref().and_then(|m| m.config.region.clone());
        // A plan that moves the primary states the target's lag (one
        // CloudWatch call); no other plan reads it.
        let target_lag = match (ctx.meta.as_ref(), req.config.is_null()) {
            (Some(meta), false) => {
                let moved = lag::primary_move(
                    &model::Topology::from_value(&req.prior),
                    &model::Topology::from_value(&req.config),
                );
                match moved {
                    Some(mv) => {
                        Some(lag::read_cluster_lag(&meta.clients, &mv.to, &mv.target_cluster).await)
                    }
                    None => None,
                }
            }
            _ => None,
        };
        let out = plan::plan_resource_change(plan::PlanInput {
            prior: &req.prior,
            proposed: &req.proposed,
            config: &req.config,
            provider_region: provider_region.as_deref(),
            leftovers: &lifecycle::pending_from_private(&req.prior_private),
            target_lag: target_lag.as_ref(),
        });
        PlanResponse {
            planned: out.planned,
            requires_replace: out.requires_replace,
            // Carries the clusters an interrupted removal may have left (see lifecycle).
            private: req.prior_private,
            diagnostics: out.diagnostics,
        }
    }

    async fn apply(&self, ctx: &Ctx<Meta>, req: ApplyRequest) -> StateResponse {
        lifecycle::apply(ctx, req).await
    }

    async fn read(&self, ctx: &Ctx<Meta>, state: Value, private: Vec<u8>) -> StateResponse {
        lifecycle::read(ctx, state, private).await
    }

    async fn import(&self, ctx: &Ctx<Meta>, id: &str) -> StateResponse {
        lifecycle::import(ctx, id).await
    }

    fn identity_schema(&self) -> Option<&IdentitySchema> {
        Some(&self.identity)
    }

    fn identity_of(&self, state: &Value) -> Value {
        identity::of_state(state)
    }

    fn import_id(&self, identity: &Value) -> Option<String> {
        identity::import_id(identity)
    }
}
