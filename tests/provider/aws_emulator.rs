//! The `aws` module against `aurora-emulator`, through the real aws-sdk-rds:
//! call counts of `observe`, finders on missing objects, a create → wait →
//! delete sequence, error classification of real answers, region outages,
//! throttling, switchover/failover waits, and that secondaries are never sent
//! credentials.

use std::collections::BTreeMap;
use std::time::Duration;

use aurora_emulator::{Call, EmulatorConfig, Fault, RunningEmulator};
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use terraform_provider_replication::aws::{self, *};
use tokio::time::Instant;

const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";
const EU: &str = "eu-west-1";
const PG: &str = "aurora-postgresql";
const PASSWORD: &str = "correct-horse-battery-9";

const POLL: PollInterval = PollInterval {
    initial: Duration::from_millis(100),
    max: Duration::from_millis(500),
};

async fn emulator(time_scale: f64) -> RunningEmulator {
    aurora_emulator::start(
        "127.0.0.1:0".parse().unwrap(),
        EmulatorConfig {
            time_scale,
            state_file: None,
        },
    )
    .await
    .unwrap()
}

/// Shared configuration with fixed test credentials (no credential chain).
fn static_credentials() -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "not-a-secret",
            None,
            None,
            "test",
        )))
        .build()
}

/// Clients for `emu` with `settings` (its endpoint filled in).
fn clients_with(emu: &RunningEmulator, settings: AwsSettings) -> Clients {
    let endpoint_url = Some(emu.endpoint());
    Clients::with_sdk_config(
        AwsSettings {
            endpoint_url,
            ..settings
        },
        static_credentials(),
    )
}

fn clients(emu: &RunningEmulator) -> Clients {
    clients_with(
        emu,
        AwsSettings {
            default_tags: BTreeMap::from([("owner".to_string(), "platform".to_string())]),
            ..AwsSettings::default()
        },
    )
}

/// The emulator's call log.
async fn calls(emu: &RunningEmulator) -> Vec<Call> {
    emu.admin().calls().await.unwrap()
}

fn deadline(secs: u64) -> Instant {
    Instant::now() + Duration::from_secs(secs)
}

fn primary(gid: &str, region: &str) -> NewCluster {
    NewCluster {
        id: format!("{gid}-{region}"),
        global_cluster_id: gid.to_string(),
        engine: PG.to_string(),
        engine_version: None,
        role: ClusterRole::Primary {
            master_username: "app".to_string(),
            master_password: Secret::new(PASSWORD),
            database_name: Some("orders".to_string()),
        },
        db_subnet_group_name: None,
        vpc_security_group_ids: vec![],
        kms_key_id: None,
        storage_encrypted: None,
        parameter_group: None,
        write_forwarding: false,
        deletion_protection: false,
        tags: BTreeMap::from([("team".to_string(), "payments".to_string())]),
        settings: Default::default(),
    }
}

fn secondary(gid: &str, region: &str) -> NewCluster {
    NewCluster {
        role: ClusterRole::Secondary,
        ..primary(gid, region)
    }
}

fn instance(gid: &str, region: &str, key: &str) -> NewInstance {
    NewInstance {
        id: format!("{gid}-{region}-{key}"),
        cluster_id: format!("{gid}-{region}"),
        class: "db.r6g.large".to_string(),
        engine: PG.to_string(),
        promotion_tier: Some(1),
        global_cluster_id: gid.to_string(),
        tags: BTreeMap::new(),
        availability_zone: None,
        settings: Default::default(),
    }
}

