//! Mutating RDS calls, one typed function per action the provider uses.
//!
//! Each function sends exactly one action (under the retry policy of
//! [`super::retry`]) and returns what AWS answered, converted to the
//! observed model. None of them waits: pair them with [`super::wait`].
//!
//! Ownership: every object created here carries the tag
//! [`OWNERSHIP_TAG_KEY`]` = <global cluster id>` on top of the provider's
//! `default_tags` and the topology's tags, so an interrupted apply can adopt
//! what it created.
//!
//! Lost answers: a call re-sent after a transport failure (see
//! [`super::retry`]) may find the effect of the attempt whose answer was
//! lost. Creates, deletes, switchover and failover recognise it (a created
//! object carrying this topology's ownership tag, a deleted or `deleting`
//! object, a global cluster moving to the target) and report success; the
//! same answers to a call sent once are returned as errors, for the caller
//! to decide (e.g. adopt a tagged object).
//!
//! Credentials: [`ClusterRole`] makes it impossible to send a master user,
//! password or database name with a secondary cluster; passwords are
//! [`Secret`]s and never appear in logs or errors.

use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_rds::types::Tag;

use super::config::Clients;
use super::error::{AwsError, ErrorKind};
use super::find::{find_cluster, find_global_cluster, find_instance};
use super::model::{ObservedCluster, ObservedGlobal, ObservedInstance};
use super::retry::{send, send_tracked, Failed};
use super::secret::Secret;

/// Key of the ownership tag; its value is the global cluster identifier of
/// the topology that created the object.
pub const OWNERSHIP_TAG_KEY: &str = "replication:topology";

/// Tags for a newly created object: the provider's `default_tags`, overridden
/// by the topology's `tags`, plus the ownership tag (which wins).
pub fn ownership_tags(
    default_tags: &BTreeMap<String, String>,
    tags: &BTreeMap<String, String>,
    global_id: &str,
) -> BTreeMap<String, String> {
    let mut all = default_tags.clone();
    all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    all.insert(OWNERSHIP_TAG_KEY.to_string(), global_id.to_string());
    all
}

fn sdk_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// The object an action's answer must carry (`what` names it for the error).
fn answered<T>(
    operation: &'static str,
    region: &str,
    what: &str,
    object: Option<T>,
) -> Result<T, AwsError> {
    object.ok_or_else(|| {
        AwsError::local(
            operation,
            region,
            ErrorKind::Other,
            format!("the answer carries no {what}"),
        )
    })
}

/// A create re-sent after a transport failure that answers `AlreadyExists`
/// may have been carried out by the attempt whose answer was lost: the
/// object `find` returns is ours when it carries this topology's ownership
/// tag. Any other failure is returned as is.
async fn created_by_lost_attempt<T>(
    failed: Failed,
    global_id: &str,
    find: impl Future<Output = Result<Option<T>, AwsError>>,
    tags: fn(&T) -> &BTreeMap<String, String>,
) -> Result<T, AwsError> {
    if !(failed.resent && failed.error.kind == ErrorKind::AlreadyExists) {
        return Err(failed.error);
    }
    match find.await? {
        Some(object)
            if tags(&object).get(OWNERSHIP_TAG_KEY).map(String::as_str) == Some(global_id) =>
        {
            tracing::info!(
                region = %failed.error.region,
                operation = failed.error.operation,
                "created by an earlier attempt whose answer was lost"
            );
            Ok(object)
        }
        _ => Err(failed.error),
    }
}

/// A delete re-sent after a transport failure that answers `NotFound`, or
/// `InvalidState` while the object is `deleting`, was carried out by the
/// attempt whose answer was lost. `status` reads the object's status (`None`
/// when it is gone).
async fn deleted_by_lost_attempt(
    failed: Failed,
    status: impl Future<Output = Result<Option<String>, AwsError>>,
) -> Result<(), AwsError> {
    if !failed.resent {
        return Err(failed.error);
    }
    let done = match failed.error.kind {
        ErrorKind::NotFound => true,
        ErrorKind::InvalidState => matches!(status.await?.as_deref(), None | Some("deleting")),
        _ => false,
    };
    if done {
        tracing::info!(
            region = %failed.error.region,
            operation = failed.error.operation,
            "deleted by an earlier attempt whose answer was lost"
        );
        Ok(())
    } else {
        Err(failed.error)
    }
}

