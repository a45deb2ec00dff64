//! Plain observed types: what AWS reported, converted out of SDK types so that
//! no `aws_sdk_rds` type leaves the `aws` module.
//!
//! Optional fields are `None` when AWS did not report them; strings are
//! copied verbatim (statuses stay AWS's lower-case words).

use std::collections::BTreeMap;

use aws_sdk_rds::types::{DbCluster, DbClusterSnapshot, DbInstance, GlobalCluster, Tag};

use super::error::AwsError;
use super::settings::{cluster_settings, instance_settings, ClusterSettings, InstanceSettings};

/// A global cluster as DescribeGlobalClusters reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedGlobal {
    pub id: String,
    pub arn: String,
    pub resource_id: Option<String>,
    pub status: String,
    pub engine: Option<String>,
    pub engine_version: Option<String>,
    pub database_name: Option<String>,
    pub storage_encrypted: Option<bool>,
    pub deletion_protection: Option<bool>,
    /// `EngineLifecycleSupport` set at create.
    pub engine_lifecycle_support: Option<String>,
    /// The global writer endpoint, when AWS reports one.
    pub endpoint: Option<String>,
    /// Present while a switchover or failover is in progress.
    pub failover_state: Option<FailoverState>,
    pub members: Vec<GlobalMember>,
    pub tags: BTreeMap<String, String>,
}

impl ObservedGlobal {
    /// The member that is the writer (primary), if any.
    pub fn writer(&self) -> Option<&GlobalMember> {
        self.members.iter().find(|m| m.is_writer)
    }

    /// The member cluster in `region`, if any.
    pub fn member_in(&self, region: &str) -> Option<&GlobalMember> {
        self.members.iter().find(|m| m.region == region)
    }

    /// Available and no switchover/failover in progress.
    pub fn is_settled(&self) -> bool {
        self.status == "available" && self.failover_state.is_none()
    }
}

/// `FailoverState` of a global cluster during a switchover or failover.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FailoverState {
    /// `pending`, `failing-over`, `switching-over` (documented for
    /// switchovers) or `cancelling`.
    pub status: Option<String>,
    pub from_arn: Option<String>,
    pub to_arn: Option<String>,
    pub data_loss_allowed: Option<bool>,
}

/// One member of a global cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GlobalMember {
    pub cluster_arn: String,
    /// Parsed from the cluster ARN.
    pub region: String,
    /// Parsed from the cluster ARN.
    pub cluster_id: String,
    pub is_writer: bool,
    /// ARNs of the secondary clusters (reported on the writer only).
    pub readers: Vec<String>,
    pub write_forwarding_status: Option<String>,
    pub sync_status: Option<String>,
}

/// A regional cluster as DescribeDBClusters reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedCluster {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub status: String,
    pub engine: Option<String>,
    pub engine_version: Option<String>,
    /// Master user name (reported on the cluster that holds the data).
    pub master_username: Option<String>,
    /// Initial database name, when the cluster has one.
    pub database_name: Option<String>,
    pub endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub kms_key_id: Option<String>,
    pub storage_encrypted: Option<bool>,
    pub db_subnet_group_name: Option<String>,
    pub vpc_security_group_ids: Vec<String>,
    pub parameter_group: Option<String>,
    /// Global write forwarding requested (or, when AWS does not say,
    /// enabled/enabling).
    pub write_forwarding: bool,
    pub deletion_protection: Option<bool>,
    pub global_cluster_id: Option<String>,
    pub members: Vec<ObservedClusterMember>,
    pub tags: BTreeMap<String, String>,
    /// Production settings, pending values overlaid.
    pub settings: ClusterSettings,
    /// The settings AWS holds pending until the maintenance window.
    pub pending: ClusterSettings,
}

/// An instance as listed in its cluster's `DBClusterMembers`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedClusterMember {
    pub instance_id: String,
    pub is_writer: bool,
    pub promotion_tier: Option<i32>,
}

