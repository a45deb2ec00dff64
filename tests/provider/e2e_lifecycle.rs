//! End-to-end lifecycle of `replication_topology` with real hosts (OpenTofu
//! 1.6, Terraform 1.15) against an in-process `aurora-emulator`: create a
//! three-region topology with a headless region, an empty second plan, add
//! and remove regions (one update failing half way and resumed), resize and
//! add instances, import (CLI and `import` blocks), the data source, destroy
//! with a final snapshot (and refused under deletion protection); drift made
//! through the RDS API; a create that fails in a secondary region and
//! converges on re-apply. After every step the emulator is read back through
//! aws-sdk-rds, never through the provider's own output.

use crate::common;

use aurora_emulator::Fault;
use common::{
    assert_no_changes, assert_torn_down, check, config, gci, json_diff, per_host, plan_code,
    plan_json, regions, text, tf_ok, Emu, Member, Workdir, FAST_POLL,
};
use serde_json::json;

const SCALE: f64 = 0.003;
const LARGE: &str = "db.r6g.large";
const XLARGE: &str = "db.r6g.xlarge";

const EAST: &str = r#"    "us-east-1" = { instance_class = "db.r6g.large", instances = { a = { promotion_tier = 0 }, b = {} } }"#;
const EU: &str = r#"    "eu-west-1" = { instance_class = "db.r6g.large", instances = { a = {} } }"#;
const AP: &str = r#"    "ap-southeast-2" = {}"#;
const WEST: &str =
    r#"    "us-west-2" = { instance_class = "db.r6g.large", instances = { a = {} } }"#;
const EAST_3: &str = r#"    "us-east-1" = { instance_class = "db.r6g.large", instances = { a = { promotion_tier = 0 }, b = {}, c = { instance_class = "db.r6g.xlarge", promotion_tier = 2 } } }"#;
const EU_XL: &str =
    r#"    "eu-west-1" = { instance_class = "db.r6g.xlarge", instances = { a = {} } }"#;

fn settings(gci: &str, password: bool, snapshot: bool) -> String {
    let mut s = String::from("  engine_version = \"16.4\"\n  primary_region = \"us-east-1\"\n");
    if password {
        s.push_str("  master_password = \"correct-horse-battery\"\n");
    }
    if snapshot {
        s.push_str(&format!("  final_snapshot_identifier = \"{gci}-final\"\n"));
    }
    s
}

/// Actions that change AWS (everything but Describe* and ListTagsForResource).
fn mutating(emu: &Emu) -> Vec<String> {
    emu.calls()
        .into_iter()
        .filter(|c| !c.action.starts_with("Describe") && c.action != "ListTagsForResource")
        .map(|c| format!("{} {}", c.region, c.action))
        .collect()
}

