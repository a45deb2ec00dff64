//! The `replication_topology` resource and data source, and the provider
//! they belong to: schemas, validation, planning, and (through the `aws`
//! module) observing and changing the real topology.

pub mod plan;
pub mod rules;
pub mod schema;
pub mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::engine::{
    ApplyRequest, ClientCapabilities, Ctx, DataSource, PlanRequest, PlanResponse, Provider,
    Resource, StateResponse,
};
use crate::tf::{Diagnostic, Diagnostics, Schema, Value};

/// The provider's configuration, read from the `provider "replication"` block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderConfig {
    /// Home region for global-cluster calls.
    pub region: Option<String>,
    /// Shared config profile.
    pub profile: Option<String>,
    /// RDS endpoint override for every region.
    pub endpoint_url: Option<String>,
    /// Attempts for throttled / 5xx calls.
    pub max_retries: Option<u32>,
    /// Role to assume: (role ARN, session name, external ID).
    pub assume_role: Option<(String, Option<String>, Option<String>)>,
    /// Tags merged under each topology's tags.
    pub default_tags: BTreeMap<String, String>,
}

impl ProviderConfig {
    /// Reads the provider block. `AWS_REGION` / `AWS_DEFAULT_REGION` stand in
    /// for an unset `region`.
    pub fn from_value(v: &Value) -> Self {
        let s = |name: &str| v.get_attr(name).and_then(Value::as_str).map(str::to_string);
        let region = s("region")
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .filter(|r| !r.is_empty());
        let assume_role = v.get_attr("assume_role").filter(|a| !a.is_null()).and_then(|a| {
            let g = |n: &str| a.get_attr(n).and_then(Value::as_str).map(str::to_string);
            g("role_arn").map(|arn| (arn, g("session_name"), g("external_id")))
        });
        let default_tags = v
            .get_attr("default_tags")
            .and_then(Value::as_entries)
            .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())
            .unwrap_or_default();
        Self {
            region,
            profile: s("profile"),
            endpoint_url: s("endpoint_url"),
            max_retries: v.get_attr("max_retries").and_then(Value::as_i64).and_then(|n| u32::try_from(n).ok()),
            assume_role,
            default_tags,
        }
    }
}

/// A configured provider.
pub struct Meta {
    /// The provider block as read.
    pub config: ProviderConfig,
}

/// The `replication` provider.
pub struct ReplicationProvider {
    schema: Schema,
    resource: Arc<TopologyResource>,
    data_source: Arc<TopologyDataSource>,
}

impl Default for ReplicationProvider {
    fn default() -> Self {
        Self {
            schema: schema::provider(),
            resource: Arc::new(TopologyResource { schema: schema::resource() }),
            data_source: Arc::new(TopologyDataSource { schema: schema::data_source() }),
        }
    }
}

#[async_trait]
impl Provider for ReplicationProvider {
    type Meta = Meta;

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::provider(config)
    }

    async fn configure(&self, config: &Value) -> Result<Meta, Diagnostics> {
        Ok(Meta { config: ProviderConfig::from_value(config) })
    }

    fn resources(&self) -> BTreeMap<String, Arc<dyn Resource<Meta>>> {
        BTreeMap::from([("replication_topology".to_string(), self.resource.clone() as Arc<dyn Resource<Meta>>)])
    }

    fn data_sources(&self) -> BTreeMap<String, Arc<dyn DataSource<Meta>>> {
        BTreeMap::from([("replication_topology".to_string(), self.data_source.clone() as Arc<dyn DataSource<Meta>>)])
    }
}

/// The `replication_topology` resource.
pub struct TopologyResource {
    schema: Schema,
}

fn not_implemented(what: &str) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::error(
        "Not Implemented Yet",
        format!("{what} of replication_topology is not implemented in this build of the provider. Nothing was changed in AWS."),
    ));
    d
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
        let out = plan::plan(plan::PlanInput {
            prior: &req.prior,
            proposed: &req.proposed,
            config: &req.config,
            provider_region: provider_region.as_deref(),
        });
        PlanResponse {
            planned: out.planned,
            requires_replace: out.requires_replace,
            private: Vec::new(),
            diagnostics: out.diagnostics,
        }
    }

    async fn apply(&self, _ctx: &Ctx<Meta>, req: ApplyRequest) -> StateResponse {
        // Honest until the lifecycle lands: nothing happens, and Terraform
        // keeps exactly what it had.
        let what = if req.prior.is_null() { "Create" } else if req.planned.is_null() { "Destroy" } else { "Update" };
        StateResponse { state: req.prior, private: Vec::new(), diagnostics: not_implemented(what) }
    }

    async fn read(&self, _ctx: &Ctx<Meta>, state: Value, private: Vec<u8>) -> StateResponse {
        StateResponse { state, private, diagnostics: Diagnostics::default() }
    }

    async fn import(&self, _ctx: &Ctx<Meta>, _id: &str) -> StateResponse {
        StateResponse { state: Value::Null, private: Vec::new(), diagnostics: not_implemented("Import") }
    }
}

/// The `replication_topology` data source.
pub struct TopologyDataSource {
    schema: Schema,
}

#[async_trait]
impl DataSource<Meta> for TopologyDataSource {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::data_source(config)
    }

    async fn read(&self, _ctx: &Ctx<Meta>, _config: Value) -> StateResponse {
        StateResponse { state: Value::Null, private: Vec::new(), diagnostics: not_implemented("Reading") }
    }
}
