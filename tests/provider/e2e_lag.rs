//! End-to-end replication lag with real hosts against an in-process
//! `aurora-emulator`: lag set through the emulator's admin API shows in the
//! data source; a failover plan states the loss with its figure;
//! `max_data_loss` refuses a failover above it at plan time, lets one below
//! it through, and refuses it again at apply when the lag rose after the
//! plan; with CloudWatch unreachable the plan says so, the guard refuses,
//! and without a bound the failover goes ahead.

use crate::common;

use aurora_emulator::LagMetrics;
use common::{
    check, config, gci, per_host, regions, text, tf_ok, Emu, Host, Member, Workdir, FAST_POLL,
};

const SCALE: f64 = 0.003;
const LARGE: &str = "db.r6g.large";
const EAST: &str = r#"    "us-east-1" = { instance_class = "db.r6g.large", instances = { a = { promotion_tier = 0 } } }"#;
const EU: &str = r#"    "eu-west-1" = { instance_class = "db.r6g.large", instances = { a = {} } }"#;
const TWO: [Member; 2] = [
    ("us-east-1", &[("a", LARGE, 0)]),
    ("eu-west-1", &[("a", LARGE, 1)]),
];
/// An endpoint nothing listens on: CloudWatch unreachable.
const NOWHERE: &str = "http://127.0.0.1:9";

/// The topology with `primary` and extra top-level lines.
fn body(primary: &str, extra: &str) -> String {
    format!(
        "  engine_version = \"16.4\"\n  master_password = \"correct-horse-battery\"\n  skip_final_snapshot = true\n  primary_region = \"{primary}\"\n{extra}{}",
        regions(&[EAST, EU])
    )
}