/// A DB instance as DescribeDBInstances reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedInstance {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub cluster_id: Option<String>,
    /// The instance class (a pending class change overlaid).
    pub class: Option<String>,
    pub promotion_tier: Option<i32>,
    pub status: String,
    /// Endpoint address (host name).
    pub endpoint: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub availability_zone: Option<String>,
    /// Production settings, pending values overlaid.
    pub settings: InstanceSettings,
    /// A class change AWS holds pending until the maintenance window.
    pub pending_class: Option<String>,
    /// The settings AWS holds pending until the maintenance window.
    pub pending: InstanceSettings,
}

/// A cluster snapshot (final snapshots of destroyed topologies).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedSnapshot {
    pub id: String,
    pub arn: Option<String>,
    pub cluster_id: Option<String>,
    pub status: String,
    pub tags: BTreeMap<String, String>,
    /// What a cluster restored from it inherits.
    pub engine: Option<String>,
    pub engine_version: Option<String>,
    pub master_username: Option<String>,
    pub storage_encrypted: Option<bool>,
}

/// The whole topology: the global cluster and, per member region, what could
/// be read there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedTopology {
    pub global: ObservedGlobal,
    /// The region whose endpoint answered DescribeGlobalClusters (the home
    /// region, or a fallback when the home region was unreachable).
    pub global_region: String,
    /// Keyed by region name; one entry per member of the global cluster.
    pub regions: BTreeMap<String, RegionObservation>,
}

impl ObservedTopology {
    /// Regions that could not be read.
    pub fn unreachable_regions(&self) -> Vec<&str> {
        self.regions
            .iter()
            .filter(|(_, r)| matches!(r, RegionObservation::Unreachable { .. }))
            .map(|(k, _)| k.as_str())
            .collect()
    }
}

/// What was read in one region.
// Held in a map and matched on, rarely moved: boxing the cluster would only
// make callers' patterns noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionObservation {
    /// The region answered. `cluster` is `None` when the member cluster was
    /// not found there (e.g. deleted meanwhile).
    Reached {
        cluster: Option<ObservedCluster>,
        instances: Vec<ObservedInstance>,
    },
    /// The region did not answer within the transport budget.
    Unreachable { error: AwsError },
}

/// The region of an ARN (`arn:aws:rds:<region>:<account>:cluster:<id>`).
pub fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(_service), Some(region)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    (!region.is_empty()).then_some(region)
}

/// The account of an ARN (`123456789012` in
/// `arn:aws:rds::123456789012:global-cluster:orders`).
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(_service), Some(_region), Some(account), Some(_)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (!account.is_empty()).then_some(account)
}

/// The resource identifier at the end of an RDS ARN (`orders-us-east-1` in
/// `arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1`).
pub fn arn_resource_id(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let id = match resource.split_once(':') {
        Some((_kind, id)) => id,
        None => resource
            .split_once('/')
            .map(|(_, id)| id)
            .unwrap_or(resource),
    };
    (!id.is_empty()).then_some(id)
}

