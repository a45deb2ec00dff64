//! Observed topology -> Terraform state. Attributes that exist only in the
//! configuration (passwords, failover_mode, snapshot settings, timeouts) are
//! carried over from the prior state, or take their defaults on import.
//! Regions that could not be read keep their prior state and produce a
//! warning naming them.

use std::collections::BTreeMap;

use crate::aws::{
    ObservedCluster, ObservedInstance, ObservedTopology, RegionObservation, OWNERSHIP_TAG_KEY,
};
use crate::tf::{Diagnostic, Diagnostics, Value};

use super::model::{common_class, path, Field, FieldMap, Instance, Region, Topology};
use super::schema::{default, ROLE_PRIMARY, ROLE_SECONDARY};
use super::settings::{cluster_pending, instance_pending, ClusterConfig, InstanceConfig};

fn opt(s: &Option<String>) -> Field<String> {
    Field::opt(s.clone())
}

/// The prior value when it is set and known, else `default`.
fn prior_or<T: Clone>(prior: &Field<T>, default: Field<T>) -> Field<T> {
    match prior {
        Field::Known(v) => Field::Known(v.clone()),
        _ => default,
    }
}

/// The key an instance has in `instances`: the prior key of the same
/// identifier, else the identifier without the `<cluster_id>-` prefix, else
/// the whole identifier.
pub(crate) fn instance_key(
    id: &str,
    cluster_id: &str,
    prior_instances: Option<&FieldMap<Instance>>,
) -> String {
    if let Some(m) = prior_instances {
        if let Some((k, _)) = m
            .iter()
            .find(|(_, v)| v.known().is_some_and(|i| i.identifier.as_str() == Some(id)))
        {
            return k.clone();
        }
    }
    id.strip_prefix(cluster_id)
        .and_then(|rest| rest.strip_prefix('-'))
        .filter(|k| !k.is_empty())
        .unwrap_or(id)
        .to_string()
}

fn instance_model(i: &ObservedInstance) -> Instance {
    Instance {
        identifier: Field::string(i.id.clone()),
        instance_class: opt(&i.class),
        promotion_tier: i
            .promotion_tier
            .map_or(Field::Null, |t| Field::int(i64::from(t))),
        arn: Field::string(i.arn.clone()),
        endpoint: opt(&i.endpoint),
        status: Field::string(i.status.clone()),
        settings: InstanceConfig::observed(&i.settings),
        availability_zone: opt(&i.availability_zone),
        pending_changes: instance_pending(&i.pending_class, &i.pending),
    }
}

fn region_model(
    c: &ObservedCluster,
    instances: &[ObservedInstance],
    is_writer: bool,
    prior: Option<&Region>,
) -> Region {
    let prior_instances = prior.and_then(|p| p.instances.known());
    let instances: FieldMap<Instance> = instances
        .iter()
        .map(|i| {
            (
                instance_key(&i.id, &c.id, prior_instances),
                Field::Known(instance_model(i)),
            )
        })
        .collect();
    // The region's default class: what the configuration said while it still
    // describes some instance (or there are none), else the class they share.
    let prior_class = prior.and_then(|p| p.instance_class.as_str());
    let class = match prior_class {
        Some(pc)
            if instances.is_empty()
                || instances.values().any(|i| {
                    i.known()
                        .is_some_and(|i| i.instance_class.as_str() == Some(pc))
                }) =>
        {
            Field::string(pc)
        }
        _ => common_class(&Field::Known(instances.clone())),
    };
    let mut sgs = c.vpc_security_group_ids.clone();
    sgs.sort();
    // Write forwarding only exists on secondaries; on the writer the
    // configured value is kept as it is.
    let write_forwarding = if is_writer {
        prior_or(
            prior.map_or(&Field::Null, |p| &p.write_forwarding),
            Field::Known(default::WRITE_FORWARDING),
        )
    } else {
        Field::Known(c.write_forwarding)
    };
    // The region's instance defaults: what the state said (they exist in
    // configuration), else on import what most instances share.
    let common = InstanceConfig::common(&instances);
    let instance_defaults = match prior {
        Some(p) => p.instance_defaults.unknown_from(&common),
        None => common,
    };
    Region {
        settings: ClusterConfig::observed(&c.settings),
        instance_defaults,
        pending_changes: cluster_pending(&c.pending),
        cluster_identifier: Field::string(c.id.clone()),
        instance_class: class,
        db_subnet_group_name: opt(&c.db_subnet_group_name),
        vpc_security_group_ids: Field::Known(sgs.into_iter().map(Field::Known).collect()),
        kms_key_id: opt(&c.kms_key_id),
        write_forwarding,
        db_cluster_parameter_group_name: opt(&c.parameter_group),
        instances: Field::Known(instances),
        arn: Field::string(c.arn.clone()),
        endpoint: opt(&c.endpoint),
        reader_endpoint: opt(&c.reader_endpoint),
        role: Field::string(if is_writer {
            ROLE_PRIMARY
        } else {
            ROLE_SECONDARY
        }),
        status: Field::string(c.status.clone()),
    }
}

