//! End-to-end primary moves and engine upgrades with real hosts (OpenTofu
//! 1.6, Terraform 1.15) against an in-process `aurora-emulator`: switchover
//! and back, failover while the primary's region is in outage and recovery,
//! switchover and failover drift made through the RDS API with
//! `primary_region` set and unset, moving the primary together with removing
//! or adding a region, and minor and major upgrades. The writer is read
//! through aws-sdk-rds and the order of AWS calls from the emulator's call
//! log.

use crate::common;

use common::{
    assert_no_changes, assert_torn_down, check, config, gci, per_host, plan_code, plan_json,
    regions, text, tf_ok, Emu, Host, Member, Workdir, FAST_POLL,
};

const SCALE: f64 = 0.003;
const LARGE: &str = "db.r6g.large";
const SWITCHOVER_WARNING: &str = "Primary Will Move By Managed Switchover";

const EAST: &str = r#"    "us-east-1" = { instance_class = "db.r6g.large", instances = { a = { promotion_tier = 0 } } }"#;
const EU: &str = r#"    "eu-west-1" = { instance_class = "db.r6g.large", instances = { a = {} } }"#;
const WEST: &str =
    r#"    "us-west-2" = { instance_class = "db.r6g.large", instances = { a = {} } }"#;

/// Engine version, primary region (None = unset), extra lines, regions.
fn body(version: &str, primary: Option<&str>, extra: &str, lines: &[&str]) -> String {
    let mut s = format!("  engine_version = \"{version}\"\n  master_password = \"correct-horse-battery\"\n  skip_final_snapshot = true\n");
    if let Some(p) = primary {
        s.push_str(&format!("  primary_region = \"{p}\"\n"));
    }
    s.push_str(extra);
    s + &regions(lines)
}

