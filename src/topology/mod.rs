//! The `replication_topology` resource and data source, and the provider
//! they belong to: schemas, validation, planning, and (through the `aws`
//! module) observing and changing the real topology.

mod credentials;
mod lag;
pub mod reconcile;
mod resource;
mod rules;

pub use credentials::CredentialOptions;
pub use resource::{
    desired, identity_schema, list_schema, plan, schema, validate, TopologyDataSource,
    TopologyList, TopologyResource,
};

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::engine::{DataSource, ListResource, Provider, Resource};
use crate::tf::{Diagnostics, Schema, Value};

use resource::model::{known_strings, Field, ProviderBlock, Topology};

/// The provider's configuration, read from the `provider "replication"` block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderConfig {
    /// Home region for global-cluster calls.
    pub region: Option<String>,
    /// Shared config profile.
    pub profile: Option<String>,
    /// RDS endpoint override for every region.
    pub endpoint_url: Option<String>,
    /// Attempts for throttled / 5xx calls.
    pub max_retries: Option<u32>,
    /// `retry_mode`: standard or adaptive (validated before configure).
    pub retry_mode: Option<crate::aws::RetryMode>,
    /// Role to assume: (role ARN, session name, external ID).
    pub assume_role: Option<(String, Option<String>, Option<String>)>,
    /// Tags merged under each topology's tags.
    pub default_tags: BTreeMap<String, String>,
    /// Shared files, web identity and the account guard.
    pub credentials: CredentialOptions,
}

impl ProviderConfig {
    /// Reads the provider block. `AWS_REGION` / `AWS_DEFAULT_REGION` stand in
    /// for an unset `region`.
    pub fn from_value(v: &Value) -> Self {
        let c = ProviderBlock::from_value(v);
        let s = |f: &Field<String>| f.as_str().map(str::to_string);
        let region = s(&c.region)
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .filter(|r| !r.is_empty());
        let assume_role = c
            .assume_role
            .known()
            .and_then(|a| s(&a.role_arn).map(|arn| (arn, s(&a.session_name), s(&a.external_id))));
        Self {
            region,
            profile: s(&c.profile),
            endpoint_url: s(&c.endpoint_url),
            max_retries: c.max_retries.as_i64().and_then(|n| u32::try_from(n).ok()),
            retry_mode: c
                .retry_mode
                .as_str()
                .and_then(|m| rules::retry_mode(m).ok()),
            assume_role,
            default_tags: known_strings(&c.default_tags),
            credentials: CredentialOptions::from_value(v),
        }
    }
}

/// A configured provider.
pub struct Meta {
    /// The provider block as read.
    pub config: ProviderConfig,
    /// RDS clients, built lazily per region.
    pub clients: crate::aws::Clients,
    /// Poll intervals for waits.
    pub poll: crate::aws::PollInterval,
}

impl Meta {
    /// Builds the configured provider (no I/O).
    pub fn new(config: ProviderConfig) -> Self {
        let settings =
            crate::aws::AwsSettings {
                region: config.region.clone(),
                profile: config.profile.clone(),
                endpoint_url: config.endpoint_url.clone(),
                max_retries: config.max_retries,
                retry_mode: config.retry_mode,
                assume_role: config.assume_role.clone().map(
                    |(role_arn, session_name, external_id)| crate::aws::AssumeRole {
                        role_arn,
                        session_name,
                        external_id,
                    },
                ),
                default_tags: config.default_tags.clone(),
                shared_config_files: config.credentials.shared_config_files.clone(),
                shared_credentials_files: config.credentials.shared_credentials_files.clone(),
                web_identity: config.credentials.web_identity.clone(),
            };
        let poll = poll_interval(config.endpoint_url.as_deref());
        Meta {
            clients: crate::aws::Clients::new(settings),
            config,
            poll,
        }
    }

    /// The account guard: with `allowed_account_ids` or
    /// `forbidden_account_ids` set, one STS GetCallerIdentity call (in the
    /// provider's region, else us-east-1) tells whose credentials these are,
    /// before any RDS call. Lists that are still unknown (planning with a
    /// provider block that depends on other resources) are checked when the
    /// provider is configured again for apply.
    async fn check_account(&self) -> Result<(), Diagnostics> {
        let options = &self.config.credentials;
        if !options.guards_account() {
            return Ok(());
        }
        let region = self.config.region.as_deref().unwrap_or("us-east-1");
        let verdict = match self.clients.caller_account(region).await {
            Ok(account) => {
                tracing::debug!(%account, "credentials checked against the account lists");
                credentials::check_account(&account, options)
            }
            Err(err) => Some(credentials::account_unknown(&err, options)),
        };
        match verdict {
            None => Ok(()),
            Some(diagnostic) => {
                let mut d = Diagnostics::default();
                d.push(diagnostic);
                Err(d)
            }
        }
    }

