//! End-to-end against moto (`moto[server]`, an independent RDS
//! implementation installed into `.tools/venv` by `make tools`): create a
//! two-region topology, read it back (a plan without changes), import it
//! into an empty state, then destroy it. The test starts its own moto server
//! on a loopback port; it is skipped, saying why, only when moto is not
//! installed.
//!
//! What moto (5.2.5) does differently, and how the provider copes:
//! * Global clusters come back without tags (`TagList` empty) and
//!   AddTagsToResource / ListTagsForResource refuse a global cluster ARN:
//!   the create keeps the global cluster it made, and its tags are read
//!   from the writer cluster (see `topology::reconcile::ownership`).
//! * DescribeGlobalClusters ignores `GlobalClusterIdentifier` and the
//!   `db-cluster-id` filter (it lists every global cluster of the region
//!   where it was created): the provider picks its own by identifier.
//! * RemoveFromGlobalCluster answers without a `GlobalCluster` element.
//! * RemoveFromGlobalCluster of a member in another region than the one the
//!   global cluster was created in does nothing (moto looks the cluster up
//!   in the calling region only), and a detached cluster keeps its
//!   `GlobalClusterIdentifier`. AWS accepts the call, so this cannot be
//!   worked around with calls AWS would also accept: the destroy stops at
//!   the secondary's detachment when its timeout passes, reports what
//!   exists and keeps it in the state, which is what the test checks.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;

use common::{assert_no_changes, gci, header, per_host, regions, text, tf_ok, Workdir};

/// The moto server installed by scripts/install-tools.sh.
fn moto_server() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/moto_server");
    p.exists().then_some(p)
}

/// A running moto server, stopped on drop.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start(bin: &PathBuf) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto { child, port }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn rds(&self, rt: &tokio::runtime::Runtime, region: &str) -> aws_sdk_rds::Client {
        let _guard = rt.enter();
        let conf = aws_sdk_rds::Config::builder()
            .behavior_version(aws_sdk_rds::config::BehaviorVersion::latest())
            .region(aws_sdk_rds::config::Region::new(region.to_string()))
            .credentials_provider(aws_sdk_rds::config::Credentials::new(
                "AKIDEXAMPLE",
                "secret-example-key",
                None,
                None,
                "test",
            ))
            .endpoint_url(self.endpoint())
            .build();
        aws_sdk_rds::Client::from_conf(conf)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The topology; `for_destroy` adds what only a destroy reads (no final
/// snapshot, a short delete timeout), which an import cannot recover.
fn config(moto: &Moto, id: &str, password: bool, for_destroy: bool) -> String {
    let timeouts = if for_destroy {
        "  skip_final_snapshot = true\n  timeouts {\n    delete = \"20s\"\n  }\n"
    } else {
        ""
    };
    let provider = format!(
        "  region       = \"us-east-1\"\n  endpoint_url = \"{}\"",
        moto.endpoint()
    );
    let password = if password {
        "  master_password = \"correct-horse-battery\"\n"
    } else {
        ""
    };
    header(&provider)
        + &format!(
            r#"
resource "replication_topology" "orders" {{
  global_cluster_identifier = "{id}"
  engine                    = "aurora-postgresql"
  engine_version            = "16.4"
  master_username           = "app"
  primary_region            = "us-east-1"
{password}{}{timeouts}}}
"#,
            regions(&[
                r#"    "us-east-1" = { instance_class = "db.r6g.large", instances = { a = { promotion_tier = 0 } } }"#,
                r#"    "eu-west-1" = { instance_class = "db.r6g.large", instances = { a = {} } }"#,
            ])
        )
}

/// (member cluster ARNs, writer ARN) of the global cluster as moto reports it.
fn members(moto: &Moto, rt: &tokio::runtime::Runtime, id: &str) -> Option<(Vec<String>, String)> {
    let rds = moto.rds(rt, "us-east-1");
    let out = rt.block_on(rds.describe_global_clusters().send()).unwrap();
    let g = out
        .global_clusters()
        .iter()
        .find(|g| g.global_cluster_identifier() == Some(id))?;
    let arns = g
        .global_cluster_members()
        .iter()
        .filter_map(|m| m.db_cluster_arn().map(str::to_string))
        .collect();
    let writer = g
        .global_cluster_members()
        .iter()
        .find(|m| m.is_writer() == Some(true))
        .and_then(|m| m.db_cluster_arn())
        .unwrap_or_default()
        .to_string();
    Some((arns, writer))
}

#[test]
fn create_read_import_destroy_against_moto() {
    let Some(bin) = moto_server() else {
        eprintln!("skipped: moto_server is not installed in .tools/venv (run `make tools`)");
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    per_host(|host| {
        let moto = Moto::start(&bin);
        let id = gci("moto", host);
        let id = id.as_str();
        let w = Workdir::new(&config(&moto, id, true, false));

        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let (mut arns, writer) = members(&moto, &rt, id).expect("global cluster created");
        arns.sort();
        assert_eq!(
            arns,
            [
                format!("arn:aws:rds:eu-west-1:123456789012:cluster:{id}-eu-west-1"),
                format!("arn:aws:rds:us-east-1:123456789012:cluster:{id}-us-east-1"),
            ],
            "{}",
            host.name
        );
        assert!(writer.contains(":us-east-1:"), "{}: {writer}", host.name);

        // Read: nothing to change.
        assert_no_changes(&w, host, "plan after create");

        // Import into an empty state (passwords cannot be read back).
        w.write("main.tf", &config(&moto, id, false, false));
        std::fs::remove_file(w.path().join("terraform.tfstate")).unwrap();
        let _ = std::fs::remove_file(w.path().join("terraform.tfstate.backup"));
        tf_ok(
            &w,
            host,
            &["import", "-no-color", "replication_topology.orders", id],
        );
        assert_no_changes(&w, host, "plan after import");

        // No final snapshot and a short delete timeout (recorded by an apply
        // that changes nothing in AWS), then destroy.
        w.write("main.tf", &config(&moto, id, false, true));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        // Destroy: the instances go, the secondary never leaves (moto), so
        // the destroy stops when its timeout passes, naming the wait, and
        // the state keeps what exists.
        let out = w.run_env(
            host,
            &["destroy", "-auto-approve", "-no-color"],
            &common::FAST_POLL,
        );
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Destroy Incomplete") && err.contains(&format!("{id}-eu-west-1")),
            "{}: {}",
            host.name,
            text(&out)
        );
        let (arns, _) = members(&moto, &rt, id).expect("global cluster kept");
        assert_eq!(arns.len(), 2, "{}: {arns:?}", host.name);
        let state = tf_ok(&w, host, &["state", "pull"]);
        let state: serde_json::Value = serde_json::from_slice(&state.stdout).unwrap();
        let attrs = &state["resources"][0]["instances"][0]["attributes"];
        assert_eq!(
            attrs["global_cluster_identifier"], id,
            "{}: {state:#}",
            host.name
        );
    });
}
