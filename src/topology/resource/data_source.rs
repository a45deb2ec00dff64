//! The `replication_topology` data source: reads an existing topology by its
//! global cluster identifier, in the resource's shape without the
//! configuration-only attributes.

use async_trait::async_trait;

use crate::engine::{Ctx, DataSource, StateResponse};
use crate::tf::{Diagnostics, Schema, Value};

use super::lag;
use super::lifecycle::{error, not_configured};
use super::model::{path, Topology};
use super::schema::ROLE_SECONDARY;
use super::{schema, state, validate, Meta};
use crate::tf::Diagnostic;

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
            let (full, mut diagnostics) =
                state::from_observed(&o, &Topology::default(), &meta.config.default_tags);
            let mut value = state::for_data_source(&full.to_value(), schema);
            with_lag(meta, &full, &mut value, &mut diagnostics).await;
            StateResponse {
                state: value,
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

/// Adds each region's lag figures to the data source's `regions`: one
/// CloudWatch read per secondary region, in parallel; null figures on the
/// primary, and on a secondary without a recent datapoint (with a warning
/// that says why).
async fn with_lag(meta: &Meta, full: &Topology, value: &mut Value, d: &mut Diagnostics) {
    let secondaries: Vec<(String, String)> = full
        .region_entries()
        .filter_map(|(key, r)| {
            let r = r.known()?;
            if r.role.as_str() != Some(ROLE_SECONDARY) {
                return None;
            }
            Some((key.clone(), r.cluster_identifier.as_str()?.to_string()))
        })
        .collect();
    let reads = secondaries.iter().map(|(region, cluster)| async move {
        (
            region.clone(),
            lag::read_cluster_lag(&meta.clients, region, cluster).await,
        )
    });
    let read: Vec<(String, lag::TargetLag)> = futures::future::join_all(reads).await;
    let Value::Object(top) = value else {
        return;
    };
    let Some(Value::Map(regions)) = top.get_mut(schema::name::REGIONS) else {
        return;
    };
    for (key, region) in regions.iter_mut() {
        let Value::Object(attrs) = region else {
            continue;
        };
        let found = read.iter().find(|(r, _)| r == key).map(|(_, l)| l);
        let figures = match found {
            Some(lag::TargetLag::Read(l)) => Some(*l),
            _ => None,
        };
        for (name, v) in lag::region_values(figures.as_ref()) {
            attrs.insert(name.to_string(), v);
        }
        if let Some(l) = found {
            if figures.is_none_or(|f| f.replication.is_none()) {
                d.push(
                    Diagnostic::warning(
                        "Replication Lag Not Available",
                        format!("The lag of {key} is null: {}.", l.why_missing(key)),
                    )
                    .with_path(path::region(key)),
                );
            }
        }
    }
}