/// A switchover or failover re-sent after a transport failure that answers
/// `InvalidState` was started by the attempt whose answer was lost when the
/// global cluster is moving to (or already has) the target writer.
async fn moved_by_lost_attempt(
    failed: Failed,
    global: impl Future<Output = Result<Option<ObservedGlobal>, AwsError>>,
    target_cluster_arn: &str,
) -> Result<ObservedGlobal, AwsError> {
    if !(failed.resent && failed.error.kind == ErrorKind::InvalidState) {
        return Err(failed.error);
    }
    match global.await? {
        Some(g)
            if g.failover_state.as_ref().and_then(|f| f.to_arn.as_deref())
                == Some(target_cluster_arn)
                || g.writer().map(|w| w.cluster_arn.as_str()) == Some(target_cluster_arn) =>
        {
            tracing::info!(
                region = %failed.error.region,
                operation = failed.error.operation,
                "started by an earlier attempt whose answer was lost"
            );
            Ok(g)
        }
        _ => Err(failed.error),
    }
}

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
}

/// Creates the global cluster (empty; the primary cluster joins it).
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
    tracing::info!(region, global_cluster = %input.id, "creating global cluster");
    let sent = send_tracked(OP, region, || {
        client
            .create_global_cluster()
            .global_cluster_identifier(&input.id)
            .engine(&input.engine)
            .set_engine_version(input.engine_version.clone())
            .set_database_name(input.database_name.clone())
            .set_storage_encrypted(input.storage_encrypted)
            .deletion_protection(input.deletion_protection)
            .set_tags(Some(tags.clone()))
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

/// The role a new regional cluster plays in the global cluster. Credentials
/// and the database name exist only on the primary variant, so a secondary
/// cannot be sent any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterRole {
    /// The first cluster of the global cluster: it holds the data, the master
    /// credentials and the initial database.
    Primary {
        master_username: String,
        master_password: Secret,
        database_name: Option<String>,
    },
    /// A read-only replica region; credentials and database come from the
    /// primary.
    Secondary,
}

/// CreateDBCluster input for a member of a global cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCluster {
    pub id: String,
    pub global_cluster_id: String,
    pub engine: String,
    pub engine_version: Option<String>,
    pub role: ClusterRole,
    pub db_subnet_group_name: Option<String>,
    pub vpc_security_group_ids: Vec<String>,
    /// KMS key in the cluster's own region (required by AWS for encrypted
    /// secondaries).
    pub kms_key_id: Option<String>,
    pub storage_encrypted: Option<bool>,
    pub parameter_group: Option<String>,
    /// Global write forwarding (takes effect on secondaries).
    pub write_forwarding: bool,
    pub deletion_protection: bool,
    /// The topology's tags (the ownership tag and default tags are added).
    pub tags: BTreeMap<String, String>,
}

