//! The provider's `shared_config_files` and `shared_credentials_files`
//! through the real default credential chain: each list replaces its own
//! default file (here `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`),
//! and a named file that does not exist yields no credentials rather than
//! falling back to the default file.
//!
//! Changes the process environment: holds `common::lock_env`.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use terraform_provider_replication::aws::{AwsSettings, Clients};

/// The access key an RDS call signs with under `settings`: the call goes to a
/// loopback listener that reads the SigV4 Authorization header and hangs up.
/// `None` when no request arrives (no credentials were found).
async fn access_key(mut settings: AwsSettings) -> Option<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    settings.endpoint_url = Some(format!("http://{}", listener.local_addr().unwrap()));
    let catcher = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let Ok((stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            stream.set_nonblocking(false).unwrap();
            for line in BufReader::new(stream).lines() {
                let line = line.ok()?;
                if line.is_empty() {
                    break;
                }
                if let Some(rest) = line.split("Credential=").nth(1) {
                    return rest.split('/').next().map(str::to_string);
                }
            }
            return None;
        }
        None
    });
    let client = Clients::new(settings).rds("us-east-1").await.unwrap();
    // Fails either way: the listener hangs up, or there are no credentials.
    let _ = client.describe_db_clusters().send().await;
    catcher.join().unwrap()
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
