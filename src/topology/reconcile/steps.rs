//! The step planner: given the desired topology and what AWS reports, the
//! next phase of steps to take ([`next_phase`]). Not Terraform's plan (that
//! is `topology::plan`): this runs during Terraform's apply, once per
//! observation. Pure, so every topology change has a table test; the
//! executor ([`super::run`]) runs a phase, waits for each step's result,
//! observes again and asks for the next phase until none is left.
//!
//! Because each call starts from a fresh observation, a step already done in
//! AWS is never repeated, and an interrupted apply resumes where it stopped.
//! Steps within one phase are independent (different regions or objects) and
//! run in parallel. Ordering rules (SPEC §5, as RDS enforces them), each
//! step sending what RDS already accepts without waiting in between:
//! - global cluster, then the primary cluster with its instances (RDS takes
//!   instances into a `creating` cluster), then, once the primary has an
//!   available writer to replicate from, the secondaries with theirs;
//! - a region leaves by deleting its instances and detaching at once, and its
//!   cluster is deleted once detached and available;
//! - minor upgrades: one member at a time (RDS refuses a member's upgrade
//!   while another member upgrades), secondaries first, then the primary;
//!   a member without an instance cannot be upgraded; major: one global call;
//! - the primary moves only when the target has an available instance;
//! - teardown: secondaries leave; the primary's instances go once it is the
//!   only member; the primary cluster is deleted with its final snapshot;
//!   then the global cluster. Deletions are waited for at the end.

use std::collections::{BTreeMap, BTreeSet};

use crate::aws::{
    wait, ClusterSettings, InstanceSettings, ObservedCluster, ObservedInstance, ObservedTopology,
    RegionObservation, OWNERSHIP_TAG_KEY,
};

use super::desired::{Desired, Origin};
use crate::topology::rules::major_version;

/// One action on AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// CreateGlobalCluster.
    CreateGlobal,
    /// CreateGlobalCluster around the existing standalone cluster
    /// `cluster_id` of `region` (SourceDBClusterIdentifier = its ARN, sent
    /// to its region): it becomes the primary in place.
    CreateGlobalFromSource { region: String, cluster_id: String },
    /// RestoreDBClusterFromSnapshot of the desired primary cluster of
    /// `region` (skipped when a cluster of that identifier carrying this
    /// topology's ownership tag already exists), waited until available,
    /// then CreateGlobalCluster with it as the source. Its instances follow
    /// as missing instances of the primary.
    RestorePrimary { region: String },
    /// CreateDBCluster with credentials, joined to the global cluster, then
    /// at once (the cluster is still `creating`, which RDS accepts)
    /// CreateDBInstance for the desired instance keys in `instances`.
    CreatePrimaryCluster {
        region: String,
        instances: Vec<String>,
    },
    /// CreateDBCluster without credentials, joined as a secondary, with its
    /// instances sent right after it like the primary's.
    CreateSecondaryCluster {
        region: String,
        instances: Vec<String>,
    },
    /// CreateDBInstance for the desired instance `key` in `region`.
    CreateInstance { region: String, key: String },
    /// ModifyDBInstance (class, tier and/or settings).
    ModifyInstance {
        region: String,
        id: String,
        class: Option<String>,
        tier: Option<i32>,
        settings: Box<InstanceSettings>,
    },
    /// ModifyDBCluster of settings that need no ordering. `exports_before`
    /// are the cluster's log exports before the change.
    ModifyCluster {
        region: String,
        id: String,
        write_forwarding: Option<bool>,
        security_groups: Option<Vec<String>>,
        parameter_group: Option<String>,
        settings: Box<ClusterSettings>,
        exports_before: Vec<String>,
    },
    /// ModifyDBCluster EngineVersion (minor upgrade).
    UpgradeCluster {
        region: String,
        id: String,
        version: String,
    },
    /// ModifyGlobalCluster EngineVersion + AllowMajorVersionUpgrade.
    UpgradeGlobal { version: String },
    /// ModifyGlobalCluster DeletionProtection.
    SetDeletionProtection { enabled: bool },
    /// DeleteDBInstance.
    DeleteInstance { region: String, id: String },
    /// A secondary region leaves: DeleteDBInstance of `instances`, then at
    /// once RemoveFromGlobalCluster (RDS detaches a cluster whose instances
    /// are deleting), and DeleteDBCluster (no snapshot) once the detached
    /// cluster is available. The executor waits for the deletions to finish
    /// at the end of the apply, not in the step.
    RemoveRegion {
        region: String,
        cluster_id: String,
        cluster_arn: String,
        instances: Vec<String>,
    },
    /// The last member (the primary) goes: once it is the only member of
    /// the global cluster, DeleteDBInstance of `instances`,
    /// RemoveFromGlobalCluster (AWS refuses to delete a member cluster), and
    /// DeleteDBCluster with the final snapshot unless skipped.
    DeletePrimaryCluster {
        region: String,
        cluster_id: String,
        cluster_arn: String,
        instances: Vec<String>,
        final_snapshot: Option<String>,
    },
    /// DeleteGlobalCluster.
    DeleteGlobal,
    /// SwitchoverGlobalCluster, sent to the current primary's region.
    Switchover {
        from: String,
        to: String,
        target_arn: String,
    },
    /// FailoverGlobalCluster with AllowDataLoss, sent to the target's region.
    Failover {
        from: String,
        to: String,
        target_arn: String,
    },
    /// AddTagsToResource / RemoveTagsFromResource.
    Retag {
        region: String,
        arn: String,
        add: BTreeMap<String, String>,
        remove: Vec<String>,
    },
    /// Something is in a transitional status (ours or someone else's): wait
    /// until every reachable object has settled.
    Settle { what: String },
}

