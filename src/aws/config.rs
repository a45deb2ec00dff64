//! Provider-level AWS settings and the per-region RDS clients.
//!
//! [`Clients::new`] does no I/O. The shared AWS configuration (credential
//! chain, profile, assume-role) is loaded once, on the first call to
//! [`Clients::rds`]; each region's client is then built once and cached.
//!
//! Credentials: the default chain (environment, the shared files, or the
//! provider's `shared_config_files` / `shared_credentials_files` in their
//! place, SSO, web identity, metadata), replaced by
//! `assume_role_with_web_identity` when set ([`WebIdentity`]), with
//! `assume_role` on top. [`Clients::caller_account`] asks STS whose
//! credentials they are (the provider's account guard).
//!
//! Endpoint precedence for RDS: the provider's `endpoint_url`, else
//! `AWS_ENDPOINT_URL_RDS`, else `AWS_ENDPOINT_URL` (the last two are read by
//! `aws-config` itself through its service-config mechanism), else the AWS
//! default for the region.
//!
//! CloudWatch (replication lag, [`super::metrics`]) has its own client per
//! region, built the same way: `AWS_ENDPOINT_URL_CLOUDWATCH` when set, else
//! the provider's `endpoint_url` (so one override serves both against a
//! local emulator), else `AWS_ENDPOINT_URL`, else the AWS default.
//!
//! Retries and timeouts come from [`super::retry`]; no other place configures
//! them.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{
    error::CredentialsError, future, ProvideCredentials, SharedCredentialsProvider,
};
use aws_credential_types::Credentials;
use aws_smithy_types::retry::RetryMode as SdkRetryMode;
use tokio::sync::OnceCell;

use super::error::{AwsError, ErrorKind};
use super::retry;
use super::secret::Secret;

/// How long a region that did not answer is asked last by reads that can be
/// served by several regions (the global cluster); see
/// [`Clients::prefer_reachable`].
pub(crate) const UNREACHABLE_MEMORY: Duration = Duration::from_secs(60);

/// Session name used for assume-role when the configuration sets none.
pub(crate) const DEFAULT_SESSION_NAME: &str = "terraform-provider-replication";

/// How throttled and 5xx calls are retried (the provider block's
/// `retry_mode`). The provider's own type, so that no SDK type reaches the
/// resource code; [`rds_config`] maps it onto the SDK's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    /// Each failed call backs off on its own.
    Standard,
    /// The SDK's client-side rate limiter paces every call to a region.
    Adaptive,
}

impl From<RetryMode> for SdkRetryMode {
    fn from(mode: RetryMode) -> Self {
        match mode {
            RetryMode::Standard => SdkRetryMode::Standard,
            RetryMode::Adaptive => SdkRetryMode::Adaptive,
        }
    }
}

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
    /// Standard or adaptive SDK retries. `None` with `AWS_RETRY_MODE` unset:
    /// the provider paces calls per region itself ([`super::pacer`]) and
    /// leaves throttled calls to it; otherwise the mode chosen (provider
    /// block, then the shared AWS configuration) and no pacer. A profile's
    /// `retry_mode` alone does not turn the pacer off.
    pub retry_mode: Option<RetryMode>,
    /// Role to assume on top of the base credentials.
    pub assume_role: Option<AssumeRole>,
    /// Tags applied under each topology's own tags on every created object.
    pub default_tags: BTreeMap<String, String>,
    /// Shared config files read instead of `~/.aws/config` (empty: the
    /// default, or `AWS_CONFIG_FILE`).
    pub shared_config_files: Vec<PathBuf>,
    /// Shared credentials files read instead of `~/.aws/credentials`
    /// (empty: the default, or `AWS_SHARED_CREDENTIALS_FILE`).
    pub shared_credentials_files: Vec<PathBuf>,
    /// Credentials from STS AssumeRoleWithWebIdentity instead of the
    /// default chain; `assume_role` still applies on top.
    pub web_identity: Option<WebIdentity>,
}

/// `assume_role_with_web_identity { ... }` of the provider block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentity {
    pub role_arn: String,
    pub token: WebIdentityToken,
    /// Default: [`DEFAULT_SESSION_NAME`].
    pub session_name: Option<String>,
    /// Lifetime of the role session; `None` = the role's default (1 hour).
    pub duration: Option<Duration>,
}

