//! End-to-end against moto (`moto[server]`, an independent RDS
//! implementation installed into `.tools/venv` by `make tools`): create a
//! two-region topology, read it back (a plan without changes), import it
//! into an empty state, destroy it. The test starts its own moto server on a
//! loopback port; it is skipped, saying why, only when moto is not
//! installed.
//!
//! What moto does differently, and how the provider copes: global clusters
//! come back without tags (`TagList` empty; AddTagsToResource and
//! ListTagsForResource refuse a global cluster ARN), so the ownership tag is
//! read from the writer cluster; clusters answer `creating` to their create
//! and `available` from then on; RemoveFromGlobalCluster returns no global
//! cluster; DescribeGlobalClusters ignores the `db-cluster-id` filter (the
//! provider never filters: it asks by identifier and checks the answer).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;

use common::{gci, header, per_host, plan_code, regions, text, tf_ok, Workdir};

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

fn config(moto: &Moto, id: &str, password: bool) -> String {
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
  skip_final_snapshot       = true
{password}{}}}
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
        let w = Workdir::new(&config(&moto, id, true));

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
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 0, "{}: plan after create: {}", host.name, text(&out));

        // Import into an empty state (passwords cannot be read back).
        w.write("main.tf", &config(&moto, id, false));
        std::fs::remove_file(w.path().join("terraform.tfstate")).unwrap();
        let _ = std::fs::remove_file(w.path().join("terraform.tfstate.backup"));
        tf_ok(
            &w,
            host,
            &["import", "-no-color", "replication_topology.orders", id],
        );
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 0, "{}: plan after import: {}", host.name, text(&out));

        tf_ok(&w, host, &["destroy", "-auto-approve", "-no-color"]);
        assert!(
            members(&moto, &rt, id).is_none(),
            "{}: global cluster left",
            host.name
        );
        for region in ["us-east-1", "eu-west-1"] {
            let rds = moto.rds(&rt, region);
            let out = rt.block_on(rds.describe_db_clusters().send()).unwrap();
            assert!(
                out.db_clusters().is_empty(),
                "{}: clusters left in {region}: {:?}",
                host.name,
                out.db_clusters()
            );
        }
    });
}
