//! The reconciler's bounds and lost answers, against `aurora-emulator` or a
//! listener that never answers: the observation at the start of an apply
//! and the final password rotation stop at the deadline and at
//! StopProvider, and a RemoveFromGlobalCluster whose answer was lost is
//! recognised when the call is sent again.

use std::collections::BTreeMap;
use std::time::Duration;

use aurora_emulator::{EmulatorConfig, RunningEmulator};
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use terraform_provider_replication::aws::{
    self, AwsSettings, Clients, ObservedTopology, PollInterval, Secret,
};
use terraform_provider_replication::topology::reconcile::{
    full_tags, Context, Desired, DesiredInstance, DesiredRegion, Failure, Run, StepError, Target,
};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

const EAST: &str = "us-east-1";
const EU: &str = "eu-west-1";

const POLL: PollInterval = PollInterval {
    initial: Duration::from_millis(50),
    max: Duration::from_millis(200),
};

fn clients(endpoint: String) -> Clients {
    let sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "not-a-secret",
            None,
            None,
            "test",
        )))
        .build();
    Clients::with_sdk_config(
        AwsSettings {
            endpoint_url: Some(endpoint),
            ..AwsSettings::default()
        },
        sdk,
    )
}

fn target(clients: Clients, id: &str) -> Target {
    Target {
        clients,
        home_region: EAST.to_string(),
        fallback_regions: vec![],
        id: id.to_string(),
        poll: POLL,
    }
}

/// A topology with one instance per region, the primary in `us-east-1`.
fn desired(id: &str, regions: &[&str]) -> Desired {
    let regions = regions
        .iter()
        .map(|r| {
            let instance = DesiredInstance {
                key: "a".into(),
                id: format!("{id}-{r}-a"),
                class: "db.r6g.large".into(),
                tier: 0,
                availability_zone: None,
                settings: Default::default(),
            };
            let region = DesiredRegion {
                region: r.to_string(),
                cluster_id: format!("{id}-{r}"),
                subnet_group: None,
                security_groups: None,
                kms_key_id: None,
                write_forwarding: false,
                parameter_group: None,
                instances: BTreeMap::from([("a".to_string(), instance)]),
                settings: Default::default(),
            };
            (r.to_string(), region)
        })
        .collect();
    Desired {
        id: id.to_string(),
        engine: "aurora-postgresql".into(),
        engine_version: None,
        allow_major_version_upgrade: false,
        database_name: None,
        master_username: "app".into(),
        master_password: Some(Secret::new("correct-horse-battery-9")),
        storage_encrypted: None,
        deletion_protection: false,
        primary_region: EAST.into(),
        failover_mode: "switchover".into(),
        regions,
        tags: BTreeMap::new(),
        engine_lifecycle_support: None,
        apply_immediately: true,
        max_data_loss: None,
        origin: None,
    }
}

fn run<'a>(
    target: &'a Target,
    desired: Option<&'a Desired>,
    deadline: Duration,
    stop: CancellationToken,
) -> Run<'a> {
    Run {
        target,
        desired,
        ctx: Context {
            tags: desired
                .map(|d| full_tags(&BTreeMap::new(), &d.tags, &d.id))
                .unwrap_or_default(),
            final_snapshot: None,
        },
        deadline: Instant::now() + deadline,
        stop,
        creating: false,
        rotate_password: None,
        known_clusters: vec![],
    }
}

async fn emulator() -> RunningEmulator {
    aurora_emulator::start(
        "127.0.0.1:0".parse().unwrap(),
        EmulatorConfig {
            time_scale: 0.0,
            state_file: None,
        },
    )
    .await
    .unwrap()
}

/// A listener that accepts connections and never answers.
async fn black_hole() -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    format!("http://{addr}")
}

/// Creates the topology with the reconciler itself.
async fn converge(target: &Target, d: &Desired) -> ObservedTopology {
    let mut r = run(
        target,
        Some(d),
        Duration::from_secs(60),
        CancellationToken::new(),
    );
    r.creating = true;
    r.reconcile().await.unwrap().unwrap()
}

