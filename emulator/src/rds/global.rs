//! Global cluster actions: Create/Describe/Modify/Delete, RemoveFromGlobalCluster,
//! SwitchoverGlobalCluster and FailoverGlobalCluster.

use super::{
    check_filters, compare_versions, major_version, paginate, validate_tags, validate_version, Ctx,
};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{key, GlobalCluster, GlobalOp, Member, Next, Pending};
use crate::render;
use crate::timing::Op;

fn wrap(ctx: &Ctx<'_>, id: &str) -> String {
    super::one_xml("GlobalCluster", ctx.st.globals.get(id), |x, g| {
        render::global_cluster(x, ctx.st, g, ctx.now)
    })
}

/// Resolves `GlobalClusterIdentifier` (id or ARN) to an existing global cluster id.
/// The global cluster under an id `find` returned.
fn global<'a>(ctx: &'a Ctx<'_>, id: &str) -> ApiResult<&'a crate::model::GlobalCluster> {
    ctx.st
        .globals
        .get(id)
        .ok_or_else(|| ApiError::global_not_found(format!("Global cluster {id} not found")))
}

fn find(ctx: &Ctx<'_>, param: &str) -> ApiResult<String> {
    let raw = ctx.p.required(param)?;
    let (_, id) = ids::resolve(param, raw, "global-cluster", &ctx.region)?;
    if ctx.st.globals.contains_key(&id) {
        Ok(id)
    } else {
        Err(ApiError::global_not_found(format!(
            "Global cluster {raw} not found."
        )))
    }
}

pub(super) fn create(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let id = p.required("GlobalClusterIdentifier")?.to_lowercase();
    ids::validate_identifier("GlobalClusterIdentifier", &id, 63)?;
    let mut tags = p.tags("Tags")?;
    validate_tags(&tags)?;
    if ctx.st.realism.drop_global_tags {
        tags.clear();
    }
    let deletion_protection = p.flag("DeletionProtection")?;
    let storage_encrypted = p.bool("StorageEncrypted")?;
    if ctx.st.globals.contains_key(&id) {
        return Err(ApiError::global_exists(format!(
            "Global cluster {id} already exists"
        )));
    }
    let mut g = GlobalCluster {
        id: id.clone(),
        resource_id: ids::resource_id("cluster"),
        engine: String::new(),
        engine_version: String::new(),
        database_name: p.get("DatabaseName").map(str::to_string),
        storage_encrypted: storage_encrypted.unwrap_or(false),
        deletion_protection,
        status: "available".into(),
        pending: Pending::default(),
        members: Vec::new(),
        op: None,
        tags,
        endpoint_label: ids::random_chars(b"abcdefghijklmnopqrstuvwxyz0123456789", 12),
        settings: super::settings::global_create(p)?,
    };
    if let Some(src) = p.get("SourceDBClusterIdentifier") {
        super::grow::attach(ctx, &mut g, src)?;
    } else {
        // AWS's answer (CloudFormation user guide issue #1049).
        let engine = p.get("Engine").ok_or_else(|| {
            ApiError::invalid_value(
                "When creating standalone global cluster, value for engineName should be specified",
            )
        })?;
        super::validate_engine(engine)?;
        let version = p
            .get("EngineVersion")
            .unwrap_or(super::default_version(engine));
        validate_version(engine, version)?;
        g.engine = engine.to_string();
        g.engine_version = version.to_string();
    }
    ctx.st.globals.insert(id.clone(), g);
    Ok(wrap(ctx, &id))
}

pub(super) fn describe(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let filters = p.filters()?;
    check_filters(&filters, &["region", "db-cluster-id"])?;
    let only = match p.get("GlobalClusterIdentifier") {
        Some(_) => Some(find(ctx, "GlobalClusterIdentifier")?),
        None => None,
    };
    let items: Vec<(String, String)> = ctx
        .st
        .globals
        .values()
        .filter(|g| only.as_ref().is_none_or(|o| *o == g.id))
        .filter(|g| {
            filters.iter().all(|f| {
                g.members.iter().any(|m| {
                    if f.name == "db-cluster-id" {
                        member_matches(m, &f.values)
                    } else {
                        f.values.contains(&m.region)
                    }
                })
            })
        })
        .map(|g| (g.id.clone(), g.id.clone()))
        .collect();
    let (page, next) = paginate(p, items)?;
    Ok(super::page_xml(
        next,
        "GlobalClusters",
        "GlobalClusterMember",
        &page,
        |x, id| {
            if let Some(g) = ctx.st.globals.get(id) {
                render::global_cluster(x, ctx.st, g, ctx.now)
            }
        },
    ))
}