/// `v` with every unknown replaced by null. After an apply the "prior" of a
/// region that could not be read is its planned value, whose computed
/// attributes (status, ...) may be unknown; a state must be wholly known.
fn without_unknowns(v: &Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::List(xs) => Value::List(xs.iter().map(without_unknowns).collect()),
        Value::Set(xs) => Value::Set(xs.iter().map(without_unknowns).collect()),
        Value::Tuple(xs) => Value::Tuple(xs.iter().map(without_unknowns).collect()),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, x)| (k.clone(), without_unknowns(x)))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), without_unknowns(x)))
                .collect(),
        ),
        Value::Dynamic(t, x) => Value::Dynamic(t.clone(), Box::new(without_unknowns(x))),
        other => other.clone(),
    }
}

/// Builds the resource state from an observation. `prior` is the prior state
/// (or planned state after an apply; null on import). `default_tags` are left
/// out of `tags`, as is the ownership tag.
pub(crate) fn from_observed(
    obs: &ObservedTopology,
    prior: &Topology,
    default_tags: &BTreeMap<String, String>,
) -> (Topology, Diagnostics) {
    let mut d = Diagnostics::default();
    let g = &obs.global;
    let prior_regions = prior.regions.known();
    let writer_region = g.writer().map(|w| w.region.clone());
    let mut regions = FieldMap::new();
    let mut master_username = None;
    let mut writer_version = None;
    let mut writer_lifecycle = None;
    for m in &g.members {
        let prior_region = prior_regions
            .and_then(|r| r.get(&m.region))
            .cloned()
            .unwrap_or(Field::Null);
        match obs.regions.get(&m.region) {
            Some(RegionObservation::Reached {
                cluster: Some(c),
                instances,
            }) => {
                if m.is_writer {
                    master_username = c.master_username.clone();
                    writer_version = c.engine_version.clone();
                    writer_lifecycle = c.settings.engine_lifecycle_support.clone();
                }
                regions.insert(
                    m.region.clone(),
                    Field::Known(region_model(
                        c,
                        instances,
                        m.is_writer,
                        prior_region.known(),
                    )),
                );
            }
            other => {
                let why = match other {
                    Some(RegionObservation::Unreachable { error }) => error.to_string(),
                    // Listed as a member, not shown by DescribeDBClusters:
                    // AWS's read-after-write lag right after its create.
                    Some(RegionObservation::Reached { cluster: None, .. }) => {
                        "the global cluster lists its cluster, which DescribeDBClusters does not show yet".to_string()
                    }
                    _ => "it was not read".to_string(),
                };
                let path = path::region(&m.region);
                if prior_region.is_null() {
                    d.push(
                        Diagnostic::warning(
                            "Region Could Not Be Read",
                            format!("{} could not be read ({why}), and there is no earlier state of it to keep. It is left out until it can be read.", m.region),
                        )
                        .with_path(path),
                    );
                } else {
                    d.push(
                        Diagnostic::warning(
                            "Region Could Not Be Read",
                            format!("{} could not be read ({why}). Its last known state is kept; the next refresh reads it again.", m.region),
                        )
                        .with_path(path),
                    );
                    let kept = without_unknowns(&prior_region.to_value());
                    regions.insert(m.region.clone(), Field::from_value(Some(&kept)));
                }
            }
        }
    }
    let tags: FieldMap<String> = g
        .tags
        .iter()
        .filter(|(k, v)| {
            k.as_str() != OWNERSHIP_TAG_KEY
                && !k.starts_with("aws:")
                && default_tags.get(*k) != Some(*v)
        })
        .map(|(k, v)| (k.clone(), Field::string(v.clone())))
        .collect();
    let tags = if tags.is_empty() && prior.tags.is_null() {
        Field::Null
    } else {
        Field::Known(tags)
    };
    let primary = writer_region
        .map(Field::Known)
        .unwrap_or_else(|| prior_or(&prior.primary_region, Field::Null));
    let state = Topology {
        id: Field::string(g.id.clone()),
        global_cluster_identifier: Field::string(g.id.clone()),
        engine: g.engine.as_ref().map_or_else(
            || prior_or(&prior.engine, Field::Null),
            |e| Field::string(e.clone()),
        ),
        engine_version: opt(&writer_version.or_else(|| g.engine_version.clone())),
        allow_major_version_upgrade: prior_or(
            &prior.allow_major_version_upgrade,
            Field::Known(default::ALLOW_MAJOR_VERSION_UPGRADE),
        ),
        // A topology grown from a cluster or restored from a snapshot
        // inherits its database name: the state keeps what the
        // configuration said (checked against the source at create).
        database_name: if prior.has_origin() {
            prior_or(&prior.database_name, Field::Null)
        } else {
            g.database_name.as_ref().map_or_else(
                || prior_or(&prior.database_name, Field::Null),
                |n| Field::string(n.clone()),
            )
        },
        master_username: master_username.map_or_else(
            || prior_or(&prior.master_username, Field::Null),
            Field::Known,
        ),
        master_password: prior_or(&prior.master_password, Field::Null),
        master_password_wo: Field::Null,
        master_password_wo_version: prior_or(&prior.master_password_wo_version, Field::Null),
        storage_encrypted: g.storage_encrypted.map_or_else(
            || prior_or(&prior.storage_encrypted, Field::Known(false)),
            Field::Known,
        ),
        deletion_protection: Field::Known(
            g.deletion_protection
                .unwrap_or(default::DELETION_PROTECTION),
        ),
        primary_region: primary,
        failover_mode: prior_or(&prior.failover_mode, Field::string(default::FAILOVER_MODE)),
        regions: Field::Known(regions),
        skip_final_snapshot: prior_or(
            &prior.skip_final_snapshot,
            Field::Known(default::SKIP_FINAL_SNAPSHOT),
        ),
        final_snapshot_identifier: prior_or(&prior.final_snapshot_identifier, Field::Null),
        tags,
        arn: Field::string(g.arn.clone()),
        global_cluster_resource_id: opt(&g.resource_id),
        global_endpoint: opt(&g.endpoint),
        status: Field::string(g.status.clone()),
        timeouts: prior.timeouts.clone().known_or_null(),
        engine_lifecycle_support: writer_lifecycle
            .or_else(|| g.engine_lifecycle_support.clone())
            .map_or_else(
                || prior_or(&prior.engine_lifecycle_support, Field::Null),
                Field::Known,
            ),
        apply_immediately: prior_or(
            &prior.apply_immediately,
            Field::Known(default::APPLY_IMMEDIATELY),
        ),
        // Replication health: configuration only.
        max_data_loss: prior_or(&prior.max_data_loss, Field::Null),
        // Where the topology came from: a record of the configuration.
        source_db_cluster_identifier: prior_or(&prior.source_db_cluster_identifier, Field::Null),
        snapshot_identifier: prior_or(&prior.snapshot_identifier, Field::Null),
    };
    (state, d)
}

