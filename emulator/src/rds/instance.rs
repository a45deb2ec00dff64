//! DB instance actions: Create/Describe/Modify/DeleteDBInstance.

use super::{
    check_filters, filters_match, id_or_arn, paginate, validate_engine, validate_tags, Ctx,
};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{key, Instance, Next, Pending, Role};
use crate::render;
use crate::timing::Op;

fn wrap(ctx: &Ctx<'_>, k: &str) -> String {
    super::one_xml("DBInstance", ctx.st.instances.get(k), |x, i| {
        render::instance(x, ctx.st, i)
    })
}

/// The instance under a key `find` returned.
fn instance<'a>(ctx: &'a Ctx<'_>, k: &str) -> ApiResult<&'a crate::model::Instance> {
    ctx.st
        .instances
        .get(k)
        .ok_or_else(|| ApiError::instance_not_found(format!("DBInstance {k} not found.")))
}

fn find(ctx: &Ctx<'_>) -> ApiResult<String> {
    let raw = ctx.p.required("DBInstanceIdentifier")?;
    let (region, id) = ids::resolve("DBInstanceIdentifier", raw, "db", &ctx.region)?;
    let k = key(&region, &id);
    if ctx.st.instances.contains_key(&k) {
        Ok(k)
    } else {
        Err(ApiError::instance_not_found(format!(
            "DBInstance {raw} not found."
        )))
    }
}

fn check_class(class: &str) -> ApiResult<()> {
    // `db.serverless` (Aurora Serverless v2) or `db.FAMILY.SIZE`.
    let ok = class == "db.serverless"
        || class.strip_prefix("db.").is_some_and(|rest| {
            let parts: Vec<&str> = rest.split('.').collect();
            parts.len() == 2
                && parts
                    .iter()
                    .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_value(format!(
            "Invalid DB Instance class: {class}"
        )))
    }
}

fn check_tier(tier: Option<i64>) -> ApiResult<i64> {
    match tier {
        None => Ok(1),
        Some(t) if (0..=15).contains(&t) => Ok(t),
        Some(t) => Err(ApiError::invalid_value(format!(
            "Invalid PromotionTier {t}: must be between 0 and 15."
        ))),
    }
}

pub(super) fn create(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let id = p.required("DBInstanceIdentifier")?.to_lowercase();
    let class = p.required("DBInstanceClass")?;
    let engine = p.required("Engine")?;
    ids::validate_identifier("DBInstanceIdentifier", &id, 63)?;
    check_class(class)?;
    validate_engine(engine)?;
    let tier = check_tier(p.int("PromotionTier")?)?;
    let tags = p.tags("Tags")?;
    validate_tags(&tags)?;
    let deletion_protection = p.flag("DeletionProtection")?;
    let public = p.flag("PubliclyAccessible")?;
    let raw_cluster = p.required("DBClusterIdentifier")?;
    for forbidden in [
        "MasterUsername",
        "MasterUserPassword",
        "DBName",
        "StorageEncrypted",
        "KmsKeyId",
    ] {
        if p.get(forbidden).is_some() {
            return Err(ApiError::invalid_combination(format!(
                "The requested DB instance will be a member of a DB cluster: set {forbidden} on the DB cluster instead."
            )));
        }
    }
    let k = key(&ctx.region, &id);
    if ctx.st.instances.contains_key(&k) {
        return Err(ApiError::instance_exists("DB instance already exists"));
    }
    let (cregion, cid) = ids::resolve("DBClusterIdentifier", raw_cluster, "cluster", &ctx.region)?;
    let c = ctx
        .st
        .clusters
        .get(&key(&cregion, &cid))
        .filter(|_| cregion == ctx.region)
        .ok_or_else(|| {
            ApiError::cluster_not_found(format!("DBCluster {raw_cluster} not found."))
        })?;
    if !matches!(c.status.as_str(), "available" | "creating" | "modifying") {
        return Err(ApiError::invalid_cluster_state(format!(
            "DBCluster {cid} is in {} state; DB instances can't be added.",
            c.status
        )));
    }
    if ctx.st.is_restoring(c) {
        return Err(ApiError::invalid_cluster_state(format!(
            "DBCluster {cid} is being restored from a snapshot; DB instances can be added once it is available."
        )));
    }
    if c.engine != engine {
        return Err(ApiError::invalid_combination(format!(
            "The engine {engine} doesn't match the engine {} of DB cluster {cid}.",
            c.engine
        )));
    }
    if let Some(v) = p.get("EngineVersion") {
        if v != c.engine_version {
            return Err(ApiError::invalid_combination(format!(
                "The engine version {v} doesn't match the version {} of DB cluster {cid}.",
                c.engine_version
            )));
        }
    }
    super::limits::check_new_instance(ctx.st, c)?;
    let settings = super::settings::instance_create(p, class, c)?;
    let n = ctx.st.cluster_instances(&cregion, &cid).len();
    let az = match p.get("AvailabilityZone") {
        Some(az) if az.starts_with(&ctx.region) && az.len() == ctx.region.len() + 1 => {
            az.to_string()
        }
        Some(az) => {
            return Err(ApiError::invalid_value(format!(
                "Invalid availability zone: {az}"
            )))
        }
        None => format!(
            "{}{}",
            ctx.region,
            ['a', 'b', 'c'].get(n % 3).unwrap_or(&'a')
        ),
    };
    let i = Instance {
        id: id.clone(),
        region: ctx.region.clone(),
        cluster_id: cid.clone(),
        resource_id: ids::resource_id("db"),
        class: class.to_string(),
        engine: engine.to_string(),
        status: "creating".into(),
        pending: Pending::after(ctx.now, Op::CreateInstance, ctx.scale, Next::Available),
        promotion_tier: tier,
        deletion_protection,
        publicly_accessible: public,
        availability_zone: az,
        tags,
        created_ms: ctx.now,
        settings,
    };
    ctx.st.instances.insert(k.clone(), i);
    ctx.st.fix_writer(&key(&cregion, &cid));
    Ok(wrap(ctx, &k))
}