impl Step {
    /// The region a step is sent to (None for global calls).
    pub fn region(&self) -> Option<&str> {
        match self {
            Step::CreatePrimaryCluster { region, .. }
            | Step::CreateSecondaryCluster { region, .. }
            | Step::CreateInstance { region, .. }
            | Step::ModifyInstance { region, .. }
            | Step::ModifyCluster { region, .. }
            | Step::UpgradeCluster { region, .. }
            | Step::DeleteInstance { region, .. }
            | Step::RemoveRegion { region, .. }
            | Step::DeletePrimaryCluster { region, .. }
            | Step::Retag { region, .. }
            | Step::CreateGlobalFromSource { region, .. }
            | Step::RestorePrimary { region } => Some(region),
            Step::Switchover { from, .. } => Some(from),
            Step::Failover { to, .. } => Some(to),
            _ => None,
        }
    }

    /// A short human description, used in diagnostics and logs.
    pub fn describe(&self) -> String {
        match self {
            Step::CreateGlobal => "create the global cluster".into(),
            Step::CreateGlobalFromSource { region, cluster_id } => format!(
                "create the global cluster from the existing cluster {cluster_id} in {region}"
            ),
            Step::RestorePrimary { region } => format!(
                "restore the primary cluster in {region} from the snapshot and create the global cluster from it"
            ),
            Step::CreatePrimaryCluster { region, instances } => {
                format!(
                    "create the primary cluster in {region}{}",
                    with_instances(instances)
                )
            }
            Step::CreateSecondaryCluster { region, instances } => {
                format!(
                    "create the secondary cluster in {region}{}",
                    with_instances(instances)
                )
            }
            Step::CreateInstance { region, key } => format!("create instance {key:?} in {region}"),
            Step::ModifyInstance { region, id, .. } => format!("modify instance {id} in {region}"),
            Step::ModifyCluster { region, id, .. } => format!("modify cluster {id} in {region}"),
            Step::UpgradeCluster {
                region,
                id,
                version,
            } => format!("upgrade cluster {id} in {region} to {version}"),
            Step::UpgradeGlobal { version } => format!("upgrade the global database to {version}"),
            Step::SetDeletionProtection { enabled } => {
                format!("set deletion protection to {enabled}")
            }
            Step::DeleteInstance { region, id } => format!("delete instance {id} in {region}"),
            Step::RemoveRegion {
                region,
                cluster_id,
                instances,
                ..
            } => format!(
                "remove region {region} (delete {} instance(s), detach and delete cluster {cluster_id})",
                instances.len()
            ),
            Step::DeletePrimaryCluster {
                region,
                cluster_id,
                instances,
                final_snapshot,
                ..
            } => {
                let n = instances.len();
                match final_snapshot {
                    Some(s) => format!(
                        "delete the primary cluster {cluster_id} in {region} and its {n} instance(s), with final snapshot {s}"
                    ),
                    None => format!(
                        "delete the primary cluster {cluster_id} in {region} and its {n} instance(s), without a final snapshot"
                    ),
                }
            }
            Step::DeleteGlobal => "delete the global cluster".into(),
            Step::Switchover { from, to, .. } => {
                format!("switch the primary over from {from} to {to}")
            }
            Step::Failover { from, to, .. } => {
                format!("fail the primary over from {from} to {to} (data loss allowed)")
            }
            Step::Retag { arn, .. } => format!("update tags of {arn}"),
            Step::Settle { what } => format!("wait for {what}"),
        }
    }
}