/// Global cluster `gid` with a primary in EAST (instances a, b), a secondary
/// in WEST (instance a) and a headless secondary in EU, all available.
async fn three_regions(c: &Clients, gid: &str) {
    create_global_cluster(
        c,
        EAST,
        &NewGlobalCluster {
            id: gid.to_string(),
            engine: PG.to_string(),
            engine_version: Some("15.4".to_string()),
            ..NewGlobalCluster::default()
        },
    )
    .await
    .unwrap();
    wait_global_available(c, EAST, &[], gid, deadline(30), POLL)
        .await
        .unwrap();
    create_db_cluster(c, EAST, &primary(gid, EAST))
        .await
        .unwrap();
    for key in ["a", "b"] {
        create_db_instance(c, EAST, &instance(gid, EAST, key))
            .await
            .unwrap();
    }
    wait_cluster_status(
        c,
        EAST,
        &format!("{gid}-{EAST}"),
        deadline(30),
        POLL,
        status::CLUSTER_PENDING,
        status::AVAILABLE,
    )
    .await
    .unwrap();
    // Secondaries replicate from the primary's writer: it must be available.
    for key in ["a", "b"] {
        wait_instance_status(
            c,
            EAST,
            &format!("{gid}-{EAST}-{key}"),
            deadline(30),
            POLL,
            status::INSTANCE_PENDING,
            status::AVAILABLE,
        )
        .await
        .unwrap();
    }
    let (west, eu) = tokio::join!(
        async {
            create_db_cluster(c, WEST, &secondary(gid, WEST))
                .await
                .unwrap();
            create_db_instance(c, WEST, &instance(gid, WEST, "a"))
                .await
                .unwrap();
            wait_instance_status(
                c,
                WEST,
                &format!("{gid}-{WEST}-a"),
                deadline(30),
                POLL,
                status::INSTANCE_PENDING,
                status::AVAILABLE,
            )
            .await
        },
        async {
            create_db_cluster(c, EU, &secondary(gid, EU)).await.unwrap();
            wait_cluster_status(
                c,
                EU,
                &format!("{gid}-{EU}"),
                deadline(30),
                POLL,
                status::CLUSTER_PENDING,
                status::AVAILABLE,
            )
            .await
        }
    );
    west.unwrap();
    eu.unwrap();
    wait_global_available(c, EAST, &[], gid, deadline(30), POLL)
        .await
        .unwrap();
}

