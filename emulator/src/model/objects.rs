//! The emulated control-plane data: global clusters (partition-wide),
//! clusters, instances and snapshots (per region), their fields, and the
//! read-only queries over them (roles, versions, a cluster's instances).
//! How statuses move on the virtual clock lives in `clock`.

use super::settings::{ClusterSettings, GlobalSettings, InstanceSettings};
use crate::timing::Op;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Key-value tags in insertion order.
pub(crate) type Tags = Vec<(String, String)>;

/// What happens when an object's pending transition falls due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) enum Next {
    /// Nothing pending.
    #[default]
    Nothing,
    /// Becomes `available`.
    Available,
    /// Becomes `available` running this engine version.
    Upgraded(String),
    /// Disappears.
    Gone,
}

/// A pending transition: `next` happens at `due` (epoch ms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) struct Pending {
    /// Due time, epoch ms; `None` when nothing is pending.
    pub due: Option<u64>,
    /// What happens then.
    pub next: Next,
}

impl Pending {
    /// Schedules `next` after `op` from `now`.
    pub(crate) fn after(now: u64, op: Op, scale: f64, next: Next) -> Self {
        Pending {
            due: Some(now.saturating_add(op.millis(scale))),
            next,
        }
    }
}

/// One cluster's membership in a global cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Member {
    /// The cluster's region.
    pub region: String,
    /// The cluster's identifier.
    pub cluster_id: String,
    /// True for the primary (writer) cluster.
    pub is_writer: bool,
    /// `connected` or `pending-resync`.
    pub sync: String,
    /// When a `pending-resync` member becomes `connected` (set once its region is reachable).
    pub resync_due: Option<u64>,
}

/// A switchover or failover under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GlobalOp {
    /// Planned switchover (no data loss) vs failover with data loss.
    pub data_loss: bool,
    /// Region and id of the current primary.
    pub from: (String, String),
    /// Region and id of the target secondary.
    pub to: (String, String),
    /// Start, epoch ms.
    pub started: u64,
    /// Completion, epoch ms.
    pub due: u64,
}

/// An Aurora global database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct GlobalCluster {
    /// Identifier.
    pub id: String,
    /// `cluster-…` resource id.
    pub resource_id: String,
    /// Engine.
    pub engine: String,
    /// Engine version (the primary's once it has one).
    pub engine_version: String,
    /// Database name, if any.
    pub database_name: Option<String>,
    /// Storage encryption.
    pub storage_encrypted: bool,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// Status string as the API shows it.
    pub status: String,
    /// Pending transition.
    pub pending: Pending,
    /// Member clusters.
    pub members: Vec<Member>,
    /// Switchover/failover under way.
    pub op: Option<GlobalOp>,
    /// Tags.
    pub tags: Tags,
    /// DNS label of the global writer endpoint.
    pub endpoint_label: String,
    /// EngineLifecycleSupport and other settings.
    #[serde(default)]
    pub settings: GlobalSettings,
}

impl GlobalCluster {
    /// The writer member.
    pub(crate) fn primary(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.is_writer)
    }
    /// The member for a cluster.
    pub(crate) fn member(&self, region: &str, id: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.region == region && m.cluster_id == id)
    }
}

/// An Aurora DB cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Cluster {
    /// Identifier.
    pub id: String,
    /// Region.
    pub region: String,
    /// `cluster-…` resource id.
    pub resource_id: String,
    /// Engine.
    pub engine: String,
    /// Engine version.
    pub engine_version: String,
    /// Status.
    pub status: String,
    /// Pending transition.
    pub pending: Pending,
    /// Master user name (inherited from the primary for secondaries).
    pub master_username: Option<String>,
    /// Secrets Manager managed password.
    pub manage_master_password: bool,
    /// Initial database.
    pub database_name: Option<String>,
    /// Port.
    pub port: i64,
    /// Storage encryption.
    pub storage_encrypted: bool,
    /// KMS key.
    pub kms_key_id: Option<String>,
    /// Subnet group.
    pub subnet_group: String,
    /// VPC security groups.
    pub vpc_security_groups: Vec<String>,
    /// Cluster parameter group.
    pub parameter_group: String,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// Backup retention in days.
    pub backup_retention: i64,
    /// Global cluster it belongs to.
    pub global: Option<String>,
    /// EnableGlobalWriteForwarding as requested.
    pub write_forwarding: bool,
    /// A write-forwarding change is being applied.
    pub write_forwarding_changing: bool,
    /// Current writer instance (none for secondaries).
    pub writer: Option<String>,
    /// Tags.
    pub tags: Tags,
    /// Creation time, epoch ms.
    pub created_ms: u64,
    /// Production settings and modifications waiting for the maintenance window.
    #[serde(default)]
    pub settings: ClusterSettings,
}

/// An Aurora DB instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Instance {
    /// Identifier.
    pub id: String,
    /// Region.
    pub region: String,
    /// Owning cluster.
    pub cluster_id: String,
    /// `db-…` resource id.
    pub resource_id: String,
    /// Instance class.
    pub class: String,
    /// Engine.
    pub engine: String,
    /// Status.
    pub status: String,
    /// Pending transition.
    pub pending: Pending,
    /// Promotion tier 0..=15.
    pub promotion_tier: i64,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// Publicly accessible.
    pub publicly_accessible: bool,
    /// Availability zone.
    pub availability_zone: String,
    /// Tags.
    pub tags: Tags,
    /// Creation time, epoch ms.
    pub created_ms: u64,
    /// Production settings and modifications waiting for the maintenance window.
    #[serde(default)]
    pub settings: InstanceSettings,
}