/// The data source's view of a state: the resource's attributes minus those
/// that exist only in configuration.
pub(crate) fn for_data_source(state: &Value, schema: &crate::tf::Schema) -> Value {
    let Some(m) = state.as_entries() else {
        return Value::Null;
    };
    let mut out = BTreeMap::new();
    for a in &schema.block.attributes {
        out.insert(
            a.name.clone(),
            m.get(&a.name).cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region_value_of(status: Value) -> Value {
        Value::object([
            ("cluster_identifier", Value::string("orders-us-east-1")),
            ("role", Value::string("secondary")),
            ("status", status),
        ])
    }

    /// Bug: after a failover applied while the old primary's region was in
    /// outage, that region kept its *planned* value, whose status was
    /// unknown, and Terraform rejected the apply ("unknown value after apply").
    #[test]
    fn unreachable_region_after_apply_keeps_its_planned_value_without_unknowns() {
        use crate::aws::{AwsError, ErrorKind, GlobalMember, ObservedGlobal};
        let member = |region: &str, writer: bool| GlobalMember {
            cluster_arn: format!("arn:aws:rds:{region}:123456789012:cluster:orders-{region}"),
            region: region.into(),
            cluster_id: format!("orders-{region}"),
            is_writer: writer,
            ..Default::default()
        };
        let obs = ObservedTopology {
            global: ObservedGlobal {
                id: "orders".into(),
                status: "available".into(),
                members: vec![member("us-east-1", false), member("eu-west-1", true)],
                ..Default::default()
            },
            global_region: "eu-west-1".into(),
            regions: BTreeMap::from([
                (
                    "us-east-1".to_string(),
                    RegionObservation::Unreachable {
                        error: AwsError {
                            kind: ErrorKind::Unreachable,
                            code: None,
                            message: "connection closed".into(),
                            operation: "DescribeDBClusters",
                            region: "us-east-1".into(),
                        },
                    },
                ),
                (
                    "eu-west-1".to_string(),
                    RegionObservation::Reached {
                        cluster: Some(ObservedCluster {
                            id: "orders-eu-west-1".into(),
                            status: "available".into(),
                            ..Default::default()
                        }),
                        instances: vec![],
                    },
                ),
            ]),
        };
        let planned = Value::object([(
            "regions",
            Value::Map(BTreeMap::from([(
                "us-east-1".to_string(),
                region_value_of(Value::Unknown),
            )])),
        )]);
        let (state, d) = from_observed(&obs, &Topology::from_value(&planned), &BTreeMap::new());
        let state = state.to_value();
        assert!(state.is_wholly_known(), "{state:?}");
        let east = state
            .get_attr("regions")
            .and_then(|r| r.get_key("us-east-1"))
            .unwrap();
        let kept = Field::<Region>::from_value(Some(&region_value_of(Value::Null)));
        assert_eq!(east, &kept.to_value());
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn instance_keys_follow_the_identifier_pattern() {
        assert_eq!(
            instance_key("orders-us-east-1-a", "orders-us-east-1", None),
            "a"
        );
        assert_eq!(
            instance_key("custom-writer", "orders-us-east-1", None),
            "custom-writer"
        );
        assert_eq!(
            instance_key("orders-us-east-1-", "orders-us-east-1", None),
            "orders-us-east-1-"
        );
        let prior = FieldMap::from([(
            "writer".to_string(),
            Field::Known(Instance {
                identifier: Field::string("orders-us-east-1-a"),
                ..Instance::default()
            }),
        )]);
        assert_eq!(
            instance_key("orders-us-east-1-a", "orders-us-east-1", Some(&prior)),
            "writer"
        );
    }
}
