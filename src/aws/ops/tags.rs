//! Tags: the ownership tag every created object carries, and adding or
//! removing tags on an existing resource.

use std::collections::BTreeMap;

use aws_sdk_rds::types::Tag;

use super::super::config::Clients;
use super::super::error::AwsError;
use super::super::retry::send;

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

pub(super) fn sdk_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
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
    send(clients, "AddTagsToResource", region, || {
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
    send(clients, "RemoveTagsFromResource", region, || {
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
}
