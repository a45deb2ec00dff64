//! Tagging actions on clusters, instances, global clusters and cluster snapshots,
//! addressed by ARN (`ResourceName`).

use super::{upsert_tags, validate_tags, Ctx};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{key, Tags};
use crate::render;
use crate::xml::Xml;

/// The tag list of the resource named by `ResourceName`.
fn target<'s>(ctx: &'s mut Ctx<'_>) -> ApiResult<&'s mut Tags> {
    let raw = ctx.p.required("ResourceName")?;
    let arn = ids::parse_arn(raw).ok_or_else(|| {
        ApiError::invalid_value(format!(
            "The specified resource name {raw} is not a valid ARN."
        ))
    })?;
    let region = if arn.region.is_empty() {
        ctx.region.clone()
    } else {
        arn.region.clone()
    };
    let k = key(&region, &arn.id);
    let st = &mut *ctx.st;
    match arn.kind.as_str() {
        "cluster" => st
            .clusters
            .get_mut(&k)
            .map(|c| &mut c.tags)
            .ok_or_else(|| ApiError::cluster_not_found(format!("DBCluster {raw} not found."))),
        "db" => st
            .instances
            .get_mut(&k)
            .map(|i| &mut i.tags)
            .ok_or_else(|| ApiError::instance_not_found(format!("DBInstance {raw} not found."))),
        "global-cluster" => st
            .globals
            .get_mut(&arn.id)
            .map(|g| &mut g.tags)
            .ok_or_else(|| ApiError::global_not_found(format!("Global cluster {raw} not found."))),
        "cluster-snapshot" => st
            .snapshots
            .get_mut(&k)
            .map(|s| &mut s.tags)
            .ok_or_else(|| {
                ApiError::snapshot_not_found(format!("DBClusterSnapshot {raw} not found."))
            }),
        other => Err(ApiError::invalid_value(format!(
            "Resource type {other} of {raw} is not supported by aurora-emulator."
        ))),
    }
}

pub(super) fn add(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let tags = ctx.p.tags("Tags")?;
    if tags.is_empty() {
        return Err(ApiError::missing_parameter(
            "The request must contain the parameter Tags",
        ));
    }
    validate_tags(&tags)?;
    let list = target(ctx)?;
    let mut merged = list.clone();
    upsert_tags(&mut merged, &tags);
    validate_tags(&merged)?;
    *list = merged;
    Ok(())
}

pub(super) fn remove(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let keys = ctx.p.list("TagKeys", "member");
    if keys.is_empty() {
        return Err(ApiError::missing_parameter(
            "The request must contain the parameter TagKeys",
        ));
    }
    let list = target(ctx)?;
    list.retain(|(k, _)| !keys.contains(k));
    Ok(())
}

pub(super) fn list(ctx: &mut Ctx<'_>) -> ApiResult<String> {
    let tags = target(ctx)?.clone();
    let mut x = Xml::new();
    render::tag_list(&mut x, &tags);
    Ok(x.finish())
}