/// Whether a `db-cluster-id` filter value names the member: its ARN, or its
/// identifier (in any region: the filter carries no region).
fn member_matches(m: &Member, values: &[String]) -> bool {
    let arn = ids::cluster_arn(&m.region, &m.cluster_id);
    values
        .iter()
        .any(|v| *v == arn || v.eq_ignore_ascii_case(&m.cluster_id))
}

/// Every member cluster must be available and reachable.
fn check_members_ready(
    ctx: &Ctx<'_>,
    g: &GlobalCluster,
    skip: Option<(&str, &str)>,
) -> ApiResult<()> {
    for m in &g.members {
        if skip == Some((m.region.as_str(), m.cluster_id.as_str())) {
            continue;
        }
        let status = ctx
            .st
            .clusters
            .get(&key(&m.region, &m.cluster_id))
            .map(|c| c.status.as_str())
            .unwrap_or("missing");
        if ctx.st.outages.contains(&m.region) {
            return Err(ApiError::invalid_global_state(format!(
                "Global cluster {} member {} in {} is unreachable.",
                g.id, m.cluster_id, m.region
            )));
        }
        if status != "available" {
            return Err(ApiError::invalid_global_state(format!(
                "Global cluster {} member {} is in {status} state; all members must be available.",
                g.id, m.cluster_id
            )));
        }
        if m.sync != "connected" {
            return Err(ApiError::invalid_global_state(format!(
                "Global cluster {} member {} is {}.",
                g.id, m.cluster_id, m.sync
            )));
        }
    }
    Ok(())
}

fn check_global_available(g: &GlobalCluster) -> ApiResult<()> {
    if g.status != "available" || g.op.is_some() {
        return Err(ApiError::invalid_global_state(format!(
            "Global cluster {} is in {} state.",
            g.id, g.status
        )));
    }
    Ok(())
}

pub(super) fn modify(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let mut id = find(ctx, "GlobalClusterIdentifier")?;
    let deletion_protection = p.bool("DeletionProtection")?;
    let allow_major = p.flag("AllowMajorVersionUpgrade")?;
    let new_id = p.get("NewGlobalClusterIdentifier").map(str::to_lowercase);
    let mut g = global(ctx, &id)?.clone();
    g.engine_version = ctx.st.global_version(&g);
    check_global_available(&g)?;
    let upgrade = match p.get("EngineVersion") {
        Some(v) if v != g.engine_version => {
            validate_version(&g.engine, v)?;
            if compare_versions(v, &g.engine_version).is_lt() {
                return Err(ApiError::invalid_combination(format!(
                    "Cannot downgrade global cluster {} from {} to {v}.",
                    g.id, g.engine_version
                )));
            }
            if major_version(v) == major_version(&g.engine_version) {
                super::limits::global_minor_upgrade(&g.engine)?;
            } else if !allow_major {
                return Err(ApiError::invalid_combination(
                    "The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version.",
                ));
            }
            check_members_ready(ctx, &g, None)?;
            for m in &g.members {
                if ctx
                    .st
                    .cluster_instances(&m.region, &m.cluster_id)
                    .iter()
                    .any(|i| i.status != "available")
                {
                    return Err(ApiError::invalid_instance_state(format!(
                        "All DB instances of cluster {} must be available to upgrade.",
                        m.cluster_id
                    )));
                }
            }
            Some(v.to_string())
        }
        _ => None,
    };
    if let Some(n) = &new_id {
        ids::validate_identifier("NewGlobalClusterIdentifier", n, 63)?;
        if *n != id && ctx.st.globals.contains_key(n) {
            return Err(ApiError::global_exists(format!(
                "Global cluster {n} already exists"
            )));
        }
    }
    let (now, scale) = (ctx.now, ctx.scale);
    let Some(g) = ctx.st.globals.get_mut(&id) else {
        return Err(ApiError::global_not_found(id));
    };
    if let Some(dp) = deletion_protection {
        g.deletion_protection = dp;
    }
    if let Some(v) = &upgrade {
        g.status = "upgrading".into();
        g.pending = Pending::after(now, Op::Upgrade, scale, Next::Upgraded(v.clone()));
        let members = g.members.clone();
        for m in members {
            if let Some(c) = ctx.st.clusters.get_mut(&key(&m.region, &m.cluster_id)) {
                c.status = "upgrading".into();
                c.pending = Pending::after(now, Op::Upgrade, scale, Next::Upgraded(v.clone()));
            }
            for i in ctx.st.instances.values_mut() {
                if i.region == m.region && i.cluster_id == m.cluster_id {
                    i.status = "upgrading".into();
                    i.pending = Pending::after(now, Op::Upgrade, scale, Next::Available);
                }
            }
        }
    }
    if let Some(n) = new_id.filter(|n| *n != id) {
        if let Some(mut g) = ctx.st.globals.remove(&id) {
            g.id = n.clone();
            for c in ctx.st.clusters.values_mut() {
                if c.global.as_deref() == Some(id.as_str()) {
                    c.global = Some(n.clone());
                }
            }
            ctx.st.globals.insert(n.clone(), g);
            id = n;
        }
    }
    Ok(wrap(ctx, &id))
}

