//! RestoreDBClusterFromSnapshot: a new cluster built from a DB cluster
//! snapshot. It has no instances, a new resource id, and `creating` lasts
//! longer than for a plain CreateDBCluster (the storage is rebuilt from the
//! snapshot). Engine, version, master user name, encryption and database
//! name come from the snapshot; the parameters botocore's
//! `RestoreDBClusterFromSnapshotMessage` has are accepted, and no master
//! password (that message has none).

use super::{
    check_kms_key, compare_versions, major_version, validate_engine, validate_tags,
    validate_version, Ctx,
};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{key, Cluster, Next, Pending};
use crate::render;
use crate::timing::Op;

/// Production settings CreateDBCluster takes that
/// RestoreDBClusterFromSnapshotMessage does not have.
const NOT_RESTORE_PARAMETERS: &[&str] =
    &["PreferredMaintenanceWindow", "EnableLocalWriteForwarding"];

pub(super) fn restore(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let id = p.required("DBClusterIdentifier")?.to_lowercase();
    let raw = p.required("SnapshotIdentifier")?;
    let engine = p.required("Engine")?;
    ids::validate_identifier("DBClusterIdentifier", &id, 63)?;
    validate_engine(engine)?;
    let tags = p.tags("Tags")?;
    validate_tags(&tags)?;
    let deletion_protection = p.flag("DeletionProtection")?;
    let backup_retention = p.int("BackupRetentionPeriod")?.unwrap_or(1);
    if !(1..=35).contains(&backup_retention) {
        return Err(ApiError::invalid_value(format!(
            "Invalid backup retention period: {backup_retention}. Must be between 1 and 35."
        )));
    }
    let port = p.int("Port")?;
    if let Some(port) = port.filter(|port| !(1150..=65535).contains(port)) {
        return Err(ApiError::invalid_value(format!(
            "Invalid port {port}: must be between 1150 and 65535."
        )));
    }
    let kms = p.get("KmsKeyId").map(str::to_string);
    if let Some(k) = &kms {
        check_kms_key(k, &ctx.region)?;
    }
    if let Some(v) = p.get("EngineVersion") {
        validate_version(engine, v)?;
    }
    let k = key(&ctx.region, &id);
    if ctx.st.clusters.contains_key(&k) {
        return Err(ApiError::cluster_exists("DB Cluster already exists"));
    }

    // A snapshot of this region, by identifier or ARN (a snapshot of another
    // region must be copied here first).
    let (region, sid) = ids::resolve("SnapshotIdentifier", raw, "cluster-snapshot", &ctx.region)?;
    let s = ctx
        .st
        .snapshots
        .get(&key(&region, &sid))
        .filter(|_| region == ctx.region)
        .ok_or_else(|| {
            ApiError::snapshot_not_found(format!("DBClusterSnapshot {raw} not found."))
        })?;
    if s.status != "available" {
        return Err(ApiError::invalid_snapshot_state(format!(
            "DBClusterSnapshot {} is in {} state; only an available snapshot can be restored.",
            s.id, s.status
        )));
    }
    if engine != s.engine {
        return Err(ApiError::invalid_combination(format!(
            "The engine {engine} is not compatible with the engine {} of DB cluster snapshot {}.",
            s.engine, s.id
        )));
    }
    let version = p
        .get("EngineVersion")
        .unwrap_or(&s.engine_version)
        .to_string();
    if compare_versions(&version, &s.engine_version).is_lt() {
        return Err(ApiError::invalid_combination(format!(
            "The engine version you requested for your restored DB cluster ({version}) is earlier than the engine version of the DB cluster snapshot ({}).",
            s.engine_version
        )));
    }
    if major_version(&version) != major_version(&s.engine_version) {
        return Err(ApiError::invalid_combination(format!(
            "Cannot restore DB cluster snapshot {} ({}) to major version {}: restore to {} and upgrade the restored cluster.",
            s.id,
            s.engine_version,
            major_version(&version),
            major_version(&s.engine_version)
        )));
    }
    // Encrypted with the request's key, else the snapshot's; a key makes
    // the restore of an unencrypted snapshot encrypted.
    let storage_encrypted = s.storage_encrypted || kms.is_some();
    let kms_key_id = kms
        .or_else(|| s.kms_key_id.clone())
        .filter(|_| storage_encrypted);
    let master_username = s.master_username.clone();
    let database_name = p
        .get("DatabaseName")
        .map(str::to_string)
        .or_else(|| s.database_name.clone());
    let port = port.unwrap_or(s.port);
    let settings = super::settings::cluster_create(
        &p.without(NOT_RESTORE_PARAMETERS),
        engine,
        &version,
        &ctx.region,
        None,
    )?;
    let parameter_group = p
        .get("DBClusterParameterGroupName")
        .map(str::to_string)
        .unwrap_or_else(|| format!("default.{}", render::family(engine, &version)));
    let c = Cluster {
        id,
        region: ctx.region.clone(),
        resource_id: ids::resource_id("cluster"),
        engine: engine.to_string(),
        engine_version: version,
        status: "creating".into(),
        pending: Pending::after(ctx.now, Op::Restore, ctx.scale, Next::Available),
        master_username,
        manage_master_password: false,
        database_name,
        port,
        storage_encrypted,
        kms_key_id,
        subnet_group: p.get("DBSubnetGroupName").unwrap_or("default").to_string(),
        vpc_security_groups: p.list("VpcSecurityGroupIds", "VpcSecurityGroupId"),
        parameter_group,
        deletion_protection,
        backup_retention,
        global: None,
        write_forwarding: false,
        write_forwarding_changing: false,
        writer: None,
        tags,
        created_ms: ctx.now,
        settings,
    };
    let st = &mut *ctx.st;
    let clusters = &st.clusters;
    st.restores.retain(|k, _| clusters.contains_key(k));
    st.restores.insert(k.clone(), ctx.now);
    ctx.st.clusters.insert(k.clone(), c);
    Ok(super::one_xml(
        "DBCluster",
        ctx.st.clusters.get(&k),
        |x, c| render::cluster(x, ctx.st, c),
    ))
}
