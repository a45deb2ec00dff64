//! DB cluster actions: Create/Describe/Modify/DeleteDBCluster.

use super::limits;
use super::{
    check_filters, check_kms_key, compare_versions, filters_match, id_or_arn, major_version,
    paginate, validate_engine, validate_tags, validate_version, Ctx,
};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{key, Cluster, Member, Next, Pending, Role, Snapshot};
use crate::render;
use crate::timing::Op;

fn wrap(ctx: &Ctx<'_>, k: &str) -> String {
    super::one_xml("DBCluster", ctx.st.clusters.get(k), |x, c| {
        render::cluster(x, ctx.st, c)
    })
}

/// Resolves `DBClusterIdentifier` (id or ARN) to the key of an existing cluster.
pub(super) fn find(ctx: &Ctx<'_>, param: &str) -> ApiResult<String> {
    let raw = ctx.p.required(param)?;
    let (region, id) = ids::resolve(param, raw, "cluster", &ctx.region)?;
    let k = key(&region, &id);
    if ctx.st.clusters.contains_key(&k) {
        Ok(k)
    } else {
        Err(ApiError::cluster_not_found(format!(
            "DBCluster {raw} not found."
        )))
    }
}

pub(super) fn create(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let id = p.required("DBClusterIdentifier")?.to_lowercase();
    let engine = p.required("Engine")?;
    ids::validate_identifier("DBClusterIdentifier", &id, 63)?;
    validate_engine(engine)?;
    let tags = p.tags("Tags")?;
    validate_tags(&tags)?;
    let storage_encrypted = p.bool("StorageEncrypted")?;
    let manage_pw = p.flag("ManageMasterUserPassword")?;
    let deletion_protection = p.flag("DeletionProtection")?;
    let write_forwarding = p.flag("EnableGlobalWriteForwarding")?;
    let backup_retention = p.int("BackupRetentionPeriod")?.unwrap_or(1);
    if !(1..=35).contains(&backup_retention) {
        return Err(ApiError::invalid_value(format!(
            "Invalid backup retention period: {backup_retention}. Must be between 1 and 35."
        )));
    }
    let port = p
        .int("Port")?
        .unwrap_or(if engine == "aurora-mysql" { 3306 } else { 5432 });
    if !(1150..=65535).contains(&port) {
        return Err(ApiError::invalid_value(format!(
            "Invalid port {port}: must be between 1150 and 65535."
        )));
    }
    if let Some(v) = p.get("EngineVersion") {
        validate_version(engine, v)?;
    }
    let kms = p.get("KmsKeyId").map(str::to_string);
    if kms.is_some() && storage_encrypted == Some(false) {
        return Err(ApiError::invalid_combination(
            "KmsKeyId can't be specified when StorageEncrypted is false.",
        ));
    }
    if let Some(k) = &kms {
        check_kms_key(k, &ctx.region)?;
    }
    let k = key(&ctx.region, &id);
    if ctx.st.clusters.contains_key(&k) {
        return Err(ApiError::cluster_exists("DB Cluster already exists"));
    }

    let global = match p.get("GlobalClusterIdentifier") {
        None => None,
        Some(raw) => {
            let (_, gid) = ids::resolve(
                "GlobalClusterIdentifier",
                raw,
                "global-cluster",
                &ctx.region,
            )?;
            let g = ctx.st.globals.get(&gid).ok_or_else(|| {
                ApiError::global_not_found(format!("Global cluster {raw} not found."))
            })?;
            if !(g.status == "available" || g.status == "creating") || g.op.is_some() {
                return Err(ApiError::invalid_global_state(format!(
                    "Global cluster {gid} is in {} state.",
                    g.status
                )));
            }
            if g.engine != engine {
                return Err(ApiError::invalid_combination(format!(
                    "The engine {engine} doesn't match the engine {} of global cluster {gid}.",
                    g.engine
                )));
            }
            if g.members.iter().any(|m| m.region == ctx.region) {
                return Err(ApiError::invalid_value(format!(
                    "Global cluster {gid} already has a member cluster in {}.",
                    ctx.region
                )));
            }
            limits::check_join(ctx.st, g, &ctx.region, &id, g.primary().is_some())?;
            Some(g.clone())
        }
    };
    limits::write_forwarding_needs_global(Some(write_forwarding), global.is_some())?;
    let secondary_of = global
        .as_ref()
        .and_then(|g| g.primary().cloned().map(|m| (g.clone(), m)));

    let mut c = Cluster {
        id: id.clone(),
        region: ctx.region.clone(),
        resource_id: ids::resource_id("cluster"),
        engine: engine.to_string(),
        engine_version: String::new(),
        status: "creating".into(),
        pending: Pending::after(ctx.now, Op::CreateCluster, ctx.scale, Next::Available),
        master_username: None,
        manage_master_password: false,
        database_name: None,
        port,
        storage_encrypted: false,
        kms_key_id: None,
        subnet_group: p.get("DBSubnetGroupName").unwrap_or("default").to_string(),
        vpc_security_groups: p.list("VpcSecurityGroupIds", "VpcSecurityGroupId"),
        parameter_group: String::new(),
        deletion_protection,
        backup_retention,
        global: global.as_ref().map(|g| g.id.clone()),
        write_forwarding,
        write_forwarding_changing: false,
        writer: None,
        tags,
        created_ms: ctx.now,
        settings: Default::default(),
    };
    if let Some((g, primary)) = &secondary_of {
        for forbidden in [
            "MasterUsername",
            "MasterUserPassword",
            "ManageMasterUserPassword",
            "DatabaseName",
        ] {
            if p.get(forbidden).is_some() {
                return Err(ApiError::invalid_combination(format!(
                    "{forbidden} can't be specified for a secondary cluster of global cluster {}: it is inherited from the primary cluster.",
                    g.id
                )));
            }
        }
        let pc = ctx
            .st
            .clusters
            .get(&key(&primary.region, &primary.cluster_id));
        let primary_version = pc
            .map(|c| c.engine_version.clone())
            .unwrap_or_else(|| g.engine_version.clone());
        let version = p
            .get("EngineVersion")
            .unwrap_or(&primary_version)
            .to_string();
        if major_version(&version) != major_version(&primary_version)
            || compare_versions(&version, &primary_version).is_lt()
        {
            return Err(ApiError::invalid_combination(format!(
                "The engine version {version} of a secondary cluster must match the primary cluster's version {primary_version}."
            )));
        }
        let encrypted = pc
            .map(|c| c.storage_encrypted)
            .unwrap_or(g.storage_encrypted);
        limits::storage_encrypted_matches(storage_encrypted, encrypted, &g.id)?;
        if encrypted && kms.is_none() {
            return Err(ApiError::invalid_combination(
                "KmsKeyId must be specified for an encrypted cross-Region secondary cluster: the primary's key can't be used in another Region.",
            ));
        }
        // Replication needs a source: a primary without a writer instance is
        // no source at all (AWS then asks for credentials, as for a new
        // primary), and one not yet available is refused as a source.
        let writer = pc.and_then(|c| {
            c.writer
                .as_ref()
                .and_then(|w| ctx.st.instances.get(&key(&c.region, w)))
        });
        match (pc, writer) {
            (Some(_), None) => {
                return Err(ApiError::invalid_value(
                    "The parameter MasterUsername must be provided and must not be blank.",
                ));
            }
            (Some(c), Some(w)) if c.status != "available" || w.status != "available" => {
                return Err(ApiError::invalid_cluster_state(format!(
                    "Source cluster: {} is in a state which is not valid for physical replication.",
                    ids::cluster_arn(&c.region, &c.id)
                )));
            }
            _ => {}
        }
        c.engine_version = version;
        c.master_username = pc.and_then(|c| c.master_username.clone());
        c.database_name = pc.and_then(|c| c.database_name.clone());
        c.storage_encrypted = encrypted;
        c.kms_key_id = kms;
    } else {
        let user = p
            .get("MasterUsername")
            .filter(|u| !u.is_empty())
            .ok_or_else(|| {
                ApiError::invalid_value(
                    "The parameter MasterUsername must be provided and must not be blank.",
                )
            })?;
        if !user.starts_with(|ch: char| ch.is_ascii_alphabetic())
            || !user
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            || user.len() > 63
        {
            return Err(ApiError::invalid_value(format!(
                "The parameter MasterUsername is not a valid identifier: {user}"
            )));
        }
        match (p.get("MasterUserPassword"), manage_pw) {
            (Some(_), true) => {
                return Err(ApiError::invalid_combination(
                    "MasterUserPassword can't be specified when ManageMasterUserPassword is enabled.",
                ));
            }
            (None, false) => {
                return Err(ApiError::invalid_value(
                    "The parameter MasterUserPassword must be provided and must not be blank.",
                ));
            }
            (Some(pw), false) => limits::master_password(pw, engine)?,
            (None, true) => {}
        }
        let default_version = global
            .as_ref()
            .map(|g| g.engine_version.clone())
            .unwrap_or_else(|| super::default_version(engine).to_string());
        let version = p
            .get("EngineVersion")
            .map(str::to_string)
            .unwrap_or(default_version);
        let encrypted = storage_encrypted.unwrap_or(false)
            || global.as_ref().is_some_and(|g| g.storage_encrypted);
        if let Some(g) = &global {
            if version != g.engine_version {
                return Err(ApiError::invalid_combination(format!(
                    "The engine version {version} doesn't match version {} of global cluster {}.",
                    g.engine_version, g.id
                )));
            }
            limits::storage_encrypted_matches(storage_encrypted, g.storage_encrypted, &g.id)?;
        }
        c.engine_version = version;
        c.master_username = Some(user.to_string());
        c.manage_master_password = manage_pw;
        c.database_name = p.get("DatabaseName").map(str::to_string);
        c.storage_encrypted = encrypted;
        c.kms_key_id = if encrypted {
            Some(kms.unwrap_or_else(|| super::default_kms_key(&ctx.region)))
        } else {
            None
        };
    }
    c.parameter_group = p
        .get("DBClusterParameterGroupName")
        .map(str::to_string)
        .unwrap_or_else(|| format!("default.{}", render::family(engine, &c.engine_version)));
    c.settings = super::settings::cluster_create(
        p,
        engine,
        &c.engine_version,
        &ctx.region,
        global.as_ref(),
    )?;
    if let Some(g) = &global {
        let is_writer = secondary_of.is_none();
        if let Some(gm) = ctx.st.globals.get_mut(&g.id) {
            gm.members.push(Member {
                region: ctx.region.clone(),
                cluster_id: id.clone(),
                is_writer,
                sync: "connected".into(),
                resync_due: None,
            });
            if is_writer {
                gm.database_name = c.database_name.clone();
                gm.storage_encrypted = c.storage_encrypted;
            }
        }
    }
    ctx.st.clusters.insert(k.clone(), c);
    Ok(wrap(ctx, &k))
}