pub(super) fn delete(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let id = find(ctx, "GlobalClusterIdentifier")?;
    let g = global(ctx, &id)?;
    if g.deletion_protection {
        return Err(ApiError::invalid_combination(
            "Cannot delete protected Global Cluster, please disable deletion protection and try again.",
        ));
    }
    if !g.members.is_empty() {
        return Err(ApiError::invalid_global_state(format!(
            "Global cluster {id} is not empty: remove its {} member cluster(s) first.",
            g.members.len()
        )));
    }
    if g.status != "available" {
        return Err(ApiError::invalid_global_state(format!(
            "Global cluster {id} is in {} state.",
            g.status
        )));
    }
    let (now, scale) = (ctx.now, ctx.scale);
    if let Some(g) = ctx.st.globals.get_mut(&id) {
        g.status = "deleting".into();
        g.pending = Pending::after(now, Op::DeleteGlobal, scale, Next::Gone);
    }
    Ok(wrap(ctx, &id))
}

/// Resolves a member cluster parameter (ARN or id in the request's region).
fn member_of(ctx: &Ctx<'_>, g: &GlobalCluster, param: &str) -> ApiResult<(String, String)> {
    let raw = ctx.p.required(param)?;
    let (region, cid) = ids::resolve(param, raw, "cluster", &ctx.region)?;
    if g.member(&region, &cid).is_some() {
        return Ok((region, cid));
    }
    if ctx.st.clusters.contains_key(&key(&region, &cid)) {
        Err(ApiError::invalid_value(format!(
            "DB cluster {raw} is not a member of global cluster {}.",
            g.id
        )))
    } else {
        Err(ApiError::cluster_not_found(format!(
            "DBCluster {raw} not found."
        )))
    }
}

pub(super) fn remove_member(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let id = find(ctx, "GlobalClusterIdentifier")?;
    let g = global(ctx, &id)?.clone();
    let raw = ctx.p.required("DbClusterIdentifier")?;
    if !raw.starts_with("arn:") {
        return Err(ApiError::invalid_value(format!(
            "The parameter DbClusterIdentifier must be the Amazon Resource Name (ARN) of the DB cluster, not {raw}."
        )));
    }
    let (region, cid) = member_of(ctx, &g, "DbClusterIdentifier")?;
    check_global_available(&g)?;
    let m = g
        .member(&region, &cid)
        .cloned()
        .ok_or_else(|| ApiError::cluster_not_found(cid.clone()))?;
    if m.is_writer && g.members.len() > 1 {
        return Err(ApiError::invalid_global_state(format!(
            "The primary cluster {cid} of global cluster {id} can only be removed after every secondary cluster is removed."
        )));
    }
    let ck = key(&region, &cid);
    if let Some(c) = ctx.st.clusters.get(&ck) {
        if c.status != "available" {
            return Err(ApiError::invalid_cluster_state(format!(
                "DBCluster {cid} is in {} state and can't be removed from the global cluster.",
                c.status
            )));
        }
    }
    let (now, scale) = (ctx.now, ctx.scale);
    if ctx.st.is_leaving(&ck) {
        return Err(ApiError::invalid_cluster_state(format!(
            "DBCluster {cid} is already being removed from global cluster {id}."
        )));
    }
    if ctx.st.realism.async_detach {
        let due = now.saturating_add(Op::Detach.millis(scale));
        ctx.st.start_leaving(&id, &region, &cid, due);
        return Ok(wrap(ctx, &id));
    }
    let version = ctx.st.global_version(&g);
    if let Some(g) = ctx.st.globals.get_mut(&id) {
        g.engine_version = version;
        g.members
            .retain(|x| !(x.region == region && x.cluster_id == cid));
    }
    if let Some(c) = ctx.st.clusters.get_mut(&ck) {
        c.global = None;
        c.write_forwarding = false;
        c.write_forwarding_changing = false;
        if !m.is_writer {
            c.status = "modifying".into();
            c.pending = Pending::after(now, Op::Detach, scale, Next::Available);
        }
    }
    ctx.st.fix_writer(&ck);
    Ok(wrap(ctx, &id))
}

