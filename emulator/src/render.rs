//! XML renderings of the model, with element names from botocore's RDS
//! service model (`GlobalCluster`, `DBCluster`, `DBInstance`, `DBClusterSnapshot`).

use crate::ids;
use crate::model::{Cluster, GlobalCluster, Instance, Role, Snapshot, State};
use crate::timing::iso8601;
use crate::xml::Xml;

/// `<TagList><Tag><Key/><Value/></Tag>…</TagList>`.
pub(crate) fn tag_list(x: &mut Xml, tags: &[(String, String)]) {
    x.open("TagList");
    for (k, v) in tags {
        x.open("Tag").el("Key", k).el("Value", v).close("Tag");
    }
    x.close("TagList");
}

/// The global writer endpoint host name.
pub(crate) fn global_endpoint(g: &GlobalCluster) -> String {
    format!(
        "{}.global-{}.global.rds.amazonaws.com",
        g.id, g.endpoint_label
    )
}

/// Contents of a `GlobalCluster` structure (without the wrapping element).
pub(crate) fn global_cluster(x: &mut Xml, state: &State, g: &GlobalCluster, now: u64) {
    x.el("GlobalClusterIdentifier", &g.id)
        .el("GlobalClusterResourceId", &g.resource_id)
        .el("GlobalClusterArn", &ids::global_arn(&g.id))
        .el("Status", &g.status)
        .el("Engine", &g.engine)
        .el("EngineVersion", &state.global_version(g))
        .opt("DatabaseName", g.database_name.as_deref())
        .bool("StorageEncrypted", g.storage_encrypted)
        .bool("DeletionProtection", g.deletion_protection);
    crate::rds::settings::render_global(x, g);
    x.open("GlobalClusterMembers");
    let secondaries: Vec<String> = g
        .members
        .iter()
        .filter(|m| !m.is_writer)
        .map(|m| ids::cluster_arn(&m.region, &m.cluster_id))
        .collect();
    for m in &g.members {
        x.open("GlobalClusterMember")
            .el("DBClusterArn", &ids::cluster_arn(&m.region, &m.cluster_id));
        x.list(
            "Readers",
            "member",
            if m.is_writer { &secondaries } else { &[] },
        );
        x.bool("IsWriter", m.is_writer);
        if !m.is_writer {
            let c = state
                .clusters
                .get(&crate::model::key(&m.region, &m.cluster_id));
            x.el("GlobalWriteForwardingStatus", &write_forwarding_status(c));
        }
        x.el("SynchronizationStatus", &m.sync);
        x.close("GlobalClusterMember");
    }
    x.close("GlobalClusterMembers");
    x.el("Endpoint", &global_endpoint(g));
    if let Some(op) = &g.op {
        // "pending" for the first quarter of the operation, then
        // "failing-over" (with data loss) or "switching-over" (a switchover:
        // the FailoverState.Status documentation lists it, although
        // botocore's enum does not).
        let quarter = op.started + (op.due.saturating_sub(op.started)) / 4;
        let status = if now < quarter {
            "pending"
        } else if op.data_loss {
            "failing-over"
        } else {
            "switching-over"
        };
        x.open("FailoverState")
            .el("Status", status)
            .el(
                "FromDbClusterArn",
                &ids::cluster_arn(&op.from.0, &op.from.1),
            )
            .el("ToDbClusterArn", &ids::cluster_arn(&op.to.0, &op.to.1))
            .bool("IsDataLossAllowed", op.data_loss)
            .close("FailoverState");
    }
    tag_list(x, &g.tags);
}

fn write_forwarding_status(c: Option<&Cluster>) -> String {
    match c {
        None => "unknown".into(),
        Some(c) => match (
            c.write_forwarding,
            c.write_forwarding_changing || c.status == "creating",
        ) {
            (true, true) => "enabling".into(),
            (true, false) => "enabled".into(),
            (false, true) if c.status != "creating" => "disabling".into(),
            (false, _) => "disabled".into(),
        },
    }
}

