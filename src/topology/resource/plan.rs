//! Terraform's plan (PlanResourceChange) for `replication_topology`, as a
//! pure function of the prior state, the proposed new state, the
//! configuration and the provider's home region.
//!
//! The rule it follows: a computed value that apply may change is planned
//! unknown; every other value is planned exactly (defaults filled in,
//! identifiers derived, roles from `primary_region`), so the plan shows the
//! user what will really happen and Terraform accepts the apply result.

use crate::tf::{AttributePath, Diagnostic, Diagnostics, Value};

use super::model::{common_class, path, Field, FieldMap, Instance, Region, Topology};
use super::schema::{default, name, replacing, Replaces, ROLE_PRIMARY, ROLE_SECONDARY};
use super::settings::{self, InstanceConfig};
use super::validate::is_headless;
use crate::topology::lag::{self, TargetLag};
use crate::topology::rules::major_version;

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
    /// The lag of the region the primary moves to, when the plan moves it
    /// (read from CloudWatch before planning); `None` when not read.
    pub(crate) target_lag: Option<&'a TargetLag>,
}

impl<'a> PlanInput<'a> {
    /// An input with no lag reading, as for every plan that does not move
    /// the primary (the resource reads the target's lag only for those).
    pub fn without_lag(
        prior: &'a Value,
        proposed: &'a Value,
        config: &'a Value,
        provider_region: Option<&'a str>,
        leftovers: &'a [(String, String, bool)],
    ) -> Self {
        PlanInput {
            prior,
            proposed,
            config,
            provider_region,
            leftovers,
            target_lag: None,
        }
    }
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

/// Known when the prior state exists (update), unknown at create.
fn prior_or_unknown<T: Clone>(create: bool, prior: &Field<T>) -> Field<T> {
    if create {
        Field::Unknown
    } else {
        prior.clone()
    }
}

/// Plans a create, update or destroy (Terraform's PlanResourceChange).
pub fn plan_resource_change(input: PlanInput<'_>) -> PlanOutput {
    if input.prior.is_null() && input.config.is_null() {
        return PlanOutput {
            planned: Value::Null,
            requires_replace: vec![],
            diagnostics: Diagnostics::default(),
        };
    }
    let mut d = Diagnostics::default();
    if input.config.is_null() {
        plan_destroy(&Topology::from_value(input.prior), &mut d);
        return PlanOutput {
            planned: Value::Null,
            requires_replace: vec![],
            diagnostics: d,
        };
    }
    let create = input.prior.is_null();
    let config = Topology::from_value(input.config);
    let prior = Topology::from_value(input.prior);
    let mut p = Topology::from_value(input.proposed);

    let gci = config.global_cluster_identifier.clone();
    p.id = gci.clone();
    if config.allow_major_version_upgrade.is_null() {
        p.allow_major_version_upgrade = Field::Known(default::ALLOW_MAJOR_VERSION_UPGRADE);
    }
    if config.deletion_protection.is_null() {
        p.deletion_protection = Field::Known(default::DELETION_PROTECTION);
    }
    if config.skip_final_snapshot.is_null() {
        p.skip_final_snapshot = Field::Known(default::SKIP_FINAL_SNAPSHOT);
    }
    if config.failover_mode.is_null() {
        p.failover_mode = Field::string(default::FAILOVER_MODE);
    }
    p.master_password_wo = Field::Null;
    p.engine_version = config
        .engine_version
        .clone()
        .or(prior_or_unknown(create, &prior.engine_version));
    p.storage_encrypted = config
        .storage_encrypted
        .clone()
        .or(prior_or_unknown(create, &prior.storage_encrypted));
    p.engine_lifecycle_support = config
        .engine_lifecycle_support
        .clone()
        .or(prior_or_unknown(create, &prior.engine_lifecycle_support));
    if config.apply_immediately.is_null() {
        // A state from before the attribute existed keeps it null (the
        // default applies) until a refresh records the default.
        p.apply_immediately = if !create && prior.apply_immediately.is_null() {
            Field::Null
        } else {
            Field::Known(default::APPLY_IMMEDIATELY)
        };
    }

    // Which region will be primary.
    let primary = if !config.primary_region.is_null() {
        config.primary_region.clone()
    } else if !create {
        prior.primary_region.clone()
    } else {
        match (input.provider_region, config.regions.known()) {
            (Some(r), Some(m)) if m.contains_key(r) => Field::string(r),
            (_, None) => Field::Unknown,
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
                    .with_path(path::top(name::PRIMARY_REGION)),
                );
                Field::Unknown
            }
        }
    };
    p.primary_region = primary.clone();

    // Regions. The cluster a topology grows from keeps its identifier.
    let source = super::origin::source_region(&config, &prior, &primary);
    let empty = FieldMap::new();
    let prior_regions = prior.regions.known().unwrap_or(&empty);
    let planned_regions = match config.regions.known() {
        Some(m) => {
            let mut out = FieldMap::new();
            for (key, creg) in m {
                let proposed_reg = p
                    .regions
                    .known()
                    .and_then(|r| r.get(key))
                    .cloned()
                    .unwrap_or(Field::Null);
                let default_id = match &source {
                    Some((region, id)) if region == key => Field::string(id.clone()),
                    _ => gci
                        .as_str()
                        .map_or(Field::Unknown, |g| Field::string(format!("{g}-{key}"))),
                };
                let r = plan_region(
                    key,
                    creg,
                    &proposed_reg,
                    prior_regions.get(key).and_then(Field::known),
                    &default_id,
                    &primary,
                    &mut d,
                );
                out.insert(key.clone(), r);
            }
            Field::Known(out)
        }
        None => Field::Unknown,
    };
    p.regions = planned_regions;

    // Global computed values.
    p.arn = prior_or_unknown(create, &prior.arn);
    p.global_cluster_resource_id = prior_or_unknown(create, &prior.global_cluster_resource_id);
    p.global_endpoint = prior_or_unknown(create, &prior.global_endpoint);
    p.status = prior_or_unknown(create, &prior.status);
    if !create && p != prior {
        p.status = Field::Unknown;
        unsettled_unknown(&mut p);
    }
    let stale: Vec<&(String, String, bool)> = input
        .leftovers
        .iter()
        .filter(|(region, cluster, _)| {
            p.region(region).and_then(|r| r.cluster_identifier.as_str()) != Some(cluster.as_str())
        })
        .collect();
    if !create && !stale.is_empty() {
        p.status = Field::Unknown;
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
    let planned = p.to_value();
    super::origin::plan(create, &config, &prior, &mut d);
    if create {
        // Grown or restored: the master user comes from what exists.
        if config.master_password.is_null()
            && config.master_password_wo.is_null()
            && !config.has_origin()
        {
            d.push(
                Diagnostic::error(
                    "Master Password Required",
                    "Creating a topology needs a master password for the primary: set master_password, or master_password_wo (write-only) on Terraform 1.11 or later.",
                )
                .with_path(path::top(name::MASTER_PASSWORD)),
            );
        }
    } else {
        for attr in replacing(Replaces::Topology) {
            let new = planned.get_attr(attr).unwrap_or(&Value::Null);
            let old = input.prior.get_attr(attr).unwrap_or(&Value::Null);
            if new.is_known() && new != old {
                requires_replace.push(path::top(attr));
            }
        }
        check_upgrade(&config, &prior, &p, &mut d);
        check_primary_move(&config, &prior, &p, input.target_lag, &mut d);
        warn_removed_regions(prior_regions, &config, &mut d);
    }
    PlanOutput {
        planned,
        requires_replace,
        diagnostics: d,
    }
}