fn with_instances(keys: &[String]) -> String {
    if keys.is_empty() {
        String::new()
    } else {
        format!(" with instance(s) {}", keys.join(", "))
    }
}

/// What to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Run these steps (in parallel), then observe again.
    Phase(Vec<Step>),
    /// AWS matches the desired topology (apart from `skipped` regions).
    Done,
    /// The desired topology cannot be reached from here; the reason says why
    /// and what to do.
    Blocked(String),
}

/// Inputs beyond desired and observed.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The full tag set every object should carry (default tags, topology
    /// tags, ownership tag). Empty: tags are not reconciled.
    pub tags: BTreeMap<String, String>,
    /// For destroy: the primary's final snapshot identifier (None = skip).
    pub final_snapshot: Option<String>,
}

struct Member<'a> {
    region: &'a str,
    arn: &'a str,
    cluster_id: &'a str,
    is_writer: bool,
    /// None when the region could not be read.
    reached: Option<(Option<&'a ObservedCluster>, &'a [ObservedInstance])>,
}

fn members(obs: &ObservedTopology) -> Vec<Member<'_>> {
    obs.global
        .members
        .iter()
        .map(|m| Member {
            region: &m.region,
            arn: &m.cluster_arn,
            cluster_id: &m.cluster_id,
            is_writer: m.is_writer,
            reached: match obs.regions.get(&m.region) {
                Some(RegionObservation::Reached { cluster, instances }) => {
                    Some((cluster.as_ref(), instances.as_slice()))
                }
                _ => None,
            },
        })
        .collect()
}

fn is_pending(status: &str, pending: &[&str]) -> bool {
    status == "deleting" || pending.contains(&status)
}

/// Something reachable still moving: the phase is to wait for it.
fn unsettled(obs: &ObservedTopology) -> Option<String> {
    let g = &obs.global;
    if is_pending(&g.status, wait::GLOBAL_PENDING) || g.failover_state.is_some() {
        return Some(format!("global cluster {} ({})", g.id, g.status));
    }
    for m in members(obs) {
        let Some((cluster, instances)) = m.reached else {
            continue;
        };
        if let Some(c) = cluster {
            if is_pending(&c.status, wait::CLUSTER_PENDING) {
                return Some(format!("cluster {} in {} ({})", c.id, m.region, c.status));
            }
        }
        for i in instances {
            if is_pending(&i.status, wait::INSTANCE_PENDING) {
                return Some(format!("instance {} in {} ({})", i.id, m.region, i.status));
            }
        }
    }
    None
}

/// Cluster statuses AWS does not leave by itself (a disabled or deleted KMS
/// key, parameters the engine refuses, a failure AWS could not recover).
const CLUSTER_STUCK: &[&str] = &[
    "inaccessible-encryption-credentials",
    "inaccessible-encryption-credentials-recoverable",
    "incompatible-parameters",
    "incompatible-network",
    "incompatible-restore",
    "failed",
];

/// Instance statuses AWS does not leave by itself.
const INSTANCE_STUCK: &[&str] = &[
    "inaccessible-encryption-credentials",
    "inaccessible-encryption-credentials-recoverable",
    "incompatible-parameters",
    "incompatible-network",
    "incompatible-option-group",
    "incompatible-restore",
    "insufficient-capacity",
    "restore-error",
    "storage-full",
    "failed",
];

/// A reachable object in a status it will not leave without help: the
/// apply stops there (with what it observed) instead of stepping around it.
fn stuck(obs: &ObservedTopology) -> Option<String> {
    let why = |what: String, status: &str| {
        format!(
            "{what} is in status \"{status}\", which AWS does not leave by itself (for encryption credentials: the KMS key is disabled, deleted or not accessible). Resolve it in AWS, then apply again."
        )
    };
    for m in members(obs) {
        let Some((cluster, instances)) = m.reached else {
            continue;
        };
        if let Some(c) = cluster {
            if CLUSTER_STUCK.contains(&c.status.as_str()) {
                return Some(why(format!("Cluster {} in {}", c.id, m.region), &c.status));
            }
        }
        for i in instances {
            if INSTANCE_STUCK.contains(&i.status.as_str()) {
                return Some(why(format!("Instance {} in {}", i.id, m.region), &i.status));
            }
        }
    }
    None
}