pub(super) fn describe(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let filters = p.filters()?;
    check_filters(
        &filters,
        &["db-cluster-id", "db-cluster-resource-id", "engine"],
    )?;
    let only = match p.get("DBClusterIdentifier") {
        Some(_) => Some(find(ctx, "DBClusterIdentifier")?),
        None => None,
    };
    let items: Vec<(String, String)> = ctx
        .st
        .clusters
        .iter()
        .filter(|(k, c)| match &only {
            Some(o) => o == *k,
            None => c.region == ctx.region,
        })
        .filter(|(_, c)| {
            filters_match(
                &filters,
                &[
                    ("db-cluster-id", &|v: &str| {
                        id_or_arn(v, &c.id, || ids::cluster_arn(&c.region, &c.id))
                    }),
                    ("db-cluster-resource-id", &|v: &str| {
                        v.eq_ignore_ascii_case(&c.resource_id)
                    }),
                    ("engine", &|v: &str| v.eq_ignore_ascii_case(&c.engine)),
                ],
            )
        })
        .map(|(k, c)| (c.id.clone(), k.clone()))
        .collect();
    let (page, next) = paginate(p, items)?;
    Ok(super::page_xml(
        next,
        "DBClusters",
        "DBCluster",
        &page,
        |x, k| {
            if let Some(c) = ctx.st.clusters.get(k) {
                render::cluster(x, ctx.st, c)
            }
        },
    ))
}

