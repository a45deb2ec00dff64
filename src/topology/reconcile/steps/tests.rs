//! Table tests of the reconciler: one per topology change.

use std::collections::BTreeMap;

use super::*;
use crate::aws::{GlobalMember, ObservedGlobal};
use crate::topology::reconcile::{DesiredInstance, DesiredRegion};

const G: &str = "orders";

fn arn(region: &str, id: &str) -> String {
    format!("arn:aws:rds:{region}:123456789012:cluster:{id}")
}

fn cid(region: &str) -> String {
    format!("{G}-{region}")
}

/// Observed topology: (region, instance keys) with the writer first.
fn observed(regions: &[(&str, &[&str])]) -> ObservedTopology {
    let mut global = ObservedGlobal {
        id: G.into(),
        arn: format!("arn:aws:rds::123456789012:global-cluster:{G}"),
        status: "available".into(),
        engine: Some("aurora-postgresql".into()),
        engine_version: Some("16.4".into()),
        deletion_protection: Some(false),
        ..Default::default()
    };
    let mut out = BTreeMap::new();
    for (n, (region, keys)) in regions.iter().enumerate() {
        let id = cid(region);
        global.members.push(GlobalMember {
            cluster_arn: arn(region, &id),
            region: region.to_string(),
            cluster_id: id.clone(),
            is_writer: n == 0,
            ..Default::default()
        });
        let cluster = ObservedCluster {
            id: id.clone(),
            arn: arn(region, &id),
            region: region.to_string(),
            status: "available".into(),
            engine_version: Some("16.4".into()),
            ..Default::default()
        };
        let instances = keys
            .iter()
            .map(|k| ObservedInstance {
                id: format!("{id}-{k}"),
                arn: format!("arn:aws:rds:{region}:123456789012:db:{id}-{k}"),
                region: region.to_string(),
                cluster_id: Some(id.clone()),
                class: Some("db.r6g.large".into()),
                promotion_tier: Some(1),
                status: "available".into(),
                ..Default::default()
            })
            .collect();
        out.insert(
            region.to_string(),
            RegionObservation::Reached {
                cluster: Some(cluster),
                instances,
            },
        );
    }
    ObservedTopology {
        global,
        global_region: "us-east-1".into(),
        regions: out,
    }
}

fn desired(primary: &str, regions: &[(&str, &[&str])]) -> Desired {
    Desired {
        id: G.into(),
        engine: "aurora-postgresql".into(),
        engine_version: None,
        allow_major_version_upgrade: false,
        database_name: None,
        master_username: "app".into(),
        master_password: None,
        storage_encrypted: None,
        deletion_protection: false,
        primary_region: primary.into(),
        failover_mode: "switchover".into(),
        regions: regions
            .iter()
            .map(|(r, keys)| {
                let cluster_id = cid(r);
                let instances = keys
                    .iter()
                    .map(|k| {
                        (
                            k.to_string(),
                            DesiredInstance {
                                key: k.to_string(),
                                id: format!("{cluster_id}-{k}"),
                                class: "db.r6g.large".into(),
                                tier: 1,
                                availability_zone: None,
                                settings: Default::default(),
                            },
                        )
                    })
                    .collect();
                (
                    r.to_string(),
                    DesiredRegion {
                        region: r.to_string(),
                        cluster_id,
                        subnet_group: None,
                        security_groups: None,
                        kms_key_id: None,
                        write_forwarding: false,
                        parameter_group: None,
                        instances,
                        settings: Default::default(),
                    },
                )
            })
            .collect(),
        tags: BTreeMap::new(),
        engine_lifecycle_support: None,
        apply_immediately: true,
        max_data_loss: None,
        origin: None,
    }
}

fn ctx() -> Context {
    Context::default()
}

fn keys(k: &[&str]) -> Vec<String> {
    k.iter().map(|k| k.to_string()).collect()
}

fn steps(n: Next) -> Vec<Step> {
    match n {
        Next::Phase(s) => s,
        other => panic!("expected a phase, got {other:?}"),
    }
}

