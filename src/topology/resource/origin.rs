//! Starting from what exists (SPEC §8): a topology grown from an existing
//! standalone cluster (`source_db_cluster_identifier`) or whose primary is
//! restored from a DB cluster snapshot (`snapshot_identifier`).
//!
//! This file owns their rules: the configuration checks of validation and
//! plan, the origin the reconciler starts from, and the comparison, at
//! create and before any change, of the configuration with what AWS reports
//! of the source cluster or the snapshot ([`preflight`]). The global cluster
//! inherits engine, version, encryption and database name from its source,
//! so the provider never sends them with one; a configured value that
//! contradicts the source is an error on that attribute.

use std::collections::BTreeMap;

use crate::aws::{
    self, arn_region, arn_resource_id, Clients, ObservedCluster, ObservedInstance, ObservedSnapshot,
};
use crate::tf::{AttributePath, Diagnostic, Diagnostics};
use crate::topology::reconcile::{Desired, Origin};
use crate::topology::rules;

use super::model::{path, Field, Topology};
use super::schema::name;
use super::state::instance_key;

/// The identifier an identifier-or-ARN names.
pub(crate) fn resource_id(given: &str) -> &str {
    if given.starts_with("arn:") {
        arn_resource_id(given).unwrap_or(given)
    } else {
        given
    }
}

/// Why an ARN given for `what` is not one of `kind` (`cluster`,
/// `cluster-snapshot`) in `primary`.
fn arn_problem(given: &str, kind: &str, primary: Option<&str>) -> Option<String> {
    let resource = given.splitn(6, ':').nth(5).unwrap_or_default();
    let Some((k, id)) = resource.split_once(':') else {
        return Some(format!(
            "is not an RDS {kind} ARN (arn:aws:rds:<region>:<account>:{kind}:<identifier>)"
        ));
    };
    if k != kind || id.is_empty() {
        return Some(format!(
            "names a {k:?} resource; an RDS {kind} ARN (arn:aws:rds:<region>:<account>:{kind}:<identifier>) is needed"
        ));
    }
    match (arn_region(given), primary) {
        (Some(r), Some(p)) if r != p => Some(format!(
            "is in {r}, but it must be in primary_region ({p}): the primary is created from it there"
        )),
        (None, _) => Some("has no region".into()),
        _ => None,
    }
}

/// Validation: the two origins exclude each other, and each is a
/// well-formed identifier or ARN in `primary_region`; the source cluster's
/// region keeps the source's identifier.
pub(crate) fn validate(d: &mut Diagnostics, c: &Topology) {
    let primary = c.primary_region.as_str();
    let source_path = path::top(name::SOURCE_DB_CLUSTER_IDENTIFIER);
    let snapshot_path = path::top(name::SNAPSHOT_IDENTIFIER);
    if !c.source_db_cluster_identifier.is_null() && !c.snapshot_identifier.is_null() {
        d.push(
            Diagnostic::error(
                "Conflicting Origins",
                "Set either source_db_cluster_identifier (grow an existing cluster) or snapshot_identifier (restore a snapshot), not both.",
            )
            .with_path(snapshot_path.clone()),
        );
    }
    let invalid = |d: &mut Diagnostics, p: AttributePath, what: &str, reason: String| {
        d.push(
            Diagnostic::error(format!("Invalid {what}"), format!("The {what} {reason}."))
                .with_path(p),
        );
    };
    if let Some(source) = c.source_db_cluster_identifier.as_str() {
        let problem = if source.starts_with("arn:") {
            arn_problem(source, "cluster", primary)
        } else {
            rules::identifier(source)
        };
        if let Some(reason) = problem {
            invalid(d, source_path.clone(), "source cluster", reason);
        }
        let id = resource_id(source);
        let region = arn_region(source)
            .filter(|_| source.starts_with("arn:"))
            .or(primary);
        if let Some(region) = region {
            let configured = c.region(region).and_then(|r| r.cluster_identifier.as_str());
            if let Some(other) = configured.filter(|other| *other != id) {
                d.push(
                    Diagnostic::error(
                        "Cluster Identifier Differs From The Source",
                        format!("The cluster of {region} is the source cluster {id}, which keeps its identifier; cluster_identifier says {other:?}. Leave cluster_identifier unset or set it to {id:?}."),
                    )
                    .with_path(path::region(region).attr(name::CLUSTER_IDENTIFIER)),
                );
            }
        }
    }
    if let Some(snapshot) = c.snapshot_identifier.as_str() {
        let problem = if snapshot.starts_with("arn:") {
            arn_problem(snapshot, "cluster-snapshot", primary)
        } else if snapshot.is_empty() {
            Some("must not be empty".into())
        } else {
            None
        };
        if let Some(reason) = problem {
            invalid(d, snapshot_path, "snapshot identifier", reason);
        }
    }
}

