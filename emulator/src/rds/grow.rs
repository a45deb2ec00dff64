//! CreateGlobalCluster with `SourceDBClusterIdentifier`: an existing
//! standalone cluster becomes the primary member of a new global cluster in
//! place. It keeps its resource id, instances and endpoints; the global
//! cluster takes its engine, engine version, encryption and database name.

use super::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{key, GlobalCluster, Member, Next, Pending};
use crate::timing::Op;

/// The settings a global cluster inherits from its source cluster: the
/// request parameter and the name AWS's refusal uses for it.
const INHERITED: &[(&str, &str)] = &[
    ("Engine", "engineName"),
    ("EngineVersion", "engineVersion"),
    ("DatabaseName", "databaseName"),
    ("StorageEncrypted", "storageEncrypted"),
];

/// Makes the cluster named by `src` (a cluster ARN) the primary of `g`.
///
/// AWS refuses the inherited settings whatever their value
/// (`InvalidParameterCombination`, "When creating global cluster from
/// existing db cluster, value for databaseName should not be specified
/// since it will be inherited from source cluster"), a source that does not
/// exist (`DBClusterNotFoundFault`), and one that is not `available` or
/// already belongs to a global cluster (`InvalidDBClusterStateFault`).
pub(super) fn attach(ctx: &mut Ctx<'_>, g: &mut GlobalCluster, src: &str) -> ApiResult<()> {
    let p = ctx.p;
    if let Some((_, name)) = INHERITED.iter().find(|(param, _)| p.get(param).is_some()) {
        return Err(ApiError::invalid_combination(format!(
            "When creating global cluster from existing db cluster, value for {name} should not be specified since it will be inherited from source cluster"
        )));
    }
    // The API reference documents an ARN here, and AWS's own CloudFormation
    // handler looks a plain identifier up and sends its ARN.
    if !src.starts_with("arn:") {
        return Err(ApiError::invalid_value(format!(
            "The parameter SourceDBClusterIdentifier must be the Amazon Resource Name (ARN) of the DB cluster, not {src}."
        )));
    }
    let (region, cid) = ids::resolve("SourceDBClusterIdentifier", src, "cluster", &ctx.region)?;
    let ck = key(&region, &cid);
    let c = ctx
        .st
        .clusters
        .get(&ck)
        .ok_or_else(|| ApiError::cluster_not_found(format!("DBCluster {src} not found.")))?;
    if let Some(other) = &c.global {
        return Err(ApiError::invalid_cluster_state(format!(
            "DBCluster {} is already a member of global cluster {other}.",
            c.id
        )));
    }
    if c.status != "available" {
        return Err(ApiError::invalid_cluster_state(format!(
            "DBCluster {} is not in a valid state ({}) to create a global cluster from it.",
            c.id, c.status
        )));
    }
    g.engine = c.engine.clone();
    g.engine_version = c.engine_version.clone();
    g.storage_encrypted = c.storage_encrypted;
    g.database_name = c.database_name.clone();
    if g.settings.lifecycle_support.is_none() {
        g.settings.lifecycle_support = c.settings.lifecycle_support.clone();
    }
    g.members.push(Member {
        region,
        cluster_id: cid,
        is_writer: true,
        sync: "connected".into(),
        resync_due: None,
    });
    g.status = "creating".into();
    g.pending = Pending::after(ctx.now, Op::CreateGlobal, ctx.scale, Next::Available);
    if let Some(c) = ctx.st.clusters.get_mut(&ck) {
        c.global = Some(g.id.clone());
    }
    Ok(())
}