    /// How to reach the topology described by `values` (states, planned
    /// states or configurations: their regions, and the first primary region
    /// one of them names).
    pub(crate) fn target(&self, id: &str, values: &[&Topology]) -> reconcile::Target {
        let mut regions: Vec<String> = Vec::new();
        let mut primary = None;
        for v in values {
            if primary.is_none() {
                primary = v.primary_region.as_str().map(str::to_string);
            }
            for (k, _) in v.region_entries() {
                if !regions.contains(k) {
                    regions.push(k.clone());
                }
            }
        }
        let home = self
            .config
            .region
            .clone()
            .or(primary)
            .or_else(|| regions.first().cloned())
            .unwrap_or_else(|| "us-east-1".to_string());
        reconcile::Target {
            clients: self.clients.clone(),
            fallback_regions: regions.into_iter().filter(|r| *r != home).collect(),
            home_region: home,
            id: id.to_string(),
            poll: self.poll,
        }
    }
}

/// Poll intervals: `REPLICATION_POLL_INTERVAL` (a duration such as "200ms")
/// when set; fast polling for a loopback endpoint (the local emulator); the
/// AWS intervals otherwise.
fn poll_interval(endpoint: Option<&str>) -> crate::aws::PollInterval {
    poll_interval_from(
        std::env::var("REPLICATION_POLL_INTERVAL").ok().as_deref(),
        endpoint,
    )
}

/// [`poll_interval`] with the environment variable's value given.
fn poll_interval_from(setting: Option<&str>, endpoint: Option<&str>) -> crate::aws::PollInterval {
    if let Some(d) = setting.and_then(|s| rules::parse_duration(s).ok()) {
        return crate::aws::PollInterval {
            initial: d,
            // A huge setting must not overflow the back-off ceiling.
            max: d.saturating_mul(10),
        };
    }
    if endpoint.is_some_and(rules::is_loopback_url) {
        crate::aws::PollInterval::FAST
    } else {
        crate::aws::PollInterval::AWS
    }
}

/// The `replication` provider.
pub struct ReplicationProvider {
    schema: Schema,
    resource: Arc<TopologyResource>,
    data_source: Arc<TopologyDataSource>,
    list: Arc<TopologyList>,
}

impl Default for ReplicationProvider {
    fn default() -> Self {
        Self {
            schema: schema::provider(),
            resource: Arc::new(TopologyResource::default()),
            data_source: Arc::new(TopologyDataSource::default()),
            list: Arc::new(TopologyList::default()),
        }
    }
}

#[async_trait]
impl Provider for ReplicationProvider {
    type Meta = Meta;

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::provider(config)
    }

    async fn configure(&self, config: &Value) -> Result<Meta, Diagnostics> {
        let meta = Meta::new(ProviderConfig::from_value(config));
        meta.check_account().await?;
        Ok(meta)
    }

    fn resources(&self) -> BTreeMap<String, Arc<dyn Resource<Meta>>> {
        BTreeMap::from([(
            "replication_topology".to_string(),
            self.resource.clone() as Arc<dyn Resource<Meta>>,
        )])
    }

    fn data_sources(&self) -> BTreeMap<String, Arc<dyn DataSource<Meta>>> {
        BTreeMap::from([(
            "replication_topology".to_string(),
            self.data_source.clone() as Arc<dyn DataSource<Meta>>,
        )])
    }

    fn list_resources(&self) -> BTreeMap<String, Arc<dyn ListResource<Meta>>> {
        BTreeMap::from([(
            "replication_topology".to_string(),
            self.list.clone() as Arc<dyn ListResource<Meta>>,
        )])
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn poll_interval_setting_beyond_the_clock_does_not_overflow() {
        let p = poll_interval_from(Some("3000000000000000h"), None);
        assert_eq!(p.initial, Duration::from_secs(3_000_000_000_000_000 * 3600));
        assert_eq!(p.max, Duration::MAX);
        let p = poll_interval_from(Some("200ms"), None);
        assert_eq!(p.max, Duration::from_secs(2));
        assert_eq!(
            poll_interval_from(None, Some("http://127.0.0.1:4566")),
            crate::aws::PollInterval::FAST
        );
    }

    use super::*;
    use crate::aws::RetryMode;

    #[test]
    fn provider_block_retry_mode() {
        let block = |mode: Option<&str>| {
            let mut m = BTreeMap::new();
            if let Some(mode) = mode {
                m.insert("retry_mode".to_string(), Value::String(mode.to_string()));
            }
            ProviderConfig::from_value(&Value::Object(m))
        };
        assert_eq!(
            block(Some("adaptive")).retry_mode,
            Some(RetryMode::Adaptive)
        );
        assert_eq!(
            block(Some("standard")).retry_mode,
            Some(RetryMode::Standard)
        );
        assert_eq!(block(None).retry_mode, None);
    }
}