pub(super) fn switchover(ctx: &mut Ctx<'_>, data_loss: bool) -> ApiResult<String> {
    let id = find(ctx, "GlobalClusterIdentifier")?;
    let g = global(ctx, &id)?.clone();
    let (region, cid) = member_of(ctx, &g, "TargetDbClusterIdentifier")?;
    if g.op.is_some() || (!data_loss && g.status != "available") {
        return Err(ApiError::invalid_global_state(format!(
            "Global cluster {id} is in {} state.",
            g.status
        )));
    }
    let target = g
        .member(&region, &cid)
        .cloned()
        .ok_or_else(|| ApiError::cluster_not_found(cid.clone()))?;
    if target.is_writer {
        return Err(ApiError::invalid_value(format!(
            "DB cluster {cid} is already the primary cluster of global cluster {id}."
        )));
    }
    let from = g.primary().cloned().ok_or_else(|| {
        ApiError::invalid_global_state(format!("Global cluster {id} has no primary cluster."))
    })?;
    let tc = ctx
        .st
        .clusters
        .get(&key(&region, &cid))
        .cloned()
        .ok_or_else(|| ApiError::cluster_not_found(cid.clone()))?;
    if ctx.st.outages.contains(&region) {
        return Err(ApiError::invalid_cluster_state(format!(
            "DBCluster {cid} in {region} is unreachable."
        )));
    }
    if tc.status != "available" {
        return Err(ApiError::invalid_cluster_state(format!(
            "Target DB cluster {cid} is in {} state; it must be available.",
            tc.status
        )));
    }
    if !ctx
        .st
        .live_instances(&region, &cid)
        .iter()
        .any(|i| i.status == "available")
    {
        return Err(ApiError::invalid_cluster_state(format!(
            "Target DB cluster {cid} has no available DB instance to promote."
        )));
    }
    if !data_loss {
        check_members_ready(ctx, &g, None)?;
        if let Some(m) = g.members.iter().find(|m| {
            ctx.st
                .clusters
                .get(&key(&m.region, &m.cluster_id))
                .is_some_and(|c| c.engine_version != tc.engine_version)
        }) {
            return Err(ApiError::invalid_global_state(format!(
                "Member {} of global cluster {id} runs a different engine version than {cid}; switchover needs matching versions.",
                m.cluster_id
            )));
        }
    } else if target.sync != "connected" {
        return Err(ApiError::invalid_cluster_state(format!(
            "Target DB cluster {cid} is {}.",
            target.sync
        )));
    }
    let op = if data_loss {
        Op::Failover
    } else {
        Op::Switchover
    };
    let now = ctx.now;
    if let Some(g) = ctx.st.globals.get_mut(&id) {
        g.status = if data_loss {
            "failing-over"
        } else {
            "switching-over"
        }
        .into();
        g.op = Some(GlobalOp {
            data_loss,
            from: (from.region, from.cluster_id),
            to: (region, cid),
            started: now,
            due: now.saturating_add(op.millis(ctx.scale)),
        });
    }
    Ok(wrap(ctx, &id))
}

pub(super) fn failover(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let allow_data_loss = ctx.p.flag("AllowDataLoss")?;
    let switchover_flag = ctx.p.flag("Switchover")?;
    if allow_data_loss && switchover_flag {
        return Err(ApiError::invalid_combination(
            "AllowDataLoss and Switchover can't be specified together.",
        ));
    }
    switchover(ctx, allow_data_loss)
}