fn phase(steps: Vec<Step>) -> Option<Next> {
    (!steps.is_empty()).then_some(Next::Phase(steps))
}

fn instance_ids(m: &Member) -> Vec<String> {
    m.reached
        .map(|(_, i)| i)
        .unwrap_or_default()
        .iter()
        .map(|i| i.id.clone())
        .collect()
}

/// Regions leaving the global cluster, all at once: each deletes its
/// instances and is detached and deleted.
fn leaving_steps(leaving: &[&Member]) -> Vec<Step> {
    leaving
        .iter()
        .map(|m| Step::RemoveRegion {
            region: m.region.to_string(),
            cluster_id: m.cluster_id.to_string(),
            cluster_arn: m.arn.to_string(),
            instances: instance_ids(m),
        })
        .collect()
}

/// The next phase for reaching `desired` (None = destroy) from `observed`
/// (None = no global cluster).
pub fn next_phase(
    desired: Option<&Desired>,
    observed: Option<&ObservedTopology>,
    ctx: &Context,
) -> Next {
    match desired {
        None => teardown(observed, ctx),
        Some(d) => converge(d, observed, ctx),
    }
}

fn teardown(observed: Option<&ObservedTopology>, ctx: &Context) -> Next {
    let Some(obs) = observed else {
        return Next::Done;
    };
    if obs.global.deletion_protection == Some(true) {
        return Next::Blocked(format!(
            "The global cluster {} has deletion protection enabled. Set deletion_protection = false and apply, then destroy.",
            obs.global.id
        ));
    }
    if let Some(what) = unsettled(obs) {
        return Next::Phase(vec![Step::Settle { what }]);
    }
    let ms = members(obs);
    if let Some(m) = ms.iter().find(|m| m.reached.is_none()) {
        return Next::Blocked(format!(
            "Region {} could not be reached, so its cluster {} cannot be deleted. Destroy again when the region answers.",
            m.region, m.cluster_id
        ));
    }
    let has_writer = ms.iter().any(|m| m.is_writer);
    // Secondaries first (with no writer at all, every member is one).
    let secondaries: Vec<&Member> = ms.iter().filter(|m| !m.is_writer || !has_writer).collect();
    let writer_is_last = has_writer || secondaries.len() <= 1;
    let (leaving, last): (Vec<&Member>, Option<&Member>) = if has_writer {
        (secondaries, ms.iter().find(|m| m.is_writer))
    } else if writer_is_last {
        (Vec::new(), secondaries.first().copied())
    } else {
        (secondaries, None)
    };
    // Secondaries and the primary go in one phase: the primary's step starts
    // once the secondaries are detached (AWS keeps the last primary
    // instance while secondaries are members): AWS answers their
    // RemoveFromGlobalCluster calls at once but lists them for minutes
    // more, so the primary's step waits until the global cluster lists it
    // alone.
    let mut steps = leaving_steps(&leaving);
    if let Some(m) = last {
        steps.push(Step::DeletePrimaryCluster {
            region: m.region.to_string(),
            cluster_id: m.cluster_id.to_string(),
            cluster_arn: m.arn.to_string(),
            instances: instance_ids(m),
            final_snapshot: ctx.final_snapshot.clone(),
        });
    }
    phase(steps).unwrap_or(Next::Phase(vec![Step::DeleteGlobal]))
}

