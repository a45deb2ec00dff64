//! `aws::Clients::new` through the real default credential chain: a shared
//! config profile, `AWS_ENDPOINT_URL_RDS`, `AWS_ENDPOINT_URL`, the
//! provider's `endpoint_url` (which wins over both) and `assume_role`.
//!
//! A single test that changes the process environment: it holds
//! `common::lock_env`, which restores the environment afterwards.

use std::time::Duration;

use aurora_emulator::EmulatorConfig;
use terraform_provider_replication::aws::{
    find_cluster, AssumeRole, AwsSettings, Clients, ErrorKind,
};

fn dead_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", l.local_addr().unwrap())
}

#[test]
fn default_chain_profile_and_endpoint_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[profile emu]\nregion = us-east-1\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n",
    )
    .unwrap();
    // Only the profile may provide credentials.
    const CLEARED: [&str; 12] = [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_RDS",
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
    ]);
    let _env = crate::common::lock_env(&touched);
    for var in CLEARED {
        std::env::remove_var(var);
    }
    std::env::set_var("AWS_CONFIG_FILE", &config);
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"));
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let emu = aurora_emulator::start(
            "127.0.0.1:0".parse().unwrap(),
            EmulatorConfig {
                time_scale: 0.0,
                state_file: None,
            },
        )
        .await
        .unwrap();
        let profile = AwsSettings {
            profile: Some("emu".to_string()),
            ..AwsSettings::default()
        };

        // AWS_ENDPOINT_URL_RDS is honoured.
        std::env::set_var("AWS_ENDPOINT_URL_RDS", emu.endpoint());
        let c = Clients::new(profile.clone());
        assert_eq!(find_cluster(&c, "eu-west-1", "x").await.unwrap(), None);
        let log = emu.admin().calls().await.unwrap();
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0].region, "eu-west-1");
        assert_eq!(log[0].action, "DescribeDBClusters");

        // The provider's endpoint_url wins over AWS_ENDPOINT_URL_RDS.
        std::env::set_var("AWS_ENDPOINT_URL_RDS", dead_endpoint());
        let c = Clients::new(AwsSettings {
            endpoint_url: Some(emu.endpoint()),
            ..profile.clone()
        });
        assert_eq!(find_cluster(&c, "us-east-1", "x").await.unwrap(), None);
        // ...and without it the (dead) RDS-specific endpoint is used.
        let c = Clients::new(profile.clone());
        let started = std::time::Instant::now();
        let err = find_cluster(&c, "us-east-1", "x").await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
        assert!(started.elapsed() < Duration::from_secs(30));

        // AWS_ENDPOINT_URL applies when no RDS-specific one is set.
        std::env::remove_var("AWS_ENDPOINT_URL_RDS");
        std::env::set_var("AWS_ENDPOINT_URL", emu.endpoint());
        let c = Clients::new(profile.clone());
        assert_eq!(find_cluster(&c, "us-west-2", "x").await.unwrap(), None);
        let log = emu.admin().calls().await.unwrap();
        assert_eq!(log.last().unwrap().region, "us-west-2");

        // assume_role: credentials come from STS AssumeRole, signed with the
        // profile's keys (AWS_ENDPOINT_URL sends STS to the emulator too,
        // which does not implement it: the role cannot be assumed).
        let c = Clients::new(AwsSettings {
            assume_role: Some(AssumeRole {
                role_arn: "arn:aws:iam::123456789012:role/deployer".to_string(),
                session_name: Some("ci".to_string()),
                external_id: Some("ext-1".to_string()),
            }),
            ..profile.clone()
        });
        let before = emu.admin().calls().await.unwrap().len();
        let err = find_cluster(&c, "eu-west-1", "x").await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
        let log = emu.admin().calls().await.unwrap();
        let new = &log[before..];
        assert!(
            !new.is_empty() && new.iter().all(|c| c.action == "AssumeRole"),
            "{log:?}"
        );
        assert!(
            !new.iter().any(|c| c.action == "DescribeDBClusters"),
            "no RDS call without the assumed role's credentials"
        );

        // A profile that does not exist gives no credentials: AccessDenied,
        // not an unreachable region, and without re-sending.
        let c = Clients::new(AwsSettings {
            profile: Some("missing".to_string()),
            ..AwsSettings::default()
        });
        let started = std::time::Instant::now();
        let err = find_cluster(&c, "us-east-1", "x").await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
    });
}
