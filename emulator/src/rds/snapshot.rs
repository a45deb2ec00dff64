//! DB cluster snapshot actions: CreateDBClusterSnapshot, DescribeDBClusterSnapshots
//! and DeleteDBClusterSnapshot.

use super::{check_filters, filters_match, id_or_arn, paginate, Ctx};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{key, Next, Pending, Snapshot};
use crate::render;
use crate::timing::Op;

pub(super) fn describe(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let filters = p.filters()?;
    check_filters(
        &filters,
        &[
            "db-cluster-id",
            "db-cluster-snapshot-id",
            "snapshot-type",
            "engine",
        ],
    )?;
    let cluster = match p.get("DBClusterIdentifier") {
        Some(raw) => Some(ids::resolve(
            "DBClusterIdentifier",
            raw,
            "cluster",
            &ctx.region,
        )?),
        None => None,
    };
    let only = match p.get("DBClusterSnapshotIdentifier") {
        Some(raw) => {
            let (region, id) = ids::resolve(
                "DBClusterSnapshotIdentifier",
                raw,
                "cluster-snapshot",
                &ctx.region,
            )?;
            let k = key(&region, &id);
            if !ctx.st.snapshots.contains_key(&k) {
                return Err(ApiError::snapshot_not_found(format!(
                    "DBClusterSnapshot {raw} not found."
                )));
            }
            Some(k)
        }
        None => None,
    };
    let snapshot_type = p.get("SnapshotType");
    let items: Vec<(String, String)> = ctx
        .st
        .snapshots
        .iter()
        .filter(|(k, s)| match &only {
            Some(o) => o == *k,
            None => s.region == ctx.region,
        })
        .filter(|(_, s)| {
            cluster
                .as_ref()
                .is_none_or(|(r, c)| *r == s.region && *c == s.cluster_id)
        })
        .filter(|(_, s)| snapshot_type.is_none_or(|t| t == s.snapshot_type))
        .filter(|(_, s)| {
            filters_match(
                &filters,
                &[
                    ("db-cluster-id", &|v: &str| {
                        id_or_arn(v, &s.cluster_id, || {
                            ids::cluster_arn(&s.region, &s.cluster_id)
                        })
                    }),
                    ("db-cluster-snapshot-id", &|v: &str| {
                        id_or_arn(v, &s.id, || ids::snapshot_arn(&s.region, &s.id))
                    }),
                    ("snapshot-type", &|v: &str| {
                        v.eq_ignore_ascii_case(&s.snapshot_type)
                    }),
                    ("engine", &|v: &str| v.eq_ignore_ascii_case(&s.engine)),
                ],
            )
        })
        .map(|(k, s)| (s.id.clone(), k.clone()))
        .collect();
    let (page, next) = paginate(p, items)?;
    Ok(super::page_xml(
        next,
        "DBClusterSnapshots",
        "DBClusterSnapshot",
        &page,
        |x, k| {
            if let Some(s) = ctx.st.snapshots.get(k) {
                render::snapshot(x, s)
            }
        },
    ))
}

pub(super) fn delete(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let raw = ctx.p.required("DBClusterSnapshotIdentifier")?;
    let (region, id) = ids::resolve(
        "DBClusterSnapshotIdentifier",
        raw,
        "cluster-snapshot",
        &ctx.region,
    )?;
    let k = key(&region, &id);
    let s = ctx.st.snapshots.get(&k).ok_or_else(|| {
        ApiError::snapshot_not_found(format!("DBClusterSnapshot {raw} not found."))
    })?;
    if s.status != "available" {
        return Err(ApiError::invalid_snapshot_state(format!(
            "DBClusterSnapshot {id} is in {} state and can't be deleted.",
            s.status
        )));
    }
    let mut s = ctx
        .st
        .snapshots
        .remove(&k)
        .ok_or_else(|| ApiError::snapshot_not_found(raw.to_string()))?;
    s.status = "deleted".into();
    Ok(super::one_xml("DBClusterSnapshot", Some(&s), |x, s| {
        render::snapshot(x, s)
    }))
}

/// CreateDBClusterSnapshot: a manual snapshot of an `available` cluster,
/// `creating` for the snapshot duration and then `available`. Engine,
/// version, encryption, port, master user name and database name come from
/// the cluster. Tags are the request's; without any, the cluster's when its
/// CopyTagsToSnapshot is on.
pub(super) fn create(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let id = p.required("DBClusterSnapshotIdentifier")?.to_lowercase();
    ids::validate_identifier("DBClusterSnapshotIdentifier", &id, 63)?;
    p.required("DBClusterIdentifier")?;
    let tags = p.tags("Tags")?;
    super::validate_tags(&tags)?;
    let ck = super::cluster::find(ctx, "DBClusterIdentifier")?;
    let c = ctx
        .st
        .clusters
        .get(&ck)
        .ok_or_else(|| ApiError::cluster_not_found(format!("DBCluster {ck} not found.")))?;
    let k = key(&c.region, &id);
    if ctx.st.snapshots.contains_key(&k) {
        return Err(ApiError::snapshot_exists(format!(
            "Cannot create the cluster snapshot because one with the identifier {id} already exists."
        )));
    }
    if c.status != "available" {
        return Err(ApiError::invalid_cluster_state(format!(
            "Cannot create a snapshot because the database cluster {} isn't currently in the available state (current state: {}).",
            c.id, c.status
        )));
    }
    let tags = if tags.is_empty() && c.settings.copy_tags_to_snapshot {
        c.tags.clone()
    } else {
        tags
    };
    let s = Snapshot {
        id: id.clone(),
        region: c.region.clone(),
        cluster_id: c.id.clone(),
        cluster_resource_id: c.resource_id.clone(),
        engine: c.engine.clone(),
        engine_version: c.engine_version.clone(),
        status: "creating".into(),
        pending: Pending::after(ctx.now, Op::Snapshot, ctx.scale, Next::Available),
        storage_encrypted: c.storage_encrypted,
        kms_key_id: c.kms_key_id.clone(),
        master_username: c.master_username.clone(),
        database_name: c.database_name.clone(),
        port: c.port,
        snapshot_type: "manual".into(),
        created_ms: ctx.now,
        cluster_created_ms: c.created_ms,
        tags,
    };
    ctx.st.snapshots.insert(k.clone(), s);
    Ok(super::one_xml(
        "DBClusterSnapshot",
        ctx.st.snapshots.get(&k),
        render::snapshot,
    ))
}
