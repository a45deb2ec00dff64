//! Provider-level AWS settings and the per-region RDS clients.
//!
//! [`Clients::new`] does no I/O. The shared AWS configuration (credential
//! chain, profile, assume-role) is loaded once, on the first call to
//! [`Clients::rds`]; each region's client is then built once and cached.
//!
//! Endpoint precedence for RDS: the provider's `endpoint_url`, else
//! `AWS_ENDPOINT_URL_RDS`, else `AWS_ENDPOINT_URL` (the last two are read by
//! `aws-config` itself through its service-config mechanism), else the AWS
//! default for the region.
//!
//! Retries and timeouts come from [`super::retry`]; no other place configures
//! them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use tokio::sync::OnceCell;

use super::error::{AwsError, ErrorKind};
use super::retry;

/// Session name used for assume-role when the configuration sets none.
pub const DEFAULT_SESSION_NAME: &str = "terraform-provider-replication";

/// The provider block's AWS settings (SPEC §3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    /// Home region for global-cluster calls; `None` means the caller decides
    /// (primary region of the topology, else `AWS_REGION`).
    pub region: Option<String>,
    /// Shared config profile.
    pub profile: Option<String>,
    /// RDS endpoint override for every region.
    pub endpoint_url: Option<String>,
    /// Retries of throttled / 5xx answers; `None` = [`retry::DEFAULT_MAX_RETRIES`].
    pub max_retries: Option<u32>,
    /// Role to assume on top of the base credentials.
    pub assume_role: Option<AssumeRole>,
    /// Tags applied under each topology's own tags on every created object.
    pub default_tags: BTreeMap<String, String>,
}

/// `assume_role { ... }` of the provider block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
}

/// Lazily built RDS clients, one per region, sharing one credential chain.
/// Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct Clients {
    inner: Arc<Inner>,
}

struct Inner {
    settings: AwsSettings,
    shared: OnceCell<SdkConfig>,
    by_region: Mutex<HashMap<String, aws_sdk_rds::Client>>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clients")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl Clients {
    /// Remembers the settings; no I/O happens until the first [`Clients::rds`].
    pub fn new(settings: AwsSettings) -> Self {
        Clients {
            inner: Arc::new(Inner {
                settings,
                shared: OnceCell::new(),
                by_region: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Uses an already loaded shared configuration instead of the default
    /// credential chain (tests, embedding). `profile` and `assume_role` of
    /// `settings` are ignored; `endpoint_url`, `max_retries` and
    /// `default_tags` apply as usual.
    pub fn with_sdk_config(settings: AwsSettings, shared: SdkConfig) -> Self {
        Clients {
            inner: Arc::new(Inner {
                settings,
                shared: OnceCell::new_with(Some(shared)),
                by_region: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The settings these clients were built from.
    pub fn settings(&self) -> &AwsSettings {
        &self.inner.settings
    }

    /// The provider's `default_tags`.
    pub fn default_tags(&self) -> &BTreeMap<String, String> {
        &self.inner.settings.default_tags
    }

    /// The RDS client for `region`, built on first use.
    pub async fn rds(&self, region: &str) -> Result<aws_sdk_rds::Client, AwsError> {
        if region.is_empty() {
            return Err(AwsError::local(
                "ConfigureClient",
                region,
                ErrorKind::InvalidParameter,
                "empty region name",
            ));
        }
        if let Some(client) = self.cached(region) {
            return Ok(client);
        }
        let shared = self
            .inner
            .shared
            .get_or_init(|| load_shared(&self.inner.settings, region))
            .await;
        let client = aws_sdk_rds::Client::from_conf(rds_config(&self.inner.settings, shared, region));
        let mut map = self
            .inner
            .by_region
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(map.entry(region.to_string()).or_insert(client).clone())
    }

    fn cached(&self, region: &str) -> Option<aws_sdk_rds::Client> {
        self.inner
            .by_region
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(region)
            .cloned()
    }
}

/// Loads the shared configuration: default chain, profile, region, then the
/// optional assume-role provider on top. `first_region` is used for STS when
/// neither the settings nor the environment name a region.
async fn load_shared(settings: &AwsSettings, first_region: &str) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    let base = loader.load().await;
    let Some(assume) = &settings.assume_role else {
        return base;
    };
    let mut builder = AssumeRoleProvider::builder(assume.role_arn.clone())
        .session_name(
            assume
                .session_name
                .clone()
                .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string()),
        )
        .configure(&base);
    if let Some(external_id) = &assume.external_id {
        builder = builder.external_id(external_id.clone());
    }
    if base.region().is_none() {
        builder = builder.region(Region::new(first_region.to_string()));
    }
    let provider = builder.build().await;
    tracing::debug!(role_arn = %assume.role_arn, "credentials come from an assumed role");
    base.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

/// The per-region RDS configuration: shared credentials, the region, the
/// endpoint override and the one retry policy.
fn rds_config(settings: &AwsSettings, shared: &SdkConfig, region: &str) -> aws_sdk_rds::Config {
    let mut builder = aws_sdk_rds::config::Builder::from(shared)
        .region(Region::new(region.to_string()))
        .retry_config(retry::retry_config(settings.max_retries))
        .timeout_config(retry::timeout_config())
        .retry_classifier(retry::TransportFailuresNotRetriedBySdk);
    if let Some(url) = &settings.endpoint_url {
        builder = builder.endpoint_url(url.clone());
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials;

    fn static_config() -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            )))
            .build()
    }

    #[tokio::test]
    async fn clients_are_cached_per_region() {
        let clients = Clients::with_sdk_config(
            AwsSettings {
                endpoint_url: Some("http://127.0.0.1:9".into()),
                max_retries: Some(3),
                ..AwsSettings::default()
            },
            static_config(),
        );
        let a = clients.rds("us-east-1").await.unwrap();
        let b = clients.rds("eu-west-1").await.unwrap();
        assert_eq!(a.config().region().unwrap().as_ref(), "us-east-1");
        assert_eq!(b.config().region().unwrap().as_ref(), "eu-west-1");
        assert_eq!(a.config().retry_config().unwrap().max_attempts(), 4);
        assert_eq!(
            a.config().timeout_config().unwrap().connect_timeout(),
            Some(retry::CONNECT_TIMEOUT)
        );
        assert_eq!(clients.inner.by_region.lock().unwrap().len(), 2);
        let _again = clients.rds("us-east-1").await.unwrap();
        assert_eq!(clients.inner.by_region.lock().unwrap().len(), 2);
        assert!(clients.rds("").await.is_err());
    }

    #[test]
    fn new_does_no_io() {
        // Building must not need a runtime: no credential lookup happens here.
        let clients = Clients::new(AwsSettings {
            profile: Some("does-not-exist".into()),
            ..AwsSettings::default()
        });
        assert_eq!(clients.settings().profile.as_deref(), Some("does-not-exist"));
    }
}