fn converge(d: &Desired, observed: Option<&ObservedTopology>, ctx: &Context) -> Next {
    let Some(obs) = observed else {
        return Next::Phase(vec![first_step(d)]);
    };
    if let Some(what) = unsettled(obs) {
        return Next::Phase(vec![Step::Settle { what }]);
    }
    if let Some(why) = stuck(obs) {
        return Next::Blocked(why);
    }
    let ms = members(obs);
    let writer = ms.iter().find(|m| m.is_writer);
    let Some(writer) = writer else {
        if ms.is_empty() && d.origin.is_some() {
            return Next::Blocked(format!(
                "The global cluster {} exists without members, so it cannot be created from {}. Delete the empty global cluster (or import it instead), then apply again.",
                d.id,
                match &d.origin {
                    Some(Origin::Source { cluster_id }) => format!("the cluster {cluster_id}"),
                    _ => "the snapshot".to_string(),
                }
            ));
        }
        if ms.is_empty() {
            let instances = d
                .regions
                .get(&d.primary_region)
                .map(|r| r.instances.keys().cloned().collect())
                .unwrap_or_default();
            return Next::Phase(vec![Step::CreatePrimaryCluster {
                region: d.primary_region.clone(),
                instances,
            }]);
        }
        return Next::Blocked(format!(
            "The global cluster {} has members but no writer. Wait for AWS to finish the failover in progress, then apply again.",
            d.id
        ));
    };

    // Regions that leave: gone from the configuration, or recreated with a new identifier.
    let leaving: Vec<&Member> = ms
        .iter()
        .filter(|m| !m.is_writer && m.reached.is_some())
        .filter(|m| {
            d.regions
                .get(m.region)
                .is_none_or(|r| r.cluster_id != m.cluster_id)
        })
        .collect();
    if let Some(r) = d.regions.get(writer.region) {
        if r.cluster_id != writer.cluster_id && writer.region == d.primary_region {
            return Next::Blocked(format!(
                "The cluster of the primary region {} would be recreated (identifier {} -> {}). Move the primary to another region first, then change the identifier.",
                writer.region, writer.cluster_id, r.cluster_id
            ));
        }
    }
    if let Some(n) = phase(leaving_steps(&leaving)) {
        return n;
    }

    // Regions to create. A secondary replicates from the primary's writer
    // instance, so AWS accepts one only once the primary has an available
    // instance: create the primary's missing instances first.
    let present: BTreeSet<&str> = ms.iter().map(|m| m.region).collect();
    let creates: Vec<Step> = d
        .regions
        .iter()
        .filter(|(r, _)| !present.contains(r.as_str()))
        .map(|(r, want)| Step::CreateSecondaryCluster {
            region: r.clone(),
            instances: want.instances.keys().cloned().collect(),
        })
        .collect();
    if !creates.is_empty() {
        let source = writer
            .reached
            .is_some_and(|(_, i)| i.iter().any(|i| i.status == "available"));
        if source {
            return Next::Phase(creates);
        }
        let missing = missing_instances(d, writer);
        if missing.is_empty() {
            return Next::Blocked(format!(
                "New regions replicate from the primary's writer instance, and the primary cluster {} in {} has no available instance. Add an instance to regions[\"{}\"].instances.",
                writer.cluster_id, writer.region, writer.region
            ));
        }
        return Next::Phase(missing);
    }

    // Instances to create, in every reachable region.
    let steps = ms.iter().flat_map(|m| missing_instances(d, m)).collect();
    if let Some(n) = phase(steps) {
        return n;
    }

    // In-place changes, all independent.
    let mut steps = Vec::new();
    for m in &ms {
        let (Some(r), Some((cluster, instances))) = (d.regions.get(m.region), m.reached) else {
            continue;
        };
        for have in instances {
            match r.instances.values().find(|w| w.id == have.id) {
                None => steps.push(Step::DeleteInstance {
                    region: m.region.to_string(),
                    id: have.id.clone(),
                }),
                // An availability zone is chosen at create: a new one
                // means a new instance (created again once this is gone).
                Some(want)
                    if want.availability_zone.is_some()
                        && have.availability_zone.is_some()
                        && want.availability_zone != have.availability_zone =>
                {
                    steps.push(Step::DeleteInstance {
                        region: m.region.to_string(),
                        id: have.id.clone(),
                    });
                }
                Some(want) => {
                    let class = (have.class.as_deref() != Some(want.class.as_str()))
                        .then(|| want.class.clone());
                    let tier = (have.promotion_tier != Some(want.tier)).then_some(want.tier);
                    let settings = want.settings.changes_from(&have.settings);
                    if class.is_some() || tier.is_some() || !settings.is_empty() {
                        steps.push(Step::ModifyInstance {
                            region: m.region.to_string(),
                            id: have.id.clone(),
                            class,
                            tier,
                            settings: Box::new(settings),
                        });
                    }
                }
            }
        }
        if let Some(c) = cluster {
            let write_forwarding = (!m.is_writer && c.write_forwarding != r.write_forwarding)
                .then_some(r.write_forwarding);
            let security_groups = r.security_groups.as_ref().filter(|want| {
                let mut have = c.vpc_security_group_ids.clone();
                have.sort();
                &have != *want
            });
            let parameter_group = r
                .parameter_group
                .as_ref()
                .filter(|want| c.parameter_group.as_ref() != Some(*want));
            let mut settings = r.settings.changes_from(&c.settings);
            // AWS reports local write forwarding only once it was turned
            // on: not reported is off.
            if c.settings.enable_local_write_forwarding.is_none()
                && settings.enable_local_write_forwarding == Some(false)
            {
                settings.enable_local_write_forwarding = None;
            }
            if write_forwarding.is_some()
                || security_groups.is_some()
                || parameter_group.is_some()
                || !settings.is_empty()
            {
                steps.push(Step::ModifyCluster {
                    region: m.region.to_string(),
                    id: c.id.clone(),
                    write_forwarding,
                    security_groups: security_groups.cloned(),
                    parameter_group: parameter_group.cloned(),
                    exports_before: c
                        .settings
                        .enabled_cloudwatch_logs_exports
                        .clone()
                        .unwrap_or_default(),
                    settings: Box::new(settings),
                });
            }
        }
    }
    if obs.global.deletion_protection.unwrap_or(false) != d.deletion_protection {
        steps.push(Step::SetDeletionProtection {
            enabled: d.deletion_protection,
        });
    }
    if let Some(n) = phase(steps) {
        return n;
    }

    // Engine upgrades.
    if let Some(want) = &d.engine_version {
        let have = obs.global.engine_version.as_deref().unwrap_or_default();
        if !have.is_empty() && major_version(&d.engine, have) != major_version(&d.engine, want) {
            if !d.allow_major_version_upgrade {
                return Next::Blocked(format!(
                    "engine_version {have} -> {want} is a major version upgrade; set allow_major_version_upgrade = true."
                ));
            }
            return Next::Phase(vec![Step::UpgradeGlobal {
                version: want.clone(),
            }]);
        }
        let behind = |m: &&Member| {
            m.reached
                .and_then(|(c, _)| c)
                .is_some_and(|c| c.engine_version.as_deref().is_some_and(|v| v != want))
        };
        let upgrade = |m: &Member| Step::UpgradeCluster {
            region: m.region.to_string(),
            id: m.cluster_id.to_string(),
            version: want.clone(),
        };
        // RDS upgrades a cluster's engine only through an available
        // instance ("Cannot modify engine version without a healthy primary
        // instance"), and refuses a member's upgrade while another member
        // of the global database is upgrading ("... is upgrading"): one
        // member per phase, each with an instance to upgrade through.
        let next = ms
            .iter()
            .filter(|m| !m.is_writer)
            .find(behind)
            .or_else(|| behind(&writer).then_some(writer));
        if let Some(m) = next {
            let headless = m
                .reached
                .is_some_and(|(_, i)| !i.iter().any(|i| i.status == "available"));
            if headless {
                return Next::Blocked(format!(
                    "The cluster in {} has no available instance, and RDS upgrades a cluster's engine version only through one. Add an instance to regions[\"{}\"].instances (or wait until one is available), then apply again.",
                    m.region, m.region
                ));
            }
            return Next::Phase(vec![upgrade(m)]);
        }
    }

    // Move the primary.
    if writer.region != d.primary_region {
        let Some(target) = ms.iter().find(|m| m.region == d.primary_region) else {
            return Next::Blocked(format!(
                "The target region {} has no cluster in the global database.",
                d.primary_region
            ));
        };
        let failover = d.failover_mode == "failover";
        let Some((_, instances)) = target.reached else {
            return Next::Blocked(format!(
                "The primary cannot move to {}: that region does not answer.",
                d.primary_region
            ));
        };
        if !instances.iter().any(|i| i.status == "available") {
            return Next::Blocked(format!(
                "The primary cannot move to {}: it has no available instance to become the writer. Add an instance to regions[\"{}\"].instances.",
                d.primary_region, d.primary_region
            ));
        }
        if failover {
            return Next::Phase(vec![Step::Failover {
                from: writer.region.to_string(),
                to: target.region.to_string(),
                target_arn: target.arn.to_string(),
            }]);
        }
        if let Some(m) = ms.iter().find(|m| m.reached.is_none()) {
            return Next::Blocked(format!(
                "A managed switchover needs every region, and {} does not answer. If the primary region is lost, set failover_mode = \"failover\" to fail over to {} with possible data loss.",
                m.region, d.primary_region
            ));
        }
        // A former primary resynchronising after a failover: AWS refuses a
        // switchover until every member is connected again. It gets there
        // by itself, so wait (under the deadline) like any transition.
        if let Some(m) =
            obs.global.members.iter().find(|m| {
                !m.is_writer && m.sync_status.as_deref().is_some_and(|s| s != "connected")
            })
        {
            return Next::Phase(vec![Step::Settle {
                what: format!(
                    "cluster {} in {} to resynchronise ({}) before the switchover",
                    m.cluster_id,
                    m.region,
                    m.sync_status.as_deref().unwrap_or_default()
                ),
            }]);
        }
        return Next::Phase(vec![Step::Switchover {
            from: writer.region.to_string(),
            to: target.region.to_string(),
            target_arn: target.arn.to_string(),
        }]);
    }

    // Tags on every object.
    if !ctx.tags.is_empty() {
        let mut steps = Vec::new();
        let global_region = obs.global_region.clone();
        if let Some(s) = retag(&global_region, &obs.global.arn, &obs.global.tags, &ctx.tags) {
            steps.push(s);
        }
        for m in &ms {
            let Some((cluster, instances)) = m.reached else {
                continue;
            };
            if let Some(c) = cluster {
                steps.extend(retag(m.region, &c.arn, &c.tags, &ctx.tags));
            }
            for i in instances {
                steps.extend(retag(m.region, &i.arn, &i.tags, &ctx.tags));
            }
        }
        if let Some(n) = phase(steps) {
            return n;
        }
    }
    Next::Done
}

