//! The `replication_topology` list resource (Terraform 1.14 and later,
//! `terraform query`): every global database of the account, found with
//! DescribeGlobalClusters pages in the provider's region, optionally
//! narrowed by engine and tags. Each result carries its identity and, when
//! asked, the state an import would write (the import path's read).

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::aws::ObservedGlobal;
use crate::engine::{Ctx, ListItem, ListRequest, ListResource, ListSink};
use crate::tf::{Attribute, AttributePath, Block, Diagnostic, Diagnostics, Schema, Type, Value};

use super::lifecycle::{error, not_configured};
use super::model::Topology;
use super::{identity, rules, state, Meta};

/// Names of the list block's `config` attributes.
pub(crate) mod name {
    pub(crate) const ENGINE: &str = "engine";
    pub(crate) const TAGS: &str = "tags";
}

/// The `replication_topology` list resource.
pub struct TopologyList {
    schema: Schema,
}

impl Default for TopologyList {
    fn default() -> Self {
        Self { schema: schema() }
    }
}

/// The schema of the list block's `config` block.
pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new()
            .description("Finds every Aurora global database of the account (DescribeGlobalClusters in the provider's `region`), for `terraform query`. Each result has the `replication_topology` identity; with `include_resource = true` it also has the state an import would write, so `terraform query -generate-config-out=FILE` writes a configuration with `import` blocks.")
            .attributes(vec![
                Attribute::optional(name::ENGINE, Type::String).description(format!(
                    "Only global databases of this engine: {}.",
                    rules::ENGINES
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )),
                Attribute::optional(name::TAGS, Type::Map(Box::new(Type::String))).description(
                    "Only global databases whose global cluster has every one of these tags, with these values.",
                ),
            ]),
    )
}

/// What the `config` block asks for.
#[derive(Debug, Default, PartialEq)]
struct Filter {
    engine: Option<String>,
    tags: BTreeMap<String, String>,
}

impl Filter {
    fn from_value(config: &Value) -> Self {
        let engine = config
            .get_attr(name::ENGINE)
            .and_then(Value::as_str)
            .map(str::to_string);
        let tags = config
            .get_attr(name::TAGS)
            .and_then(Value::as_entries)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Self { engine, tags }
    }

    fn matches(&self, g: &ObservedGlobal) -> bool {
        self.engine
            .as_deref()
            .is_none_or(|e| g.engine.as_deref() == Some(e))
            && self.tags.iter().all(|(k, v)| g.tags.get(k) == Some(v))
    }
}

/// ValidateListResourceConfig.
fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    if let Some(e) = config.get_attr(name::ENGINE).and_then(Value::as_str) {
        if !rules::ENGINES.contains(&e) {
            d.push(
                Diagnostic::error(
                    "Invalid engine",
                    format!(
                        "The engine must be one of {}, not {e:?}.",
                        rules::ENGINES.join(", ")
                    ),
                )
                .with_path(AttributePath::root().attr(name::ENGINE)),
            );
        }
    }
    d
}

/// The identity of a listed global cluster (the one its imported state has).
fn identity_of_global(g: &ObservedGlobal) -> Value {
    let account = crate::aws::arn_account(&g.arn).map_or(Value::Null, Value::string);
    Value::object([
        (identity::name::ACCOUNT_ID, account),
        (
            identity::name::GLOBAL_CLUSTER_IDENTIFIER,
            Value::string(g.id.clone()),
        ),
    ])
}

/// A name for people: the identifier, engine and primary region.
fn display_name(g: &ObservedGlobal) -> String {
    let engine = g.engine.as_deref().unwrap_or("unknown engine");
    match g.writer() {
        Some(w) => format!("{} ({engine}, primary in {})", g.id, w.region),
        None => format!("{} ({engine}, headless)", g.id),
    }
}