#[test]
fn create_update_import_read_destroy() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("life", host);
        let id = id.as_str();
        let w = Workdir::new(&config(
            &emu,
            id,
            &(settings(id, true, true) + &regions(&[EAST, EU, AP])),
        ));

        // Create: three regions, one headless.
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let e = [("a", LARGE, 0), ("b", LARGE, 1)];
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[
                ("us-east-1", &e),
                ("eu-west-1", &[("a", LARGE, 1)]),
                ("ap-southeast-2", &[]),
            ],
            "create",
        );

        // A second plan is empty.
        assert_no_changes(&w, host, "plan after create");

        // Add a region. The first try fails creating its instance: the
        // update records what exists and names the step; applying again
        // finishes it.
        w.write(
            "main.tf",
            &config(
                &emu,
                id,
                &(settings(id, true, true) + &regions(&[EAST, EU, AP, WEST])),
            ),
        );
        emu.admin()
            .add_fault(
                &Fault::new("CreateDBInstance")
                    .error("InsufficientDBInstanceCapacity", 400)
                    .region("us-west-2"),
            )
            .unwrap();
        let out = w.run_env(host, &["apply", "-auto-approve", "-no-color"], &FAST_POLL);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Update Incomplete"),
            "{}: {}",
            host.name,
            text(&out)
        );
        assert!(
            err.contains("create instance \"a\" in us-west-2"),
            "{}: step named: {}",
            host.name,
            text(&out)
        );
        assert!(
            err.contains("InsufficientDBInstanceCapacity"),
            "{}: AWS error shown: {}",
            host.name,
            text(&out)
        );
        let state = tf_ok(&w, host, &["state", "pull"]);
        let state: serde_json::Value = serde_json::from_slice(&state.stdout).unwrap();
        let west_state =
            &state["resources"][0]["instances"][0]["attributes"]["regions"]["us-west-2"];
        assert_eq!(
            west_state["cluster_identifier"],
            format!("{id}-us-west-2"),
            "{}: the new cluster is in state: {state:#}",
            host.name
        );
        assert_eq!(west_state["instances"], json!({}), "{}", host.name);
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let eu = [("a", LARGE, 1)];
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[
                ("us-east-1", &e),
                ("eu-west-1", &eu),
                ("ap-southeast-2", &[]),
                ("us-west-2", &[("a", LARGE, 1)]),
            ],
            "adding us-west-2",
        );

        // Remove a region: its cluster is gone, without a snapshot.
        w.write(
            "main.tf",
            &config(
                &emu,
                id,
                &(settings(id, true, true) + &regions(&[EAST, EU, WEST])),
            ),
        );
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 2, "{}: {}", host.name, text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Region Will Be Removed"),
            "{}: {}",
            host.name,
            text(&out)
        );
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let west = [("a", LARGE, 1)];
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[("us-east-1", &e), ("eu-west-1", &eu), ("us-west-2", &west)],
            "removing ap-southeast-2",
        );
        assert_eq!(
            emu.cluster_ids("ap-southeast-2"),
            Vec::<String>::new(),
            "{}",
            host.name
        );
        assert_eq!(emu.snapshots("ap-southeast-2"), vec![], "{}", host.name);

        // Resize an instance (through the region's class) and add one.
        w.write(
            "main.tf",
            &config(
                &emu,
                id,
                &(settings(id, true, true) + &regions(&[EAST_3, EU_XL, WEST])),
            ),
        );
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let e3 = [("a", LARGE, 0), ("b", LARGE, 1), ("c", XLARGE, 2)];
        let final_layout: [Member; 3] = [
            ("us-east-1", &e3),
            ("eu-west-1", &[("a", XLARGE, 1)]),
            ("us-west-2", &west),
        ];
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &final_layout,
            "resize and add instances",
        );
        assert_no_changes(&w, host, "plan after resize");

        // Import into an empty state with the CLI. Passwords cannot be read
        // back and final_snapshot_identifier lives only in configuration, so
        // the configuration leaves both out: planning it shows no changes.
        let imported = config(
            &emu,
            id,
            &(settings(id, false, false) + &regions(&[EAST_3, EU_XL, WEST])),
        );
        w.write("main.tf", &imported);
        std::fs::remove_file(w.path().join("terraform.tfstate")).unwrap();
        let _ = std::fs::remove_file(w.path().join("terraform.tfstate.backup"));
        emu.clear_calls();
        tf_ok(
            &w,
            host,
            &["import", "-no-color", "replication_topology.orders", id],
        );
        assert_no_changes(&w, host, "plan after import");
        // `state pull`, not `show -json`: OpenTofu 1.6 cannot show a state
        // without `init` under dev_overrides.
        let state = tf_ok(&w, host, &["state", "pull"]);
        let state: serde_json::Value = serde_json::from_slice(&state.stdout).unwrap();
        let values = &state["resources"][0]["instances"][0]["attributes"];
        assert_eq!(
            values["regions"]["us-east-1"]["instances"]["c"]["identifier"],
            format!("{id}-us-east-1-c"),
            "{}",
            host.name
        );
        assert_eq!(
            values["master_password"],
            serde_json::Value::Null,
            "{}",
            host.name
        );

        // Import through an `import` block: the plan imports and changes nothing.
        std::fs::remove_file(w.path().join("terraform.tfstate")).unwrap();
        let _ = std::fs::remove_file(w.path().join("terraform.tfstate.backup"));
        w.write(
            "import.tf",
            &format!("import {{\n  to = replication_topology.orders\n  id = \"{id}\"\n}}\n"),
        );
        let (_, plan) = plan_json(&w, host);
        let rc = &plan["resource_changes"][0];
        assert_eq!(
            rc["change"]["actions"],
            json!(["no-op"]),
            "{}: {rc:#}",
            host.name
        );
        assert_eq!(rc["change"]["importing"]["id"], id, "{}: {rc:#}", host.name);
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color", "tfplan"]);
        std::fs::remove_file(w.path().join("import.tf")).unwrap();
        let (code, out) = plan_code(&w, host);
        assert_eq!(
            code,
            0,
            "{}: plan after import block: {}",
            host.name,
            text(&out)
        );

        // Back to the full configuration (final snapshot): a state-only update.
        w.write(
            "main.tf",
            &config(
                &emu,
                id,
                &(settings(id, false, true) + &regions(&[EAST_3, EU_XL, WEST])),
            ),
        );
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        assert_eq!(
            mutating(&emu),
            Vec::<String>::new(),
            "{}: importing and setting config-only values call AWS",
            host.name
        );

        // The data source reads the same topology.
        let data = format!(
            "{}\ndata \"replication_topology\" \"read\" {{\n  global_cluster_identifier = \"{id}\"\n}}\n\noutput \"read\" {{\n  value = data.replication_topology.read\n}}\n",
            config(&emu, id, &(settings(id, false, true) + &regions(&[EAST_3, EU_XL, WEST])))
        );
        w.write("main.tf", &data);
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let out = tf_ok(&w, host, &["output", "-json", "read"]);
        let ds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let t = emu.observe(id).unwrap();
        assert_eq!(ds["primary_region"], "us-east-1", "{}: {ds:#}", host.name);
        assert_eq!(ds["engine_version"], t.engine_version, "{}", host.name);
        assert_eq!(ds["global_cluster_identifier"], id);
        assert!(
            ds.get("master_password").is_none(),
            "{}: data source has no password: {ds:#}",
            host.name
        );
        let ds_regions = ds["regions"].as_object().unwrap();
        assert_eq!(
            ds_regions.keys().collect::<Vec<_>>(),
            t.regions.keys().collect::<Vec<_>>(),
            "{}",
            host.name
        );
        for (r, c) in &t.regions {
            let dr = &ds["regions"][r];
            assert_eq!(dr["cluster_identifier"], c.id, "{}: {r}", host.name);
            assert_eq!(dr["arn"], c.arn, "{}: {r}", host.name);
            assert_eq!(
                dr["role"],
                if r == "us-east-1" {
                    "primary"
                } else {
                    "secondary"
                },
                "{}: {r}",
                host.name
            );
            let di = dr["instances"].as_object().unwrap();
            assert_eq!(di.len(), c.instances.len(), "{}: {r}: {dr:#}", host.name);
            for i in di.values() {
                let have = &c.instances[i["identifier"].as_str().unwrap()];
                assert_eq!(i["instance_class"], have.class, "{}: {r}", host.name);
                assert_eq!(i["promotion_tier"], have.tier, "{}: {r}", host.name);
            }
        }

        // Destroy: only the primary's final snapshot remains.
        w.write(
            "main.tf",
            &config(
                &emu,
                id,
                &(settings(id, false, true) + &regions(&[EAST_3, EU_XL, WEST])),
            ),
        );
        tf_ok(&w, host, &["destroy", "-auto-approve", "-no-color"]);
        assert_torn_down(
            &emu,
            host,
            id,
            &["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"],
            "us-east-1",
        );
    });
}

