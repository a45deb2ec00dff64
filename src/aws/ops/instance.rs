//! Instance actions: create (inside a cluster), modify, delete.

use std::collections::BTreeMap;

use super::super::config::Clients;
use super::super::error::AwsError;
use super::super::find::find_instance;
use super::super::model::ObservedInstance;
use super::super::retry::{send, send_tracked};
use super::super::settings::InstanceSettings;
use super::tags::{ownership_tags, sdk_tags};
use super::{answered, created_by_lost_attempt, deleted_by_lost_attempt};

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
    pub availability_zone: Option<String>,
    pub settings: InstanceSettings,
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
    let sent = send_tracked(clients, OP, region, || {
        client
            .create_db_instance()
            .db_instance_identifier(&input.id)
            .db_cluster_identifier(&input.cluster_id)
            .db_instance_class(&input.class)
            .engine(&input.engine)
            .set_promotion_tier(input.promotion_tier)
            .set_tags(Some(tags.clone()))
            .set_availability_zone(input.availability_zone.clone())
            .set_db_parameter_group_name(input.settings.db_parameter_group_name.clone())
            .set_enable_performance_insights(input.settings.performance_insights_enabled)
            .set_performance_insights_retention_period(
                input.settings.performance_insights_retention_period,
            )
            .set_performance_insights_kms_key_id(
                input.settings.performance_insights_kms_key_id.clone(),
            )
            .set_monitoring_interval(input.settings.monitoring_interval)
            .set_monitoring_role_arn(input.settings.monitoring_role_arn.clone())
            .set_auto_minor_version_upgrade(input.settings.auto_minor_version_upgrade)
            .set_ca_certificate_identifier(input.settings.ca_cert_identifier.clone())
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

/// ModifyDBInstance input; `None` fields are left unchanged. Changes apply
/// immediately unless `defer` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModifyInstance {
    pub id: String,
    pub class: Option<String>,
    pub promotion_tier: Option<i32>,
    pub settings: InstanceSettings,
    /// Send ApplyImmediately=false: what AWS can defer waits for the
    /// maintenance window.
    pub defer: bool,
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
        settings = ?input.settings,
        deferred = input.defer,
        "modifying instance"
    );
    let out = send(clients, OP, region, || {
        client
            .modify_db_instance()
            .db_instance_identifier(&input.id)
            .apply_immediately(!input.defer)
            .set_db_instance_class(input.class.clone())
            .set_promotion_tier(input.promotion_tier)
            .set_db_parameter_group_name(input.settings.db_parameter_group_name.clone())
            .set_enable_performance_insights(input.settings.performance_insights_enabled)
            .set_performance_insights_retention_period(
                input.settings.performance_insights_retention_period,
            )
            .set_performance_insights_kms_key_id(
                input.settings.performance_insights_kms_key_id.clone(),
            )
            .set_monitoring_interval(input.settings.monitoring_interval)
            .set_monitoring_role_arn(input.settings.monitoring_role_arn.clone())
            .set_auto_minor_version_upgrade(input.settings.auto_minor_version_upgrade)
            .set_ca_certificate_identifier(input.settings.ca_cert_identifier.clone())
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
    let sent = send_tracked(clients, "DeleteDBInstance", region, || {
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
