//! The provider's `shared_config_files` and `shared_credentials_files`
//! through the real default credential chain: each list replaces its own
//! default file (here `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`),
//! and a named file that does not exist yields no credentials rather than
//! falling back to the default file.
//!
//! Changes the process environment: holds `common::lock_env`.

use aws_credential_types::provider::ProvideCredentials;
use terraform_provider_replication::aws::{AwsSettings, Clients};

/// The access key the RDS client for us-east-1 would sign with.
async fn access_key(settings: AwsSettings) -> Option<String> {
    let client = Clients::new(settings).rds("us-east-1").await.unwrap();
    let provider = client.config().credentials_provider()?;
    provider
        .provide_credentials()
        .await
        .ok()
        .map(|c| c.access_key_id().to_string())
}

fn profile(name: &str, key: &str) -> String {
    format!("[profile {name}]\naws_access_key_id = {key}\naws_secret_access_key = s\n")
}

fn credentials(name: &str, key: &str) -> String {
    format!("[{name}]\naws_access_key_id = {key}\naws_secret_access_key = s\n")
}

#[test]
fn shared_files_of_the_provider_block_replace_the_default_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n);
    std::fs::write(path("env-config"), profile("app", "AKIDENVCONFIG")).unwrap();
    std::fs::write(path("env-credentials"), credentials("app", "AKIDENVCREDS")).unwrap();
    std::fs::write(path("block-config"), profile("app", "AKIDBLOCKCONFIG")).unwrap();
    std::fs::write(
        path("block-credentials"),
        credentials("app", "AKIDBLOCKCREDS"),
    )
    .unwrap();

    const CLEARED: [&str; 8] = [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ];
    let mut touched = CLEARED.to_vec();
    touched.extend([
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
        "AWS_REGION",
    ]);
    let _env = crate::common::lock_env(&touched);
    for var in CLEARED {
        std::env::remove_var(var);
    }
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_CONFIG_FILE", path("env-config"));
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", path("none"));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let settings = |config: &[&str], creds: &[&str]| AwsSettings {
        profile: Some("app".into()),
        shared_config_files: config.iter().map(|n| path(n)).collect(),
        shared_credentials_files: creds.iter().map(|n| path(n)).collect(),
        ..AwsSettings::default()
    };
    rt.block_on(async {
        // No lists: the default (environment-named) config file.
        assert_eq!(
            access_key(settings(&[], &[])).await.as_deref(),
            Some("AKIDENVCONFIG")
        );
        // shared_config_files replaces it.
        assert_eq!(
            access_key(settings(&["block-config"], &[]))
                .await
                .as_deref(),
            Some("AKIDBLOCKCONFIG")
        );
        // shared_credentials_files: its profile wins over the config file's,
        // as the credentials file does in the AWS CLI and SDKs.
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", path("env-credentials"));
        assert_eq!(
            access_key(settings(&[], &[])).await.as_deref(),
            Some("AKIDENVCREDS")
        );
        assert_eq!(
            access_key(settings(&[], &["block-credentials"]))
                .await
                .as_deref(),
            Some("AKIDBLOCKCREDS")
        );
        // A listed file that is missing: no credentials, no fallback to the
        // default files.
        assert_eq!(
            access_key(settings(&["missing-config"], &["missing-creds"])).await,
            None
        );
    });
}