/// Creates a regional cluster inside the global cluster.
pub async fn create_db_cluster(
    clients: &Clients,
    region: &str,
    input: &NewCluster,
) -> Result<ObservedCluster, AwsError> {
    const OP: &str = "CreateDBCluster";
    let client = clients.rds(region).await?;
    let tags = sdk_tags(&ownership_tags(
        clients.default_tags(),
        &input.tags,
        &input.global_cluster_id,
    ));
    let role = match input.role {
        ClusterRole::Primary { .. } => "primary",
        ClusterRole::Secondary => "secondary",
    };
    tracing::info!(region, cluster = %input.id, role, "creating cluster");
    let sent = send_tracked(OP, region, || {
        let mut req = client
            .create_db_cluster()
            .db_cluster_identifier(&input.id)
            .global_cluster_identifier(&input.global_cluster_id)
            .engine(&input.engine)
            .set_engine_version(input.engine_version.clone())
            .set_db_subnet_group_name(input.db_subnet_group_name.clone())
            .set_kms_key_id(input.kms_key_id.clone())
            .set_storage_encrypted(input.storage_encrypted)
            .set_db_cluster_parameter_group_name(input.parameter_group.clone())
            .deletion_protection(input.deletion_protection)
            .set_tags(Some(tags.clone()));
        if !input.vpc_security_group_ids.is_empty() {
            req = req.set_vpc_security_group_ids(Some(input.vpc_security_group_ids.clone()));
        }
        if input.write_forwarding {
            req = req.enable_global_write_forwarding(true);
        }
        if let ClusterRole::Primary {
            master_username,
            master_password,
            database_name,
        } = &input.role
        {
            req = req
                .master_username(master_username)
                .master_user_password(master_password.expose())
                .set_database_name(database_name.clone());
        }
        req.send()
    })
    .await;
    match sent {
        Ok(out) => answered(
            OP,
            region,
            "DBCluster",
            out.db_cluster()
                .map(|c| ObservedCluster::from_sdk(c, region)),
        ),
        Err(failed) => {
            let find = find_cluster(clients, region, &input.id);
            created_by_lost_attempt(failed, &input.global_cluster_id, find, |c| &c.tags).await
        }
    }
}

/// CreateDBInstance input (an Aurora instance inside a cluster).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewInstance {
    pub id: String,
    pub cluster_id: String,
    pub class: String,
    pub engine: String,
    pub promotion_tier: Option<i32>,
    /// Global cluster identifier for the ownership tag.
    pub global_cluster_id: String,
    /// The topology's tags (the ownership tag and default tags are added).
    pub tags: BTreeMap<String, String>,
}

/// Creates an instance in a cluster.
pub async fn create_db_instance(
    clients: &Clients,
    region: &str,
    input: &NewInstance,
) -> Result<ObservedInstance, AwsError> {
    const OP: &str = "CreateDBInstance";
    let client = clients.rds(region).await?;
    let tags = sdk_tags(&ownership_tags(
        clients.default_tags(),
        &input.tags,
        &input.global_cluster_id,
    ));
    tracing::info!(
        region,
        instance = %input.id,
        cluster = %input.cluster_id,
        class = %input.class,
        "creating instance"
    );
    let sent = send_tracked(OP, region, || {
        client
            .create_db_instance()
            .db_instance_identifier(&input.id)
            .db_cluster_identifier(&input.cluster_id)
            .db_instance_class(&input.class)
            .engine(&input.engine)
            .set_promotion_tier(input.promotion_tier)
            .set_tags(Some(tags.clone()))
            .send()
    })
    .await;
    match sent {
        Ok(out) => answered(
            OP,
            region,
            "DBInstance",
            out.db_instance()
                .map(|i| ObservedInstance::from_sdk(i, region)),
        ),
        Err(failed) => {
            let find = find_instance(clients, region, &input.id);
            created_by_lost_attempt(failed, &input.global_cluster_id, find, |i| &i.tags).await
        }
    }
}

/// ModifyDBCluster input; `None` fields are left unchanged. Changes apply
/// immediately.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModifyCluster {
    pub id: String,
    /// New master password (primary only).
    pub master_password: Option<Secret>,
    pub deletion_protection: Option<bool>,
    pub write_forwarding: Option<bool>,
    /// Minor version upgrade of this cluster (secondaries first, then the
    /// primary); major upgrades go through [`modify_global_cluster`].
    pub engine_version: Option<String>,
    pub allow_major_version_upgrade: bool,
    pub parameter_group: Option<String>,
    pub vpc_security_group_ids: Option<Vec<String>>,
}