fn failure(r: Result<Option<ObservedTopology>, Failure>) -> Failure {
    match r {
        Ok(_) => panic!("the run succeeded"),
        Err(f) => f,
    }
}

/// Regression: the first observation of an apply ran past the deadline
/// (a region that accepts connections and never answers kept it for about
/// 20 s, and the failure report's observation as long again).
#[tokio::test]
async fn first_observation_stops_at_the_deadline() {
    let t = target(clients(black_hole().await), "slow");
    let started = Instant::now();
    let f = failure(
        run(&t, None, Duration::from_secs(1), CancellationToken::new())
            .reconcile()
            .await,
    );
    assert_eq!(f.error, StepError::DeadlinePassed, "{}", f.error);
    assert!(!f.observed_fresh);
    // The deadline, then at most the failure report's grace (10 s).
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

/// Regression: StopProvider did not interrupt the first observation.
#[tokio::test]
async fn first_observation_stops_at_stop_provider() {
    let t = target(clients(black_hole().await), "slow");
    let stop = CancellationToken::new();
    let cancel = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    let started = Instant::now();
    let f = failure(
        run(&t, None, Duration::from_secs(600), stop)
            .reconcile()
            .await,
    );
    assert_eq!(f.error, StepError::Cancelled, "{}", f.error);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

/// Regression: the password rotation at the end of an update ignored
/// StopProvider and waited for the cluster (60 s of `modifying` at the
/// emulator's real-time scale) until the deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_rotation_stops_at_stop_provider() {
    let emu = emulator().await;
    let t = target(clients(emu.endpoint()), "rot");
    let d = desired("rot", &[EAST]);
    converge(&t, &d).await;
    emu.admin().set_time_scale(1.0).await.unwrap();

    let stop = CancellationToken::new();
    let cancel = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        cancel.cancel();
    });
    let mut r = run(&t, Some(&d), Duration::from_secs(30), stop);
    r.rotate_password = Some(Secret::new("another-horse-battery-7"));
    let started = Instant::now();
    let f = failure(r.reconcile().await);
    assert_eq!(f.step.as_deref(), Some("set the master password"));
    assert_eq!(f.error, StepError::Cancelled, "{}", f.error);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// Waits until the emulator has dropped a call to `action` in `region`.
async fn wait_dropped(emu: &RunningEmulator, region: &str, action: &str) {
    for _ in 0..400 {
        let log = emu.admin().calls().await.unwrap();
        let dropped = log.iter().any(|c| {
            c.region == region
                && c.action == action
                && c.code.as_deref() == Some("ConnectionDropped")
        });
        if dropped {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("no dropped {action} in {region}");
}

/// Regression: RemoveFromGlobalCluster whose answer was lost (the emulator
/// plays the lost attempt's effect while the call pauses between attempts)
/// failed on the re-send with "not a member of global cluster" instead of
/// being recognised as done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_remove_from_global_cluster_is_recognised() {
    let emu = emulator().await;
    let c = clients(emu.endpoint());
    let other = clients(emu.endpoint());
    let t = target(c.clone(), "lost");
    let obs = converge(&t, &desired("lost", &[EAST, EU])).await;
    let eu_arn = obs
        .global
        .members
        .iter()
        .find(|m| m.region == EU)
        .unwrap()
        .cluster_arn
        .clone();

    emu.admin().outage(EU).await.unwrap();
    let task = {
        let (c, arn) = (c.clone(), eu_arn.clone());
        tokio::spawn(async move { aws::remove_from_global_cluster(&c, EU, "lost", &arn).await })
    };
    wait_dropped(&emu, EU, "RemoveFromGlobalCluster").await;
    emu.admin().restore(EU).await.unwrap();
    aws::remove_from_global_cluster(&other, EU, "lost", &eu_arn)
        .await
        .unwrap();
    task.await.unwrap().expect("recognised as done");

    // Sent once, the same answer is an error (the caller decides).
    let err = aws::remove_from_global_cluster(&c, EU, "lost", &eu_arn)
        .await
        .unwrap_err();
    assert_eq!(err.kind, aws::ErrorKind::InvalidParameter, "{err}");
}