/// Where the OIDC token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebIdentityToken {
    /// The token itself (never logged).
    Inline(Secret),
    /// A file holding the token, read again on every refresh of the
    /// credentials (HCP Terraform and Kubernetes rotate it in place).
    File(PathBuf),
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
    cloudwatch_by_region: Mutex<HashMap<String, aws_sdk_cloudwatch::Client>>,
    unreachable_since: Mutex<HashMap<String, tokio::time::Instant>>,
    polls: super::poll::Pollers,
    /// Calls are paced per service and region ([`super::pacer`]): no
    /// `retry_mode` was chosen.
    paced: bool,
    pacers: Mutex<HashMap<(super::pacer::Service, String), Arc<super::pacer::Pacer>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        let paced = settings.retry_mode.is_none() && std::env::var_os("AWS_RETRY_MODE").is_none();
        Clients {
            inner: Arc::new(Inner {
                paced,
                pacers: Mutex::new(HashMap::new()),
                settings,
                shared: OnceCell::new(),
                by_region: Mutex::new(HashMap::new()),
                cloudwatch_by_region: Mutex::new(HashMap::new()),
                unreachable_since: Mutex::new(HashMap::new()),
                polls: super::poll::Pollers::default(),
            }),
        }
    }

    /// Uses an already loaded shared configuration instead of the default
    /// credential chain (tests, embedding). `profile` and `assume_role` of
    /// `settings` are ignored; `endpoint_url`, `max_retries` and
    /// `default_tags` apply as usual.
    pub fn with_sdk_config(settings: AwsSettings, shared: SdkConfig) -> Self {
        let paced = settings.retry_mode.is_none() && shared.retry_config().is_none();
        Clients {
            inner: Arc::new(Inner {
                paced,
                pacers: Mutex::new(HashMap::new()),
                settings,
                shared: OnceCell::new_with(Some(shared)),
                by_region: Mutex::new(HashMap::new()),
                cloudwatch_by_region: Mutex::new(HashMap::new()),
                unreachable_since: Mutex::new(HashMap::new()),
                polls: super::poll::Pollers::default(),
            }),
        }
    }

    /// The settings these clients were built from.
    pub fn settings(&self) -> &AwsSettings {
        &self.inner.settings
    }

    /// The shared pollers of the waits made through these clients.
    pub(crate) fn polls(&self) -> &super::poll::Pollers {
        &self.inner.polls
    }

    /// The pacer of `service`'s calls to `region`; `None` when a
    /// `retry_mode` was chosen (the SDK's behaviour, no pacing).
    pub(crate) fn pacer(
        &self,
        service: super::pacer::Service,
        region: &str,
    ) -> Option<Arc<super::pacer::Pacer>> {
        if !self.inner.paced {
            return None;
        }
        let mut map = lock(&self.inner.pacers);
        Some(Arc::clone(
            map.entry((service, region.to_string())).or_default(),
        ))
    }

    /// Retries of a throttled or failed call.
    pub(crate) fn max_retries(&self) -> u32 {
        self.inner
            .settings
            .max_retries
            .unwrap_or(retry::DEFAULT_MAX_RETRIES)
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
            // Boxed: the credential chain's loading future is large.
            .get_or_init(|| Box::pin(load_shared(&self.inner.settings, region)))
            .await;
        let client = aws_sdk_rds::Client::from_conf(rds_config(
            &self.inner.settings,
            shared,
            region,
            self.inner.paced,
        ));
        let mut map = lock(&self.inner.by_region);
        Ok(map.entry(region.to_string()).or_insert(client).clone())
    }

    /// The AWS account the credentials belong to, from one STS
    /// GetCallerIdentity call in `region` (which needs no IAM permission).
    pub async fn caller_account(&self, region: &str) -> Result<String, AwsError> {
        const OP: &str = "GetCallerIdentity";
        let shared = self
            .inner
            .shared
            .get_or_init(|| Box::pin(load_shared(&self.inner.settings, region)))
            .await;
        let sts = sts_client(shared, region);
        let out = sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, region, e))?;
        out.account.ok_or_else(|| {
            AwsError::local(OP, region, ErrorKind::Other, "the answer names no account")
        })
    }

    fn cached(&self, region: &str) -> Option<aws_sdk_rds::Client> {
        lock(&self.inner.by_region).get(region).cloned()
    }

    /// The CloudWatch client for `region`, built on first use.
    pub async fn cloudwatch(&self, region: &str) -> Result<aws_sdk_cloudwatch::Client, AwsError> {
        if region.is_empty() {
            return Err(AwsError::local(
                "ConfigureClient",
                region,
                ErrorKind::InvalidParameter,
                "empty region name",
            ));
        }
        let cached = lock(&self.inner.cloudwatch_by_region).get(region).cloned();
        if let Some(client) = cached {
            return Ok(client);
        }
        let shared = self
            .inner
            .shared
            .get_or_init(|| Box::pin(load_shared(&self.inner.settings, region)))
            .await;
        let override_set = std::env::var_os(CLOUDWATCH_ENDPOINT_ENV).is_some();
        let client = aws_sdk_cloudwatch::Client::from_conf(cloudwatch_config(
            &self.inner.settings,
            shared,
            region,
            override_set,
        ));
        let mut map = lock(&self.inner.cloudwatch_by_region);
        Ok(map.entry(region.to_string()).or_insert(client).clone())
    }

    /// Records the outcome of a call to `region`: `false` after an
    /// `Unreachable` error, `true` after any answer.
    pub fn note_reachability(&self, region: &str, reachable: bool) {
        let mut map = lock(&self.inner.unreachable_since);
        if reachable {
            map.remove(region);
        } else {
            map.entry(region.to_string())
                .or_insert_with(tokio::time::Instant::now);
        }
    }

    /// True when `region` did not answer within the last
    /// [`UNREACHABLE_MEMORY`] and has not answered since.
    pub fn recently_unreachable(&self, region: &str) -> bool {
        lock(&self.inner.unreachable_since)
            .get(region)
            .is_some_and(|since| since.elapsed() < UNREACHABLE_MEMORY)
    }

    /// `regions` in the same order, except that regions recently found
    /// unreachable move to the end, so reads that any region can serve do not
    /// pay the transport budget again on every poll during an outage.
    pub fn prefer_reachable<'a>(&self, regions: &[&'a str]) -> Vec<&'a str> {
        let (mut ok, down): (Vec<&str>, Vec<&str>) =
            regions.iter().partition(|r| !self.recently_unreachable(r));
        ok.extend(down);
        ok
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
    if let Some(files) = profile_files(settings) {
        loader = loader.profile_files(files);
    }
    let mut base = loader.load().await;
    if let Some(web) = &settings.web_identity {
        let sts = sts_client(&base, first_region);
        tracing::debug!(role_arn = %web.role_arn, "credentials come from a web identity");
        base = base
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(WebIdentityCredentials {
                sts,
                identity: web.clone(),
            }))
            .build();
    }
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