/// Contents of a `DBCluster` structure.
pub(crate) fn cluster(x: &mut Xml, state: &State, c: &Cluster) {
    let hash = ids::region_hash(&c.region);
    let role = state.role(c);
    x.list("AvailabilityZones", "AvailabilityZone", &azs(&c.region))
        .num("BackupRetentionPeriod", c.backup_retention)
        .opt("DatabaseName", c.database_name.as_deref())
        .el("DBClusterIdentifier", &c.id)
        .el("DBClusterParameterGroup", &c.parameter_group)
        .el("DBSubnetGroup", &c.subnet_group)
        .el("Status", &c.status)
        .el(
            "Endpoint",
            &format!("{}.cluster-{hash}.{}.rds.amazonaws.com", c.id, c.region),
        )
        .el(
            "ReaderEndpoint",
            &format!("{}.cluster-ro-{hash}.{}.rds.amazonaws.com", c.id, c.region),
        )
        .bool("MultiAZ", state.live_instances(&c.region, &c.id).len() > 1)
        .el("Engine", &c.engine)
        .el("EngineVersion", &c.engine_version)
        .num("Port", c.port)
        .opt("MasterUsername", c.master_username.as_deref());
    crate::rds::settings::render_cluster(x, c);
    x.open("DBClusterMembers");
    let mut members = state.cluster_instances(&c.region, &c.id);
    members.sort_by(|a, b| a.id.cmp(&b.id));
    for i in members {
        x.open("DBClusterMember")
            .el("DBInstanceIdentifier", &i.id)
            .bool(
                "IsClusterWriter",
                c.writer.as_deref() == Some(i.id.as_str()),
            )
            .el("DBClusterParameterGroupStatus", "in-sync")
            .num("PromotionTier", i.promotion_tier)
            .close("DBClusterMember");
    }
    x.close("DBClusterMembers");
    x.open("VpcSecurityGroups");
    for sg in &c.vpc_security_groups {
        x.open("VpcSecurityGroupMembership")
            .el("VpcSecurityGroupId", sg)
            .el("Status", "active")
            .close("VpcSecurityGroupMembership");
    }
    x.close("VpcSecurityGroups");
    x.el("HostedZoneId", "Z2R2ITUGPM61AM")
        .bool("StorageEncrypted", c.storage_encrypted)
        .opt("KmsKeyId", c.kms_key_id.as_deref())
        .el("DbClusterResourceId", &c.resource_id)
        .el("DBClusterArn", &ids::cluster_arn(&c.region, &c.id))
        .el("ClusterCreateTime", &iso8601(c.created_ms))
        .el("EngineMode", "provisioned")
        .bool("DeletionProtection", c.deletion_protection)
        .bool("HttpEndpointEnabled", false)
        .bool("CrossAccountClone", false);
    tag_list(x, &c.tags);
    if let Some(g) = &c.global {
        x.el("GlobalClusterIdentifier", g);
    }
    if role == Role::Secondary {
        x.el(
            "GlobalWriteForwardingStatus",
            &write_forwarding_status(Some(c)),
        );
        x.bool("GlobalWriteForwardingRequested", c.write_forwarding);
    }
    if c.manage_master_password {
        x.open("MasterUserSecret")
            .el(
                "SecretArn",
                &format!(
                    "arn:aws:secretsmanager:{}:{}:secret:rds!{}-managed",
                    c.region,
                    ids::ACCOUNT,
                    c.resource_id.to_lowercase()
                ),
            )
            .el("SecretStatus", "active")
            .close("MasterUserSecret");
    }
    x.bool("AutoMinorVersionUpgrade", true);
}

