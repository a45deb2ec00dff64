//! End-to-end with the emulator's AWS timing and consistency effects on
//! (asynchronous removal from the global cluster, read-after-write lag,
//! global clusters that keep no tags) and with objects forced into AWS's
//! odd statuses: create, a second plan without changes, removing a region,
//! destroy; a status that resolves by itself is waited out, one that does
//! not stops the apply with the object and status named.

use crate::common;

use aurora_emulator::{Behaviour, Object};
use common::{
    assert_no_changes, check, config, gci, per_host, regions, text, tf_ok, Emu, FAST_POLL,
};

const SCALE: f64 = 0.003;
/// Read-after-write lag in milliseconds: longer than the fast poll interval,
/// so that the reads right after each create miss the new object.
const LAG_MS: u64 = 1_500;
const LARGE: &str = "db.r6g.large";

const EAST: &str = r#"    "us-east-1" = { instance_class = "db.r6g.large", instances = { a = { promotion_tier = 0 } } }"#;
const EU: &str = r#"    "eu-west-1" = { instance_class = "db.r6g.large", instances = { a = {} } }"#;
const EU_2: &str =
    r#"    "eu-west-1" = { instance_class = "db.r6g.large", instances = { a = {}, b = {} } }"#;
const AP: &str = r#"    "ap-southeast-2" = {}"#;

fn body(id: &str, regions_hcl: &str) -> String {
    format!(
        "  engine_version = \"16.4\"\n  primary_region = \"us-east-1\"\n  master_password = \"correct-horse-battery\"\n  skip_final_snapshot = true\n  tags = {{ team = \"payments\" }}\n{regions_hcl}\n  # {id}\n"
    )
}

fn realistic(emu: &Emu) {
    let set = emu
        .admin()
        .behaviour(&Behaviour::realistic(LAG_MS))
        .unwrap();
    assert_eq!(set["async_detach"], true);
    assert_eq!(set["drop_global_tags"], true);
}

/// Failed calls of `action` with `code`.
fn refusals(emu: &Emu, action: &str, code: &str) -> usize {
    emu.calls()
        .iter()
        .filter(|c| c.action == action && c.code.as_deref() == Some(code))
        .count()
}

#[test]
fn converges_with_detach_lag_and_dropped_global_tags() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        realistic(&emu);
        let id = gci("real", host);
        let id = id.as_str();
        let w = common::Workdir::new(&config(&emu, id, &body(id, &regions(&[EAST, EU, AP]))));

        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let east = [("a", LARGE, 0)];
        let eu = [("a", LARGE, 1)];
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[
                ("us-east-1", &east),
                ("eu-west-1", &eu),
                ("ap-southeast-2", &[]),
            ],
            "create",
        );
        // The lag was real: reads right after a create missed the object.
        let missed = refusals(&emu, "DescribeGlobalClusters", "GlobalClusterNotFoundFault")
            + refusals(&emu, "DescribeDBClusters", "DBClusterNotFoundFault");
        assert!(
            missed > 0,
            "{}: no read fell into the lag window",
            host.name
        );
        // The global cluster really has no tags; its cluster has ours.
        let rds = emu.rds("us-east-1");
        let arn = format!("arn:aws:rds::123456789012:global-cluster:{id}");
        let tags = emu
            .block_on(rds.list_tags_for_resource().resource_name(&arn).send())
            .unwrap();
        assert!(tags.tag_list().is_empty(), "{}", host.name);

        // No diff although the global cluster reports no tags.
        assert_no_changes(&w, host, "plan after create");

        // Removing regions: the detach is asynchronous.
        w.write("main.tf", &config(&emu, id, &body(id, &regions(&[EAST]))));
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[("us-east-1", &east)],
            "remove regions",
        );
        assert!(emu.cluster_ids("eu-west-1").is_empty(), "{}", host.name);
        assert!(
            emu.cluster_ids("ap-southeast-2").is_empty(),
            "{}",
            host.name
        );
        assert_no_changes(&w, host, "plan after removal");

        // Destroy: the primary leaves asynchronously too; the global cluster
        // goes once it is empty.
        tf_ok(&w, host, &["destroy", "-auto-approve", "-no-color"]);
        assert!(
            emu.observe(id).is_none(),
            "{}: global cluster left",
            host.name
        );
        assert!(emu.cluster_ids("us-east-1").is_empty(), "{}", host.name);
    });
}

#[test]
fn odd_statuses_are_waited_out_or_reported() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        realistic(&emu);
        let id = gci("odd", host);
        let id = id.as_str();
        let w = common::Workdir::new(&config(&emu, id, &body(id, &regions(&[EAST, EU]))));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);

        // Transitional: back to available after 300 s at scale 0.003 (0.9 s).
        let admin = emu.admin();
        let eu_cluster = Object::Cluster("eu-west-1".into(), format!("{id}-eu-west-1"));
        for status in ["storage-optimization", "maintenance", "backing-up"] {
            admin
                .force_status(&eu_cluster, status, Some(300.0))
                .unwrap();
        }
        let east_instance = Object::Instance("us-east-1".into(), format!("{id}-us-east-1-a"));
        admin
            .force_status(&east_instance, "rebooting", Some(300.0))
            .unwrap();
        w.write(
            "main.tf",
            &config(&emu, id, &body(id, &regions(&[EAST, EU_2]))),
        );
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let east = [("a", LARGE, 0)];
        let eu = [("a", LARGE, 1), ("b", LARGE, 1)];
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[("us-east-1", &east), ("eu-west-1", &eu)],
            "waited out",
        );

        // Terminal: the apply stops, naming the object and its status, and
        // the state keeps what exists.
        admin
            .force_status(&eu_cluster, "inaccessible-encryption-credentials", None)
            .unwrap();
        w.write(
            "main.tf",
            &config(&emu, id, &body(id, &regions(&[EAST, EU]))),
        );
        let out = w.run_env(host, &["apply", "-auto-approve", "-no-color"], &FAST_POLL);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let err = String::from_utf8_lossy(&out.stderr).replace('\n', " ");
        let err: String = err.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            err.contains("inaccessible-encryption-credentials")
                && err.contains(&format!("{id}-eu-west-1")),
            "{}: {}",
            host.name,
            text(&out)
        );
        let state = tf_ok(&w, host, &["state", "pull"]);
        let state: serde_json::Value = serde_json::from_slice(&state.stdout).unwrap();
        let regions_state = &state["resources"][0]["instances"][0]["attributes"]["regions"];
        assert!(
            regions_state["eu-west-1"].is_object(),
            "{}: {state:#}",
            host.name
        );
        // Once the key is back, a re-run converges.
        admin.force_status(&eu_cluster, "available", None).unwrap();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(
            &emu,
            host,
            id,
            "us-east-1",
            &[("us-east-1", &east), ("eu-west-1", &[("a", LARGE, 1)])],
            "after recovery",
        );
        tf_ok(&w, host, &["destroy", "-auto-approve", "-no-color"]);
    });
}