fn plan_destroy(prior: &Topology, d: &mut Diagnostics) {
    if prior.deletion_protection.as_bool() == Some(true) {
        d.push(
            Diagnostic::error(
                "Deletion Protection Is On",
                "This topology has deletion_protection = true, so it cannot be destroyed. Set deletion_protection = false and apply first, then destroy.",
            )
            .with_path(path::top(name::DELETION_PROTECTION)),
        );
    }
    let skip = prior.skip_final_snapshot.as_bool() == Some(true);
    if !skip && prior.final_snapshot_identifier.as_str().is_none() {
        d.push(
            Diagnostic::error(
                "Final Snapshot Identifier Required",
                "Destroying takes a final snapshot of the primary cluster unless skip_final_snapshot = true. Set final_snapshot_identifier (or skip_final_snapshot = true) and apply, then destroy.",
            )
            .with_path(path::top(name::FINAL_SNAPSHOT_IDENTIFIER)),
        );
    }
}

/// "a, b or c".
fn one_of(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

fn plan_region(
    key: &str,
    config: &Field<Region>,
    proposed: &Field<Region>,
    prior: Option<&Region>,
    default_cluster_id: &Field<String>,
    primary: &Field<String>,
    d: &mut Diagnostics,
) -> Field<Region> {
    let rp = path::region(key);
    let cfg = match config {
        Field::Unknown => return Field::Unknown,
        Field::Null => Region::default(),
        Field::Known(c) => c.clone(),
    };
    let mut r = proposed.known().cloned().unwrap_or_default();
    let cluster_id = cfg
        .cluster_identifier
        .clone()
        .or(default_cluster_id.clone());
    r.cluster_identifier = cluster_id.clone();

    let mut recreate = false;
    if let Some(prior) = prior {
        // What the configuration asks for, compared with the prior state on
        // every attribute whose change recreates the region's cluster.
        let wanted = Region {
            cluster_identifier: cluster_id.clone(),
            ..cfg.clone()
        }
        .to_value();
        let prior_v = prior.to_value();
        let recreating: Vec<&str> = replacing(Replaces::RegionCluster).collect();
        for attr in &recreating {
            let c = wanted.get_attr(attr).unwrap_or(&Value::Null);
            if !c.is_null() && c.is_known() && Some(c) != prior_v.get_attr(attr) {
                recreate = true;
            }
        }
        if recreate {
            d.push(
                Diagnostic::warning(
                    "Regional Cluster Will Be Recreated",
                    format!("A change to {} in {key} cannot be made in place: the region's instances and cluster will be deleted and a new cluster created and attached to the global database. The region serves no reads until it has caught up.", one_of(&recreating)),
                )
                .with_path(rp.clone()),
            );
        }
    }
    let kept = prior.filter(|_| !recreate);
    let keep = |f: fn(&Region) -> &Field<String>| kept.map_or(Field::Unknown, |p| f(p).clone());
    r.db_subnet_group_name = cfg
        .db_subnet_group_name
        .clone()
        .or(keep(|p| &p.db_subnet_group_name));
    r.vpc_security_group_ids = cfg
        .vpc_security_group_ids
        .clone()
        .or(kept.map_or(Field::Unknown, |p| p.vpc_security_group_ids.clone()));
    r.kms_key_id = cfg.kms_key_id.clone().or(keep(|p| &p.kms_key_id));
    r.db_cluster_parameter_group_name = cfg
        .db_cluster_parameter_group_name
        .clone()
        .or(keep(|p| &p.db_cluster_parameter_group_name));
    r.write_forwarding = cfg
        .write_forwarding
        .clone()
        .or(Field::Known(default::WRITE_FORWARDING));
    r.settings = settings::plan_cluster(&cfg.settings, kept.map(|p| &p.settings));
    r.instance_defaults = cfg
        .instance_defaults
        .or(&kept.map_or_else(InstanceConfig::unknown, |p| p.instance_defaults.clone()));
    if let Some(p) = kept {
        settings::warn_region_changes(key, &p.settings, &r.settings, d);
    }

    // Instances.
    let region_class = cfg.instance_class.clone();
    let empty = FieldMap::new();
    let prior_instances = prior.and_then(|p| p.instances.known()).unwrap_or(&empty);
    let planned_instances = match &cfg.instances {
        Field::Null => Field::Known(FieldMap::new()),
        Field::Known(m) => {
            let mut out = FieldMap::new();
            for (ik, ic) in m {
                let ip = path::instance(key, ik);
                let prior_inst = kept.and(prior_instances.get(ik)).and_then(Field::known);
                out.insert(
                    ik.clone(),
                    plan_instance(
                        ik,
                        ic,
                        &cluster_id,
                        (&region_class, &cfg.instance_defaults),
                        prior_inst,
                        &ip,
                        d,
                    ),
                );
            }
            for (ik, pi) in prior_instances {
                if kept.is_some() && !m.contains_key(ik) {
                    let id = pi.known().and_then(|i| i.identifier.as_str()).unwrap_or(ik);
                    d.push(
                        Diagnostic::warning(
                            "Instance Will Be Deleted",
                            format!("Instance {id} in {key} is no longer in the configuration and will be deleted."),
                        )
                        .with_path(path::instance(key, ik)),
                    );
                }
            }
            Field::Known(out)
        }
        Field::Unknown => Field::Unknown,
    };
    r.instance_class = if region_class.is_null() {
        common_class(&planned_instances)
    } else {
        region_class
    };
    r.instances = planned_instances;

    r.role = match primary.as_str() {
        Some(p) if p == key => Field::string(ROLE_PRIMARY),
        Some(_) => Field::string(ROLE_SECONDARY),
        None => Field::Unknown,
    };
    r.arn = keep(|p| &p.arn);
    r.endpoint = keep(|p| &p.endpoint);
    r.reader_endpoint = keep(|p| &p.reader_endpoint);
    r.status = keep(|p| &p.status);
    r.pending_changes = kept.map_or(Field::Unknown, |p| p.pending_changes.clone());
    if kept.is_some_and(|p| *p != r) {
        r.status = Field::Unknown;
        r.pending_changes = Field::Unknown;
    }
    Field::Known(r)
}

fn plan_instance(
    key: &str,
    config: &Field<Instance>,
    cluster_id: &Field<String>,
    (region_class, region_defaults): (&Field<String>, &InstanceConfig),
    prior: Option<&Instance>,
    ip: &AttributePath,
    d: &mut Diagnostics,
) -> Field<Instance> {
    let cfg = match config {
        Field::Unknown => return Field::Unknown,
        Field::Null => Instance::default(),
        Field::Known(c) => c.clone(),
    };
    let id = match (&cfg.identifier, cluster_id.as_str()) {
        (f, _) if !f.is_null() => f.clone(),
        (_, Some(c)) => Field::string(format!("{c}-{key}")),
        _ => Field::Unknown,
    };
    // An instance whose identifier changes is a new instance; so is one
    // moving to another availability zone.
    let prior = prior.filter(|p| p.identifier == id);
    let moved = match (
        prior.and_then(|p| p.availability_zone.as_str()),
        cfg.availability_zone.as_str(),
    ) {
        (Some(old), Some(new)) if old != new => {
            d.push(
                Diagnostic::warning(
                    "Instance Will Be Recreated",
                    format!("Instance {} moves from {old} to {new}: AWS cannot move an instance between availability zones, so it is deleted and created again in {new}. The region has one instance fewer until then.", id.as_str().unwrap_or(key)),
                )
                .with_path(ip.attr(name::AVAILABILITY_ZONE)),
            );
            true
        }
        _ => false,
    };
    let prior = prior.filter(|_| !moved);
    let class = if !cfg.instance_class.is_null() {
        cfg.instance_class.clone()
    } else if !region_class.is_null() {
        region_class.clone()
    } else if let Some(p) = prior {
        p.instance_class.clone()
    } else {
        d.push(
            Diagnostic::error(
                "Instance Class Required",
                "Set instance_class on this instance or on its region.",
            )
            .with_path(ip.attr(name::INSTANCE_CLASS)),
        );
        Field::Unknown
    };
    if let (Some(p), Some(new)) = (prior, class.as_str()) {
        if let Some(old) = p.instance_class.as_str().filter(|old| *old != new) {
            d.push(
                Diagnostic::warning(
                    "Instance Will Be Resized",
                    format!("Instance {} changes class from {old} to {new}; it restarts during the change.", id.as_str().unwrap_or(key)),
                )
                .with_path(ip.attr(name::INSTANCE_CLASS)),
            );
        }
    }
    let keep = |f: fn(&Instance) -> &Field<String>| prior.map_or(Field::Unknown, |p| f(p).clone());
    let id_text = id.as_str().map(str::to_string);
    let mut o = Instance {
        identifier: id,
        instance_class: class,
        promotion_tier: cfg
            .promotion_tier
            .clone()
            .or(Field::int(default::PROMOTION_TIER)),
        arn: keep(|p| &p.arn),
        endpoint: keep(|p| &p.endpoint),
        status: keep(|p| &p.status),
        settings: settings::plan_instance(
            &cfg.settings,
            region_defaults,
            prior.map(|p| &p.settings),
        ),
        availability_zone: cfg
            .availability_zone
            .clone()
            .or(keep(|p| &p.availability_zone)),
        pending_changes: prior.map_or(Field::Unknown, |p| p.pending_changes.clone()),
    };
    if let (Some(p), Some(i)) = (prior, id_text.as_deref()) {
        settings::warn_instance_changes(i, ip, p, &o, d);
    }
    if prior.is_some_and(|p| *p != o) {
        o.status = Field::Unknown;
        o.pending_changes = Field::Unknown;
    }
    Field::Known(o)
}

/// An update ends with a fresh observation of every object, also of the ones
/// it does not change: a status other than `available` (a reboot, a backup,
/// maintenance, ...) may have moved on by then, and AWS may have applied
/// pending changes in a maintenance window, so those values are planned
/// unknown. A plan without changes keeps them (no apply follows it).
fn unsettled_unknown(p: &mut Topology) {
    fn unsettle(status: &mut Field<String>, pending: &mut Field<FieldMap<String>>) {
        if status.as_str().is_some_and(|s| s != "available") {
            *status = Field::Unknown;
        }
        if pending.known().is_some_and(|m| !m.is_empty()) {
            *pending = Field::Unknown;
        }
    }
    let Field::Known(regions) = &mut p.regions else {
        return;
    };
    for region in regions.values_mut() {
        let Field::Known(r) = region else { continue };
        unsettle(&mut r.status, &mut r.pending_changes);
        if let Field::Known(instances) = &mut r.instances {
            for instance in instances.values_mut() {
                if let Field::Known(i) = instance {
                    unsettle(&mut i.status, &mut i.pending_changes);
                }
            }
        }
    }
}

fn check_upgrade(config: &Topology, prior: &Topology, planned: &Topology, d: &mut Diagnostics) {
    let engine = config.engine.as_str().unwrap_or_default();
    let (Some(old), Some(new)) = (
        prior.engine_version.as_str(),
        planned.engine_version.as_str(),
    ) else {
        return;
    };
    if old == new || major_version(engine, old) == major_version(engine, new) {
        return;
    }
    let at = path::top(name::ENGINE_VERSION);
    if planned.allow_major_version_upgrade.as_bool() != Some(true) {
        d.push(
            Diagnostic::error(
                "Major Version Upgrade Not Allowed",
                format!("engine_version changes from {old} to {new}, a major version upgrade of every region. Set allow_major_version_upgrade = true to allow it."),
            )
            .with_path(at),
        );
    } else {
        d.push(
            Diagnostic::warning(
                "Major Version Upgrade",
                format!("The whole global database will be upgraded from {old} to {new} through ModifyGlobalCluster; every region is unavailable for writes during the upgrade."),
            )
            .with_path(at),
        );
    }
}

fn check_primary_move(
    config: &Topology,
    prior: &Topology,
    planned: &Topology,
    target_lag: Option<&TargetLag>,
    d: &mut Diagnostics,
) {
    let (Some(from), Some(to)) = (
        prior.primary_region.as_str(),
        planned.primary_region.as_str(),
    ) else {
        return;
    };
    let regions = config.regions.known();
    if from == to {
        if regions.is_some_and(|m| !m.contains_key(from)) {
            d.push(
                Diagnostic::error(
                    "Primary Region Would Be Removed",
                    format!("{from} holds the writer and is being removed from regions, but primary_region does not say where the writer should go. Set primary_region to the region that should take over."),
                )
                .with_path(path::regions()),
            );
        }
        return;
    }
    if let Some(target) = regions.and_then(|r| r.get(to)) {
        if is_headless(target) == Some(true) {
            d.push(
                Diagnostic::error(
                    "Switchover Target Has No Instances",
                    format!("The primary cannot move to {to}: it has no instances to hold the writer. Add at least one instance to regions[\"{to}\"].instances."),
                )
                .with_path(path::top(name::PRIMARY_REGION)),
            );
            return;
        }
    }
    let mode = planned
        .failover_mode
        .as_str()
        .unwrap_or(default::FAILOVER_MODE);
    // The lag sentence, when the lag was read (see `lag`).
    let with_lag = |text: String, sentence: fn(&str, &TargetLag) -> String| match target_lag {
        Some(l) => format!("{text} {}", sentence(to, l)),
        None => text,
    };
    let diag = if mode == "failover" {
        Diagnostic::warning(
            "Primary Will Fail Over With Possible Data Loss",
            with_lag(format!("The primary moves from {from} to {to} by FailoverGlobalCluster with AllowDataLoss: writes not yet replicated to {to} are lost. Use this when {from} is unavailable; when it is healthy, prefer failover_mode = \"switchover\"."), lag::failover_sentence),
        )
    } else {
        Diagnostic::warning(
            "Primary Will Move By Managed Switchover",
            with_lag(format!("The primary moves from {from} to {to} by SwitchoverGlobalCluster. No data is lost; writes pause for a short time while the writer moves. Every region must be available."), lag::switchover_sentence),
        )
    };
    d.push(diag.with_path(path::top(name::PRIMARY_REGION)));
    if mode == "failover" {
        let not_read = TargetLag::Unreadable("the lag was not read".into());
        if let Err(detail) = lag::guard(
            lag::max_data_loss(config),
            to,
            target_lag.unwrap_or(&not_read),
        ) {
            d.push(
                Diagnostic::error("Failover Would Exceed max_data_loss", detail)
                    .with_path(path::top(name::MAX_DATA_LOSS)),
            );
        }
    }
}

fn warn_removed_regions(prior: &FieldMap<Region>, config: &Topology, d: &mut Diagnostics) {
    let Some(cfg) = config.regions.known() else {
        return;
    };
    for (key, reg) in prior {
        if !cfg.contains_key(key) {
            d.push(
                Diagnostic::warning(
                    "Region Will Be Removed",
                    format!(
                        "{key} is no longer in regions: its instances will be deleted, its cluster ({}) detached from the global database and deleted, without a final snapshot.",
                        reg.known().and_then(|r| r.cluster_identifier.as_str()).unwrap_or("unknown")
                    ),
                )
                .with_path(path::regions()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instances(classes: &[Value]) -> Field<FieldMap<Instance>> {
        let v = Value::Map(
            classes
                .iter()
                .enumerate()
                .map(|(n, c)| {
                    (
                        format!("i{n}"),
                        Value::object([(name::INSTANCE_CLASS, c.clone())]),
                    )
                })
                .collect(),
        );
        Field::from_value(Some(&v))
    }

    fn class_of(classes: &[Value]) -> Value {
        common_class(&instances(classes)).to_value()
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
        assert_eq!(class_of(&[l.clone(), l.clone(), xl.clone()]), l);
        assert_eq!(class_of(&[l.clone(), l.clone()]), l);
        assert_eq!(
            class_of(&[l.clone(), xl.clone()]),
            Value::Null,
            "a tie has no default"
        );
        assert_eq!(class_of(&[]), Value::Null);
        assert_eq!(class_of(&[l.clone(), Value::Unknown]), Value::Unknown);
        assert_eq!(class_of(&[Value::Null, xl.clone()]), xl);
    }
}

#[cfg(test)]
mod table_tests;

#[cfg(test)]
mod origin_tests;