#[test]
fn drift_made_through_the_rds_api_shows_in_the_plan() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("drift", host);
        let id = id.as_str();
        let eu2 = r#"    "eu-west-1" = { instance_class = "db.r6g.large", instances = { a = {}, b = {} } }"#;
        let w = Workdir::new(&config(
            &emu,
            id,
            &(settings(id, true, false)
                + "  skip_final_snapshot = true\n"
                + &regions(&[EAST, eu2])),
        ));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[
                ("us-east-1", &[("a", LARGE, 0), ("b", LARGE, 1)]),
                ("eu-west-1", &[("a", LARGE, 1), ("b", LARGE, 1)]),
            ],
            "create",
        );

        // Outside Terraform: add an instance, change a promotion tier, delete an instance.
        let eu = emu.rds("eu-west-1");
        let east = emu.rds("us-east-1");
        emu.block_on(async {
            eu.create_db_instance()
                .db_instance_identifier(format!("{id}-eu-west-1-c"))
                .db_cluster_identifier(format!("{id}-eu-west-1"))
                .db_instance_class(XLARGE)
                .engine("aurora-postgresql")
                .promotion_tier(4)
                .send()
                .await
                .unwrap();
            east.modify_db_instance()
                .db_instance_identifier(format!("{id}-us-east-1-b"))
                .promotion_tier(7)
                .apply_immediately(true)
                .send()
                .await
                .unwrap();
            eu.delete_db_instance()
                .db_instance_identifier(format!("{id}-eu-west-1-b"))
                .send()
                .await
                .unwrap();
            // And a whole (headless) region joins the global database.
            emu.rds("us-west-2")
                .create_db_cluster()
                .db_cluster_identifier(format!("{id}-us-west-2"))
                .engine("aurora-postgresql")
                .engine_version("16.4")
                .global_cluster_identifier(id)
                .send()
                .await
                .unwrap();
        });
        emu.wait_settled(id);
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[
                ("us-east-1", &[("a", LARGE, 0), ("b", LARGE, 7)]),
                ("eu-west-1", &[("a", LARGE, 1), ("c", XLARGE, 4)]),
                ("us-west-2", &[]),
            ],
            "drift",
        );

        let (_, plan) = plan_json(&w, host);
        // What refresh found: exactly the four changes.
        let drift = plan["resource_drift"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no resource_drift: {plan:#}", host.name));
        assert_eq!(drift.len(), 1, "{}: {drift:#?}", host.name);
        let (before, after) = (&drift[0]["change"]["before"], &drift[0]["change"]["after"]);
        let changed = json_diff(before, after);
        assert_eq!(
            changed,
            vec![
                "regions.eu-west-1.instances.b".to_string(),
                "regions.eu-west-1.instances.c".to_string(),
                "regions.us-east-1.instances.b.promotion_tier".to_string(),
                "regions.us-west-2".to_string(),
            ],
            "{}: drift before/after: {before:#}\n{after:#}",
            host.name
        );
        assert_eq!(
            after["regions"]["eu-west-1"]["instances"]["c"]["instance_class"],
            XLARGE
        );
        assert_eq!(
            after["regions"]["eu-west-1"]["instances"]["c"]["promotion_tier"],
            4
        );
        assert_eq!(
            after["regions"]["us-east-1"]["instances"]["b"]["promotion_tier"],
            7
        );
        assert_eq!(after["regions"]["us-west-2"]["role"], "secondary");
        assert_eq!(after["regions"]["us-west-2"]["instances"], json!({}));

        // The planned update undoes exactly that (plus values apply recomputes).
        let rc = &plan["resource_changes"][0];
        assert_eq!(
            rc["change"]["actions"],
            json!(["update"]),
            "{}: {rc:#}",
            host.name
        );
        let (b, a) = (&rc["change"]["before"], &rc["change"]["after"]);
        let mut changed = json_diff(b, a);
        // status and pending_changes: recomputed wherever something changes.
        changed.retain(|p| {
            !p.ends_with(".status") && p != "status" && !p.ends_with(".pending_changes")
        });
        assert_eq!(
            changed,
            vec![
                "regions.eu-west-1.instances.b".to_string(),
                "regions.eu-west-1.instances.c".to_string(),
                "regions.us-east-1.instances.b.promotion_tier".to_string(),
                "regions.us-west-2".to_string(),
            ],
            "{}: planned change: {b:#}\n{a:#}",
            host.name
        );
        assert_eq!(
            a["regions"]["us-east-1"]["instances"]["b"]["promotion_tier"],
            1
        );
        assert_eq!(
            rc["change"]["after_unknown"]["regions"]["eu-west-1"]["instances"]["b"]["arn"], true,
            "{}",
            host.name
        );

        // Applying it converges (and removes the region nobody declared).
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        assert!(emu.cluster_ids("us-west-2").is_empty(), "{}", host.name);
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[
                ("us-east-1", &[("a", LARGE, 0), ("b", LARGE, 1)]),
                ("eu-west-1", &[("a", LARGE, 1), ("b", LARGE, 1)]),
            ],
            "apply after drift",
        );
        assert_no_changes(&w, host, "plan");
    });
}