pub(crate) fn tags_of(list: &[Tag]) -> BTreeMap<String, String> {
    list.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

impl From<&GlobalCluster> for ObservedGlobal {
    fn from(g: &GlobalCluster) -> Self {
        ObservedGlobal {
            id: g
                .global_cluster_identifier()
                .unwrap_or_default()
                .to_string(),
            arn: g.global_cluster_arn().unwrap_or_default().to_string(),
            resource_id: owned(g.global_cluster_resource_id()),
            status: g.status().unwrap_or_default().to_string(),
            engine: owned(g.engine()),
            engine_version: owned(g.engine_version()),
            database_name: owned(g.database_name()),
            storage_encrypted: g.storage_encrypted(),
            deletion_protection: g.deletion_protection(),
            engine_lifecycle_support: owned(g.engine_lifecycle_support()),
            endpoint: owned(g.endpoint()),
            failover_state: g.failover_state().map(|f| FailoverState {
                status: f.status().map(|s| s.as_str().to_string()),
                from_arn: owned(f.from_db_cluster_arn()),
                to_arn: owned(f.to_db_cluster_arn()),
                data_loss_allowed: f.is_data_loss_allowed(),
            }),
            members: g
                .global_cluster_members()
                .iter()
                .filter_map(|m| {
                    let arn = m.db_cluster_arn()?;
                    Some(GlobalMember {
                        cluster_arn: arn.to_string(),
                        region: arn_region(arn).unwrap_or_default().to_string(),
                        cluster_id: arn_resource_id(arn).unwrap_or_default().to_string(),
                        is_writer: m.is_writer().unwrap_or(false),
                        readers: m.readers().to_vec(),
                        write_forwarding_status: m
                            .global_write_forwarding_status()
                            .map(|s| s.as_str().to_string()),
                        sync_status: m.synchronization_status().map(|s| s.as_str().to_string()),
                    })
                })
                .collect(),
            tags: tags_of(g.tag_list()),
        }
    }
}

impl ObservedCluster {
    pub(crate) fn from_sdk(c: &DbCluster, region: &str) -> Self {
        let forwarding_status = c.global_write_forwarding_status().map(|s| s.as_str());
        let (settings, pending) = cluster_settings(c);
        ObservedCluster {
            id: c.db_cluster_identifier().unwrap_or_default().to_string(),
            arn: c.db_cluster_arn().unwrap_or_default().to_string(),
            region: region.to_string(),
            status: c.status().unwrap_or_default().to_string(),
            engine: owned(c.engine()),
            engine_version: owned(c.engine_version()),
            master_username: owned(c.master_username()),
            database_name: owned(c.database_name()),
            endpoint: owned(c.endpoint()),
            reader_endpoint: owned(c.reader_endpoint()),
            kms_key_id: owned(c.kms_key_id()),
            storage_encrypted: c.storage_encrypted(),
            db_subnet_group_name: owned(c.db_subnet_group()),
            vpc_security_group_ids: c
                .vpc_security_groups()
                .iter()
                .filter_map(|g| owned(g.vpc_security_group_id()))
                .collect(),
            parameter_group: owned(c.db_cluster_parameter_group()),
            write_forwarding: c
                .global_write_forwarding_requested()
                .unwrap_or(matches!(forwarding_status, Some("enabled" | "enabling"))),
            deletion_protection: c.deletion_protection(),
            global_cluster_id: owned(c.global_cluster_identifier()),
            members: c
                .db_cluster_members()
                .iter()
                .filter_map(|m| {
                    Some(ObservedClusterMember {
                        instance_id: m.db_instance_identifier()?.to_string(),
                        is_writer: m.is_cluster_writer().unwrap_or(false),
                        promotion_tier: m.promotion_tier(),
                    })
                })
                .collect(),
            tags: tags_of(c.tag_list()),
            settings,
            pending,
        }
    }
}

impl ObservedInstance {
    pub(crate) fn from_sdk(i: &DbInstance, region: &str) -> Self {
        let (settings, pending_class, pending) = instance_settings(i);
        ObservedInstance {
            id: i.db_instance_identifier().unwrap_or_default().to_string(),
            arn: i.db_instance_arn().unwrap_or_default().to_string(),
            region: region.to_string(),
            cluster_id: owned(i.db_cluster_identifier()),
            class: pending_class
                .clone()
                .or_else(|| owned(i.db_instance_class())),
            promotion_tier: i.promotion_tier(),
            status: i.db_instance_status().unwrap_or_default().to_string(),
            endpoint: i.endpoint().and_then(|e| owned(e.address())),
            tags: tags_of(i.tag_list()),
            availability_zone: owned(i.availability_zone()),
            settings,
            pending_class,
            pending,
        }
    }
}

impl From<&DbClusterSnapshot> for ObservedSnapshot {
    fn from(s: &DbClusterSnapshot) -> Self {
        ObservedSnapshot {
            id: s
                .db_cluster_snapshot_identifier()
                .unwrap_or_default()
                .to_string(),
            arn: owned(s.db_cluster_snapshot_arn()),
            cluster_id: owned(s.db_cluster_identifier()),
            status: s.status().unwrap_or_default().to_string(),
            tags: tags_of(s.tag_list()),
            engine: owned(s.engine()),
            engine_version: owned(s.engine_version()),
            master_username: owned(s.master_username()),
            storage_encrypted: s.storage_encrypted(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_rds::types::{FailoverStatus, GlobalClusterMember};

    #[test]
    fn arns_are_parsed() {
        let table: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                "arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1",
                Some("us-east-1"),
                Some("orders-us-east-1"),
            ),
            (
                "arn:aws:rds:eu-west-1:123456789012:db:orders-eu-west-1-a",
                Some("eu-west-1"),
                Some("orders-eu-west-1-a"),
            ),
            (
                "arn:aws:rds::123456789012:global-cluster:orders",
                None,
                Some("orders"),
            ),
            (
                "arn:aws-cn:rds:cn-north-1:123456789012:cluster:x",
                Some("cn-north-1"),
                Some("x"),
            ),
            ("not-an-arn", None, None),
            ("arn:aws:rds:us-east-1", Some("us-east-1"), None),
            ("", None, None),
        ];
        for (arn, region, id) in table {
            assert_eq!(arn_region(arn), *region, "{arn}");
            assert_eq!(arn_resource_id(arn), *id, "{arn}");
        }
    }

    #[test]
    fn arn_accounts_are_parsed() {
        let table: &[(&str, Option<&str>)] = &[
            (
                "arn:aws:rds::123456789012:global-cluster:orders",
                Some("123456789012"),
            ),
            (
                "arn:aws:rds:us-east-1:000000000000:cluster:x",
                Some("000000000000"),
            ),
            ("arn:aws:rds:us-east-1::cluster:x", None),
            ("arn:aws:rds:us-east-1:123456789012", None),
            ("not-an-arn", None),
            ("", None),
        ];
        for (arn, account) in table {
            assert_eq!(arn_account(arn), *account, "{arn}");
        }
    }

    #[test]
    fn global_conversion_parses_members_and_failover() {
        let g = GlobalCluster::builder()
            .global_cluster_identifier("orders")
            .global_cluster_arn("arn:aws:rds::123456789012:global-cluster:orders")
            .status("switching-over")
            .global_cluster_members(
                GlobalClusterMember::builder()
                    .db_cluster_arn("arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1")
                    .is_writer(true)
                    .readers("arn:aws:rds:eu-west-1:123456789012:cluster:orders-eu-west-1")
                    .build(),
            )
            .global_cluster_members(
                GlobalClusterMember::builder()
                    .db_cluster_arn("arn:aws:rds:eu-west-1:123456789012:cluster:orders-eu-west-1")
                    .is_writer(false)
                    .build(),
            )
            .failover_state(
                aws_sdk_rds::types::FailoverState::builder()
                    .status(FailoverStatus::Pending)
                    .to_db_cluster_arn(
                        "arn:aws:rds:eu-west-1:123456789012:cluster:orders-eu-west-1",
                    )
                    .is_data_loss_allowed(false)
                    .build(),
            )
            .tag_list(
                Tag::builder()
                    .key("replication:topology")
                    .value("orders")
                    .build(),
            )
            .build();
        let o = ObservedGlobal::from(&g);
        assert_eq!(o.id, "orders");
        assert_eq!(o.members.len(), 2);
        assert_eq!(o.writer().unwrap().region, "us-east-1");
        assert_eq!(
            o.member_in("eu-west-1").unwrap().cluster_id,
            "orders-eu-west-1"
        );
        assert_eq!(
            o.failover_state.as_ref().unwrap().status.as_deref(),
            Some("pending")
        );
        assert!(!o.is_settled());
        assert_eq!(
            o.tags.get("replication:topology").map(String::as_str),
            Some("orders")
        );
    }
}