fn both(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Creates the topology and checks it through the RDS API.
fn create(emu: &Emu, host: &Host, w: &Workdir, id: &str, want: common::Want<'_>) {
    tf_ok(w, host, &["apply", "-auto-approve", "-no-color"]);
    check(emu, host, id, "us-east-1", want, "create");
}

/// Index of the first successful call of `action` in `region`.
fn position(calls: &[common::Call], action: &str, region: &str) -> usize {
    calls
        .iter()
        .position(|c| c.action == action && c.region == region && c.code.is_none())
        .unwrap_or_else(|| panic!("no {action} in {region}: {calls:#?}"))
}

const TWO: [Member; 2] = [
    ("us-east-1", &[("a", LARGE, 0)]),
    ("eu-west-1", &[("a", LARGE, 1)]),
];

#[test]
fn switchover_and_back_then_out_of_band_switchover_and_failover_drift() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("swo", host);
        let id = id.as_str();
        let w = Workdir::new(&config(
            &emu,
            id,
            &body("16.4", Some("us-east-1"), "", &[EAST, EU]),
        ));
        create(&emu, host, &w, id, &TWO);

        // To eu-west-1: the plan warns, SwitchoverGlobalCluster goes to the old primary's region.
        w.write(
            "main.tf",
            &config(&emu, id, &body("16.4", Some("eu-west-1"), "", &[EAST, EU])),
        );
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 2, "{}: {}", host.name, text(&out));
        assert!(
            both(&out).contains(SWITCHOVER_WARNING),
            "{}: {}",
            host.name,
            text(&out)
        );
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(&emu, host, id, "eu-west-1", &TWO, "switchover to eu-west-1");
        assert_eq!(
            emu.call_regions("SwitchoverGlobalCluster"),
            ["us-east-1"],
            "{}",
            host.name
        );
        assert_no_changes(&w, host, "plan");

        // And back.
        w.write(
            "main.tf",
            &config(&emu, id, &body("16.4", Some("us-east-1"), "", &[EAST, EU])),
        );
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &TWO,
            "switchover back to us-east-1",
        );
        assert_eq!(
            emu.call_regions("SwitchoverGlobalCluster"),
            ["eu-west-1"],
            "{}",
            host.name
        );

        // Someone switches over outside Terraform.
        let target = emu.observe(id).unwrap().regions["eu-west-1"].arn.clone();
        emu.block_on(
            emu.rds("us-east-1")
                .switchover_global_cluster()
                .global_cluster_identifier(id)
                .target_db_cluster_identifier(target)
                .send(),
        )
        .unwrap();
        emu.wait_settled(id);
        assert_eq!(
            emu.observe(id).unwrap().writer.as_deref(),
            Some("eu-west-1"),
            "{}",
            host.name
        );

        // primary_region set: the plan moves it back, with the warning.
        let (out, plan) = plan_json(&w, host);
        assert!(
            both(&out).contains(SWITCHOVER_WARNING),
            "{}: {}",
            host.name,
            text(&out)
        );
        let rc = &plan["resource_changes"][0]["change"];
        assert_eq!(
            rc["before"]["primary_region"], "eu-west-1",
            "{}: refresh shows the real writer",
            host.name
        );
        assert_eq!(rc["after"]["primary_region"], "us-east-1", "{}", host.name);
        assert_eq!(
            rc["before"]["regions"]["eu-west-1"]["role"], "primary",
            "{}",
            host.name
        );
        assert_eq!(
            rc["after"]["regions"]["us-east-1"]["role"], "primary",
            "{}",
            host.name
        );

        // primary_region unset: the provider follows the writer; nothing to do.
        w.write(
            "main.tf",
            &config(&emu, id, &body("16.4", None, "", &[EAST, EU])),
        );
        let out = assert_no_changes(&w, host, "primary_region unset");
        assert!(
            !both(&out).contains(SWITCHOVER_WARNING),
            "{}: {}",
            host.name,
            text(&out)
        );
        tf_ok(
            &w,
            host,
            &["apply", "-refresh-only", "-auto-approve", "-no-color"],
        );

        // The same after a failover done outside Terraform: refresh follows
        // the new writer and the plan stays empty.
        let target = emu.observe(id).unwrap().regions["us-east-1"].arn.clone();
        emu.block_on(
            emu.rds("us-east-1")
                .failover_global_cluster()
                .global_cluster_identifier(id)
                .target_db_cluster_identifier(target)
                .allow_data_loss(true)
                .send(),
        )
        .unwrap();
        emu.wait_settled(id);
        assert_eq!(
            emu.observe(id).unwrap().writer.as_deref(),
            Some("us-east-1"),
            "{}",
            host.name
        );
        let (_, plan) = plan_json(&w, host);
        let rc = &plan["resource_changes"][0]["change"];
        assert_eq!(
            rc["actions"],
            serde_json::json!(["no-op"]),
            "{}: {rc:#}",
            host.name
        );
        assert_eq!(rc["after"]["primary_region"], "us-east-1", "{}", host.name);
        assert_eq!(
            rc["after"]["regions"]["us-east-1"]["role"], "primary",
            "{}",
            host.name
        );
        assert_eq!(
            rc["after"]["regions"]["eu-west-1"]["role"], "secondary",
            "{}",
            host.name
        );
    });
}