fn reached(obs: &RegionObservation) -> (&Option<ObservedCluster>, &Vec<ObservedInstance>) {
    match obs {
        RegionObservation::Reached { cluster, instances } => (cluster, instances),
        RegionObservation::Unreachable { error } => panic!("unexpectedly unreachable: {error}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observe_costs_one_plus_two_calls_per_region() {
    let emu = emulator(0.0).await;
    let c = clients(&emu);
    three_regions(&c, "orders").await;

    emu.admin().clear_calls().await.unwrap();
    let topo = observe(&c, EAST, &[], "orders")
        .await
        .unwrap()
        .expect("exists");
    let log = calls(&emu).await;
    assert_eq!(log.len(), 1 + 2 * 3, "{log:#?}");
    assert_eq!(
        log.iter()
            .filter(|c| c.action == "DescribeGlobalClusters")
            .count(),
        1
    );
    for region in [EAST, WEST, EU] {
        for action in ["DescribeDBClusters", "DescribeDBInstances"] {
            assert_eq!(
                log.iter()
                    .filter(|c| c.region == region && c.action == action)
                    .count(),
                1,
                "{action} in {region}: {log:#?}"
            );
        }
    }
    assert!(log.iter().all(|c| c.status == 200));

    assert_eq!(topo.global_region, EAST);
    assert_eq!(topo.global.writer().unwrap().region, EAST);
    assert_eq!(topo.global.members.len(), 3);
    assert_eq!(
        topo.global.tags.get(OWNERSHIP_TAG_KEY).map(String::as_str),
        Some("orders")
    );
    assert!(topo.unreachable_regions().is_empty());

    let (cluster, instances) = reached(&topo.regions[EAST]);
    let cluster = cluster.as_ref().unwrap();
    assert_eq!(cluster.id, "orders-us-east-1");
    assert_eq!(cluster.status, "available");
    assert_eq!(
        cluster.tags.get(OWNERSHIP_TAG_KEY).map(String::as_str),
        Some("orders")
    );
    assert_eq!(
        cluster.tags.get("team").map(String::as_str),
        Some("payments")
    );
    assert_eq!(
        cluster.tags.get("owner").map(String::as_str),
        Some("platform")
    );
    assert_eq!(
        instances.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["orders-us-east-1-a", "orders-us-east-1-b"]
    );
    assert!(instances
        .iter()
        .all(|i| i.class.as_deref() == Some("db.r6g.large")));
    let (_, instances) = reached(&topo.regions[WEST]);
    assert_eq!(instances.len(), 1);
    let (cluster, instances) = reached(&topo.regions[EU]);
    assert!(cluster.is_some());
    assert!(instances.is_empty(), "EU is headless");

    // The count does not grow with instances: add three more and observe again.
    for key in ["c", "d", "e"] {
        create_db_instance(&c, WEST, &instance("orders", WEST, key))
            .await
            .unwrap();
    }
    emu.admin().clear_calls().await.unwrap();
    let topo = observe(&c, EAST, &[], "orders").await.unwrap().unwrap();
    assert_eq!(calls(&emu).await.len(), 7);
    assert_eq!(reached(&topo.regions[WEST]).1.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finders_return_none_for_missing_objects() {
    let emu = emulator(0.0).await;
    let c = clients(&emu);
    assert_eq!(
        find_global_cluster(&c, EAST, &[], "nope").await.unwrap(),
        None
    );
    assert_eq!(find_cluster(&c, EAST, "nope").await.unwrap(), None);
    assert_eq!(find_instance(&c, EAST, "nope").await.unwrap(), None);
    assert!(find_instances_by_cluster(&c, EAST, "nope")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(find_snapshot(&c, EAST, "nope").await.unwrap(), None);
    assert_eq!(observe(&c, EAST, &[], "nope").await.unwrap(), None);

    // A cluster that exists in another region is not found in this one.
    three_regions(&c, "billing").await;
    assert!(find_cluster(&c, WEST, "billing-us-west-2")
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        find_cluster(&c, EU, "billing-us-west-2").await.unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_wait_delete_sequence() {
    // AWS-like durations scaled down: an instance takes about a second.
    let emu = emulator(0.002).await;
    let c = clients(&emu);
    let gid = "ledger";
    let global = create_global_cluster(
        &c,
        EAST,
        &NewGlobalCluster {
            id: gid.to_string(),
            engine: PG.to_string(),
            ..NewGlobalCluster::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(global.id, gid);
    wait_global_available(&c, EAST, &[], gid, deadline(30), POLL)
        .await
        .unwrap();
    let cluster = create_db_cluster(&c, EAST, &primary(gid, EAST))
        .await
        .unwrap();
    assert_eq!(cluster.status, "creating");
    create_db_instance(&c, EAST, &instance(gid, EAST, "a"))
        .await
        .unwrap();
    let inst = wait_instance_status(
        &c,
        EAST,
        "ledger-us-east-1-a",
        deadline(30),
        POLL,
        status::INSTANCE_PENDING,
        status::AVAILABLE,
    )
    .await
    .unwrap();
    assert_eq!(inst.status, "available");
    assert!(inst.endpoint.is_some());
    let cluster = wait_cluster_status(
        &c,
        EAST,
        "ledger-us-east-1",
        deadline(30),
        POLL,
        status::CLUSTER_PENDING,
        status::AVAILABLE,
    )
    .await
    .unwrap();
    assert_eq!(cluster.members.len(), 1);
    assert!(cluster.members[0].is_writer);

    modify_db_instance(
        &c,
        EAST,
        &ModifyInstance {
            id: "ledger-us-east-1-a".to_string(),
            promotion_tier: Some(0),
            ..ModifyInstance::default()
        },
    )
    .await
    .unwrap();
    let inst = wait_instance_status(
        &c,
        EAST,
        "ledger-us-east-1-a",
        deadline(30),
        POLL,
        status::INSTANCE_PENDING,
        status::AVAILABLE,
    )
    .await
    .unwrap();
    assert_eq!(inst.promotion_tier, Some(0));

    // A deadline already spent fails cleanly instead of hanging.
    delete_db_instance(&c, EAST, "ledger-us-east-1-a")
        .await
        .unwrap();
    let err = wait_instance_deleted(&c, EAST, "ledger-us-east-1-a", Instant::now(), POLL)
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::Timeout { .. }), "{err}");
    wait_instance_deleted(&c, EAST, "ledger-us-east-1-a", deadline(30), POLL)
        .await
        .unwrap();

    remove_from_global_cluster(&c, EAST, gid, &cluster.arn)
        .await
        .unwrap();
    wait_cluster_status(
        &c,
        EAST,
        "ledger-us-east-1",
        deadline(30),
        POLL,
        status::CLUSTER_PENDING,
        status::AVAILABLE,
    )
    .await
    .unwrap();
    delete_db_cluster(
        &c,
        EAST,
        "ledger-us-east-1",
        &FinalSnapshot::Take("ledger-final".to_string()),
    )
    .await
    .unwrap();
    wait_cluster_deleted(&c, EAST, "ledger-us-east-1", deadline(30), POLL)
        .await
        .unwrap();
    let snapshot = find_snapshot(&c, EAST, "ledger-final")
        .await
        .unwrap()
        .expect("final snapshot");
    assert_eq!(snapshot.cluster_id.as_deref(), Some("ledger-us-east-1"));
    delete_global_cluster(&c, EAST, gid).await.unwrap();
    wait_global_deleted(&c, EAST, &[], gid, deadline(30), POLL)
        .await
        .unwrap();
    assert_eq!(observe(&c, EAST, &[], gid).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_answers_are_classified_by_code() {
    let emu = emulator(0.0).await;
    let c = clients(&emu);
    three_regions(&c, "cls").await;

    let dup = create_global_cluster(
        &c,
        EAST,
        &NewGlobalCluster {
            id: "cls".to_string(),
            engine: PG.to_string(),
            ..NewGlobalCluster::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(dup.kind, ErrorKind::AlreadyExists, "{dup}");
    assert_eq!(dup.code.as_deref(), Some("GlobalClusterAlreadyExistsFault"));
    assert!(
        dup.to_string()
            .starts_with("CreateGlobalCluster in us-east-1: GlobalClusterAlreadyExistsFault: "),
        "{dup}"
    );

    // A cluster with instances cannot be deleted.
    let busy = delete_db_cluster(&c, WEST, "cls-us-west-2", &FinalSnapshot::Skip)
        .await
        .unwrap_err();
    assert_eq!(busy.kind, ErrorKind::InvalidState, "{busy}");

    let missing = delete_db_instance(&c, WEST, "no-such-instance")
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
    assert!(missing.is_not_found());

    // An injected non-retryable fault is reported with its code.
    emu.admin()
        .add_fault(&Fault::new("ModifyDBInstance").error("InvalidParameterValue", 400))
        .await
        .unwrap();
    let bad = modify_db_instance(
        &c,
        EAST,
        &ModifyInstance {
            id: "cls-us-east-1-a".to_string(),
            class: Some("db.r6g.xlarge".to_string()),
            ..ModifyInstance::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(bad.kind, ErrorKind::InvalidParameter, "{bad}");
    assert_eq!(bad.operation, "ModifyDBInstance");
    assert_eq!(bad.region, EAST);

    // A single 5xx is retried by the SDK without surfacing.
    emu.admin()
        .add_fault(&Fault::new("CreateDBInstance"))
        .await
        .unwrap();
    emu.admin().clear_calls().await.unwrap();
    create_db_instance(&c, EU, &instance("cls", EU, "a"))
        .await
        .unwrap();
    let log = calls(&emu).await;
    let creates: Vec<_> = log
        .iter()
        .filter(|c| c.action == "CreateDBInstance")
        .collect();
    assert_eq!(creates.len(), 2, "{log:#?}");
    assert_eq!(creates[0].code.as_deref(), Some("InternalFailure"));
    assert_eq!(creates[1].status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secondaries_never_receive_credentials() {
    let emu = emulator(0.0).await;
    let c = clients(&emu);
    three_regions(&c, "creds").await;
    // The emulator refuses MasterUsername / MasterUserPassword / DatabaseName
    // on a cluster joining as secondary (InvalidParameterCombination); both
    // secondaries were created, and the call log shows no such refusal.
    let log = calls(&emu).await;
    let creates: Vec<_> = log
        .iter()
        .filter(|c| c.action == "CreateDBCluster")
        .collect();
    assert_eq!(creates.len(), 3, "{log:#?}");
    assert!(
        creates.iter().all(|c| c.status == 200 && c.code.is_none()),
        "{creates:#?}"
    );
    for region in [WEST, EU] {
        let cluster = find_cluster(&c, region, &format!("creds-{region}"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            cluster.global_cluster_id.as_deref().unwrap_or("creds"),
            "creds"
        );
    }
    // And the password is in no error or debug output of the inputs.
    let input = primary("creds", EAST);
    assert!(!format!("{input:?}").contains(PASSWORD));
    let err = create_db_cluster(&c, EAST, &input).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
    assert!(!err.to_string().contains(PASSWORD));
    assert!(!format!("{err:?}").contains(PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_region_is_detected_quickly_and_reported() {
    let emu = emulator(0.0).await;
    let c = clients(&emu);
    three_regions(&c, "out").await;

    // A member region in outage: observe succeeds and names it.
    emu.admin().outage(EU).await.unwrap();
    emu.admin().clear_calls().await.unwrap();
    let started = std::time::Instant::now();
    let topo = observe(&c, EAST, &[], "out").await.unwrap().unwrap();
    let elapsed = started.elapsed();
    assert_eq!(topo.unreachable_regions(), [EU]);
    match &topo.regions[EU] {
        RegionObservation::Unreachable { error } => {
            assert_eq!(error.kind, ErrorKind::Unreachable);
            assert_eq!(error.region, EU);
        }
        other => panic!("expected unreachable, got {other:?}"),
    }
    reached(&topo.regions[WEST]);
    let log = calls(&emu).await;
    let dropped: Vec<_> = log.iter().filter(|c| c.region == EU).collect();
    assert!(dropped
        .iter()
        .all(|c| c.code.as_deref() == Some("ConnectionDropped")));
    // At most TRANSPORT_ATTEMPTS per call, two calls for the region.
    assert!(
        dropped.len() <= 2 * aws::TRANSPORT_ATTEMPTS as usize,
        "{} dropped calls: {dropped:#?}",
        dropped.len()
    );
    assert!(dropped.len() >= 2, "{dropped:#?}");
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");

    // The home region in outage: the global cluster is read through a fallback.
    emu.admin().restore(EU).await.unwrap();
    emu.admin().outage(EAST).await.unwrap();
    let fallbacks = vec![WEST.to_string(), EU.to_string()];
    let (global, answered) = find_global_cluster_with_region(&c, EAST, &fallbacks, "out")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answered, WEST);
    assert_eq!(global.writer().unwrap().region, EAST);
    let topo = observe(&c, EAST, &fallbacks, "out").await.unwrap().unwrap();
    assert_eq!(topo.global_region, WEST);
    assert_eq!(topo.unreachable_regions(), [EAST]);

    // Without fallbacks the error is Unreachable, not "not found".
    let err = find_global_cluster(&c, EAST, &[], "out").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");

    // Failover to WEST while EAST is down, sent to WEST, waited on through WEST.
    let west_arn = global.member_in(WEST).unwrap().cluster_arn.clone();
    failover_global_cluster(&c, WEST, "out", &west_arn)
        .await
        .unwrap();
    let after = wait_writer(&c, EAST, &fallbacks, "out", &west_arn, deadline(30), POLL)
        .await
        .unwrap();
    assert_eq!(after.writer().unwrap().region, WEST);
    emu.admin().restore(EAST).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_make_a_region_unreachable_in_seconds() {
    // Nothing listens on this port once the listener is dropped.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = Clients::with_sdk_config(
        AwsSettings {
            endpoint_url: Some(format!("http://127.0.0.1:{port}")),
            ..AwsSettings::default()
        },
        static_credentials(),
    );
    let started = std::time::Instant::now();
    let err = find_cluster(&c, EAST, "x").await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    assert!(err.code.is_none());
    assert!(
        err.to_string()
            .starts_with("DescribeDBClusters in us-east-1: "),
        "{err}"
    );
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    let topo_err = observe(&c, EAST, &[WEST.to_string()], "x")
        .await
        .unwrap_err();
    assert_eq!(topo_err.kind, ErrorKind::Unreachable);
    assert_eq!(topo_err.region, EAST, "the home region's error is reported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switchover_and_wait_for_the_new_writer() {
    let emu = emulator(0.001).await;
    let c = clients(&emu);
    three_regions(&c, "sw").await;
    let global = find_global_cluster(&c, EAST, &[], "sw")
        .await
        .unwrap()
        .unwrap();
    let west_arn = global.member_in(WEST).unwrap().cluster_arn.clone();
    switchover_global_cluster(&c, EAST, "sw", &west_arn)
        .await
        .unwrap();
    let after = wait_writer(&c, EAST, &[], "sw", &west_arn, deadline(60), POLL)
        .await
        .unwrap();
    assert!(after.is_settled());
    assert_eq!(after.writer().unwrap().cluster_arn, west_arn);
    let topo = observe(&c, EAST, &[], "sw").await.unwrap().unwrap();
    assert_eq!(topo.global.writer().unwrap().region, WEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_retried_transparently() {
    let emu = emulator(0.0).await;
    let c = clients(&emu);
    emu.admin().throttle(0.3).await.unwrap();
    three_regions(&c, "thr").await;
    for _ in 0..3 {
        let topo = observe(&c, EAST, &[], "thr").await.unwrap().unwrap();
        assert!(topo.unreachable_regions().is_empty());
        assert_eq!(topo.regions.len(), 3);
    }
    modify_db_cluster(
        &c,
        WEST,
        &ModifyCluster {
            id: "thr-us-west-2".to_string(),
            write_forwarding: Some(true),
            ..ModifyCluster::default()
        },
    )
    .await
    .unwrap();
    add_tags(
        &c,
        WEST,
        &find_cluster(&c, WEST, "thr-us-west-2")
            .await
            .unwrap()
            .unwrap()
            .arn,
        &BTreeMap::from([("cost-center".to_string(), "42".to_string())]),
    )
    .await
    .unwrap();
    let log = calls(&emu).await;
    let throttled = log
        .iter()
        .filter(|c| c.code.as_deref() == Some("Throttling"))
        .count();
    assert!(
        throttled * 4 >= log.len(),
        "{throttled} of {} throttled",
        log.len()
    );
    let cluster = find_cluster(&c, WEST, "thr-us-west-2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        cluster.tags.get("cost-center").map(String::as_str),
        Some("42")
    );
    remove_tags(&c, WEST, &cluster.arn, &["cost-center".to_string()])
        .await
        .unwrap();
}

mod capture {
    //! A tracing layer that keeps every event and span field as text.
    use std::fmt::{Debug, Write};
    use std::sync::{Arc, Mutex};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Subscriber};
    use tracing_subscriber::layer::Context;
    use tracing_subscriber::Layer;

    #[derive(Clone, Default)]
    pub(crate) struct Capture(pub(crate) Arc<Mutex<String>>);

    struct Text<'a>(&'a mut String);

    impl Visit for Text<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            let _ = write!(self.0, "{}={:?} ", field.name(), value);
        }
    }

    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            let mut out = self.0.lock().unwrap();
            event.record(&mut Text(&mut out));
            out.push('\n');
        }
        fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
            let mut out = self.0.lock().unwrap();
            attrs.record(&mut Text(&mut out));
            out.push('\n');
        }
        fn on_record(&self, _id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
            let mut out = self.0.lock().unwrap();
            values.record(&mut Text(&mut out));
            out.push('\n');
        }
    }
}

/// The SDK logs each request at TRACE (`transmitting request`) and the body of
/// CreateDBCluster / ModifyDBCluster carries MasterUserPassword: nothing this
/// module or the SDK logs may contain it.
#[tokio::test]
async fn passwords_never_reach_trace_logs() {
    use tracing_subscriber::layer::SubscriberExt;
    let captured = capture::Capture::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(captured.clone()));

    let emu = emulator(0.0).await;
    let c = clients(&emu);
    create_global_cluster(
        &c,
        EAST,
        &NewGlobalCluster {
            id: "sec".to_string(),
            engine: PG.to_string(),
            ..NewGlobalCluster::default()
        },
    )
    .await
    .unwrap();
    create_db_cluster(&c, EAST, &primary("sec", EAST))
        .await
        .unwrap();
    wait_cluster_status(
        &c,
        EAST,
        "sec-us-east-1",
        deadline(30),
        POLL,
        status::CLUSTER_PENDING,
        status::AVAILABLE,
    )
    .await
    .unwrap();
    modify_db_cluster(
        &c,
        EAST,
        &ModifyCluster {
            id: "sec-us-east-1".to_string(),
            master_password: Some(Secret::new("rotated-Pa55-word-77")),
            ..ModifyCluster::default()
        },
    )
    .await
    .unwrap();
    // A failing call with a password in its body.
    let err = create_db_cluster(&c, EAST, &primary("sec", EAST))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);

    let logs = captured.0.lock().unwrap().clone();
    assert!(logs.contains("transmitting request"), "TRACE capture works");
    assert!(logs.contains("CreateDBCluster") || logs.contains("creating cluster"));
    assert!(!logs.contains(PASSWORD), "password leaked into logs");
    assert!(
        !logs.contains("rotated-Pa55-word-77"),
        "password leaked into logs"
    );
    assert!(
        !logs.contains("MasterUserPassword="),
        "request body leaked into logs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settled_waiters_wait_for_the_change_to_show() {
    let emu = emulator(0.002).await;
    let c = clients(&emu);
    three_regions(&c, "set").await;

    modify_db_cluster(
        &c,
        WEST,
        &ModifyCluster {
            id: "set-us-west-2".to_string(),
            write_forwarding: Some(true),
            ..ModifyCluster::default()
        },
    )
    .await
    .unwrap();
    let cluster = wait_cluster_settled(&c, WEST, "set-us-west-2", deadline(30), POLL, |c| {
        c.write_forwarding
    })
    .await
    .unwrap();
    assert!(cluster.write_forwarding);
    assert_eq!(cluster.status, "available");

    modify_db_instance(
        &c,
        EAST,
        &ModifyInstance {
            id: "set-us-east-1-b".to_string(),
            class: Some("db.r6g.xlarge".to_string()),
            ..ModifyInstance::default()
        },
    )
    .await
    .unwrap();
    let inst = wait_instance_settled(&c, EAST, "set-us-east-1-b", deadline(30), POLL, |i| {
        i.class.as_deref() == Some("db.r6g.xlarge")
    })
    .await
    .unwrap();
    assert_eq!(inst.class.as_deref(), Some("db.r6g.xlarge"));

    modify_global_cluster(
        &c,
        EAST,
        &ModifyGlobal {
            id: "set".to_string(),
            deletion_protection: Some(true),
            ..ModifyGlobal::default()
        },
    )
    .await
    .unwrap();
    let global = wait_global_settled(&c, EAST, &[], "set", deadline(30), POLL, |g| {
        g.deletion_protection == Some(true)
    })
    .await
    .unwrap();
    assert_eq!(global.deletion_protection, Some(true));

    // A change that never shows ends at the deadline, naming the pseudo-status.
    let err = wait_cluster_settled(&c, EU, "set-eu-west-1", deadline(1), POLL, |c| {
        c.deletion_protection == Some(true)
    })
    .await
    .unwrap_err();
    assert!(
        matches!(&err, WaitError::Timeout { last_status: Some(s), .. } if s == status::SETTLING),
        "{err}"
    );
}

/// Waits until the emulator has dropped a call to `action` in `region`.
async fn wait_dropped(emu: &RunningEmulator, region: &str, action: &str) {
    for _ in 0..400 {
        let log = calls(emu).await;
        if log.iter().any(|c| {
            c.region == region
                && c.action == action
                && c.code.as_deref() == Some("ConnectionDropped")
        }) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("no dropped {action} in {region}");
}

/// A mutating call whose first attempt's answer is lost is re-sent; when the
/// lost attempt took effect, the re-sent call's AlreadyExists / NotFound is
/// recognised as our own doing (ownership tag, status) instead of failing.
/// The emulator drops connections before acting, so the test plays the lost
/// attempt's effect itself while the call pauses between attempts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn effects_of_attempts_whose_answer_was_lost_are_recognised() {
    let emu = emulator(0.0).await;
    let c = clients(&emu);
    let other = clients(&emu);
    three_regions(&c, "lost").await;

    // Create: the object exists with our ownership tag -> adopted.
    emu.admin().outage(EU).await.unwrap();
    let task = {
        let c = c.clone();
        tokio::spawn(async move { create_db_instance(&c, EU, &instance("lost", EU, "a")).await })
    };
    wait_dropped(&emu, EU, "CreateDBInstance").await;
    emu.admin().restore(EU).await.unwrap();
    create_db_instance(&other, EU, &instance("lost", EU, "a"))
        .await
        .unwrap();
    let adopted = task.await.unwrap().expect("recognised as ours");
    assert_eq!(adopted.id, "lost-eu-west-1-a");
    assert_eq!(
        adopted.tags.get(OWNERSHIP_TAG_KEY).map(String::as_str),
        Some("lost")
    );

    // Create: the object exists but belongs to someone else -> AlreadyExists.
    emu.admin().clear_calls().await.unwrap();
    emu.admin().outage(EU).await.unwrap();
    let task = {
        let c = c.clone();
        tokio::spawn(async move { create_db_instance(&c, EU, &instance("lost", EU, "b")).await })
    };
    wait_dropped(&emu, EU, "CreateDBInstance").await;
    emu.admin().restore(EU).await.unwrap();
    let foreign = NewInstance {
        global_cluster_id: "someone-else".to_string(),
        ..instance("lost", EU, "b")
    };
    create_db_instance(&other, EU, &foreign).await.unwrap();
    let err = task.await.unwrap().unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists, "{err}");

    // Delete: the lost attempt deleted it -> done.
    emu.admin().clear_calls().await.unwrap();
    emu.admin().outage(EU).await.unwrap();
    let task = {
        let c = c.clone();
        tokio::spawn(async move { delete_db_instance(&c, EU, "lost-eu-west-1-a").await })
    };
    wait_dropped(&emu, EU, "DeleteDBInstance").await;
    emu.admin().restore(EU).await.unwrap();
    delete_db_instance(&other, EU, "lost-eu-west-1-a")
        .await
        .unwrap();
    task.await.unwrap().expect("recognised as done");

    // Without a re-send, AlreadyExists is reported as is (adoption is the
    // caller's decision).
    let err = create_db_instance(&c, EU, &instance("lost", EU, "b"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
}

/// `max_retries` bounds the SDK's retries of throttled answers; past it the
/// error is `Throttled` (not unreachable), with its AWS code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_retries_bounds_throttling_retries() {
    let emu = emulator(0.0).await;
    let c = clients_with(
        &emu,
        AwsSettings {
            max_retries: Some(2),
            ..AwsSettings::default()
        },
    );
    emu.admin().throttle(1.0).await.unwrap();
    let err = find_cluster(&c, EAST, "x").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Throttled, "{err}");
    assert_eq!(err.code.as_deref(), Some("Throttling"));
    let log = calls(&emu).await;
    assert_eq!(log.len(), 3, "1 attempt + 2 retries: {log:#?}");
    assert!(log.iter().all(|c| c.code.as_deref() == Some("Throttling")));
}

/// `retry_mode = "adaptive"`: a burst beyond a region's rate limit ends with
/// every call answered and no other error; the client-side limiter paces the
/// retries. (Not timed: after a throttle in a cold burst the SDK's limiter
/// starts from its floor of one call every two seconds, so this takes several
/// seconds where standard retries take about one; docs/benchmarks.md.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adaptive_mode_completes_a_burst_under_a_rate_limit() {
    let emu = emulator(0.0).await;
    let c = clients_with(
        &emu,
        AwsSettings {
            retry_mode: Some(terraform_provider_replication::aws::RetryMode::Adaptive),
            ..AwsSettings::default()
        },
    );
    emu.admin().rate_limit(5).await.unwrap();
    let burst = 10;
    let finds = (0..burst).map(|n| {
        let c = c.clone();
        async move { find_cluster(&c, EAST, &format!("absent-{n}")).await }
    });
    for found in futures::future::join_all(finds).await {
        assert!(found.unwrap().is_none());
    }
    let log = calls(&emu).await;
    let code = |c: &&Call, code: &str| c.code.as_deref() == Some(code);
    let throttled = log.iter().filter(|c| code(c, "Throttling")).count();
    let answered = log
        .iter()
        .filter(|c| code(c, "DBClusterNotFoundFault"))
        .count();
    assert_eq!(answered, burst, "{log:#?}");
    assert!(
        throttled > 0,
        "a burst of {burst} at 5 calls/s was never throttled"
    );
    assert_eq!(log.len(), answered + throttled, "other answers: {log:#?}");
}

/// Throttled retries do not draw on the SDK's retry quota: 120 calls that
/// are all throttled at once each get their one retry (`max_retries = 1`).
/// With the SDK's default quota (500 tokens, 5 per retry, held while the
/// retry waits) only 100 would, and the other 20 would fail at their first
/// answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_retries_do_not_draw_on_the_retry_quota() {
    let emu = emulator(0.0).await;
    // The SDK's retries (with the default pacing, throttled calls are sent
    // again by the provider's pacer, not the SDK, and never meet the quota).
    let c = clients_with(
        &emu,
        AwsSettings {
            retry_mode: Some(terraform_provider_replication::aws::RetryMode::Standard),
            max_retries: Some(1),
            ..AwsSettings::default()
        },
    );
    emu.admin().throttle(1.0).await.unwrap();
    let calls_at_once = 120;
    let finds = (0..calls_at_once).map(|n| {
        let c = c.clone();
        async move { find_cluster(&c, EAST, &format!("busy-{n}")).await }
    });
    for found in futures::future::join_all(finds).await {
        assert_eq!(found.unwrap_err().kind, ErrorKind::Throttled);
    }
    let log = calls(&emu).await;
    assert!(log.iter().all(|c| c.code.as_deref() == Some("Throttling")));
    assert_eq!(
        log.len(),
        2 * calls_at_once,
        "every call: 1 attempt + 1 retry"
    );
}
