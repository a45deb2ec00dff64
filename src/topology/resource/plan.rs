//! PlanResourceChange for `replication_topology`, as a pure function of the
//! prior state, the proposed new state, the configuration and the provider's
//! home region.
//!
//! The rule it follows: a computed value that apply may change is planned
//! unknown; every other value is planned exactly (defaults filled in,
//! identifiers derived, roles from `primary_region`), so the plan shows the
//! user what will really happen and Terraform accepts the apply result.

use std::collections::BTreeMap;

use crate::tf::{AttributePath, Diagnostic, Diagnostics, Value};

use super::validate::{is_headless, known_str};

/// Everything the plan depends on.
pub struct PlanInput<'a> {
    /// Prior state (null at create).
    pub prior: &'a Value,
    /// Terraform's proposed new state.
    pub proposed: &'a Value,
    /// The configuration (null at destroy).
    pub config: &'a Value,
    /// The provider's `region` (or AWS_REGION), used when `primary_region` is unset at create.
    pub provider_region: Option<&'a str>,
    /// Clusters an earlier failed apply may have left detached (region,
    /// cluster id, was primary): an update must run to delete them.
    pub leftovers: &'a [(String, String, bool)],
}

/// The planned change.
#[derive(Debug)]
pub struct PlanOutput {
    /// Planned new state.
    pub planned: Value,
    /// Changed attributes that force replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Warnings about disruptive changes, and plan-time errors.
    pub diagnostics: Diagnostics,
}

/// Top-level attributes whose change replaces the whole topology.
pub const REPLACE_ATTRS: [&str; 5] = [
    "global_cluster_identifier",
    "engine",
    "database_name",
    "master_username",
    "storage_encrypted",
];

type Obj = BTreeMap<String, Value>;

fn entries(v: Option<&Value>) -> Obj {
    v.and_then(Value::as_entries).cloned().unwrap_or_default()
}

fn get<'a>(o: &'a Obj, k: &str) -> &'a Value {
    o.get(k).unwrap_or(&Value::Null)
}

fn set_default(o: &mut Obj, config: &Value, name: &str, default: Value) {
    if config.get_attr(name).is_none_or(Value::is_null) {
        o.insert(name.to_string(), default);
    }
}

/// Config value when set, else `otherwise`.
fn or_config(config: &Value, name: &str, otherwise: Value) -> Value {
    match config.get_attr(name) {
        Some(v) if !v.is_null() => v.clone(),
        _ => otherwise,
    }
}

/// The major version of an Aurora engine version string: "16" of "16.4",
/// "8.0" of "8.0.mysql_aurora.3.05.2".
pub fn major_version(engine: &str, version: &str) -> String {
    let parts: Vec<&str> = version.split('.').collect();
    let first_is_old_pg = engine == "aurora-postgresql"
        && parts
            .first()
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|n| n < 10);
    if engine == "aurora-mysql" || first_is_old_pg {
        parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
    } else {
        parts.first().copied().unwrap_or_default().to_string()
    }
}