#[test]
fn failover_during_an_outage_of_the_primary_region_then_recovery() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("fo", host);
        let id = id.as_str();
        let w = Workdir::new(&config(
            &emu,
            id,
            &body("16.4", Some("us-east-1"), "", &[EAST, EU]),
        ));
        create(&emu, host, &w, id, &TWO);

        emu.admin().outage("us-east-1").unwrap();

        // A managed switchover needs the primary's region: the apply stops
        // and points to failover_mode.
        w.write(
            "main.tf",
            &config(&emu, id, &body("16.4", Some("eu-west-1"), "", &[EAST, EU])),
        );
        let out = w.run_env(host, &["apply", "-auto-approve", "-no-color"], &FAST_POLL);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let err = String::from_utf8_lossy(&out.stderr).replace('\n', " ");
        assert!(
            err.contains("us-east-1") && err.contains("failover_mode = \"failover\""),
            "{}: {}",
            host.name,
            text(&out)
        );
        assert!(
            emu.call_regions("SwitchoverGlobalCluster").is_empty(),
            "{}",
            host.name
        );
        let t = emu.observe_via(id, "eu-west-1", &["us-east-1"]).unwrap();
        assert_eq!(t.writer.as_deref(), Some("us-east-1"), "{}", host.name);

        let failover = "  failover_mode = \"failover\"\n";
        w.write(
            "main.tf",
            &config(
                &emu,
                id,
                &body("16.4", Some("eu-west-1"), failover, &[EAST, EU]),
            ),
        );
        emu.clear_calls();
        let out = tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let shown = both(&out);
        assert!(
            shown.contains("Primary Will Fail Over With Possible Data Loss"),
            "{}: {}",
            host.name,
            text(&out)
        );
        assert!(
            shown.contains("Region Could Not Be Read"),
            "{}: refresh warns about us-east-1: {}",
            host.name,
            text(&out)
        );
        let t = emu.observe_via(id, "eu-west-1", &["us-east-1"]).unwrap();
        assert_eq!(
            t.writer.as_deref(),
            Some("eu-west-1"),
            "{}: {t:#?}",
            host.name
        );
        assert_eq!(
            emu.call_regions("FailoverGlobalCluster"),
            ["eu-west-1"],
            "{}",
            host.name
        );
        assert!(
            emu.call_regions("SwitchoverGlobalCluster").is_empty(),
            "{}",
            host.name
        );

        // The region comes back; the old primary resynchronises as a
        // secondary (slowly enough here to still be at it below).
        emu.admin().set_time_scale(0.06).unwrap();
        emu.admin().restore("us-east-1").unwrap();
        emu.admin().set_time_scale(SCALE).unwrap();
        emu.wait_settled(id);
        assert_no_changes(&w, host, "after recovery");
        check(&emu, host, id, "eu-west-1", &TWO, "recovery");

        // Switching back while it resynchronises waits for it, then switches over.
        let sync =
            |emu: &Emu| emu.admin().state().unwrap()["global_clusters"][0]["members"].clone();
        let members = sync(&emu);
        assert!(
            members.to_string().contains("pending-resync"),
            "{}: {members:#}",
            host.name
        );
        w.write(
            "main.tf",
            &config(&emu, id, &body("16.4", Some("us-east-1"), "", &[EAST, EU])),
        );
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &TWO,
            "switching back after the resync",
        );
        let switchovers: Vec<_> = emu
            .calls()
            .into_iter()
            .filter(|c| c.action == "SwitchoverGlobalCluster")
            .collect();
        assert_eq!(
            switchovers.len(),
            1,
            "{}: one switchover, none refused: {switchovers:#?}",
            host.name
        );
        assert_eq!(switchovers[0].region, "eu-west-1", "{}", host.name);
        assert_eq!(switchovers[0].code, None, "{}", host.name);
    });
}

#[test]
fn move_and_remove_then_move_to_an_added_region_then_destroy() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("mv", host);
        let id = id.as_str();
        let w = Workdir::new(&config(
            &emu,
            id,
            &body("16.4", Some("us-east-1"), "", &[EAST, EU]),
        ));
        create(&emu, host, &w, id, &TWO);

        // Move the primary to eu-west-1 and drop us-east-1 in one apply.
        w.write(
            "main.tf",
            &config(&emu, id, &body("16.4", Some("eu-west-1"), "", &[EU])),
        );
        emu.clear_calls();
        let out = tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        assert!(
            both(&out).contains(SWITCHOVER_WARNING),
            "{}: {}",
            host.name,
            text(&out)
        );
        assert!(
            both(&out).contains("Region Will Be Removed"),
            "{}: {}",
            host.name,
            text(&out)
        );
        check(
            &emu,
            host,
            id,
            "eu-west-1",
            &[("eu-west-1", &[("a", LARGE, 1)])],
            "move and remove",
        );
        assert!(emu.cluster_ids("us-east-1").is_empty(), "{}", host.name);
        assert!(emu.snapshots("us-east-1").is_empty(), "{}", host.name);
        let calls = emu.calls();
        assert!(
            position(&calls, "SwitchoverGlobalCluster", "us-east-1")
                < position(&calls, "RemoveFromGlobalCluster", "us-east-1"),
            "{}: switch over before detaching: {calls:#?}",
            host.name
        );
        assert_no_changes(&w, host, "plan");

        // Add us-west-2 and make it the primary in the same apply.
        w.write(
            "main.tf",
            &config(&emu, id, &body("16.4", Some("us-west-2"), "", &[EU, WEST])),
        );
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(
            &emu,
            host,
            id,
            "us-west-2",
            &[
                ("eu-west-1", &[("a", LARGE, 1)]),
                ("us-west-2", &[("a", LARGE, 1)]),
            ],
            "move to an added region",
        );
        let calls = emu.calls();
        let switch = position(&calls, "SwitchoverGlobalCluster", "eu-west-1");
        assert!(
            position(&calls, "CreateDBCluster", "us-west-2") < switch,
            "{}: {calls:#?}",
            host.name
        );
        assert!(
            position(&calls, "CreateDBInstance", "us-west-2") < switch,
            "{}: {calls:#?}",
            host.name
        );
        assert_no_changes(&w, host, "plan");

        // Destroy after the moves: the final snapshot is the current primary's.
        let keep = body("16.4", Some("us-west-2"), "", &[EU, WEST]).replace(
            "skip_final_snapshot = true",
            &format!("final_snapshot_identifier = \"{id}-final\""),
        );
        w.write("main.tf", &config(&emu, id, &keep));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        tf_ok(&w, host, &["destroy", "-auto-approve", "-no-color"]);
        assert_torn_down(
            &emu,
            host,
            id,
            &["us-east-1", "eu-west-1", "us-west-2"],
            "us-west-2",
        );
    });
}