/// A DB cluster snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    /// Identifier.
    pub id: String,
    /// Region.
    pub region: String,
    /// Source cluster identifier.
    pub cluster_id: String,
    /// Source cluster resource id.
    pub cluster_resource_id: String,
    /// Engine.
    pub engine: String,
    /// Engine version.
    pub engine_version: String,
    /// Status.
    pub status: String,
    /// Pending transition.
    pub pending: Pending,
    /// Storage encryption.
    pub storage_encrypted: bool,
    /// KMS key.
    pub kms_key_id: Option<String>,
    /// Master user name.
    pub master_username: Option<String>,
    /// The source cluster's initial database, which a restore brings back.
    #[serde(default)]
    pub database_name: Option<String>,
    /// Port.
    pub port: i64,
    /// `manual` or `automated`.
    pub snapshot_type: String,
    /// Snapshot time, epoch ms.
    pub created_ms: u64,
    /// Source cluster's creation time, epoch ms.
    pub cluster_created_ms: u64,
    /// Tags.
    pub tags: Tags,
}

/// Everything the emulator remembers (and saves to the state file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct State {
    /// Global clusters by id.
    pub globals: BTreeMap<String, GlobalCluster>,
    /// Clusters by `region/id`.
    pub clusters: BTreeMap<String, Cluster>,
    /// Instances by `region/id`.
    pub instances: BTreeMap<String, Instance>,
    /// Snapshots by `region/id`.
    pub snapshots: BTreeMap<String, Snapshot>,
    /// Regions currently in outage.
    pub outages: BTreeSet<String>,
    /// AWS timing and consistency effects switched on by the admin API.
    #[serde(default)]
    pub realism: super::realism::Realism,
    /// Clusters leaving their global cluster (asynchronous removal), by key.
    #[serde(default)]
    pub leaving: BTreeMap<String, super::realism::Leaving>,
    /// Objects Describe calls do not show yet (read-after-write lag):
    /// `global/<id>`, `cluster/<region>/<id>` or `instance/<region>/<id>`,
    /// to the epoch ms from which they show.
    #[serde(default)]
    pub visible_from: BTreeMap<String, u64>,
    /// Clusters built by RestoreDBClusterFromSnapshot, by key, to their
    /// creation time (so that a later cluster of the same name is not one).
    #[serde(default)]
    pub restores: BTreeMap<String, u64>,
}

/// The map key of a regional object.
pub(crate) fn key(region: &str, id: &str) -> String {
    format!("{region}/{id}")
}

/// The role of a cluster relative to its global cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Not in a global cluster.
    Standalone,
    /// Writer of a global cluster.
    Primary,
    /// Reader of a global cluster.
    Secondary,
}

impl State {
    /// Whether a cluster is still being restored from a snapshot: AWS takes
    /// DB instances only once the restored cluster is available.
    pub(crate) fn is_restoring(&self, c: &Cluster) -> bool {
        c.status == "creating" && self.restores.get(&key(&c.region, &c.id)) == Some(&c.created_ms)
    }

    /// Role of a cluster.
    pub(crate) fn role(&self, c: &Cluster) -> Role {
        match c.global.as_ref().and_then(|g| self.globals.get(g)) {
            None => Role::Standalone,
            Some(g) => match g.member(&c.region, &c.id) {
                Some(m) if m.is_writer => Role::Primary,
                Some(_) => Role::Secondary,
                None => Role::Standalone,
            },
        }
    }

    /// Engine version of a global cluster as AWS reports it: its primary's
    /// version once it has a primary, else the version it was created with.
    pub(crate) fn global_version(&self, g: &GlobalCluster) -> String {
        g.primary()
            .and_then(|m| self.clusters.get(&key(&m.region, &m.cluster_id)))
            .map(|c| c.engine_version.clone())
            .unwrap_or_else(|| g.engine_version.clone())
    }

    /// Instances of a cluster that are not being deleted.
    pub(crate) fn live_instances(&self, region: &str, cluster_id: &str) -> Vec<&Instance> {
        self.instances
            .values()
            .filter(|i| i.region == region && i.cluster_id == cluster_id && i.status != "deleting")
            .collect()
    }

    /// All instances of a cluster, deleting ones included.
    pub(crate) fn cluster_instances(&self, region: &str, cluster_id: &str) -> Vec<&Instance> {
        self.instances
            .values()
            .filter(|i| i.region == region && i.cluster_id == cluster_id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sibling of the clock offset overflow the `emulator_request` fuzz
    /// target found: with a huge time scale, or the virtual clock advanced
    /// to its end, `now + duration` overflowed.
    #[test]
    fn pending_due_overflow_saturates() {
        let p = Pending::after(u64::MAX - 1, Op::CreateCluster, 1e300, Next::Available);
        assert_eq!(p.due, Some(u64::MAX));
        let p = Pending::after(1_000, Op::CreateCluster, 1e300, Next::Available);
        assert_eq!(p.due, Some(u64::MAX));
    }
}