/// Plans a create, update or destroy.
pub fn plan(input: PlanInput<'_>) -> PlanOutput {
    if input.prior.is_null() && input.config.is_null() {
        return PlanOutput {
            planned: Value::Null,
            requires_replace: vec![],
            diagnostics: Diagnostics::default(),
        };
    }
    let mut d = Diagnostics::default();
    let root = AttributePath::root();
    if input.config.is_null() {
        plan_destroy(input.prior, &mut d);
        return PlanOutput {
            planned: Value::Null,
            requires_replace: vec![],
            diagnostics: d,
        };
    }
    let create = input.prior.is_null();
    let config = input.config;
    let prior = entries(Some(input.prior));
    let mut p = entries(Some(input.proposed));

    let gci = config
        .get_attr("global_cluster_identifier")
        .cloned()
        .unwrap_or(Value::Null);
    p.insert("id".into(), gci.clone());
    set_default(
        &mut p,
        config,
        "allow_major_version_upgrade",
        Value::Bool(false),
    );
    set_default(&mut p, config, "deletion_protection", Value::Bool(false));
    set_default(&mut p, config, "skip_final_snapshot", Value::Bool(false));
    set_default(&mut p, config, "failover_mode", Value::string("switchover"));
    p.insert("master_password_wo".into(), Value::Null);
    for name in ["engine_version", "storage_encrypted"] {
        let v = or_config(
            config,
            name,
            if create {
                Value::Unknown
            } else {
                get(&prior, name).clone()
            },
        );
        p.insert(name.into(), v);
    }

    // Which region will be primary.
    let primary = match config.get_attr("primary_region") {
        Some(v) if !v.is_null() => v.clone(),
        _ if !create => get(&prior, "primary_region").clone(),
        _ => {
            let regions = config.get_attr("regions");
            match (input.provider_region, regions.and_then(Value::as_entries)) {
                (Some(r), Some(m)) if m.contains_key(r) => Value::string(r),
                (_, None) => Value::Unknown,
                (r, Some(m)) => {
                    d.push(
                        Diagnostic::error(
                            "Primary Region Not Determined",
                            format!(
                                "primary_region is not set and the provider's region ({}) is not one of the regions ({}). Set primary_region to the region that should hold the writer.",
                                r.unwrap_or("unset"),
                                m.keys().cloned().collect::<Vec<_>>().join(", ")
                            ),
                        )
                        .with_path(root.attr("primary_region")),
                    );
                    Value::Unknown
                }
            }
        }
    };
    p.insert("primary_region".into(), primary.clone());

    // Regions.
    let prior_regions = entries(prior.get("regions"));
    let config_regions = config.get_attr("regions");
    let planned_regions = match config_regions {
        Some(Value::Map(m)) => {
            let mut out = Obj::new();
            for (key, creg) in m {
                let proposed_reg = input
                    .proposed
                    .get_attr("regions")
                    .and_then(|r| r.get_key(key))
                    .cloned()
                    .unwrap_or(Value::Null);
                let r = plan_region(
                    key,
                    creg,
                    &proposed_reg,
                    prior_regions.get(key),
                    &gci,
                    &primary,
                    &mut d,
                );
                out.insert(key.clone(), r);
            }
            Value::Map(out)
        }
        _ => Value::Unknown,
    };
    p.insert("regions".into(), planned_regions.clone());

    // Global computed values.
    for name in ["arn", "global_cluster_resource_id", "global_endpoint"] {
        p.insert(
            name.into(),
            if create {
                Value::Unknown
            } else {
                get(&prior, name).clone()
            },
        );
    }
    p.insert(
        "status".into(),
        if create {
            Value::Unknown
        } else {
            get(&prior, "status").clone()
        },
    );
    if !create && Value::Object(p.clone()) != *input.prior {
        p.insert("status".into(), Value::Unknown);
    }
    let stale: Vec<&(String, String, bool)> = input
        .leftovers
        .iter()
        .filter(|(region, cluster, _)| {
            p.get("regions")
                .and_then(|r| r.get_key(region))
                .and_then(|r| r.get_attr("cluster_identifier"))
                .and_then(Value::as_str)
                != Some(cluster.as_str())
        })
        .collect();
    if !create && !stale.is_empty() {
        p.insert("status".into(), Value::Unknown);
        d.push(Diagnostic::warning(
            "Finishing An Interrupted Removal",
            format!(
                "An earlier apply stopped while removing {}. This apply deletes what is left of it if it still exists (detached from the global database and tagged as this topology's).",
                stale.iter().map(|(r, c, _)| format!("cluster {c} in {r}")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }

    // Plan-time checks that need the prior state.
    let mut requires_replace = Vec::new();
    if create {
        let pw = config
            .get_attr("master_password")
            .is_some_and(|v| !v.is_null());
        let wo = config
            .get_attr("master_password_wo")
            .is_some_and(|v| !v.is_null());
        if !pw && !wo {
            d.push(
                Diagnostic::error(
                    "Master Password Required",
                    "Creating a topology needs a master password for the primary: set master_password, or master_password_wo (write-only) on Terraform 1.11 or later.",
                )
                .with_path(root.attr("master_password")),
            );
        }
    } else {
        for name in REPLACE_ATTRS {
            let (a, b) = (get(&p, name), get(&prior, name));
            if a.is_known() && a != b {
                requires_replace.push(root.attr(name));
            }
        }
        check_upgrade(config, &prior, &p, &mut d);
        check_primary_move(config, &prior, &p, &mut d);
        warn_removed_regions(&prior_regions, config_regions, &mut d);
    }
    PlanOutput {
        planned: Value::Object(p),
        requires_replace,
        diagnostics: d,
    }
}

fn plan_destroy(prior: &Value, d: &mut Diagnostics) {
    let root = AttributePath::root();
    if prior
        .get_attr("deletion_protection")
        .and_then(Value::as_bool)
        == Some(true)
    {
        d.push(
            Diagnostic::error(
                "Deletion Protection Is On",
                "This topology has deletion_protection = true, so it cannot be destroyed. Set deletion_protection = false and apply first, then destroy.",
            )
            .with_path(root.attr("deletion_protection")),
        );
    }
    let skip = prior
        .get_attr("skip_final_snapshot")
        .and_then(Value::as_bool)
        == Some(true);
    if !skip && known_str(prior, "final_snapshot_identifier").is_none() {
        d.push(
            Diagnostic::error(
                "Final Snapshot Identifier Required",
                "Destroying takes a final snapshot of the primary cluster unless skip_final_snapshot = true. Set final_snapshot_identifier (or skip_final_snapshot = true) and apply, then destroy.",
            )
            .with_path(root.attr("final_snapshot_identifier")),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn plan_region(
    key: &str,
    config: &Value,
    proposed: &Value,
    prior: Option<&Value>,
    gci: &Value,
    primary: &Value,
    d: &mut Diagnostics,
) -> Value {
    let path = AttributePath::root().attr("regions").key(key);
    if config.is_unknown() {
        return Value::Unknown;
    }
    let prior = prior.filter(|v| !v.is_null());
    let mut r = entries(Some(proposed));
    let cluster_id = match (config.get_attr("cluster_identifier"), gci.as_str()) {
        (Some(v), _) if !v.is_null() => v.clone(),
        (_, Some(g)) => Value::string(format!("{g}-{key}")),
        _ => Value::Unknown,
    };
    r.insert("cluster_identifier".into(), cluster_id.clone());
    let prior_attr = |name: &str| {
        prior
            .and_then(|p| p.get_attr(name))
            .cloned()
            .unwrap_or(Value::Null)
    };

    let mut recreate = false;
    if prior.is_some() {
        for name in ["cluster_identifier", "db_subnet_group_name", "kms_key_id"] {
            let c = if name == "cluster_identifier" {
                cluster_id.clone()
            } else {
                config.get_attr(name).cloned().unwrap_or(Value::Null)
            };
            if !c.is_null() && c.is_known() && c != prior_attr(name) {
                recreate = true;
            }
        }
        if recreate {
            d.push(
                Diagnostic::warning(
                    "Regional Cluster Will Be Recreated",
                    format!("A change to cluster_identifier, db_subnet_group_name or kms_key_id in {key} cannot be made in place: the region's instances and cluster will be deleted and a new cluster created and attached to the global database. The region serves no reads until it has caught up."),
                )
                .with_path(path.clone()),
            );
        }
    }
    let keep = prior.is_some() && !recreate;
    for name in [
        "db_subnet_group_name",
        "vpc_security_group_ids",
        "kms_key_id",
        "db_cluster_parameter_group_name",
    ] {
        let v = or_config(
            config,
            name,
            if keep {
                prior_attr(name)
            } else {
                Value::Unknown
            },
        );
        r.insert(name.into(), v);
    }
    r.insert(
        "write_forwarding".into(),
        or_config(config, "write_forwarding", Value::Bool(false)),
    );

    // Instances.
    let region_class = config
        .get_attr("instance_class")
        .cloned()
        .unwrap_or(Value::Null);
    let prior_instances = entries(prior.and_then(|p| p.get_attr("instances")));
    let planned_instances = match config.get_attr("instances") {
        None | Some(Value::Null) => Value::Map(Obj::new()),
        Some(Value::Map(m)) => {
            let mut out = Obj::new();
            for (ik, ic) in m {
                let ip = path.attr("instances").key(ik);
                let prior_inst = if keep {
                    prior_instances.get(ik).filter(|v| !v.is_null())
                } else {
                    None
                };
                out.insert(
                    ik.clone(),
                    plan_instance(ik, ic, &cluster_id, &region_class, prior_inst, &ip, d),
                );
            }
            for (ik, pi) in &prior_instances {
                if keep && !m.contains_key(ik) {
                    d.push(
                        Diagnostic::warning(
                            "Instance Will Be Deleted",
                            format!("Instance {} in {key} is no longer in the configuration and will be deleted.", known_str(pi, "identifier").unwrap_or(ik)),
                        )
                        .with_path(path.attr("instances").key(ik)),
                    );
                }
            }
            Value::Map(out)
        }
        Some(_) => Value::Unknown,
    };
    let derived_class = if !region_class.is_null() {
        region_class.clone()
    } else {
        common_class(&planned_instances)
    };
    r.insert("instance_class".into(), derived_class);
    r.insert("instances".into(), planned_instances);

    r.insert(
        "role".into(),
        match primary.as_str() {
            Some(p) if p == key => Value::string("primary"),
            Some(_) => Value::string("secondary"),
            None => Value::Unknown,
        },
    );
    for name in ["arn", "endpoint", "reader_endpoint"] {
        r.insert(
            name.into(),
            if keep {
                prior_attr(name)
            } else {
                Value::Unknown
            },
        );
    }
    r.insert(
        "status".into(),
        if keep {
            prior_attr("status")
        } else {
            Value::Unknown
        },
    );
    if keep && Some(&Value::Object(r.clone())) != prior {
        r.insert("status".into(), Value::Unknown);
    }
    Value::Object(r)
}

/// The region's default class as seen from its instances: unknown while any
/// is unknown; the class most instances use (a region's default plus a few
/// overrides); null when there are none or no class is the most common one.
/// Read derives it the same way.
pub fn common_class(instances: &Value) -> Value {
    let Some(m) = instances.as_entries() else {
        return Value::Unknown;
    };
    let mut counts: Vec<(&Value, usize)> = Vec::new();
    for inst in m.values() {
        let c = inst.get_attr("instance_class").unwrap_or(&Value::Null);
        if c.is_unknown() {
            return Value::Unknown;
        }
        if c.is_null() {
            continue;
        }
        match counts.iter_mut().find(|(v, _)| *v == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    let Some(top) = counts.iter().map(|(_, n)| *n).max() else {
        return Value::Null;
    };
    match counts
        .iter()
        .filter(|(_, n)| *n == top)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [(v, _)] => (*v).clone(),
        _ => Value::Null,
    }
}

fn plan_instance(
    key: &str,
    config: &Value,
    cluster_id: &Value,
    region_class: &Value,
    prior: Option<&Value>,
    path: &AttributePath,
    d: &mut Diagnostics,
) -> Value {
    if config.is_unknown() {
        return Value::Unknown;
    }
    let mut o = entries(Some(config));
    let prior_attr = |name: &str| {
        prior
            .and_then(|p| p.get_attr(name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let id = match (config.get_attr("identifier"), cluster_id.as_str()) {
        (Some(v), _) if !v.is_null() => v.clone(),
        (_, Some(c)) => Value::string(format!("{c}-{key}")),
        _ => Value::Unknown,
    };
    // An instance whose identifier changes is a new instance.
    let prior = prior.filter(|p| p.get_attr("identifier") == Some(&id));
    let class = match config.get_attr("instance_class") {
        Some(v) if !v.is_null() => v.clone(),
        _ if !region_class.is_null() => region_class.clone(),
        _ if prior.is_some() => prior_attr("instance_class"),
        _ => {
            d.push(
                Diagnostic::error(
                    "Instance Class Required",
                    "Set instance_class on this instance or on its region.",
                )
                .with_path(path.attr("instance_class")),
            );
            Value::Unknown
        }
    };
    if let (Some(_), Some(new), Some(old)) =
        (prior, class.as_str(), prior_attr("instance_class").as_str())
    {
        if new != old {
            d.push(
                Diagnostic::warning(
                    "Instance Will Be Resized",
                    format!("Instance {} changes class from {old} to {new}; it restarts during the change.", id.as_str().unwrap_or(key)),
                )
                .with_path(path.attr("instance_class")),
            );
        }
    }
    o.insert("identifier".into(), id);
    o.insert("instance_class".into(), class);
    o.insert(
        "promotion_tier".into(),
        or_config(config, "promotion_tier", Value::number(1i64)),
    );
    for name in ["arn", "endpoint"] {
        o.insert(
            name.into(),
            if prior.is_some() {
                prior_attr(name)
            } else {
                Value::Unknown
            },
        );
    }
    o.insert(
        "status".into(),
        if prior.is_some() {
            prior_attr("status")
        } else {
            Value::Unknown
        },
    );
    if prior.is_some() && prior != Some(&Value::Object(o.clone())) {
        o.insert("status".into(), Value::Unknown);
    }
    Value::Object(o)
}

fn check_upgrade(config: &Value, prior: &Obj, planned: &Obj, d: &mut Diagnostics) {
    let engine = known_str(config, "engine").unwrap_or_default();
    let (Some(old), Some(new)) = (
        get(prior, "engine_version").as_str(),
        get(planned, "engine_version").as_str(),
    ) else {
        return;
    };
    if old == new || major_version(engine, old) == major_version(engine, new) {
        return;
    }
    let allowed = get(planned, "allow_major_version_upgrade").as_bool() == Some(true);
    if !allowed {
        d.push(
            Diagnostic::error(
                "Major Version Upgrade Not Allowed",
                format!("engine_version changes from {old} to {new}, a major version upgrade of every region. Set allow_major_version_upgrade = true to allow it."),
            )
            .with_path(AttributePath::root().attr("engine_version")),
        );
    } else {
        d.push(
            Diagnostic::warning(
                "Major Version Upgrade",
                format!("The whole global database will be upgraded from {old} to {new} through ModifyGlobalCluster; every region is unavailable for writes during the upgrade."),
            )
            .with_path(AttributePath::root().attr("engine_version")),
        );
    }
}

fn check_primary_move(config: &Value, prior: &Obj, planned: &Obj, d: &mut Diagnostics) {
    let root = AttributePath::root();
    let (Some(from), Some(to)) = (
        get(prior, "primary_region").as_str(),
        get(planned, "primary_region").as_str(),
    ) else {
        return;
    };
    let regions = config.get_attr("regions");
    if from == to {
        if regions
            .and_then(Value::as_entries)
            .is_some_and(|m| !m.contains_key(from))
        {
            d.push(
                Diagnostic::error(
                    "Primary Region Would Be Removed",
                    format!("{from} holds the writer and is being removed from regions, but primary_region does not say where the writer should go. Set primary_region to the region that should take over."),
                )
                .with_path(root.attr("regions")),
            );
        }
        return;
    }
    if let Some(target) = regions.and_then(|r| r.get_key(to)) {
        if is_headless(target) == Some(true) {
            d.push(
                Diagnostic::error(
                    "Switchover Target Has No Instances",
                    format!("The primary cannot move to {to}: it has no instances to hold the writer. Add at least one instance to regions[\"{to}\"].instances."),
                )
                .with_path(root.attr("primary_region")),
            );
            return;
        }
    }
    let mode = get(planned, "failover_mode")
        .as_str()
        .unwrap_or("switchover");
    let diag = if mode == "failover" {
        Diagnostic::warning(
            "Primary Will Fail Over With Possible Data Loss",
            format!("The primary moves from {from} to {to} by FailoverGlobalCluster with AllowDataLoss: writes not yet replicated to {to} are lost. Use this when {from} is unavailable; when it is healthy, prefer failover_mode = \"switchover\"."),
        )
    } else {
        Diagnostic::warning(
            "Primary Will Move By Managed Switchover",
            format!("The primary moves from {from} to {to} by SwitchoverGlobalCluster. No data is lost; writes pause for a short time while the writer moves. Every region must be available."),
        )
    };
    d.push(diag.with_path(root.attr("primary_region")));
}

fn warn_removed_regions(prior: &Obj, config: Option<&Value>, d: &mut Diagnostics) {
    let Some(cfg) = config.and_then(Value::as_entries) else {
        return;
    };
    for (key, reg) in prior {
        if !cfg.contains_key(key) {
            d.push(
                Diagnostic::warning(
                    "Region Will Be Removed",
                    format!(
                        "{key} is no longer in regions: its instances will be deleted, its cluster ({}) detached from the global database and deleted, without a final snapshot.",
                        known_str(reg, "cluster_identifier").unwrap_or("unknown")
                    ),
                )
                .with_path(AttributePath::root().attr("regions")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instances(classes: &[Value]) -> Value {
        Value::Map(
            classes
                .iter()
                .enumerate()
                .map(|(n, c)| {
                    (
                        format!("i{n}"),
                        Value::object([("instance_class", c.clone())]),
                    )
                })
                .collect(),
        )
    }

    /// Bug: importing a region whose instances use the region's class plus
    /// one override read the region's instance_class back as null, so the
    /// plan after import showed `+ instance_class` for the unchanged config.
    #[test]
    fn region_class_with_an_overridden_instance_is_the_most_common_class() {
        let (l, xl) = (
            Value::string("db.r6g.large"),
            Value::string("db.r6g.xlarge"),
        );
        assert_eq!(
            common_class(&instances(&[l.clone(), l.clone(), xl.clone()])),
            l
        );
        assert_eq!(common_class(&instances(&[l.clone(), l.clone()])), l);
        assert_eq!(
            common_class(&instances(&[l.clone(), xl.clone()])),
            Value::Null,
            "a tie has no default"
        );
        assert_eq!(common_class(&instances(&[])), Value::Null);
        assert_eq!(
            common_class(&instances(&[l.clone(), Value::Unknown])),
            Value::Unknown
        );
        assert_eq!(common_class(&instances(&[Value::Null, xl.clone()])), xl);
    }
}

#[cfg(test)]
mod table_tests;