fn both(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Terraform's output wraps long diagnostics; compare on single spaces.
fn flat(o: &std::process::Output) -> String {
    both(o)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(w: &Workdir, host: &Host, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut all: Vec<(&str, &str)> = FAST_POLL.to_vec();
    all.extend_from_slice(env);
    w.run_env(host, args, &all)
}

fn lag(emu: &Emu, replication_ms: f64, rpo_ms: f64) {
    emu.admin()
        .set_metrics(&LagMetrics::new("eu-west-1", replication_ms, rpo_ms))
        .unwrap();
}

fn failover_config(emu: &Emu, id: &str, bound: Option<&str>) -> String {
    let mut extra = "  failover_mode = \"failover\"\n".to_string();
    if let Some(b) = bound {
        extra.push_str(&format!("  max_data_loss = \"{b}\"\n"));
    }
    config(emu, id, &body("eu-west-1", &extra))
}

fn get_metric_data_regions(emu: &Emu) -> Vec<String> {
    emu.call_regions("GetMetricData")
}

#[test]
fn lag_shows_in_the_data_source_and_failover_plans_and_max_data_loss_guards_it() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("lag", host);
        let id = id.as_str();
        let w = Workdir::new(&config(&emu, id, &body("us-east-1", "")));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(&emu, host, id, "us-east-1", &TWO, "create");

        // The resource never reads CloudWatch on refresh or an empty plan.
        emu.clear_calls();
        let out = run(&w, host, &["plan", "-no-color", "-detailed-exitcode"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", host.name, text(&out));
        assert!(get_metric_data_regions(&emu).is_empty(), "{}", host.name);

        // The data source reports the lag set through the admin API.
        lag(&emu, 1500.0, 2500.0);
        let ds = format!(
            r#"{}
data "replication_topology" "read" {{
  global_cluster_identifier = replication_topology.orders.global_cluster_identifier
}}
output "eu" {{
  value = {{
    replication = data.replication_topology.read.regions["eu-west-1"].replication_lag_ms
    rpo         = data.replication_topology.read.regions["eu-west-1"].rpo_lag_ms
    at          = data.replication_topology.read.regions["eu-west-1"].lag_observed_at
  }}
}}
output "primary_lag" {{
  value = data.replication_topology.read.regions["us-east-1"].replication_lag_ms
}}
"#,
            config(&emu, id, &body("us-east-1", ""))
        );
        w.write("main.tf", &ds);
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let out = tf_ok(&w, host, &["output", "-json"]);
        let outputs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let eu = &outputs["eu"]["value"];
        assert_eq!(eu["replication"], 1500, "{}: {outputs}", host.name);
        assert_eq!(eu["rpo"], 2500, "{}: {outputs}", host.name);
        let at = eu["at"].as_str().unwrap_or_default();
        assert!(
            at.len() == 20 && at.ends_with('Z') && at.contains('T'),
            "{}: lag_observed_at {at:?}",
            host.name
        );
        assert!(
            outputs["primary_lag"]["value"].is_null(),
            "{}: {outputs}",
            host.name
        );
        // The data source read the secondary's region only.
        let read = get_metric_data_regions(&emu);
        assert!(
            !read.is_empty() && read.iter().all(|r| r == "eu-west-1"),
            "{}: {read:?}",
            host.name
        );
        w.write("main.tf", &config(&emu, id, &body("us-east-1", "")));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);

        // A failover plan states the loss with its figure, from one call to the target's region.
        w.write("main.tf", &failover_config(&emu, id, None));
        emu.clear_calls();
        let out = run(&w, host, &["plan", "-no-color"], &[]);
        assert!(out.status.success(), "{}: {}", host.name, text(&out));
        let said = flat(&out);
        assert!(
            said.contains("eu-west-1 was 2.5 s behind at")
                && said.contains("UTC: writes committed in that window are lost."),
            "{}: {said}",
            host.name
        );
        assert_eq!(
            get_metric_data_regions(&emu),
            ["eu-west-1"],
            "{}",
            host.name
        );

        // max_data_loss below the RPO lag: refused at plan time, naming both figures.
        w.write("main.tf", &failover_config(&emu, id, Some("2s")));
        let out = run(&w, host, &["plan", "-no-color"], &[]);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let said = flat(&out);
        assert!(
            said.contains("Failover Would Exceed max_data_loss")
                && said.contains("about 2.5 s")
                && said.contains("max_data_loss = \"2 s\""),
            "{}: {said}",
            host.name
        );

        // Saved plan under the bound, then the lag rises before apply: refused
        // again, and no failover is sent.
        lag(&emu, 300.0, 500.0);
        tf_ok(&w, host, &["plan", "-no-color", "-out=tfplan"]);
        lag(&emu, 300.0, 4000.0);
        emu.clear_calls();
        let out = run(
            &w,
            host,
            &["apply", "-auto-approve", "-no-color", "tfplan"],
            &[],
        );
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let said = flat(&out);
        assert!(
            said.contains("about 4 s") && said.contains("max_data_loss"),
            "{}: {said}",
            host.name
        );
        assert!(
            emu.call_regions("FailoverGlobalCluster").is_empty(),
            "{}",
            host.name
        );
        check(&emu, host, id, "us-east-1", &TWO, "refused failover");

        // Under the bound: the failover goes through, checked once more just before it is sent.
        lag(&emu, 300.0, 500.0);
        emu.clear_calls();
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        check(
            &emu,
            host,
            id,
            "eu-west-1",
            &TWO,
            "failover within max_data_loss",
        );
        let calls = emu.calls();
        let failover = calls
            .iter()
            .position(|c| c.action == "FailoverGlobalCluster" && c.code.is_none())
            .unwrap_or_else(|| panic!("{}: no failover: {calls:#?}", host.name));
        assert!(
            calls[..failover]
                .iter()
                .rev()
                .find(|c| c.action != "DescribeGlobalClusters"
                    && c.action != "DescribeDBClusters"
                    && c.action != "DescribeDBInstances")
                .is_some_and(|c| c.action == "GetMetricData" && c.region == "eu-west-1"),
            "{}: the last call before the failover is not the lag check: {calls:#?}",
            host.name
        );
        let out = run(&w, host, &["plan", "-no-color", "-detailed-exitcode"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", host.name, text(&out));
    });
}

#[test]
fn with_cloudwatch_unreachable_the_guard_refuses_and_an_unbounded_failover_proceeds() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("lagdown", host);
        let id = id.as_str();
        let w = Workdir::new(&config(&emu, id, &body("us-east-1", "")));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        lag(&emu, 1500.0, 2500.0);
        let unreachable = [("AWS_ENDPOINT_URL_CLOUDWATCH", NOWHERE)];

        // With a bound: refused at plan time, saying why and how to proceed.
        w.write("main.tf", &failover_config(&emu, id, Some("5s")));
        let out = run(
            &w,
            host,
            &["apply", "-auto-approve", "-no-color"],
            &unreachable,
        );
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let said = flat(&out);
        assert!(
            said.contains("could not be read")
                && said.contains("cannot be checked")
                && said.contains("remove max_data_loss"),
            "{}: {said}",
            host.name
        );
        assert!(
            emu.call_regions("FailoverGlobalCluster").is_empty(),
            "{}",
            host.name
        );

        // Without one: the plan says plainly that the loss is unknown, and the failover happens.
        w.write("main.tf", &failover_config(&emu, id, None));
        let out = run(
            &w,
            host,
            &["apply", "-auto-approve", "-no-color"],
            &unreachable,
        );
        assert!(out.status.success(), "{}: {}", host.name, text(&out));
        let said = flat(&out);
        assert!(
            said.contains(
                "How much would be lost is not known: CloudWatch in eu-west-1 could not be read"
            ),
            "{}: {said}",
            host.name
        );
        check(
            &emu,
            host,
            id,
            "eu-west-1",
            &TWO,
            "failover without a lag figure",
        );
    });
}