/// The region whose cluster is the source, and the source's identifier: the
/// ARN's region, else the region a prior state shows with that cluster,
/// else the primary region.
pub(crate) fn source_region(
    config: &Topology,
    prior: &Topology,
    primary: &Field<String>,
) -> Option<(String, String)> {
    let given = config.source_db_cluster_identifier.as_str()?;
    let id = resource_id(given).to_string();
    let region = if given.starts_with("arn:") {
        arn_region(given).map(str::to_string)
    } else {
        None
    }
    .or_else(|| {
        prior
            .region_entries()
            .find(|(_, r)| {
                r.known()
                    .is_some_and(|r| r.cluster_identifier.as_str() == Some(id.as_str()))
            })
            .map(|(k, _)| k.clone())
    })
    .or_else(|| primary.as_str().map(str::to_string))?;
    Some((region, id))
}

/// Plan rules that need the prior state: `source_db_cluster_identifier`
/// only records where the topology came from, so after create it may be
/// removed but not set or changed.
pub(crate) fn plan(create: bool, config: &Topology, prior: &Topology, d: &mut Diagnostics) {
    if create {
        return;
    }
    let Some(new) = config.source_db_cluster_identifier.as_str() else {
        return;
    };
    let old = prior.source_db_cluster_identifier.as_str();
    if old == Some(new) {
        return;
    }
    let detail = match old {
        Some(old) => format!("This topology was created from {old:?}; source_db_cluster_identifier only records that and cannot be changed to {new:?} afterwards. Set it back to {old:?} (or remove it). To grow another cluster, use a new replication_topology resource."),
        None => format!("This topology already exists (it was created or imported without source_db_cluster_identifier), so it cannot be grown from {new:?}. Remove the attribute; to grow another cluster, use a new replication_topology resource."),
    };
    d.push(
        Diagnostic::error("Source Cluster Cannot Change", detail)
            .with_path(path::top(name::SOURCE_DB_CLUSTER_IDENTIFIER)),
    );
}

/// The origin the reconciler starts from, read from a planned state.
pub(crate) fn desired(planned: &Topology) -> Option<Origin> {
    if let Some(source) = planned.source_db_cluster_identifier.as_str() {
        return Some(Origin::Source {
            cluster_id: resource_id(source).to_string(),
        });
    }
    planned
        .snapshot_identifier
        .as_str()
        .map(|s| Origin::Snapshot {
            snapshot: s.to_string(),
        })
}

/// An error at `at`: the configuration says `want`, the source `have`.
fn contradiction(
    d: &mut Diagnostics,
    at: AttributePath,
    attr: &str,
    source: &str,
    want: &str,
    have: Option<&str>,
) {
    let have = have.map_or_else(|| "none".to_string(), |h| format!("{h:?}"));
    d.push(
        Diagnostic::error(
            "Configuration Contradicts The Source",
            format!("{attr} is {want:?}, but {source} has {have}. A global database inherits it from its source, so the provider does not change it: set {attr} to the source's value, or leave it unset."),
        )
        .with_path(at),
    );
}

/// Compares the configured top-level values the source fixes with what it
/// has. `have` reads them off the source; `source` names it.
fn inherited(d: &mut Diagnostics, config: &Topology, source: &str, have: &Inherited) {
    let top = path::top;
    let checks = [
        (name::ENGINE, config.engine.as_str(), have.engine.as_deref()),
        (
            name::ENGINE_VERSION,
            config.engine_version.as_str(),
            have.engine_version.as_deref(),
        ),
        (
            name::MASTER_USERNAME,
            config.master_username.as_str(),
            have.master_username.as_deref(),
        ),
    ];
    for (attr, want, got) in checks {
        if let Some(want) = want.filter(|w| Some(*w) != got) {
            contradiction(d, top(attr), attr, source, want, got);
        }
    }
    if have.database_name_known {
        if let Some(want) = config
            .database_name
            .as_str()
            .filter(|w| Some(*w) != have.database_name.as_deref())
        {
            contradiction(
                d,
                top(name::DATABASE_NAME),
                name::DATABASE_NAME,
                source,
                want,
                have.database_name.as_deref(),
            );
        }
    }
    if let Some(want) = config.storage_encrypted.as_bool() {
        let got = have.storage_encrypted.unwrap_or(false);
        if want != got {
            contradiction(
                d,
                top(name::STORAGE_ENCRYPTED),
                name::STORAGE_ENCRYPTED,
                source,
                &want.to_string(),
                Some(&got.to_string()),
            );
        }
    }
}