/// The shared files to read when the provider block names any: each list
/// replaces its own default file only.
#[allow(deprecated)] // aws-config's alias of aws-runtime's EnvConfigFiles, to avoid a direct dependency
fn profile_files(
    settings: &AwsSettings,
) -> Option<aws_config::profile::profile_file::ProfileFiles> {
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
    if settings.shared_config_files.is_empty() && settings.shared_credentials_files.is_empty() {
        return None;
    }
    let mut files = ProfileFiles::builder()
        .include_default_config_file(settings.shared_config_files.is_empty())
        .include_default_credentials_file(settings.shared_credentials_files.is_empty());
    for path in &settings.shared_config_files {
        files = files.with_file(ProfileFileKind::Config, path);
    }
    for path in &settings.shared_credentials_files {
        files = files.with_file(ProfileFileKind::Credentials, path);
    }
    Some(files.build())
}

/// An STS client on the shared configuration, in its region or `fallback`.
/// `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL` apply as for any service.
fn sts_client(shared: &SdkConfig, fallback: &str) -> aws_sdk_sts::Client {
    let mut builder =
        aws_sdk_sts::config::Builder::from(shared).timeout_config(retry::timeout_config());
    if shared.region().is_none() {
        builder = builder.region(Region::new(fallback.to_string()));
    }
    aws_sdk_sts::Client::from_conf(builder.build())
}

/// Credentials from STS AssumeRoleWithWebIdentity. The SDK caches them and
/// asks again shortly before they expire; a token file is read on each ask.
#[derive(Debug)]
struct WebIdentityCredentials {
    sts: aws_sdk_sts::Client,
    identity: WebIdentity,
}

