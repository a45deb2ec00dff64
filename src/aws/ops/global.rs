//! Global cluster actions: create, modify, delete, detach a member,
//! switchover and failover.

use super::super::config::Clients;
use super::super::error::AwsError;
use super::super::find::{find_cluster, find_global_cluster};
use super::super::model::{arn_resource_id, ObservedGlobal};
use super::super::retry::{send, send_tracked};
use super::tags::{ownership_tags, sdk_tags};
use super::{
    answered, created_by_lost_attempt, deleted_by_lost_attempt, detached_by_lost_attempt,
    moved_by_lost_attempt,
};

use std::collections::BTreeMap;

/// CreateGlobalCluster input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewGlobalCluster {
    pub id: String,
    pub engine: String,
    pub engine_version: Option<String>,
    pub database_name: Option<String>,
    pub storage_encrypted: Option<bool>,
    pub deletion_protection: bool,
    /// The topology's tags (the ownership tag and default tags are added).
    pub tags: BTreeMap<String, String>,
    /// `open-source-rds-extended-support` or `...-disabled`.
    pub engine_lifecycle_support: Option<String>,
    /// ARN of an existing standalone cluster that becomes the primary
    /// (SourceDBClusterIdentifier). The global cluster inherits its engine,
    /// version, encryption and database name, which AWS refuses to be sent
    /// as well: with a source, `engine`, `engine_version`,
    /// `database_name`, `storage_encrypted` and `engine_lifecycle_support`
    /// are not sent.
    pub source_cluster_arn: Option<String>,
}

/// Creates the global cluster: empty (the primary cluster joins it), or
/// around an existing cluster (`source_cluster_arn`), which becomes its
/// primary in place. With a source, send it to the source's region.
pub async fn create_global_cluster(
    clients: &Clients,
    region: &str,
    input: &NewGlobalCluster,
) -> Result<ObservedGlobal, AwsError> {
    const OP: &str = "CreateGlobalCluster";
    let client = clients.rds(region).await?;
    let tags = sdk_tags(&ownership_tags(
        clients.default_tags(),
        &input.tags,
        &input.id,
    ));
    tracing::info!(
        region,
        global_cluster = %input.id,
        source = input.source_cluster_arn.as_deref().unwrap_or("none"),
        "creating global cluster"
    );
    let sent = send_tracked(clients, OP, region, || {
        let req = client
            .create_global_cluster()
            .global_cluster_identifier(&input.id)
            .deletion_protection(input.deletion_protection)
            .set_tags(Some(tags.clone()));
        match &input.source_cluster_arn {
            Some(source) => req.source_db_cluster_identifier(source),
            None => req
                .engine(&input.engine)
                .set_engine_version(input.engine_version.clone())
                .set_database_name(input.database_name.clone())
                .set_storage_encrypted(input.storage_encrypted)
                .set_engine_lifecycle_support(input.engine_lifecycle_support.clone()),
        }
        .send()
    })
    .await;
    match sent {
        Ok(out) => answered(
            OP,
            region,
            "GlobalCluster",
            out.global_cluster().map(ObservedGlobal::from),
        ),
        Err(failed) => {
            let find = find_global_cluster(clients, region, &[], &input.id);
            created_by_lost_attempt(failed, &input.id, find, |g| &g.tags).await
        }
    }
}

/// Detaches the cluster `cluster_arn` from the global cluster; it becomes a
/// standalone cluster. Send it to the cluster's own region.
pub async fn remove_from_global_cluster(
    clients: &Clients,
    region: &str,
    global_id: &str,
    cluster_arn: &str,
) -> Result<(), AwsError> {
    let client = clients.rds(region).await?;
    tracing::info!(
        region,
        global_cluster = global_id,
        cluster = cluster_arn,
        "detaching cluster from global cluster"
    );
    let sent = send_tracked(clients, "RemoveFromGlobalCluster", region, || {
        client
            .remove_from_global_cluster()
            .global_cluster_identifier(global_id)
            .db_cluster_identifier(cluster_arn)
            .send()
    })
    .await;
    match sent {
        Ok(_) => Ok(()),
        Err(failed) => {
            let Some(cluster_id) = arn_resource_id(cluster_arn) else {
                return Err(failed.error);
            };
            let cluster = find_cluster(clients, region, cluster_id);
            detached_by_lost_attempt(failed, global_id, cluster).await
        }
    }
}