/// What a source fixes for the global database.
struct Inherited {
    engine: Option<String>,
    engine_version: Option<String>,
    master_username: Option<String>,
    /// Whether the source reports its database name (a snapshot does not).
    database_name_known: bool,
    database_name: Option<String>,
    storage_encrypted: Option<bool>,
}

/// Create-time checks of the source cluster and its instances against the
/// configuration (`config`) and the desired topology. `cluster` is what
/// DescribeDBClusters reports of the source, `instances` its instances.
pub(crate) fn check_source(
    desired: &Desired,
    config: &Topology,
    cluster: &ObservedCluster,
    instances: &[ObservedInstance],
) -> Diagnostics {
    let mut d = Diagnostics::default();
    let region = desired.primary_region.as_str();
    let source_path = path::top(name::SOURCE_DB_CLUSTER_IDENTIFIER);
    let ours = cluster.global_cluster_id.as_deref() == Some(desired.id.as_str());
    match cluster.global_cluster_id.as_deref() {
        Some(other) if other != desired.id => d.push(
            Diagnostic::error(
                "Source Cluster Is Already Global",
                format!("The cluster {} is a member of the global cluster {other:?}; only a standalone cluster can become the primary of a new global database. Import {other:?} instead (terraform import ... {other}).", cluster.id),
            )
            .with_path(source_path.clone()),
        ),
        _ => {}
    }
    if !ours && cluster.status != "available" {
        d.push(
            Diagnostic::error(
                "Source Cluster Not Available",
                format!("The cluster {} is {:?}; it must be available to become the primary of a global database. Wait until it is, then apply again.", cluster.id, cluster.status),
            )
            .with_path(source_path),
        );
    }
    inherited(
        &mut d,
        config,
        &format!("the source cluster {}", cluster.id),
        &Inherited {
            engine: cluster.engine.clone(),
            engine_version: cluster.engine_version.clone(),
            master_username: cluster.master_username.clone(),
            database_name_known: true,
            database_name: cluster.database_name.clone(),
            storage_encrypted: cluster.storage_encrypted,
        },
    );
    let Some(want) = desired.regions.get(region) else {
        return d;
    };
    let configured_region = config.region(region);
    if let (Some(subnet), Some(have)) = (
        configured_region.and_then(|r| r.db_subnet_group_name.as_str()),
        cluster.db_subnet_group_name.as_deref(),
    ) {
        if subnet != have {
            contradiction(
                &mut d,
                path::region(region).attr(name::DB_SUBNET_GROUP_NAME),
                name::DB_SUBNET_GROUP_NAME,
                &format!("the source cluster {}", cluster.id),
                subnet,
                Some(have),
            );
        }
    }
    // Every existing instance must be declared; a declared one keeps its
    // class (a class change would restart it).
    let mut undeclared = BTreeMap::new();
    for have in instances {
        match want.instances.values().find(|w| w.id == have.id) {
            None => {
                undeclared.insert(instance_key(&have.id, &cluster.id, None), have);
            }
            Some(w) => {
                if let Some(class) = have.class.as_deref().filter(|c| *c != w.class) {
                    d.push(
                        Diagnostic::error(
                            "Instance Class Differs From The Source",
                            format!("Instance {} of the source cluster is {class}, but the configuration says {}. Growing a cluster does not restart its instances: set its instance_class to {class:?} (change it in a later apply if you want to).", have.id, w.class),
                        )
                        .with_path(path::instance(region, &w.key).attr(name::INSTANCE_CLASS)),
                    );
                }
            }
        }
    }
    if !undeclared.is_empty() {
        let lines: Vec<String> = undeclared
            .iter()
            .map(|(key, i)| {
                let class = i
                    .class
                    .as_deref()
                    .map(|c| format!(", instance_class = {c:?}"))
                    .unwrap_or_default();
                format!("    {key:?} = {{ identifier = {:?}{class} }}", i.id)
            })
            .collect();
        d.push(
            Diagnostic::error(
                "Source Cluster Has Undeclared Instances",
                format!(
                    "The source cluster {} has instances that regions[\"{region}\"].instances does not declare. Nothing was changed: the provider does not delete instances of a cluster it grows. Add them:\n\n  instances = {{\n{}\n  }}",
                    cluster.id,
                    lines.join("\n")
                ),
            )
            .with_path(path::instances(region)),
        );
    }
    d
}