impl WebIdentityCredentials {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let token = match &self.identity.token {
            WebIdentityToken::Inline(token) => token.clone(),
            WebIdentityToken::File(path) => std::fs::read_to_string(path)
                .map(|t| Secret::new(t.trim()))
                .map_err(|e| {
                    CredentialsError::invalid_configuration(format!(
                        "cannot read web_identity_token_file {}: {e}",
                        path.display()
                    ))
                })?,
        };
        let duration = self
            .identity
            .duration
            .map(|d| i32::try_from(d.as_secs()).unwrap_or(i32::MAX));
        let out = self
            .sts
            .assume_role_with_web_identity()
            .role_arn(&self.identity.role_arn)
            .role_session_name(
                self.identity
                    .session_name
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string()),
            )
            .web_identity_token(token.expose())
            .set_duration_seconds(duration)
            .send()
            .await
            .map_err(CredentialsError::provider_error)?;
        let c = out.credentials.ok_or_else(|| {
            CredentialsError::unhandled("AssumeRoleWithWebIdentity answered without credentials")
        })?;
        let expiry = std::time::SystemTime::try_from(c.expiration).ok();
        Ok(Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            expiry,
            "AssumeRoleWithWebIdentity",
        ))
    }
}

impl ProvideCredentials for WebIdentityCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.fetch())
    }
}

/// The retry mode: the provider block's, else the shared configuration's.
fn retry_mode(settings: &AwsSettings, shared: &SdkConfig) -> SdkRetryMode {
    settings
        .retry_mode
        .map(SdkRetryMode::from)
        .or_else(|| shared.retry_config().map(|r| r.mode()))
        .unwrap_or(SdkRetryMode::Standard)
}

/// The per-region RDS configuration: shared credentials, the region, the
/// endpoint override and the one retry policy. The SDK's stalled-stream
/// protection is off: every attempt is already bounded by
/// [`retry::ATTEMPT_TIMEOUT`], the Query API's bodies are small and never
/// streamed, and its throughput monitor wrapped every call (about 3 % of
/// the provider's CPU time in a 300-topology refresh).
fn rds_config(
    settings: &AwsSettings,
    shared: &SdkConfig,
    region: &str,
    paced: bool,
) -> aws_sdk_rds::Config {
    let mode = if paced {
        SdkRetryMode::Standard
    } else {
        retry_mode(settings, shared)
    };
    let mut builder = aws_sdk_rds::config::Builder::from(shared)
        .region(Region::new(region.to_string()))
        .retry_config(retry::retry_config(settings.max_retries, mode))
        .retry_partition(retry::retry_partition(region))
        .timeout_config(retry::timeout_config())
        .stalled_stream_protection(aws_sdk_rds::config::StalledStreamProtectionConfig::disabled())
        .retry_classifier(retry::TransportFailuresNotRetriedBySdk);
    if paced {
        builder = builder.retry_classifier(retry::ThrottlingLeftToPacer);
    }
    if let Some(url) = &settings.endpoint_url {
        builder = builder.endpoint_url(url.clone());
    }
    builder.build()
}

/// The service-specific endpoint variable of CloudWatch, which wins over
/// the provider's `endpoint_url` (read by `aws-config` itself).
const CLOUDWATCH_ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL_CLOUDWATCH";

/// The per-region CloudWatch configuration: as [`rds_config`], with the
/// provider's `endpoint_url` unless `AWS_ENDPOINT_URL_CLOUDWATCH` is set
/// (`env_override`).
fn cloudwatch_config(
    settings: &AwsSettings,
    shared: &SdkConfig,
    region: &str,
    env_override: bool,
) -> aws_sdk_cloudwatch::Config {
    let mut builder = aws_sdk_cloudwatch::config::Builder::from(shared)
        .region(Region::new(region.to_string()))
        .retry_config(retry::retry_config(
            settings.max_retries,
            retry_mode(settings, shared),
        ))
        .retry_partition(retry::retry_partition(&format!("cloudwatch-{region}")))
        .timeout_config(retry::timeout_config())
        .stalled_stream_protection(
            aws_sdk_cloudwatch::config::StalledStreamProtectionConfig::disabled(),
        )
        .retry_classifier(retry::TransportFailuresNotRetriedBySdk);
    if let Some(url) = cloudwatch_endpoint(settings, env_override) {
        builder = builder.endpoint_url(url);
    }
    builder.build()
}