/// The step that creates the global cluster: empty, or around the
/// existing cluster or snapshot the topology starts from.
fn first_step(d: &Desired) -> Step {
    match &d.origin {
        None => Step::CreateGlobal,
        Some(Origin::Source { cluster_id }) => Step::CreateGlobalFromSource {
            region: d.primary_region.clone(),
            cluster_id: cluster_id.clone(),
        },
        Some(Origin::Snapshot { .. }) => Step::RestorePrimary {
            region: d.primary_region.clone(),
        },
    }
}

/// Identifiers of the instances a phase would delete from the cluster the
/// topology grows from (`Origin::Source`). While the topology is being
/// created those are instances the configuration does not declare, which
/// stop the apply instead (nothing is deleted to make the configuration
/// true).
pub fn deletes_from_source(d: &Desired, phase: &[Step]) -> Vec<String> {
    let Some(Origin::Source { cluster_id }) = &d.origin else {
        return Vec::new();
    };
    let region = d
        .regions
        .iter()
        .find(|(_, r)| &r.cluster_id == cluster_id)
        .map(|(k, _)| k.as_str());
    phase
        .iter()
        .filter_map(|s| match s {
            Step::DeleteInstance { region: r, id } if Some(r.as_str()) == region => {
                Some(id.clone())
            }
            _ => None,
        })
        .collect()
}