/// Create-time checks of the snapshot against the configuration.
pub(crate) fn check_snapshot(config: &Topology, snapshot: &ObservedSnapshot) -> Diagnostics {
    let mut d = Diagnostics::default();
    if snapshot.status != "available" {
        d.push(
            Diagnostic::error(
                "Snapshot Not Available",
                format!(
                    "The snapshot {} is {:?}; it can be restored once it is available.",
                    snapshot.id, snapshot.status
                ),
            )
            .with_path(path::top(name::SNAPSHOT_IDENTIFIER)),
        );
    }
    let source = format!("the snapshot {}", snapshot.id);
    inherited(
        &mut d,
        &Topology {
            // A restore may upgrade the engine version (RestoreDBClusterFromSnapshot
            // takes one), and it takes a database name.
            engine_version: Field::Null,
            ..config.clone()
        },
        &source,
        &Inherited {
            engine: snapshot.engine.clone(),
            engine_version: None,
            master_username: snapshot.master_username.clone(),
            database_name_known: false,
            database_name: None,
            storage_encrypted: snapshot.storage_encrypted,
        },
    );
    d
}

/// The checks of a create from an origin, before any change: reads the
/// source cluster and its instances, or the snapshot (unless a cluster
/// restored from it by an earlier run exists), and compares them with the
/// configuration. An AWS failure is an error too.
pub(crate) async fn preflight(
    clients: &Clients,
    desired: &Desired,
    config: &Topology,
) -> Diagnostics {
    let region = desired.primary_region.as_str();
    let failed = |what: &str, e: aws::AwsError| {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error(
            "Reading The Source Failed",
            format!("Reading {what} in {region} failed: {e}"),
        ));
        d
    };
    match &desired.origin {
        None => Diagnostics::default(),
        Some(Origin::Source { cluster_id }) => {
            let cluster = match aws::find_cluster(clients, region, cluster_id).await {
                Ok(Some(c)) => c,
                Ok(None) => {
                    let mut d = Diagnostics::default();
                    d.push(
                        Diagnostic::error(
                            "Source Cluster Not Found",
                            format!("No cluster {cluster_id} exists in {region}. source_db_cluster_identifier must name an existing cluster in primary_region."),
                        )
                        .with_path(path::top(name::SOURCE_DB_CLUSTER_IDENTIFIER)),
                    );
                    return d;
                }
                Err(e) => return failed(&format!("the source cluster {cluster_id}"), e),
            };
            let instances = match aws::find_instances_by_cluster(clients, region, cluster_id).await
            {
                Ok(i) => i,
                Err(e) => return failed(&format!("the instances of {cluster_id}"), e),
            };
            check_source(desired, config, &cluster, &instances)
        }
        Some(Origin::Snapshot { snapshot }) => {
            let restored = desired
                .regions
                .get(region)
                .map(|r| aws::find_cluster(clients, region, &r.cluster_id));
            if let Some(find) = restored {
                match find.await {
                    // Restored by an earlier run (its ownership is checked
                    // by the restore step).
                    Ok(Some(_)) => return Diagnostics::default(),
                    Ok(None) => {}
                    Err(e) => return failed("the primary cluster", e),
                }
            }
            let id = resource_id(snapshot);
            match aws::find_snapshot(clients, region, id).await {
                Ok(Some(s)) => check_snapshot(config, &s),
                Ok(None) => {
                    let mut d = Diagnostics::default();
                    d.push(
                        Diagnostic::error(
                            "Snapshot Not Found",
                            format!("No DB cluster snapshot {id} exists in {region}. snapshot_identifier must name a cluster snapshot in primary_region."),
                        )
                        .with_path(path::top(name::SNAPSHOT_IDENTIFIER)),
                    );
                    d
                }
                Err(e) => failed(&format!("the snapshot {id}"), e),
            }
        }
    }
}