#[test]
fn failed_create_in_a_secondary_region_resumes_on_reapply_and_protection_refuses_destroy() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("resume", host);
        let id = id.as_str();
        let one =
            r#"    "us-east-1" = { instance_class = "db.r6g.large", instances = { a = {} } }"#;
        let w = Workdir::new(&config(
            &emu,
            id,
            &(settings(id, true, false) + "  skip_final_snapshot = true\n" + &regions(&[one, EU])),
        ));
        // A non-retryable error, so the SDK gives up at once.
        emu.admin()
            .add_fault(
                &Fault::new("CreateDBCluster")
                    .error("InvalidParameterValue", 400)
                    .region("eu-west-1")
                    .message("Injected: subnet group has no subnet in eu-west-1"),
            )
            .unwrap();
        let out = w.run_env(host, &["apply", "-auto-approve", "-no-color"], &FAST_POLL);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Topology Creation Incomplete"),
            "{}: {}",
            host.name,
            text(&out)
        );
        assert!(
            err.contains("create the secondary cluster in eu-west-1"),
            "{}: step named: {}",
            host.name,
            text(&out)
        );
        assert!(
            err.contains("InvalidParameterValue") || err.contains("Injected"),
            "{}: AWS error shown: {}",
            host.name,
            text(&out)
        );
        let list = tf_ok(&w, host, &["state", "list"]);
        assert_eq!(
            String::from_utf8_lossy(&list.stdout).trim(),
            "",
            "{}: a failed create leaves no state",
            host.name
        );
        let before = emu.observe(id).expect("the global cluster was created");
        let primary = before.regions["us-east-1"].clone();
        assert!(!before.regions.contains_key("eu-west-1"), "{}", host.name);

        // A plain re-apply adopts what exists and finishes.
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[
                ("us-east-1", &[("a", LARGE, 1)]),
                ("eu-west-1", &[("a", LARGE, 1)]),
            ],
            "re-apply",
        );
        let after = emu.observe(id).unwrap();
        assert_eq!(after.regions["us-east-1"].arn, primary.arn, "{}", host.name);
        assert_eq!(
            after.regions["us-east-1"].create_time, primary.create_time,
            "{}: primary recreated",
            host.name
        );
        let calls = emu.calls();
        let count = |action: &str, region: &str| {
            calls
                .iter()
                .filter(|c| c.action == action && c.region == region && c.code.is_none())
                .count()
        };
        assert_eq!(
            calls
                .iter()
                .filter(|c| c.action == "CreateGlobalCluster")
                .count(),
            1,
            "{}: {calls:#?}",
            host.name
        );
        assert_eq!(count("CreateDBCluster", "us-east-1"), 1, "{}", host.name);
        assert_eq!(count("CreateDBCluster", "eu-west-1"), 1, "{}", host.name);
        for action in [
            "DeleteDBCluster",
            "DeleteGlobalCluster",
            "DeleteDBInstance",
            "RemoveFromGlobalCluster",
        ] {
            assert!(
                calls.iter().all(|c| c.action != action),
                "{}: {action} was called: {calls:#?}",
                host.name
            );
        }
        assert_no_changes(&w, host, "plan");

        // Deletion protection refuses a destroy with a clear diagnostic.
        let protected = settings(id, true, false)
            + "  skip_final_snapshot = true\n  deletion_protection = true\n"
            + &regions(&[one, EU]);
        w.write("main.tf", &config(&emu, id, &protected));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let g = emu
            .block_on(
                emu.rds("us-east-1")
                    .describe_global_clusters()
                    .global_cluster_identifier(id)
                    .send(),
            )
            .unwrap();
        assert_eq!(
            g.global_clusters()[0].deletion_protection(),
            Some(true),
            "{}",
            host.name
        );
        let out = w.run_env(host, &["destroy", "-auto-approve", "-no-color"], &FAST_POLL);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("Deletion Protection Is On"),
            "{}: {}",
            host.name,
            text(&out)
        );
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[
                ("us-east-1", &[("a", LARGE, 1)]),
                ("eu-west-1", &[("a", LARGE, 1)]),
            ],
            "refused destroy",
        );
    });
}