#[test]
fn minor_upgrade_goes_secondaries_first_and_major_through_the_global_cluster() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("upg", host);
        let id = id.as_str();
        let three = [EAST, EU, WEST];
        let want: [Member; 3] = [
            ("us-east-1", &[("a", LARGE, 0)]),
            ("eu-west-1", &[("a", LARGE, 1)]),
            ("us-west-2", &[("a", LARGE, 1)]),
        ];
        let w = Workdir::new(&config(
            &emu,
            id,
            &body("16.4", Some("us-east-1"), "", &three),
        ));
        create(&emu, host, &w, id, &want);

        // Minor: ModifyDBCluster EngineVersion on each secondary, then the primary.
        w.write(
            "main.tf",
            &config(&emu, id, &body("16.6", Some("us-east-1"), "", &three)),
        );
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(&emu, host, id, "us-east-1", &want, "minor upgrade");
        // (The emulator leaves DescribeGlobalClusters' EngineVersion as it
        // was after per-cluster upgrades; the members are what counts.)
        let t = emu.observe(id).unwrap();
        assert!(
            t.regions.values().all(|c| c.engine_version == "16.6"),
            "{}: {t:#?}",
            host.name
        );
        let order = emu.call_regions("ModifyDBCluster");
        assert_eq!(order.len(), 3, "{}: {order:?}", host.name);
        assert_eq!(
            order[2], "us-east-1",
            "{}: primary last: {order:?}",
            host.name
        );
        let mut first: Vec<&str> = order[..2].iter().map(String::as_str).collect();
        first.sort();
        assert_eq!(first, ["eu-west-1", "us-west-2"], "{}", host.name);
        assert!(
            emu.call_regions("ModifyGlobalCluster").is_empty(),
            "{}",
            host.name
        );

        // Major without allow_major_version_upgrade: a plan-time error on engine_version.
        w.write(
            "main.tf",
            &config(&emu, id, &body("17.4", Some("us-east-1"), "", &three)),
        );
        let out = w.run_env(host, &["plan", "-no-color"], &FAST_POLL);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Major Version Upgrade Not Allowed"),
            "{}: {}",
            host.name,
            text(&out)
        );
        assert!(
            err.contains("engine_version"),
            "{}: {}",
            host.name,
            text(&out)
        );

        // With it: one ModifyGlobalCluster upgrades every region.
        let allow = "  allow_major_version_upgrade = true\n";
        w.write(
            "main.tf",
            &config(&emu, id, &body("17.4", Some("us-east-1"), allow, &three)),
        );
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(&emu, host, id, "us-east-1", &want, "major upgrade");
        let t = emu.observe(id).unwrap();
        assert_eq!(t.engine_version, "17.4", "{}", host.name);
        assert!(
            t.regions.values().all(|c| c.engine_version == "17.4"),
            "{}: {t:#?}",
            host.name
        );
        assert_eq!(
            emu.call_regions("ModifyGlobalCluster").len(),
            1,
            "{}",
            host.name
        );
        assert!(
            emu.call_regions("ModifyDBCluster").is_empty(),
            "{}",
            host.name
        );
        assert_no_changes(&w, host, "plan");
    });
}
