//! Regional cluster actions: create (as primary or secondary member of a
//! global cluster), modify, delete.

use std::collections::BTreeMap;

use super::super::config::Clients;
use super::super::error::AwsError;
use super::super::find::find_cluster;
use super::super::model::ObservedCluster;
use super::super::retry::{send, send_tracked, Failed};
use super::super::secret::Secret;
use super::super::settings::ClusterSettings;
use super::tags::{ownership_tags, sdk_tags};
use super::{answered, created_by_lost_attempt, deleted_by_lost_attempt};

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
    /// Production settings (the Serverless v2 scaling configuration among
    /// them, so `db.serverless` instances can follow at once).
    pub settings: ClusterSettings,
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
    let sent = send_tracked(clients, OP, region, || {
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
        let st = &input.settings;
        req = req
            .set_serverless_v2_scaling_configuration(st.sdk_scaling())
            .set_storage_type(st.storage_type.clone())
            .set_backup_retention_period(st.backup_retention_period)
            .set_preferred_backup_window(st.preferred_backup_window.clone())
            .set_preferred_maintenance_window(st.preferred_maintenance_window.clone())
            .set_copy_tags_to_snapshot(st.copy_tags_to_snapshot)
            .set_enable_iam_database_authentication(st.iam_database_authentication_enabled)
            .set_port(st.port)
            .set_enable_cloudwatch_logs_exports(st.enabled_cloudwatch_logs_exports.clone())
            .set_network_type(st.network_type.clone())
            .set_enable_local_write_forwarding(st.enable_local_write_forwarding)
            .set_engine_lifecycle_support(st.engine_lifecycle_support.clone());
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
    .await
    .map(|out| {
        out.db_cluster()
            .map(|c| ObservedCluster::from_sdk(c, region))
    });
    created_cluster(
        clients,
        OP,
        region,
        &input.id,
        &input.global_cluster_id,
        sent,
    )
    .await
}

/// The cluster a create or restore made: the one in the answer, or, when
/// the call was re-sent after a lost answer and AWS says it exists, the one
/// the first attempt made (recognised by its ownership tag).
async fn created_cluster(
    clients: &Clients,
    op: &'static str,
    region: &str,
    id: &str,
    global_cluster_id: &str,
    sent: Result<Option<ObservedCluster>, Failed>,
) -> Result<ObservedCluster, AwsError> {
    match sent {
        Ok(cluster) => answered(op, region, "DBCluster", cluster),
        Err(failed) => {
            let find = find_cluster(clients, region, id);
            created_by_lost_attempt(failed, global_cluster_id, find, |c| &c.tags).await
        }
    }
}

/// RestoreDBClusterFromSnapshot input: a standalone cluster restored from a
/// DB cluster snapshot, which then becomes a global cluster's source. The
/// master user and the data come from the snapshot; no password is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoredCluster {
    pub id: String,
    /// Snapshot identifier or ARN.
    pub snapshot: String,
    /// The topology the cluster is tagged for.
    pub global_cluster_id: String,
    pub engine: String,
    pub engine_version: Option<String>,
    pub database_name: Option<String>,
    pub db_subnet_group_name: Option<String>,
    pub vpc_security_group_ids: Vec<String>,
    /// KMS key of the restored cluster (needed to restore an unencrypted
    /// snapshot encrypted, or to re-encrypt with another key).
    pub kms_key_id: Option<String>,
    pub parameter_group: Option<String>,
    /// The topology's tags (the ownership tag and default tags are added).
    pub tags: BTreeMap<String, String>,
    /// Production settings; those RestoreDBClusterFromSnapshot takes are
    /// sent, the rest are set afterwards like any change.
    pub settings: ClusterSettings,
}