/// CreateInstance for the desired instances a reachable member lacks.
fn missing_instances(d: &Desired, m: &Member) -> Vec<Step> {
    let (Some(r), Some((_, instances))) = (d.regions.get(m.region), m.reached) else {
        return Vec::new();
    };
    r.instances
        .iter()
        .filter(|(_, want)| !instances.iter().any(|i| i.id == want.id))
        .map(|(key, _)| Step::CreateInstance {
            region: m.region.to_string(),
            key: key.clone(),
        })
        .collect()
}

fn retag(
    region: &str,
    arn: &str,
    have: &BTreeMap<String, String>,
    want: &BTreeMap<String, String>,
) -> Option<Step> {
    if arn.is_empty() {
        return None;
    }
    let add: BTreeMap<String, String> = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove: Vec<String> = have
        .keys()
        .filter(|k| !want.contains_key(*k) && !k.starts_with("aws:"))
        .cloned()
        .collect();
    (!add.is_empty() || !remove.is_empty()).then(|| Step::Retag {
        region: region.to_string(),
        arn: arn.to_string(),
        add,
        remove,
    })
}

/// The full tag set for objects of a topology.
pub fn full_tags(
    default_tags: &BTreeMap<String, String>,
    tags: &BTreeMap<String, String>,
    id: &str,
) -> BTreeMap<String, String> {
    let mut all = default_tags.clone();
    all.extend(tags.clone());
    all.insert(OWNERSHIP_TAG_KEY.to_string(), id.to_string());
    all
}

#[cfg(test)]
mod tests;