const E: &str = "us-east-1";
const W: &str = "eu-west-1";
const A: &str = "ap-southeast-2";

#[test]
fn create_starts_with_the_global_cluster() {
    let d = desired(E, &[(E, &["a"]), (W, &["a"])]);
    assert_eq!(
        next_phase(Some(&d), None, &ctx()),
        Next::Phase(vec![Step::CreateGlobal])
    );
}

#[test]
fn create_then_primary_cluster_with_its_instances() {
    let d = desired(E, &[(E, &["a", "b"]), (W, &["a"])]);
    let o = observed(&[]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::CreatePrimaryCluster {
            region: E.into(),
            instances: keys(&["a", "b"])
        }]
    );
}

#[test]
fn create_then_secondaries_with_their_instances_in_parallel_including_headless() {
    let d = desired(E, &[(E, &["a"]), (W, &["a", "b"]), (A, &[])]);
    let o = observed(&[(E, &["a"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![
            Step::CreateSecondaryCluster {
                region: A.into(),
                instances: vec![]
            },
            Step::CreateSecondaryCluster {
                region: W.into(),
                instances: keys(&["a", "b"])
            },
        ]
    );
}

#[test]
fn secondaries_wait_for_an_available_writer_instance_to_replicate_from() {
    let d = desired(E, &[(E, &["a"]), (W, &["a"])]);
    // A primary without instances (an interrupted create): its instances first.
    let o = observed(&[(E, &[])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::CreateInstance {
            region: E.into(),
            key: "a".into()
        }]
    );
    // Still creating: wait for it.
    let mut o = observed(&[(E, &["a"])]);
    if let Some(RegionObservation::Reached { instances, .. }) = o.regions.get_mut(E) {
        instances[0].status = "creating".into();
    }
    assert!(matches!(
        steps(next_phase(Some(&d), Some(&o), &ctx()))[0],
        Step::Settle { .. }
    ));
    // A writer region left without instances by the configuration cannot
    // seed a new region.
    let d = desired(W, &[(E, &[]), (W, &["a"]), (A, &["a"])]);
    let o = observed(&[(E, &[]), (W, &["a"])]);
    assert!(
        matches!(next_phase(Some(&d), Some(&o), &ctx()), Next::Blocked(why) if why.contains("no available instance"))
    );
}

#[test]
fn create_then_instances_in_every_region_at_once() {
    let d = desired(E, &[(E, &["a", "b"]), (W, &["a"]), (A, &[])]);
    let o = observed(&[(E, &[]), (W, &[]), (A, &[])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![
            Step::CreateInstance {
                region: E.into(),
                key: "a".into()
            },
            Step::CreateInstance {
                region: E.into(),
                key: "b".into()
            },
            Step::CreateInstance {
                region: W.into(),
                key: "a".into()
            },
        ]
    );
}

#[test]
fn converged_topology_is_done() {
    let d = desired(E, &[(E, &["a"]), (W, &["a"]), (A, &[])]);
    let o = observed(&[(E, &["a"]), (W, &["a"]), (A, &[])]);
    assert_eq!(next_phase(Some(&d), Some(&o), &ctx()), Next::Done);
}

#[test]
fn add_region() {
    let d = desired(E, &[(E, &["a"]), (W, &["a"])]);
    let o = observed(&[(E, &["a"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::CreateSecondaryCluster {
            region: W.into(),
            instances: keys(&["a"])
        }]
    );
}

#[test]
fn remove_region_deletes_instances_detaches_and_deletes_in_one_step() {
    let d = desired(E, &[(E, &["a"])]);
    let o = observed(&[(E, &["a"]), (W, &["a", "b"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::RemoveRegion {
            region: W.into(),
            cluster_id: cid(W),
            cluster_arn: arn(W, &cid(W)),
            instances: vec!["orders-eu-west-1-a".into(), "orders-eu-west-1-b".into()],
        }]
    );
    let o = observed(&[(E, &["a"]), (W, &[])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::RemoveRegion {
            region: W.into(),
            cluster_id: cid(W),
            cluster_arn: arn(W, &cid(W)),
            instances: vec![]
        }]
    );
}

#[test]
fn region_removed_and_readded_with_new_identifier_is_recreated() {
    let mut d = desired(E, &[(E, &["a"]), (W, &["a"])]);
    let r = d.regions.get_mut(W).unwrap();
    r.cluster_id = "orders-eu-west-1-v2".into();
    r.instances.get_mut("a").unwrap().id = "orders-eu-west-1-v2-a".into();
    let o = observed(&[(E, &["a"]), (W, &["a"])]);
    assert!(
        matches!(&steps(next_phase(Some(&d), Some(&o), &ctx()))[..], [Step::RemoveRegion { cluster_id, .. }] if *cluster_id == cid(W))
    );
    let o = observed(&[(E, &["a"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::CreateSecondaryCluster {
            region: W.into(),
            instances: keys(&["a"])
        }]
    );
}

#[test]
fn resize_retier_and_drop_instances_in_one_phase() {
    let mut d = desired(E, &[(E, &["a", "b"])]);
    d.regions
        .get_mut(E)
        .unwrap()
        .instances
        .get_mut("a")
        .unwrap()
        .class = "db.r6g.xlarge".into();
    d.regions
        .get_mut(E)
        .unwrap()
        .instances
        .get_mut("b")
        .unwrap()
        .tier = 0;
    let o = observed(&[(E, &["a", "b", "c"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![
            Step::ModifyInstance {
                region: E.into(),
                id: "orders-us-east-1-a".into(),
                class: Some("db.r6g.xlarge".into()),
                tier: None,
                settings: Box::default(),
            },
            Step::ModifyInstance {
                region: E.into(),
                id: "orders-us-east-1-b".into(),
                class: None,
                tier: Some(0),
                settings: Box::default(),
            },
            Step::DeleteInstance {
                region: E.into(),
                id: "orders-us-east-1-c".into()
            },
        ]
    );
}

#[test]
fn write_forwarding_is_set_on_secondaries_only() {
    let mut d = desired(E, &[(E, &["a"]), (W, &["a"])]);
    d.regions.get_mut(E).unwrap().write_forwarding = true;
    d.regions.get_mut(W).unwrap().write_forwarding = true;
    let o = observed(&[(E, &["a"]), (W, &["a"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::ModifyCluster {
            region: W.into(),
            id: cid(W),
            write_forwarding: Some(true),
            security_groups: None,
            parameter_group: None,
            settings: Box::default(),
            exports_before: vec![],
        }]
    );
}

#[test]
fn deletion_protection_is_a_global_change() {
    let mut d = desired(E, &[(E, &["a"])]);
    d.deletion_protection = true;
    let o = observed(&[(E, &["a"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::SetDeletionProtection { enabled: true }]
    );
}

#[test]
fn switchover_goes_to_the_primary_region() {
    let d = desired(W, &[(E, &["a"]), (W, &["a"])]);
    let o = observed(&[(E, &["a"]), (W, &["a"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::Switchover {
            from: E.into(),
            to: W.into(),
            target_arn: arn(W, &cid(W))
        }]
    );
}

#[test]
fn failover_mode_fails_over_to_the_target_region() {
    let mut d = desired(W, &[(E, &["a"]), (W, &["a"])]);
    d.failover_mode = "failover".into();
    let mut o = observed(&[(E, &["a"]), (W, &["a"])]);
    o.regions.insert(
        E.into(),
        RegionObservation::Unreachable {
            error: crate::aws::AwsError::local(
                "DescribeDBClusters",
                E,
                crate::aws::ErrorKind::Unreachable,
                "connection closed",
            ),
        },
    );
    let s = steps(next_phase(Some(&d), Some(&o), &ctx()));
    assert_eq!(
        s,
        vec![Step::Failover {
            from: E.into(),
            to: W.into(),
            target_arn: arn(W, &cid(W))
        }]
    );
    assert_eq!(
        s[0].region(),
        Some(W),
        "failover is sent to the target's region"
    );
}

/// Bug: switching back right after a failover, while the former primary was
/// still `pending-resync`, sent SwitchoverGlobalCluster at once and failed
/// with InvalidGlobalClusterStateFault; it now waits for the resync.
#[test]
fn switchover_waits_for_a_member_pending_resync() {
    let d = desired(E, &[(E, &["a"]), (W, &["a"])]);
    let mut o = observed(&[(W, &["a"]), (E, &["a"])]);
    o.global.members[1].sync_status = Some("pending-resync".into());
    match steps(next_phase(Some(&d), Some(&o), &ctx())).as_slice() {
        [Step::Settle { what }] => assert!(
            what.contains(&cid(E)) && what.contains("pending-resync"),
            "{what}"
        ),
        other => panic!("{other:?}"),
    }
    o.global.members[1].sync_status = Some("connected".into());
    assert!(matches!(
        steps(next_phase(Some(&d), Some(&o), &ctx()))[0],
        Step::Switchover { .. }
    ));
}

#[test]
fn switchover_with_an_unreachable_region_is_blocked_and_suggests_failover() {
    let d = desired(W, &[(E, &["a"]), (W, &["a"])]);
    let mut o = observed(&[(E, &["a"]), (W, &["a"])]);
    o.regions.insert(
        E.into(),
        RegionObservation::Unreachable {
            error: crate::aws::AwsError::local(
                "DescribeDBClusters",
                E,
                crate::aws::ErrorKind::Unreachable,
                "closed",
            ),
        },
    );
    match next_phase(Some(&d), Some(&o), &ctx()) {
        Next::Blocked(why) => assert!(
            why.contains("failover_mode = \"failover\"") && why.contains(E),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn switchover_to_headless_region_is_blocked() {
    let d = desired(W, &[(E, &["a"]), (W, &[])]);
    let o = observed(&[(E, &["a"]), (W, &[])]);
    assert!(
        matches!(next_phase(Some(&d), Some(&o), &ctx()), Next::Blocked(why) if why.contains("no available instance"))
    );
}

#[test]
fn move_primary_to_a_region_added_in_the_same_apply() {
    let d = desired(W, &[(E, &["a"]), (W, &["a"])]);
    let o = observed(&[(E, &["a"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::CreateSecondaryCluster {
            region: W.into(),
            instances: keys(&["a"])
        }]
    );
    // Resumed after the cluster was created but not its instance.
    let o = observed(&[(E, &["a"]), (W, &[])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::CreateInstance {
            region: W.into(),
            key: "a".into()
        }]
    );
    let o = observed(&[(E, &["a"]), (W, &["a"])]);
    assert!(matches!(
        steps(next_phase(Some(&d), Some(&o), &ctx()))[0],
        Step::Switchover { .. }
    ));
}

#[test]
fn move_primary_then_remove_the_old_primary_region() {
    let d = desired(W, &[(W, &["a"])]);
    let o = observed(&[(E, &["a"]), (W, &["a"])]);
    // The writer is never removed: the move comes first.
    assert!(matches!(
        steps(next_phase(Some(&d), Some(&o), &ctx()))[0],
        Step::Switchover { .. }
    ));
    let o = observed(&[(W, &["a"]), (E, &["a"])]);
    assert!(
        matches!(&steps(next_phase(Some(&d), Some(&o), &ctx()))[..], [Step::RemoveRegion { region, instances, .. }] if region == E && instances.len() == 1)
    );
}

#[test]
fn minor_upgrade_goes_one_secondary_at_a_time_then_primary() {
    let mut d = desired(E, &[(E, &["a"]), (W, &["a"]), (A, &["a"])]);
    d.engine_version = Some("16.6".into());
    let upgrade = |r: &str| Step::UpgradeCluster {
        region: r.into(),
        id: cid(r),
        version: "16.6".into(),
    };
    let mut o = observed(&[(E, &["a"]), (W, &["a"]), (A, &["a"])]);
    let mut upgraded = Vec::new();
    // RDS refuses a member's upgrade while another member upgrades: one
    // member per phase, every secondary before the primary.
    for _ in 0..3 {
        let phase = steps(next_phase(Some(&d), Some(&o), &ctx()));
        assert_eq!(phase.len(), 1, "{phase:?}");
        let Step::UpgradeCluster { region, .. } = &phase[0] else {
            panic!("{phase:?}");
        };
        assert_eq!(phase[0], upgrade(region));
        upgraded.push(region.clone());
        if let Some(RegionObservation::Reached {
            cluster: Some(c), ..
        }) = o.regions.get_mut(region.as_str())
        {
            c.engine_version = Some("16.6".into());
        }
    }
    assert_eq!(upgraded.last().map(String::as_str), Some(E));
    assert_eq!(upgraded.len(), 3);
    assert!(upgraded.contains(&W.to_string()) && upgraded.contains(&A.to_string()));
}

#[test]
fn minor_upgrade_of_a_headless_member_is_blocked_with_the_reason() {
    let mut d = desired(E, &[(E, &["a"]), (A, &[])]);
    d.engine_version = Some("16.6".into());
    let o = observed(&[(E, &["a"]), (A, &[])]);
    assert!(
        matches!(next_phase(Some(&d), Some(&o), &ctx()), Next::Blocked(why) if why.contains(A) && why.contains("no available instance")),
    );
}

#[test]
fn major_upgrade_is_one_global_call_and_needs_permission() {
    let mut d = desired(E, &[(E, &["a"]), (W, &["a"])]);
    d.engine_version = Some("17.2".into());
    let o = observed(&[(E, &["a"]), (W, &["a"])]);
    assert!(
        matches!(next_phase(Some(&d), Some(&o), &ctx()), Next::Blocked(why) if why.contains("allow_major_version_upgrade"))
    );
    d.allow_major_version_upgrade = true;
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::UpgradeGlobal {
            version: "17.2".into()
        }]
    );
}

#[test]
fn teardown_secondaries_and_primary_in_one_phase_then_global() {
    let c = Context {
        final_snapshot: Some("orders-final".into()),
        ..ctx()
    };
    let o = observed(&[(E, &["a", "b"]), (W, &["a"]), (A, &[])]);
    assert_eq!(
        steps(next_phase(None, Some(&o), &c)),
        vec![
            Step::RemoveRegion {
                region: W.into(),
                cluster_id: cid(W),
                cluster_arn: arn(W, &cid(W)),
                instances: vec!["orders-eu-west-1-a".into()]
            },
            Step::RemoveRegion {
                region: A.into(),
                cluster_id: cid(A),
                cluster_arn: arn(A, &cid(A)),
                instances: vec![]
            },
            Step::DeletePrimaryCluster {
                region: E.into(),
                cluster_id: cid(E),
                cluster_arn: arn(E, &cid(E)),
                instances: vec!["orders-us-east-1-a".into(), "orders-us-east-1-b".into()],
                final_snapshot: Some("orders-final".into()),
            },
        ]
    );
    // Instances still deleting (a resumed destroy): wait for them.
    let mut o = observed(&[(E, &["a"])]);
    if let Some(RegionObservation::Reached { instances, .. }) = o.regions.get_mut(E) {
        instances[0].status = "deleting".into();
    }
    assert!(matches!(
        steps(next_phase(None, Some(&o), &c))[0],
        Step::Settle { .. }
    ));
    let o = observed(&[]);
    assert_eq!(
        steps(next_phase(None, Some(&o), &c)),
        vec![Step::DeleteGlobal]
    );
    assert_eq!(next_phase(None, None, &c), Next::Done);
}

#[test]
fn teardown_refuses_with_deletion_protection() {
    let mut o = observed(&[(E, &["a"])]);
    o.global.deletion_protection = Some(true);
    assert!(
        matches!(next_phase(None, Some(&o), &ctx()), Next::Blocked(why) if why.contains("deletion protection"))
    );
}

#[test]
fn objects_in_transition_are_waited_for() {
    let d = desired(E, &[(E, &["a"])]);
    let mut o = observed(&[(E, &["a"])]);
    if let Some(RegionObservation::Reached { instances, .. }) = o.regions.get_mut(E) {
        instances[0].status = "modifying".into();
    }
    assert!(matches!(
        steps(next_phase(Some(&d), Some(&o), &ctx()))[0],
        Step::Settle { .. }
    ));
    let mut o = observed(&[(E, &["a"])]);
    o.global.failover_state = Some(Default::default());
    assert!(matches!(
        steps(next_phase(Some(&d), Some(&o), &ctx()))[0],
        Step::Settle { .. }
    ));
}

#[test]
fn tags_are_reconciled_on_every_object() {
    let d = desired(E, &[(E, &["a"])]);
    let c = Context {
        tags: full_tags(
            &BTreeMap::new(),
            &BTreeMap::from([("team".to_string(), "payments".to_string())]),
            G,
        ),
        ..ctx()
    };
    let mut o = observed(&[(E, &["a"])]);
    o.global.tags.insert("stale".into(), "x".into());
    let s = steps(next_phase(Some(&d), Some(&o), &c));
    assert_eq!(s.len(), 3, "global, cluster and instance: {s:?}");
    match &s[0] {
        Step::Retag { add, remove, .. } => {
            assert_eq!(add.get("team").map(String::as_str), Some("payments"));
            assert_eq!(add.get(OWNERSHIP_TAG_KEY).map(String::as_str), Some(G));
            assert_eq!(remove, &vec!["stale".to_string()]);
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Production settings.

fn observed_cluster<'a>(o: &'a mut ObservedTopology, region: &str) -> &'a mut ObservedCluster {
    match o.regions.get_mut(region) {
        Some(RegionObservation::Reached {
            cluster: Some(c), ..
        }) => c,
        _ => panic!("no cluster in {region}"),
    }
}

fn observed_instances<'a>(
    o: &'a mut ObservedTopology,
    region: &str,
) -> &'a mut Vec<ObservedInstance> {
    match o.regions.get_mut(region) {
        Some(RegionObservation::Reached { instances, .. }) => instances,
        _ => panic!("no instances in {region}"),
    }
}

#[test]
fn changed_cluster_settings_are_one_modify_with_only_the_changes() {
    let mut d = desired(E, &[(E, &["a"])]);
    let r = d.regions.get_mut(E).unwrap();
    r.settings.backup_retention_period = Some(14);
    r.settings.port = Some(5432);
    r.settings.enabled_cloudwatch_logs_exports = Some(vec!["postgresql".into()]);
    let mut o = observed(&[(E, &["a"])]);
    let c = observed_cluster(&mut o, E);
    c.settings.backup_retention_period = Some(7);
    c.settings.port = Some(5432);
    c.settings.enabled_cloudwatch_logs_exports = Some(vec!["instance".into()]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::ModifyCluster {
            region: E.into(),
            id: cid(E),
            write_forwarding: None,
            security_groups: None,
            parameter_group: None,
            settings: Box::new(ClusterSettings {
                backup_retention_period: Some(14),
                enabled_cloudwatch_logs_exports: Some(vec!["postgresql".into()]),
                ..ClusterSettings::default()
            }),
            exports_before: vec!["instance".into()],
        }]
    );
}

/// Deferred changes: the observation reads a pending value as the
/// effective one, so once AWS holds the change nothing is sent again.
#[test]
fn a_change_aws_holds_pending_is_done() {
    let mut d = desired(E, &[(E, &["a"])]);
    d.apply_immediately = false;
    d.regions
        .get_mut(E)
        .unwrap()
        .settings
        .backup_retention_period = Some(14);
    let mut o = observed(&[(E, &["a"])]);
    let c = observed_cluster(&mut o, E);
    c.settings.backup_retention_period = Some(14);
    c.pending.backup_retention_period = Some(14);
    assert_eq!(next_phase(Some(&d), Some(&o), &ctx()), Next::Done);
}

#[test]
fn changed_instance_settings_modify_the_instance() {
    let mut d = desired(E, &[(E, &["a"])]);
    let a = d
        .regions
        .get_mut(E)
        .unwrap()
        .instances
        .get_mut("a")
        .unwrap();
    a.settings.monitoring_interval = Some(30);
    a.settings.monitoring_role_arn = Some("arn:aws:iam::123456789012:role/mon".into());
    a.settings.performance_insights_enabled = Some(true);
    let mut o = observed(&[(E, &["a"])]);
    observed_instances(&mut o, E)[0]
        .settings
        .performance_insights_enabled = Some(true);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::ModifyInstance {
            region: E.into(),
            id: "orders-us-east-1-a".into(),
            class: None,
            tier: None,
            settings: Box::new(InstanceSettings {
                monitoring_interval: Some(30),
                monitoring_role_arn: Some("arn:aws:iam::123456789012:role/mon".into()),
                ..InstanceSettings::default()
            }),
        }]
    );
}

#[test]
fn an_instance_in_another_availability_zone_is_deleted_then_created() {
    let mut d = desired(E, &[(E, &["a", "b"])]);
    d.regions
        .get_mut(E)
        .unwrap()
        .instances
        .get_mut("b")
        .unwrap()
        .availability_zone = Some("us-east-1c".into());
    let mut o = observed(&[(E, &["a", "b"])]);
    for i in observed_instances(&mut o, E).iter_mut() {
        i.availability_zone = Some("us-east-1a".into());
    }
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::DeleteInstance {
            region: E.into(),
            id: "orders-us-east-1-b".into()
        }]
    );
    // Once it is gone, it is created again.
    observed_instances(&mut o, E).retain(|i| i.id != "orders-us-east-1-b");
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::CreateInstance {
            region: E.into(),
            key: "b".into()
        }]
    );
}

#[test]
fn scaling_without_an_auto_pause_delay_accepts_the_one_aws_chose() {
    use crate::aws::{Acu, Scaling};
    let mut d = desired(E, &[(E, &["a"])]);
    d.regions.get_mut(E).unwrap().settings.scaling = Some(Scaling {
        min_capacity: Some(Acu::from_f64(0.0)),
        max_capacity: Some(Acu::from_f64(16.0)),
        seconds_until_auto_pause: None,
    });
    let mut o = observed(&[(E, &["a"])]);
    observed_cluster(&mut o, E).settings.scaling = Some(Scaling {
        min_capacity: Some(Acu::from_f64(0.0)),
        max_capacity: Some(Acu::from_f64(16.0)),
        seconds_until_auto_pause: Some(300),
    });
    assert_eq!(next_phase(Some(&d), Some(&o), &ctx()), Next::Done);
    observed_cluster(&mut o, E).settings.scaling = Some(Scaling {
        min_capacity: Some(Acu::from_f64(0.5)),
        max_capacity: Some(Acu::from_f64(16.0)),
        seconds_until_auto_pause: None,
    });
    assert!(matches!(
        steps(next_phase(Some(&d), Some(&o), &ctx())).as_slice(),
        [Step::ModifyCluster { settings, .. }] if settings.scaling.is_some()
    ));
}

#[test]
fn odd_statuses_are_waited_out_and_stuck_ones_stop_the_apply() {
    let d = desired(E, &[(E, &["a"]), (W, &["a", "b"])]);
    let set = |o: &mut ObservedTopology, cluster: Option<&str>, instance: Option<&str>| {
        if let Some(RegionObservation::Reached {
            cluster: Some(c),
            instances,
        }) = o.regions.get_mut(W)
        {
            if let Some(s) = cluster {
                c.status = s.into();
            }
            if let (Some(s), Some(i)) = (instance, instances.first_mut()) {
                i.status = s.into();
            }
        }
    };
    // Transitional: wait.
    for status in [
        "storage-optimization",
        "maintenance",
        "backing-up",
        "rebooting",
    ] {
        let mut o = observed(&[(E, &["a"]), (W, &["a"])]);
        set(&mut o, None, Some(status));
        assert!(
            matches!(&steps(next_phase(Some(&d), Some(&o), &ctx()))[..], [Step::Settle { what }] if what.contains(status)),
            "{status}"
        );
    }
    let mut o = observed(&[(E, &["a"]), (W, &["a"])]);
    set(&mut o, Some("storage-optimization"), None);
    assert!(matches!(
        &steps(next_phase(Some(&d), Some(&o), &ctx()))[..],
        [Step::Settle { .. }]
    ));
    // Terminal: stop, naming the object and its status.
    for (cluster, instance, named) in [
        (Some("inaccessible-encryption-credentials"), None, cid(W)),
        (
            None,
            Some("incompatible-parameters"),
            format!("{}-a", cid(W)),
        ),
        (None, Some("failed"), format!("{}-a", cid(W))),
    ] {
        let mut o = observed(&[(E, &["a"]), (W, &["a"])]);
        set(&mut o, cluster, instance);
        let status = cluster.or(instance).unwrap();
        match next_phase(Some(&d), Some(&o), &ctx()) {
            Next::Blocked(why) => {
                assert!(why.contains(status) && why.contains(&named), "{why}");
            }
            other => panic!("{status}: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Starting from what exists (SPEC §8).

/// `desired` grown from the existing primary cluster (whose identifier is
/// the usual one here, so `observed` can show it).
fn grown(regions: &[(&str, &[&str])]) -> Desired {
    Desired {
        origin: Some(Origin::Source { cluster_id: cid(E) }),
        ..desired(E, regions)
    }
}

#[test]
fn a_grown_or_restored_create_starts_from_the_source_or_the_snapshot() {
    let d = grown(&[(E, &["a"]), (W, &["a"])]);
    assert_eq!(
        next_phase(Some(&d), None, &ctx()),
        Next::Phase(vec![Step::CreateGlobalFromSource {
            region: E.into(),
            cluster_id: cid(E),
        }])
    );
    let d = Desired {
        origin: Some(Origin::Snapshot {
            snapshot: "snap".into(),
        }),
        ..desired(E, &[(E, &["a"]), (W, &["a"])])
    };
    assert_eq!(
        next_phase(Some(&d), None, &ctx()),
        Next::Phase(vec![Step::RestorePrimary { region: E.into() }])
    );
    // An empty global cluster of that name cannot take the source.
    let o = observed(&[]);
    assert!(matches!(
        next_phase(Some(&d), Some(&o), &ctx()),
        Next::Blocked(_)
    ));
}

#[test]
fn a_grown_primary_gets_its_missing_instances_then_the_secondaries() {
    let d = grown(&[(E, &["a", "b"]), (W, &["a"])]);
    // The source with its existing instance a: secondaries can start.
    let o = observed(&[(E, &["a"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::CreateSecondaryCluster {
            region: W.into(),
            instances: keys(&["a"])
        }]
    );
    // Then the declared instance b that did not exist.
    let o = observed(&[(E, &["a"]), (W, &["a"])]);
    assert_eq!(
        steps(next_phase(Some(&d), Some(&o), &ctx())),
        vec![Step::CreateInstance {
            region: E.into(),
            key: "b".into()
        }]
    );
}

#[test]
fn deleting_an_instance_of_the_source_is_spotted() {
    let d = grown(&[(E, &["a"]), (W, &["a"])]);
    // Instance x of the source is not declared: the planner would delete it.
    let o = observed(&[(E, &["a", "x"]), (W, &["a"])]);
    let phase = steps(next_phase(Some(&d), Some(&o), &ctx()));
    assert_eq!(
        deletes_from_source(&d, &phase),
        vec![format!("{}-x", cid(E))]
    );
    // Not grown: nothing to spot.
    let plain = desired(E, &[(E, &["a"]), (W, &["a"])]);
    assert!(deletes_from_source(&plain, &phase).is_empty());
    // Deletions elsewhere are not the source's.
    let o = observed(&[(E, &["a"]), (W, &["a", "x"])]);
    let phase = steps(next_phase(Some(&d), Some(&o), &ctx()));
    assert!(!phase.is_empty());
    assert!(deletes_from_source(&d, &phase).is_empty());
}