/// Restores a standalone cluster from a DB cluster snapshot. Tagged with
/// the ownership tag, so a re-run adopts it (a re-sent call whose first
/// attempt's answer was lost recognises it the same way).
pub async fn restore_db_cluster_from_snapshot(
    clients: &Clients,
    region: &str,
    input: &RestoredCluster,
) -> Result<ObservedCluster, AwsError> {
    const OP: &str = "RestoreDBClusterFromSnapshot";
    let client = clients.rds(region).await?;
    let tags = sdk_tags(&ownership_tags(
        clients.default_tags(),
        &input.tags,
        &input.global_cluster_id,
    ));
    tracing::info!(region, cluster = %input.id, snapshot = %input.snapshot, "restoring cluster from snapshot");
    let sent = send_tracked(clients, OP, region, || {
        let st = &input.settings;
        let mut req = client
            .restore_db_cluster_from_snapshot()
            .db_cluster_identifier(&input.id)
            .snapshot_identifier(&input.snapshot)
            .engine(&input.engine)
            .set_engine_version(input.engine_version.clone())
            .set_database_name(input.database_name.clone())
            .set_db_subnet_group_name(input.db_subnet_group_name.clone())
            .set_kms_key_id(input.kms_key_id.clone())
            .set_db_cluster_parameter_group_name(input.parameter_group.clone())
            .deletion_protection(false)
            .set_tags(Some(tags.clone()))
            .set_serverless_v2_scaling_configuration(st.sdk_scaling())
            .set_storage_type(st.storage_type.clone())
            .set_copy_tags_to_snapshot(st.copy_tags_to_snapshot)
            .set_enable_iam_database_authentication(st.iam_database_authentication_enabled)
            .set_port(st.port)
            .set_enable_cloudwatch_logs_exports(st.enabled_cloudwatch_logs_exports.clone())
            .set_network_type(st.network_type.clone())
            .set_engine_lifecycle_support(st.engine_lifecycle_support.clone());
        if !input.vpc_security_group_ids.is_empty() {
            req = req.set_vpc_security_group_ids(Some(input.vpc_security_group_ids.clone()));
        }
        req.send()
    })
    .await
    .map(|out| {
        out.db_cluster()
            .map(|c| ObservedCluster::from_sdk(c, region))
    });
    created_cluster(
        clients,
        OP,
        region,
        &input.id,
        &input.global_cluster_id,
        sent,
    )
    .await
}

/// ModifyDBCluster input; `None` fields are left unchanged. Changes apply
/// immediately unless `defer` is set.
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
    /// Production settings to change.
    pub settings: ClusterSettings,
    /// The cluster's settings before the change (log exports are changed
    /// by listing what to enable and what to disable).
    pub before: ClusterSettings,
    /// Send ApplyImmediately=false: what AWS can defer waits for the
    /// maintenance window.
    pub defer: bool,
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
        settings = ?input.settings,
        deferred = input.defer,
        "modifying cluster"
    );
    let out = send(clients, OP, region, || {
        let mut req = client
            .modify_db_cluster()
            .db_cluster_identifier(&input.id)
            .apply_immediately(!input.defer)
            .set_deletion_protection(input.deletion_protection)
            .set_enable_global_write_forwarding(input.write_forwarding)
            .set_engine_version(input.engine_version.clone())
            .set_db_cluster_parameter_group_name(input.parameter_group.clone())
            .set_vpc_security_group_ids(input.vpc_security_group_ids.clone());
        let st = &input.settings;
        req = req
            .set_serverless_v2_scaling_configuration(st.sdk_scaling())
            .set_storage_type(st.storage_type.clone())
            .set_backup_retention_period(st.backup_retention_period)
            .set_preferred_backup_window(st.preferred_backup_window.clone())
            .set_preferred_maintenance_window(st.preferred_maintenance_window.clone())
            .set_copy_tags_to_snapshot(st.copy_tags_to_snapshot)
            .set_enable_iam_database_authentication(st.iam_database_authentication_enabled)
            .set_port(st.port)
            .set_cloudwatch_logs_export_configuration(st.sdk_log_exports(&input.before))
            .set_network_type(st.network_type.clone())
            .set_enable_local_write_forwarding(st.enable_local_write_forwarding)
            .set_engine_lifecycle_support(st.engine_lifecycle_support.clone());
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
    let sent = send_tracked(clients, "DeleteDBCluster", region, || {
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

#[cfg(test)]
mod tests {
    use super::*;

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
            settings: ClusterSettings::default(),
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
