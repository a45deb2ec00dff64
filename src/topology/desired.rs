//! The desired topology, read from a planned state (plus the configuration
//! for write-only values). Unknown or null optional values mean "whatever AWS
//! chooses" and become `None`.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::secret::Secret;
use crate::tf::Value;

use super::rules::parse_duration;

/// Default deadlines when `timeouts` does not set one.
pub const DEFAULT_CREATE: Duration = Duration::from_secs(120 * 60);
/// Default update deadline.
pub const DEFAULT_UPDATE: Duration = Duration::from_secs(120 * 60);
/// Default delete deadline.
pub const DEFAULT_DELETE: Duration = Duration::from_secs(90 * 60);

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
}

fn s(v: &Value, name: &str) -> Option<String> {
    v.get_attr(name).and_then(Value::as_str).map(str::to_string)
}

fn b(v: &Value, name: &str) -> Option<bool> {
    v.get_attr(name).and_then(Value::as_bool)
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_entries)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

impl Desired {
    /// Reads the desired topology from a planned state; the password comes
    /// from the configuration (write-only values exist only there).
    /// Returns `None` when the planned state lacks what a topology needs.
    pub fn from_planned(planned: &Value, config: &Value) -> Option<Desired> {
        let mut regions = BTreeMap::new();
        for (name, r) in planned.get_attr("regions")?.as_entries()? {
            let cluster_id = s(r, "cluster_identifier")?;
            let mut instances = BTreeMap::new();
            if let Some(m) = r.get_attr("instances").and_then(Value::as_entries) {
                for (key, i) in m {
                    instances.insert(
                        key.clone(),
                        DesiredInstance {
                            key: key.clone(),
                            id: s(i, "identifier")?,
                            class: s(i, "instance_class")?,
                            tier: i
                                .get_attr("promotion_tier")
                                .and_then(Value::as_i64)
                                .unwrap_or(1) as i32,
                        },
                    );
                }
            }
            let security_groups = r
                .get_attr("vpc_security_group_ids")
                .and_then(Value::as_elements)
                .map(|e| {
                    let mut v: Vec<String> = e
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect();
                    v.sort();
                    v
                });
            regions.insert(
                name.clone(),
                DesiredRegion {
                    region: name.clone(),
                    cluster_id,
                    subnet_group: s(r, "db_subnet_group_name"),
                    security_groups,
                    kms_key_id: s(r, "kms_key_id"),
                    write_forwarding: b(r, "write_forwarding").unwrap_or(false),
                    parameter_group: s(r, "db_cluster_parameter_group_name"),
                    instances,
                },
            );
        }
        let password = s(config, "master_password_wo")
            .or_else(|| s(config, "master_password"))
            .or_else(|| s(planned, "master_password"))
            .map(Secret::new);
        Some(Desired {
            id: s(planned, "global_cluster_identifier")?,
            engine: s(planned, "engine")?,
            engine_version: s(planned, "engine_version"),
            allow_major_version_upgrade: b(planned, "allow_major_version_upgrade").unwrap_or(false),
            database_name: s(planned, "database_name"),
            master_username: s(planned, "master_username")?,
            master_password: password,
            storage_encrypted: b(planned, "storage_encrypted"),
            deletion_protection: b(planned, "deletion_protection").unwrap_or(false),
            primary_region: s(planned, "primary_region")?,
            failover_mode: s(planned, "failover_mode").unwrap_or_else(|| "switchover".into()),
            regions,
            tags: string_map(planned.get_attr("tags")),
        })
    }
}

/// Which deadline applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Create.
    Create,
    /// Update.
    Update,
    /// Destroy.
    Delete,
}

/// The `timeouts` deadline for an operation, from a state or config value.
pub fn timeout(v: &Value, op: Operation) -> Duration {
    let (name, default) = match op {
        Operation::Create => ("create", DEFAULT_CREATE),
        Operation::Update => ("update", DEFAULT_UPDATE),
        Operation::Delete => ("delete", DEFAULT_DELETE),
    };
    v.get_attr("timeouts")
        .and_then(|t| s(t, name))
        .and_then(|d| parse_duration(&d).ok())
        .unwrap_or(default)
}