/// Contents of a `DBInstance` structure.
pub(crate) fn instance(x: &mut Xml, state: &State, i: &Instance) {
    let c = state
        .clusters
        .get(&crate::model::key(&i.region, &i.cluster_id));
    let version = c.map(|c| c.engine_version.clone()).unwrap_or_default();
    let port = c.map(|c| c.port).unwrap_or(5432);
    let family = family(&i.engine, &version);
    x.el("DBInstanceIdentifier", &i.id)
        .el("DBInstanceClass", &i.class)
        .el("Engine", &i.engine)
        .el("DBInstanceStatus", &i.status)
        .opt(
            "MasterUsername",
            c.and_then(|c| c.master_username.as_deref()),
        );
    if i.status != "creating" {
        x.open("Endpoint")
            .el(
                "Address",
                &format!(
                    "{}.{}.{}.rds.amazonaws.com",
                    i.id,
                    ids::region_hash(&i.region),
                    i.region
                ),
            )
            .num("Port", port)
            .el("HostedZoneId", "Z2R2ITUGPM61AM")
            .close("Endpoint");
    }
    x.num("AllocatedStorage", 1)
        .el("InstanceCreateTime", &iso8601(i.created_ms))
        .num(
            "BackupRetentionPeriod",
            c.map(|c| c.backup_retention).unwrap_or(1),
        );
    x.open("DBSecurityGroups").close("DBSecurityGroups");
    x.open("VpcSecurityGroups");
    for sg in c.map(|c| c.vpc_security_groups.clone()).unwrap_or_default() {
        x.open("VpcSecurityGroupMembership")
            .el("VpcSecurityGroupId", &sg)
            .el("Status", "active")
            .close("VpcSecurityGroupMembership");
    }
    x.close("VpcSecurityGroups");
    crate::rds::settings::render_instance(x, i, c, &family);
    x.el("AvailabilityZone", &i.availability_zone);
    if let Some(c) = c {
        x.open("DBSubnetGroup")
            .el("DBSubnetGroupName", &c.subnet_group)
            .el("DBSubnetGroupDescription", &c.subnet_group)
            .el("VpcId", "vpc-0emulator0000000")
            .el("SubnetGroupStatus", "Complete")
            .close("DBSubnetGroup");
    }
    x.bool("MultiAZ", false)
        .el("EngineVersion", &version)
        .el(
            "LicenseModel",
            if i.engine == "aurora-postgresql" {
                "postgresql-license"
            } else {
                "general-public-license"
            },
        )
        .bool("PubliclyAccessible", i.publicly_accessible)
        .num("DbInstancePort", 0)
        .el("DBClusterIdentifier", &i.cluster_id)
        .bool("StorageEncrypted", c.is_some_and(|c| c.storage_encrypted))
        .opt("KmsKeyId", c.and_then(|c| c.kms_key_id.as_deref()))
        .el("DbiResourceId", &i.resource_id)
        .num("PromotionTier", i.promotion_tier)
        .el("DBInstanceArn", &ids::instance_arn(&i.region, &i.id))
        .bool("DeletionProtection", i.deletion_protection);
    tag_list(x, &i.tags);
    x.bool("DedicatedLogVolume", false);
}

/// Contents of a `DBClusterSnapshot` structure.
pub(crate) fn snapshot(x: &mut Xml, s: &Snapshot) {
    x.list("AvailabilityZones", "AvailabilityZone", &azs(&s.region))
        .el("DBClusterSnapshotIdentifier", &s.id)
        .el("DBClusterIdentifier", &s.cluster_id)
        .el("SnapshotCreateTime", &iso8601(s.created_ms))
        .el("Engine", &s.engine)
        .el("EngineMode", "provisioned")
        .num("AllocatedStorage", 0)
        .el("Status", &s.status)
        .num("Port", s.port)
        .el("VpcId", "vpc-0emulator0000000")
        .el("ClusterCreateTime", &iso8601(s.cluster_created_ms))
        .opt("MasterUsername", s.master_username.as_deref())
        .el("EngineVersion", &s.engine_version)
        .el(
            "LicenseModel",
            if s.engine == "aurora-postgresql" {
                "postgresql-license"
            } else {
                "aurora-mysql"
            },
        )
        .el("SnapshotType", &s.snapshot_type)
        .num(
            "PercentProgress",
            if s.status == "available" { 100 } else { 0 },
        )
        .bool("StorageEncrypted", s.storage_encrypted)
        .opt("KmsKeyId", s.kms_key_id.as_deref())
        .el("DBClusterSnapshotArn", &ids::snapshot_arn(&s.region, &s.id))
        .bool("IAMDatabaseAuthenticationEnabled", false);
    tag_list(x, &s.tags);
    x.el("StorageType", "aurora")
        .el("DbClusterResourceId", &s.cluster_resource_id);
}

/// Three availability zones of a region.
pub(crate) fn azs(region: &str) -> Vec<String> {
    ["a", "b", "c"]
        .iter()
        .map(|z| format!("{region}{z}"))
        .collect()
}

/// Parameter group family, e.g. `aurora-postgresql15` or `aurora-mysql8.0`.
pub(crate) fn family(engine: &str, version: &str) -> String {
    let major: String = if engine == "aurora-mysql" {
        version.split('.').take(2).collect::<Vec<_>>().join(".")
    } else {
        version.split('.').next().unwrap_or("").to_string()
    };
    format!("{engine}{major}")
}