/// Modifies a regional cluster.
pub async fn modify_db_cluster(
    clients: &Clients,
    region: &str,
    input: &ModifyCluster,
) -> Result<ObservedCluster, AwsError> {
    const OP: &str = "ModifyDBCluster";
    let client = clients.rds(region).await?;
    tracing::info!(
        region,
        cluster = %input.id,
        password = input.master_password.is_some(),
        deletion_protection = ?input.deletion_protection,
        write_forwarding = ?input.write_forwarding,
        engine_version = ?input.engine_version,
        "modifying cluster"
    );
    let out = send(OP, region, || {
        let mut req = client
            .modify_db_cluster()
            .db_cluster_identifier(&input.id)
            .apply_immediately(true)
            .set_deletion_protection(input.deletion_protection)
            .set_enable_global_write_forwarding(input.write_forwarding)
            .set_engine_version(input.engine_version.clone())
            .set_db_cluster_parameter_group_name(input.parameter_group.clone())
            .set_vpc_security_group_ids(input.vpc_security_group_ids.clone());
        if input.allow_major_version_upgrade {
            req = req.allow_major_version_upgrade(true);
        }
        if let Some(password) = &input.master_password {
            req = req.master_user_password(password.expose());
        }
        req.send()
    })
    .await?;
    answered(
        OP,
        region,
        "DBCluster",
        out.db_cluster()
            .map(|c| ObservedCluster::from_sdk(c, region)),
    )
}

/// ModifyDBInstance input; `None` fields are left unchanged. Changes apply
/// immediately.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModifyInstance {
    pub id: String,
    pub class: Option<String>,
    pub promotion_tier: Option<i32>,
}

/// Modifies an instance (class, promotion tier).
pub async fn modify_db_instance(
    clients: &Clients,
    region: &str,
    input: &ModifyInstance,
) -> Result<ObservedInstance, AwsError> {
    const OP: &str = "ModifyDBInstance";
    let client = clients.rds(region).await?;
    tracing::info!(
        region,
        instance = %input.id,
        class = ?input.class,
        promotion_tier = ?input.promotion_tier,
        "modifying instance"
    );
    let out = send(OP, region, || {
        client
            .modify_db_instance()
            .db_instance_identifier(&input.id)
            .apply_immediately(true)
            .set_db_instance_class(input.class.clone())
            .set_promotion_tier(input.promotion_tier)
            .send()
    })
    .await?;
    answered(
        OP,
        region,
        "DBInstance",
        out.db_instance()
            .map(|i| ObservedInstance::from_sdk(i, region)),
    )
}

