//! The desired topology the reconciler converges to: plain data, built by
//! the resource from Terraform's planned state (`resource::desired`).
//! Unknown or null optional values mean "whatever AWS chooses" and are
//! `None` here.

use std::collections::BTreeMap;

use crate::aws::{ClusterSettings, InstanceSettings, Secret};

/// One desired DB instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredInstance {
    /// Map key in `instances`.
    pub key: String,
    /// DB instance identifier.
    pub id: String,
    /// Instance class.
    pub class: String,
    /// Promotion tier 0–15.
    pub tier: i32,
    /// Availability zone, when configured (set at create only).
    pub availability_zone: Option<String>,
    /// Instance settings (the instance's own, else its region's).
    pub settings: InstanceSettings,
}

/// One desired regional cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredRegion {
    /// Region name (the key in `regions`).
    pub region: String,
    /// DB cluster identifier.
    pub cluster_id: String,
    /// Subnet group, when configured.
    pub subnet_group: Option<String>,
    /// Security groups, when configured (sorted).
    pub security_groups: Option<Vec<String>>,
    /// KMS key in this region, when configured.
    pub kms_key_id: Option<String>,
    /// Global write forwarding.
    pub write_forwarding: bool,
    /// Cluster parameter group, when configured.
    pub parameter_group: Option<String>,
    /// Instances by key.
    pub instances: BTreeMap<String, DesiredInstance>,
    /// Cluster settings (with the topology's `engine_lifecycle_support`).
    pub settings: ClusterSettings,
}

/// Where the primary of a new topology comes from (SPEC §8). Read only
/// while the global cluster does not exist yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An existing standalone cluster in the primary region becomes the
    /// primary in place (CreateGlobalCluster with SourceDBClusterIdentifier).
    Source {
        /// Its identifier (the configured ARN's resource part).
        cluster_id: String,
    },
    /// The primary cluster is restored from a DB cluster snapshot
    /// (identifier or ARN), then becomes the global cluster's source.
    Snapshot {
        /// Snapshot identifier or ARN, as configured.
        snapshot: String,
    },
}

/// The whole desired topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    /// Global cluster identifier.
    pub id: String,
    /// aurora-postgresql or aurora-mysql.
    pub engine: String,
    /// Engine version, when configured.
    pub engine_version: Option<String>,
    /// Allow a major upgrade.
    pub allow_major_version_upgrade: bool,
    /// Initial database name (primary only).
    pub database_name: Option<String>,
    /// Master user (primary only).
    pub master_username: String,
    /// Master password, from `master_password` or `master_password_wo`.
    pub master_password: Option<Secret>,
    /// Storage encryption, when configured.
    pub storage_encrypted: Option<bool>,
    /// Deletion protection of the global cluster.
    pub deletion_protection: bool,
    /// Region that must hold the writer.
    pub primary_region: String,
    /// "switchover" or "failover".
    pub failover_mode: String,
    /// Regions by name.
    pub regions: BTreeMap<String, DesiredRegion>,
    /// Tags of the topology (without default tags or the ownership tag).
    pub tags: BTreeMap<String, String>,
    /// `engine_lifecycle_support`, when configured.
    pub engine_lifecycle_support: Option<String>,
    /// `apply_immediately`: false sends settings changes with
    /// ApplyImmediately=false.
    pub apply_immediately: bool,
    /// `max_data_loss`: the largest lag a failover may lose, re-checked
    /// just before FailoverGlobalCluster is sent; `None` = no bound.
    pub max_data_loss: Option<std::time::Duration>,
    /// Where the primary comes from at create; `None`: created empty.
    pub origin: Option<Origin>,
}
