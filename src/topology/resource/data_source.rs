//! The `replication_topology` data source: reads an existing topology by its
//! global cluster identifier, in the resource's shape without the
//! configuration-only attributes.

use async_trait::async_trait;

use crate::engine::{Ctx, DataSource, StateResponse};
use crate::tf::{Diagnostics, Schema, Value};

use super::lifecycle::{error, not_configured};
use super::model::Topology;
use super::{schema, state, validate, Meta};

/// The `replication_topology` data source.
pub struct TopologyDataSource {
    schema: Schema,
}

impl Default for TopologyDataSource {
    fn default() -> Self {
        Self {
            schema: schema::data_source(),
        }
    }
}

#[async_trait]
impl DataSource<Meta> for TopologyDataSource {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::data_source(config)
    }

    async fn read(&self, ctx: &Ctx<Meta>, config: Value) -> StateResponse {
        read(ctx, config, &self.schema).await
    }
}

/// ReadDataSource: the topology named by `global_cluster_identifier`.
async fn read(ctx: &Ctx<Meta>, config: Value, schema: &Schema) -> StateResponse {
    let Some(meta) = ctx.meta.as_ref() else {
        return StateResponse {
            diagnostics: not_configured(),
            ..Default::default()
        };
    };
    let config = Topology::from_value(&config);
    let Some(id) = config
        .global_cluster_identifier
        .as_str()
        .map(str::to_string)
    else {
        return StateResponse {
            diagnostics: error(
                "Missing Identifier",
                "global_cluster_identifier is required.".into(),
            ),
            ..Default::default()
        };
    };
    let target = meta.target(&id, &[]);
    match target.observe().await {
        Ok(Some(o)) => {
            let (full, diagnostics) =
                state::from_observed(&o, &Topology::default(), &meta.config.default_tags);
            StateResponse {
                state: state::for_data_source(&full.to_value(), schema),
                private: vec![],
                diagnostics,
            }
        }
        Ok(None) => StateResponse {
            diagnostics: error(
                "Topology Not Found",
                format!("No global cluster named {id} exists."),
            ),
            ..Default::default()
        },
        Err(e) => StateResponse {
            diagnostics: error(
                "Reading The Topology Failed",
                format!("Reading global cluster {id} failed: {e}"),
            ),
            ..Default::default()
        },
    }
}