#[async_trait]
impl ListResource<Meta> for TopologyList {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate(config)
    }

    async fn list(&self, ctx: &Ctx<Meta>, req: ListRequest, out: &mut ListSink) {
        let Some(meta) = ctx.meta.as_ref() else {
            out.send(ListItem {
                diagnostics: not_configured(),
                ..Default::default()
            })
            .await;
            return;
        };
        let filter = Filter::from_value(&req.config);
        let home = meta.target("", &[]).home_region;
        let globals = match crate::aws::list_global_clusters(&meta.clients, &home).await {
            Ok(g) => g,
            Err(e) => {
                out.send(ListItem {
                    diagnostics: error(
                        "Listing Global Databases Failed",
                        format!("Listing the global clusters in {home} failed: {e}"),
                    ),
                    ..Default::default()
                })
                .await;
                return;
            }
        };
        for g in globals.iter().filter(|g| filter.matches(g)) {
            if ctx.stop.is_cancelled() {
                return;
            }
            let mut item = ListItem {
                identity: identity_of_global(g),
                display_name: display_name(g),
                ..Default::default()
            };
            if req.include_resource_object {
                match object(meta, &g.id).await {
                    Ok(Some((state, diagnostics))) => {
                        item.identity = identity::of_state(&state);
                        item.resource_object = Some(state);
                        item.diagnostics = diagnostics;
                    }
                    // Deleted between the listing and the read.
                    Ok(None) => continue,
                    Err(detail) => {
                        let mut d = Diagnostics::default();
                        d.push(Diagnostic::warning("Global Database Not Read", detail));
                        item = ListItem {
                            diagnostics: d,
                            ..Default::default()
                        };
                    }
                }
            }
            if !out.send(item).await {
                return;
            }
        }
    }
}

/// The state an import of `id` writes: `None` when it no longer exists.
async fn object(meta: &Meta, id: &str) -> Result<Option<(Value, Diagnostics)>, String> {
    match meta.target(id, &[]).observe().await {
        Ok(Some(o)) => {
            let (s, d) = state::from_observed(&o, &Topology::default(), &meta.config.default_tags);
            Ok(Some((s.to_value(), d)))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(format!(
            "Reading global cluster {id} failed, so it is left out of the results: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(id: &str, engine: &str, tags: &[(&str, &str)]) -> ObservedGlobal {
        ObservedGlobal {
            id: id.to_owned(),
            arn: format!("arn:aws:rds::123456789012:global-cluster:{id}"),
            engine: Some(engine.to_owned()),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Default::default()
        }
    }

    fn config(engine: Option<&str>, tags: &[(&str, &str)]) -> Value {
        Value::object([
            (name::ENGINE, engine.map_or(Value::Null, Value::string)),
            (
                name::TAGS,
                if tags.is_empty() {
                    Value::Null
                } else {
                    Value::map(tags.iter().map(|(k, v)| (*k, Value::string(*v))))
                },
            ),
        ])
    }

    #[test]
    fn filters_by_engine_and_tags() {
        let pg = global(
            "a",
            "aurora-postgresql",
            &[("team", "orders"), ("env", "prod")],
        );
        let my = global("b", "aurora-mysql", &[("team", "orders")]);
        let cases = [
            (config(None, &[]), [true, true]),
            (config(Some("aurora-postgresql"), &[]), [true, false]),
            (config(None, &[("team", "orders")]), [true, true]),
            (config(None, &[("env", "prod")]), [true, false]),
            (config(None, &[("team", "billing")]), [false, false]),
            (
                config(Some("aurora-mysql"), &[("env", "prod")]),
                [false, false],
            ),
            (Value::Null, [true, true]),
        ];
        for (c, want) in cases {
            let f = Filter::from_value(&c);
            assert_eq!([f.matches(&pg), f.matches(&my)], want, "{c}");
        }
    }

    #[test]
    fn engine_is_validated_with_its_path() {
        assert!(!validate(&config(Some("aurora-postgresql"), &[])).has_errors());
        let d = validate(&config(Some("postgres"), &[]));
        let d: Vec<_> = d.iter().collect();
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].path.as_ref().map(ToString::to_string),
            Some("engine".to_owned())
        );
    }

    #[test]
    fn listed_identity_is_the_imported_one() {
        let g = global("orders", "aurora-postgresql", &[]);
        assert_eq!(
            identity_of_global(&g),
            Value::object([
                (identity::name::ACCOUNT_ID, Value::string("123456789012")),
                (
                    identity::name::GLOBAL_CLUSTER_IDENTIFIER,
                    Value::string("orders")
                ),
            ])
        );
        assert_eq!(display_name(&g), "orders (aurora-postgresql, headless)");
    }

    #[test]
    fn schema_attributes_conform() {
        assert!(
            config(Some("aurora-mysql"), &[("a", "b")]).conforms_to(&schema().block.value_type())
        );
    }
}