/// The endpoint override of CloudWatch: the provider's `endpoint_url`
/// unless `AWS_ENDPOINT_URL_CLOUDWATCH` is set (`env_override`), which
/// `aws-config` then applies.
fn cloudwatch_endpoint(settings: &AwsSettings, env_override: bool) -> Option<String> {
    settings.endpoint_url.clone().filter(|_| !env_override)
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
            a.config().retry_config().unwrap().mode(),
            SdkRetryMode::Standard
        );
        let partition = |c: &aws_sdk_rds::Client| c.config().retry_partition().unwrap().to_string();
        assert_eq!(partition(&a), "rds-us-east-1");
        assert_eq!(partition(&b), "rds-eu-west-1");
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
    fn retry_mode_comes_from_the_provider_block_then_the_shared_config() {
        let adaptive_env = static_config()
            .into_builder()
            .retry_config(aws_smithy_types::retry::RetryConfig::adaptive())
            .build();
        let block = |mode| AwsSettings {
            retry_mode: mode,
            ..AwsSettings::default()
        };
        assert_eq!(
            retry_mode(&block(None), &static_config()),
            SdkRetryMode::Standard
        );
        assert_eq!(
            retry_mode(&block(None), &adaptive_env),
            SdkRetryMode::Adaptive
        );
        assert_eq!(
            retry_mode(&block(Some(RetryMode::Standard)), &adaptive_env),
            SdkRetryMode::Standard
        );
        assert_eq!(
            retry_mode(&block(Some(RetryMode::Adaptive)), &static_config()),
            SdkRetryMode::Adaptive
        );
        let rds = rds_config(
            &block(Some(RetryMode::Adaptive)),
            &static_config(),
            "us-west-2",
            false,
        );
        assert_eq!(rds.retry_config().unwrap().mode(), SdkRetryMode::Adaptive);
    }

    #[test]
    fn unreachable_regions_are_asked_last_until_they_answer() {
        let clients = Clients::new(AwsSettings::default());
        let order = ["us-east-1", "us-west-2", "eu-west-1"];
        assert_eq!(clients.prefer_reachable(&order), order);
        clients.note_reachability("us-east-1", false);
        assert!(clients.recently_unreachable("us-east-1"));
        assert_eq!(
            clients.prefer_reachable(&order),
            ["us-west-2", "eu-west-1", "us-east-1"]
        );
        clients.note_reachability("us-east-1", true);
        assert_eq!(clients.prefer_reachable(&order), order);
    }

    #[test]
    fn stalled_stream_protection_is_off_the_attempt_timeout_bounds_calls() {
        let shared = static_config();
        let settings = AwsSettings::default();
        let rds = rds_config(&settings, &shared, "us-east-1", true);
        let cw = cloudwatch_config(&settings, &shared, "us-east-1", false);
        assert_eq!(
            rds.stalled_stream_protection().map(|c| c.is_enabled()),
            Some(false)
        );
        assert_eq!(
            cw.stalled_stream_protection().map(|c| c.is_enabled()),
            Some(false)
        );
    }

    #[tokio::test]
    async fn cloudwatch_clients_follow_the_rds_settings() {
        let settings = AwsSettings {
            endpoint_url: Some("http://127.0.0.1:9".into()),
            max_retries: Some(2),
            ..AwsSettings::default()
        };
        let clients = Clients::with_sdk_config(settings.clone(), static_config());
        let cw = clients.cloudwatch("eu-west-1").await.unwrap();
        assert_eq!(cw.config().region().unwrap().as_ref(), "eu-west-1");
        assert_eq!(cw.config().retry_config().unwrap().max_attempts(), 3);
        assert_eq!(clients.inner.cloudwatch_by_region.lock().unwrap().len(), 1);
        let _again = clients.cloudwatch("eu-west-1").await.unwrap();
        assert_eq!(clients.inner.cloudwatch_by_region.lock().unwrap().len(), 1);
        assert!(clients.cloudwatch("").await.is_err());
        // The RDS endpoint override serves CloudWatch too, unless the
        // CloudWatch-specific variable is set.
        assert_eq!(
            cloudwatch_endpoint(&settings, false).as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(cloudwatch_endpoint(&settings, true), None);
        assert_eq!(cloudwatch_endpoint(&AwsSettings::default(), false), None);
    }

    #[tokio::test]
    async fn clients_cache_does_not_grow_on_repeat() {
        let clients = Clients::with_sdk_config(AwsSettings::default(), static_config());
        let _a = clients.rds("us-east-1").await.unwrap();
        let _again = clients.rds("us-east-1").await.unwrap();
        assert_eq!(clients.inner.by_region.lock().unwrap().len(), 1);
    }

    #[test]
    fn new_does_no_io() {
        // Building must not need a runtime: no credential lookup happens here.
        let clients = Clients::new(AwsSettings {
            profile: Some("does-not-exist".into()),
            ..AwsSettings::default()
        });
        assert_eq!(
            clients.settings().profile.as_deref(),
            Some("does-not-exist")
        );
    }
}