/// A cluster must be `available` and its global cluster not mid-switchover.
fn check_cluster_available(ctx: &Ctx<'_>, c: &Cluster) -> ApiResult<()> {
    if c.status != "available" {
        return Err(ApiError::invalid_cluster_state(format!(
            "DBCluster {} is not in available state (current state: {}).",
            c.id, c.status
        )));
    }
    if let Some(g) = c.global.as_ref().and_then(|g| ctx.st.globals.get(g)) {
        if g.op.is_some() {
            return Err(ApiError::invalid_cluster_state(format!(
                "DBCluster {} belongs to global cluster {} which is {}.",
                c.id, g.id, g.status
            )));
        }
    }
    Ok(())
}

pub(super) fn modify(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let k = find(ctx, "DBClusterIdentifier")?;
    let c = ctx
        .st
        .clusters
        .get(&k)
        .cloned()
        .ok_or_else(|| ApiError::cluster_not_found(format!("DBCluster {k} not found.")))?;
    let role = ctx.st.role(&c);
    let deletion_protection = p.bool("DeletionProtection")?;
    let manage_pw = p.bool("ManageMasterUserPassword")?;
    let write_forwarding = p.bool("EnableGlobalWriteForwarding")?;
    let allow_major = p.flag("AllowMajorVersionUpgrade")?;
    let _apply_immediately = p.flag("ApplyImmediately")?;
    let backup_retention = p.int("BackupRetentionPeriod")?;
    if let Some(b) = backup_retention {
        if !(1..=35).contains(&b) {
            return Err(ApiError::invalid_value(format!(
                "Invalid backup retention period: {b}. Must be between 1 and 35."
            )));
        }
    }
    if p.get("NewDBClusterIdentifier").is_some() {
        return Err(ApiError::invalid_value(
            "NewDBClusterIdentifier is not supported by aurora-emulator.",
        ));
    }
    let password = p.get("MasterUserPassword");
    if password.is_some() || manage_pw.is_some() {
        if role == Role::Secondary {
            return Err(ApiError::invalid_combination(format!(
                "The master user password of secondary cluster {} can't be modified: change it on the primary cluster.",
                c.id
            )));
        }
        if password.is_some() && manage_pw == Some(true) {
            return Err(ApiError::invalid_combination(
                "MasterUserPassword can't be specified when ManageMasterUserPassword is enabled.",
            ));
        }
        if let Some(pw) = password {
            limits::master_password(pw, &c.engine)?;
        }
    }
    limits::write_forwarding_needs_global(write_forwarding, c.global.is_some())?;
    check_cluster_available(ctx, &c)?;
    let upgrade = match p.get("EngineVersion") {
        Some(v) if v != c.engine_version => {
            validate_version(&c.engine, v)?;
            if compare_versions(v, &c.engine_version).is_lt() {
                return Err(ApiError::invalid_combination(format!(
                    "Cannot downgrade DB cluster {} from {} to {v}.",
                    c.id, c.engine_version
                )));
            }
            if major_version(v) != major_version(&c.engine_version) {
                if role != Role::Standalone {
                    return Err(ApiError::invalid_combination(format!(
                        "DB cluster {} is a member of global cluster {}: major version upgrades must use ModifyGlobalCluster.",
                        c.id,
                        c.global.clone().unwrap_or_default()
                    )));
                }
                if !allow_major {
                    return Err(ApiError::invalid_combination(
                        "The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version.",
                    ));
                }
            }
            if role == Role::Primary {
                let members = c
                    .global
                    .as_deref()
                    .and_then(|g| ctx.st.globals.get(g))
                    .map(|g| g.members.as_slice())
                    .unwrap_or_default();
                for m in members.iter().filter(|m| !m.is_writer) {
                    let sv = ctx
                        .st
                        .clusters
                        .get(&key(&m.region, &m.cluster_id))
                        .map(|c| c.engine_version.clone())
                        .unwrap_or_default();
                    if compare_versions(&sv, v).is_lt() {
                        // AWS's code, and the words tools match on.
                        return Err(ApiError::invalid_value(format!(
                            "Secondary cluster {} runs {sv}: upgrade global replicas first, then the primary cluster {} to {v}.",
                            m.cluster_id, c.id
                        )));
                    }
                }
            }
            limits::check_member_upgrade(ctx.st, &c)?;
            if ctx
                .st
                .cluster_instances(&c.region, &c.id)
                .iter()
                .any(|i| i.status != "available")
            {
                return Err(ApiError::invalid_instance_state(format!(
                    "All DB instances of cluster {} must be available to upgrade.",
                    c.id
                )));
            }
            Some(v.to_string())
        }
        _ => None,
    };
    let (now, scale) = (ctx.now, ctx.scale);
    let (settings, settings_changed) = super::settings::cluster_modify(p, &c, now)?;
    let sgs = p
        .has_prefix("VpcSecurityGroupIds")
        .then(|| p.list("VpcSecurityGroupIds", "VpcSecurityGroupId"));
    let Some(cm) = ctx.st.clusters.get_mut(&k) else {
        return Err(ApiError::cluster_not_found(c.id));
    };
    let mut changed = settings_changed;
    cm.settings = settings;
    if let Some(dp) = deletion_protection {
        cm.deletion_protection = dp;
    }
    if let Some(pg) = p.get("DBClusterParameterGroupName") {
        changed |= cm.parameter_group != pg;
        cm.parameter_group = pg.to_string();
    }
    if let Some(sgs) = sgs {
        changed |= cm.vpc_security_groups != sgs;
        cm.vpc_security_groups = sgs;
    }
    if let Some(b) = backup_retention {
        changed |= cm.backup_retention != b;
        cm.backup_retention = b;
    }
    if let Some(port) = p.int("Port")? {
        changed |= cm.port != port;
        cm.port = port;
    }
    if password.is_some() {
        changed = true;
        cm.manage_master_password = false;
    }
    if let Some(m) = manage_pw {
        changed |= cm.manage_master_password != m;
        cm.manage_master_password = m;
    }
    if let Some(wf) = write_forwarding {
        if cm.write_forwarding != wf {
            changed = true;
            cm.write_forwarding = wf;
            cm.write_forwarding_changing = role == Role::Secondary;
        }
    }
    if let Some(v) = upgrade {
        cm.status = "upgrading".into();
        cm.pending = Pending::after(now, Op::Upgrade, scale, Next::Upgraded(v));
        for i in ctx
            .st
            .instances
            .values_mut()
            .filter(|i| i.region == c.region && i.cluster_id == c.id)
        {
            i.status = "upgrading".into();
            i.pending = Pending::after(now, Op::Upgrade, scale, Next::Available);
        }
    } else if changed {
        cm.status = "modifying".into();
        let op = if write_forwarding.is_some() {
            Op::WriteForwarding
        } else {
            Op::Modify
        };
        cm.pending = Pending::after(now, op, scale, Next::Available);
    }
    Ok(wrap(ctx, &k))
}