pub(super) fn describe(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let filters = p.filters()?;
    check_filters(
        &filters,
        &[
            "db-cluster-id",
            "db-instance-id",
            "dbi-resource-id",
            "engine",
        ],
    )?;
    let only = match p.get("DBInstanceIdentifier") {
        Some(_) => Some(find(ctx)?),
        None => None,
    };
    let items: Vec<(String, String)> = ctx
        .st
        .instances
        .iter()
        .filter(|(k, i)| match &only {
            Some(o) => o == *k,
            None => i.region == ctx.region,
        })
        .filter(|(_, i)| {
            filters_match(
                &filters,
                &[
                    ("db-cluster-id", &|v: &str| {
                        id_or_arn(v, &i.cluster_id, || {
                            ids::cluster_arn(&i.region, &i.cluster_id)
                        })
                    }),
                    ("db-instance-id", &|v: &str| {
                        id_or_arn(v, &i.id, || ids::instance_arn(&i.region, &i.id))
                    }),
                    ("dbi-resource-id", &|v: &str| {
                        v.eq_ignore_ascii_case(&i.resource_id)
                    }),
                    ("engine", &|v: &str| v.eq_ignore_ascii_case(&i.engine)),
                ],
            )
        })
        .map(|(k, i)| (i.id.clone(), k.clone()))
        .collect();
    let (page, next) = paginate(p, items)?;
    Ok(super::page_xml(
        next,
        "DBInstances",
        "DBInstance",
        &page,
        |x, k| {
            if let Some(i) = ctx.st.instances.get(k) {
                render::instance(x, ctx.st, i)
            }
        },
    ))
}

pub(super) fn modify(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let k = find(ctx)?;
    let class = p.get("DBInstanceClass");
    if let Some(c) = class {
        check_class(c)?;
    }
    let tier = match p.int("PromotionTier")? {
        Some(t) => Some(check_tier(Some(t))?),
        None => None,
    };
    let deletion_protection = p.bool("DeletionProtection")?;
    let public = p.bool("PubliclyAccessible")?;
    for forbidden in [
        "MasterUserPassword",
        "EngineVersion",
        "NewDBInstanceIdentifier",
    ] {
        if p.get(forbidden).is_some() {
            return Err(ApiError::invalid_combination(format!(
                "{forbidden} can't be modified on a DB instance of an Aurora cluster: modify the DB cluster instead."
            )));
        }
    }
    let i = instance(ctx, &k)?;
    if i.status != "available" {
        return Err(ApiError::invalid_instance_state(format!(
            "Database instance {} is not in available state (current state: {}).",
            i.id, i.status
        )));
    }
    let (now, scale) = (ctx.now, ctx.scale);
    let cluster = ctx.st.clusters.get(&key(&i.region, &i.cluster_id));
    let (settings, now_class, settings_changed) =
        super::settings::instance_modify(p, i, cluster, now)?;
    let Some(i) = ctx.st.instances.get_mut(&k) else {
        return Err(ApiError::instance_not_found(k));
    };
    i.settings = settings;
    if let Some(dp) = deletion_protection {
        i.deletion_protection = dp;
    }
    if let Some(t) = tier {
        i.promotion_tier = t;
    }
    if let Some(pa) = public {
        i.publicly_accessible = pa;
    }
    if let Some(c) = now_class {
        i.class = c;
    }
    if settings_changed {
        i.status = "modifying".into();
        i.pending = Pending::after(now, Op::ModifyInstance, scale, Next::Available);
    }
    Ok(wrap(ctx, &k))
}

pub(super) fn delete(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let p = ctx.p;
    let _skip = p.flag("SkipFinalSnapshot")?;
    if p.get("FinalDBSnapshotIdentifier").is_some() {
        return Err(ApiError::invalid_combination(
            "FinalDBSnapshotIdentifier can't be specified when deleting a DB instance of an Aurora cluster; snapshot the DB cluster instead.",
        ));
    }
    let k = find(ctx)?;
    let i = instance(ctx, &k)?.clone();
    if i.status == "deleting" {
        return Err(ApiError::invalid_instance_state(format!(
            "Instance {} is already being deleted.",
            i.id
        )));
    }
    if i.deletion_protection {
        return Err(ApiError::invalid_combination(
            "Cannot delete protected DB Instance, please disable deletion protection and try again.",
        ));
    }
    if i.status != "available" {
        return Err(ApiError::invalid_instance_state(format!(
            "Database instance {} is not in available state (current state: {}).",
            i.id, i.status
        )));
    }
    if let Some(c) = ctx.st.clusters.get(&key(&i.region, &i.cluster_id)) {
        if ctx.st.role(c) == Role::Primary && ctx.st.live_instances(&c.region, &c.id).len() == 1 {
            let g = c.global.as_deref().and_then(|g| ctx.st.globals.get(g));
            if let Some(g) = g.filter(|g| g.members.len() > 1) {
                return Err(ApiError::invalid_cluster_state(format!(
                    "Cannot delete the last instance of the primary cluster {} of global cluster {} while it has secondary clusters.",
                    c.id, g.id
                )));
            }
        }
    }
    let (now, scale) = (ctx.now, ctx.scale);
    if let Some(im) = ctx.st.instances.get_mut(&k) {
        im.status = "deleting".into();
        im.pending = Pending::after(now, Op::DeleteInstance, scale, Next::Gone);
    }
    ctx.st.fix_writer(&key(&i.region, &i.cluster_id));
    Ok(wrap(ctx, &k))
}