/// Deletes an instance (Aurora instances have no final snapshot of their own).
pub async fn delete_db_instance(clients: &Clients, region: &str, id: &str) -> Result<(), AwsError> {
    let client = clients.rds(region).await?;
    tracing::info!(region, instance = id, "deleting instance");
    let sent = send_tracked("DeleteDBInstance", region, || {
        client
            .delete_db_instance()
            .db_instance_identifier(id)
            .send()
    })
    .await;
    match sent {
        Ok(_) => Ok(()),
        Err(failed) => {
            let status = async { Ok(find_instance(clients, region, id).await?.map(|i| i.status)) };
            deleted_by_lost_attempt(failed, status).await
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
    send("RemoveFromGlobalCluster", region, || {
        client
            .remove_from_global_cluster()
            .global_cluster_identifier(global_id)
            .db_cluster_identifier(cluster_arn)
            .send()
    })
    .await?;
    Ok(())
}

/// What happens to a cluster's data when it is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinalSnapshot {
    /// Take a final snapshot with this identifier.
    Take(String),
    /// Delete without a snapshot.
    Skip,
}

/// Deletes a cluster (its instances must be gone first).
pub async fn delete_db_cluster(
    clients: &Clients,
    region: &str,
    id: &str,
    final_snapshot: &FinalSnapshot,
) -> Result<(), AwsError> {
    let client = clients.rds(region).await?;
    tracing::info!(region, cluster = id, final_snapshot = ?final_snapshot, "deleting cluster");
    let sent = send_tracked("DeleteDBCluster", region, || {
        let req = client.delete_db_cluster().db_cluster_identifier(id);
        match final_snapshot {
            FinalSnapshot::Take(snapshot) => req
                .skip_final_snapshot(false)
                .final_db_snapshot_identifier(snapshot),
            FinalSnapshot::Skip => req.skip_final_snapshot(true),
        }
        .send()
    })
    .await;
    match sent {
        Ok(_) => Ok(()),
        Err(failed) => {
            let status = async { Ok(find_cluster(clients, region, id).await?.map(|c| c.status)) };
            deleted_by_lost_attempt(failed, status).await
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
    let sent = send_tracked("DeleteGlobalCluster", region, || {
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
    let out = send(OP, region, || {
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
    let sent = send_tracked(OP, primary_region, || {
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
    let sent = send_tracked(OP, target_region, || {
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

/// Adds or overwrites tags on the resource `arn`.
pub async fn add_tags(
    clients: &Clients,
    region: &str,
    arn: &str,
    tags: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    if tags.is_empty() {
        return Ok(());
    }
    let client = clients.rds(region).await?;
    let list = sdk_tags(tags);
    tracing::info!(region, resource = arn, keys = ?tags.keys().collect::<Vec<_>>(), "adding tags");
    send("AddTagsToResource", region, || {
        client
            .add_tags_to_resource()
            .resource_name(arn)
            .set_tags(Some(list.clone()))
            .send()
    })
    .await?;
    Ok(())
}

/// Removes the tag keys from the resource `arn`.
pub async fn remove_tags(
    clients: &Clients,
    region: &str,
    arn: &str,
    keys: &[String],
) -> Result<(), AwsError> {
    if keys.is_empty() {
        return Ok(());
    }
    let client = clients.rds(region).await?;
    tracing::info!(region, resource = arn, keys = ?keys, "removing tags");
    send("RemoveTagsFromResource", region, || {
        client
            .remove_tags_from_resource()
            .resource_name(arn)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ownership_tag_wins_and_topology_tags_override_defaults() {
        let defaults = BTreeMap::from([
            ("owner".to_string(), "platform".to_string()),
            ("team".to_string(), "default".to_string()),
            (OWNERSHIP_TAG_KEY.to_string(), "spoofed".to_string()),
        ]);
        let tags = BTreeMap::from([
            ("team".to_string(), "payments".to_string()),
            (OWNERSHIP_TAG_KEY.to_string(), "also-spoofed".to_string()),
        ]);
        let all = ownership_tags(&defaults, &tags, "orders");
        assert_eq!(all["owner"], "platform");
        assert_eq!(all["team"], "payments");
        assert_eq!(all[OWNERSHIP_TAG_KEY], "orders");
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn cluster_input_debug_never_shows_the_password() {
        let input = NewCluster {
            id: "orders-us-east-1".into(),
            global_cluster_id: "orders".into(),
            engine: "aurora-postgresql".into(),
            engine_version: None,
            role: ClusterRole::Primary {
                master_username: "app".into(),
                master_password: Secret::new("pa55word-xyz"),
                database_name: Some("orders".into()),
            },
            db_subnet_group_name: None,
            vpc_security_group_ids: vec![],
            kms_key_id: None,
            storage_encrypted: None,
            parameter_group: None,
            write_forwarding: false,
            deletion_protection: false,
            tags: BTreeMap::new(),
        };
        assert!(!format!("{input:?}").contains("pa55word-xyz"));
        let modify = ModifyCluster {
            id: "x".into(),
            master_password: Some(Secret::new("pa55word-xyz")),
            ..ModifyCluster::default()
        };
        assert!(!format!("{modify:?}").contains("pa55word-xyz"));
    }
}