/// Deletes the (empty) global cluster.
pub async fn delete_global_cluster(
    clients: &Clients,
    region: &str,
    id: &str,
) -> Result<(), AwsError> {
    let client = clients.rds(region).await?;
    tracing::info!(region, global_cluster = id, "deleting global cluster");
    let sent = send_tracked(clients, "DeleteGlobalCluster", region, || {
        client
            .delete_global_cluster()
            .global_cluster_identifier(id)
            .send()
    })
    .await;
    match sent {
        Ok(_) => Ok(()),
        Err(failed) => {
            let status = async {
                let found = find_global_cluster(clients, region, &[], id).await?;
                Ok(found.map(|g| g.status))
            };
            deleted_by_lost_attempt(failed, status).await
        }
    }
}

/// ModifyGlobalCluster input; `None` fields are left unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModifyGlobal {
    pub id: String,
    pub deletion_protection: Option<bool>,
    /// Engine version for the whole global cluster (major upgrades).
    pub engine_version: Option<String>,
    pub allow_major_version_upgrade: bool,
}

/// Modifies the global cluster.
pub async fn modify_global_cluster(
    clients: &Clients,
    region: &str,
    input: &ModifyGlobal,
) -> Result<ObservedGlobal, AwsError> {
    const OP: &str = "ModifyGlobalCluster";
    let client = clients.rds(region).await?;
    tracing::info!(
        region,
        global_cluster = %input.id,
        deletion_protection = ?input.deletion_protection,
        engine_version = ?input.engine_version,
        "modifying global cluster"
    );
    let out = send(clients, OP, region, || {
        let mut req = client
            .modify_global_cluster()
            .global_cluster_identifier(&input.id)
            .set_deletion_protection(input.deletion_protection)
            .set_engine_version(input.engine_version.clone());
        if input.allow_major_version_upgrade {
            req = req.allow_major_version_upgrade(true);
        }
        req.send()
    })
    .await?;
    answered(
        OP,
        region,
        "GlobalCluster",
        out.global_cluster().map(ObservedGlobal::from),
    )
}

/// Managed switchover (no data loss) to `target_cluster_arn`. Send it to the
/// current primary's region.
pub async fn switchover_global_cluster(
    clients: &Clients,
    primary_region: &str,
    global_id: &str,
    target_cluster_arn: &str,
) -> Result<ObservedGlobal, AwsError> {
    const OP: &str = "SwitchoverGlobalCluster";
    let client = clients.rds(primary_region).await?;
    tracing::info!(
        region = primary_region,
        global_cluster = global_id,
        target = target_cluster_arn,
        "switching over global cluster"
    );
    let sent = send_tracked(clients, OP, primary_region, || {
        client
            .switchover_global_cluster()
            .global_cluster_identifier(global_id)
            .target_db_cluster_identifier(target_cluster_arn)
            .send()
    })
    .await;
    match sent {
        Ok(out) => answered(
            OP,
            primary_region,
            "GlobalCluster",
            out.global_cluster().map(ObservedGlobal::from),
        ),
        Err(failed) => {
            let global = find_global_cluster(clients, primary_region, &[], global_id);
            moved_by_lost_attempt(failed, global, target_cluster_arn).await
        }
    }
}

/// Failover with `AllowDataLoss=true` to `target_cluster_arn`, for a lost
/// primary. Send it to the target's region (the old primary may not answer).
pub async fn failover_global_cluster(
    clients: &Clients,
    target_region: &str,
    global_id: &str,
    target_cluster_arn: &str,
) -> Result<ObservedGlobal, AwsError> {
    const OP: &str = "FailoverGlobalCluster";
    let client = clients.rds(target_region).await?;
    tracing::info!(
        region = target_region,
        global_cluster = global_id,
        target = target_cluster_arn,
        "failing over global cluster (data loss allowed)"
    );
    let sent = send_tracked(clients, OP, target_region, || {
        client
            .failover_global_cluster()
            .global_cluster_identifier(global_id)
            .target_db_cluster_identifier(target_cluster_arn)
            .allow_data_loss(true)
            .send()
    })
    .await;
    match sent {
        Ok(out) => answered(
            OP,
            target_region,
            "GlobalCluster",
            out.global_cluster().map(ObservedGlobal::from),
        ),
        Err(failed) => {
            let global = find_global_cluster(clients, target_region, &[], global_id);
            moved_by_lost_attempt(failed, global, target_cluster_arn).await
        }
    }
}