pub(super) fn delete(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let skip = p.flag("SkipFinalSnapshot")?;
    let final_id = p.get("FinalDBSnapshotIdentifier").map(str::to_lowercase);
    match (&final_id, skip) {
        (Some(_), true) => {
            return Err(ApiError::invalid_combination(
                "FinalDBSnapshotIdentifier can't be specified when SkipFinalSnapshot is enabled.",
            ));
        }
        (None, false) => {
            return Err(ApiError::invalid_combination(
                "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is enabled.",
            ));
        }
        _ => {}
    }
    if let Some(f) = &final_id {
        ids::validate_identifier("FinalDBSnapshotIdentifier", f, 255)?;
    }
    let k = find(ctx, "DBClusterIdentifier")?;
    let c = ctx
        .st
        .clusters
        .get(&k)
        .cloned()
        .ok_or_else(|| ApiError::cluster_not_found(format!("DBCluster {k} not found.")))?;
    if c.status == "deleting" {
        return Err(ApiError::invalid_cluster_state(format!(
            "DBCluster {} is already being deleted.",
            c.id
        )));
    }
    if c.deletion_protection {
        return Err(ApiError::invalid_combination(
            "Cannot delete protected Cluster, please disable deletion protection and try again.",
        ));
    }
    if c.global.is_some() && ctx.st.role(&c) == Role::Primary && !ctx.st.is_leaving(&k) {
        let others = c
            .global
            .as_ref()
            .and_then(|g| ctx.st.globals.get(g))
            .map_or(0, |g| g.members.len().saturating_sub(1));
        if others > 0 {
            // AWS answers a primary with other members with this code and
            // text (terraform-provider-aws #26236), a secondary below.
            return Err(ApiError::invalid_global_state(
                "Unable to delete cluster that is a primary member of global cluster while there are other global cluster members",
            ));
        }
    }
    if let Some(g) = &c.global {
        let others = ctx
            .st
            .globals
            .get(g)
            .map(|g| g.members.len().saturating_sub(1))
            .unwrap_or(0);
        return Err(ApiError::invalid_cluster_state(format!(
            "This cluster is a part of a global cluster ({g}, {} with {others} other member(s)), please remove it from globalcluster first",
            match ctx.st.role(&c) {
                Role::Primary => "primary",
                _ => "secondary",
            }
        )));
    }
    check_cluster_available(ctx, &c)?;
    if !ctx.st.live_instances(&c.region, &c.id).is_empty() {
        return Err(ApiError::invalid_cluster_state(
            "Cluster cannot be deleted, it still contains DB instances in non-deleting state.",
        ));
    }
    if let Some(f) = &final_id {
        if ctx.st.snapshots.contains_key(&key(&c.region, f)) {
            return Err(ApiError::snapshot_exists(format!(
                "Cannot create the cluster snapshot because one with the identifier {f} already exists."
            )));
        }
    }
    let (now, scale) = (ctx.now, ctx.scale);
    if let Some(f) = final_id {
        ctx.st.snapshots.insert(
            key(&c.region, &f),
            Snapshot {
                id: f.clone(),
                region: c.region.clone(),
                cluster_id: c.id.clone(),
                cluster_resource_id: c.resource_id.clone(),
                engine: c.engine.clone(),
                engine_version: c.engine_version.clone(),
                status: "creating".into(),
                pending: Pending::after(now, Op::Snapshot, scale, Next::Available),
                storage_encrypted: c.storage_encrypted,
                kms_key_id: c.kms_key_id.clone(),
                master_username: c.master_username.clone(),
                database_name: c.database_name.clone(),
                port: c.port,
                snapshot_type: "manual".into(),
                created_ms: now,
                cluster_created_ms: c.created_ms,
                tags: if c.settings.copy_tags_to_snapshot {
                    c.tags.clone()
                } else {
                    Vec::new()
                },
            },
        );
    }
    if let Some(cm) = ctx.st.clusters.get_mut(&k) {
        cm.status = "deleting".into();
        cm.pending = Pending::after(now, Op::DeleteCluster, scale, Next::Gone);
    }
    Ok(wrap(ctx, &k))
}
