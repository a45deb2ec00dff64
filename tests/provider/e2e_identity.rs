//! Resource identity and `terraform query` end to end, against an
//! in-process `aurora-emulator`: the identity Terraform 1.15 stores after an
//! apply, an `import` block that gives an `identity` instead of an ID (and
//! one naming another account, refused), OpenTofu 1.6 still importing by ID
//! with the same provider, and a `list "replication_topology"` block whose
//! `terraform query -generate-config-out` output imports several topologies
//! with a plan that changes nothing. The account is checked against the
//! ARN read back through aws-sdk-rds.

use crate::common;

use common::{
    assert_no_changes, config, gci, header, per_host, plan_code, plan_json, text, tf_ok, Emu, Host,
    Workdir, FAST_POLL,
};
use serde_json::json;

const SCALE: f64 = 0.003;

const BODY: &str = r#"  engine_version  = "16.4"
  master_password = "correct-horse-battery"
  primary_region  = "us-east-1"
  regions = {
    "us-east-1" = { instance_class = "db.r6g.large", instances = { a = {} } }
    "eu-west-1" = {}
  }
"#;

/// Terraform 1.12 added resource identity, 1.14 list resources and query.
fn speaks_identity(host: &Host) -> bool {
    host.name == "terraform-1.15"
}

/// The account in the global cluster's ARN, as the RDS API reports it.
fn account_of(emu: &Emu, id: &str) -> String {
    let out = emu
        .block_on(
            emu.rds("us-east-1")
                .describe_global_clusters()
                .global_cluster_identifier(id)
                .send(),
        )
        .unwrap();
    let arn = out.global_clusters()[0]
        .global_cluster_arn()
        .unwrap()
        .to_string();
    arn.split(':').nth(4).unwrap().to_string()
}

/// The state file, as `state pull` prints it.
fn pulled(w: &Workdir, host: &Host) -> serde_json::Value {
    let out = tf_ok(w, host, &["state", "pull"]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn forget_state(w: &Workdir) {
    std::fs::remove_file(w.path().join("terraform.tfstate")).unwrap();
    let _ = std::fs::remove_file(w.path().join("terraform.tfstate.backup"));
}

#[test]
fn import_by_identity_and_by_id() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let id = gci("ident", host);
        let id = id.as_str();
        let w = Workdir::new(&config(&emu, id, BODY));
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let account = account_of(&emu, id);
        let state = pulled(&w, host);
        let instance = &state["resources"][0]["instances"][0];
        if speaks_identity(host) {
            assert_eq!(
                instance["identity"],
                json!({ "account_id": account, "global_cluster_identifier": id }),
                "{}: identity after create: {instance:#}",
                host.name
            );
            assert_eq!(instance["identity_schema_version"], 0, "{}", host.name);
        } else {
            assert!(
                instance
                    .get("identity")
                    .is_none_or(serde_json::Value::is_null),
                "{}: a host without identities stores none: {instance:#}",
                host.name
            );
        }
        assert_no_changes(&w, host, "plan after create");

        // The configuration an import leaves clean: no password (it cannot be
        // read back).
        let imported = config(
            &emu,
            id,
            &BODY.replace("  master_password = \"correct-horse-battery\"\n", ""),
        );
        w.write("main.tf", &imported);
        forget_state(&w);
        let target = if speaks_identity(host) {
            format!("  identity = {{\n    global_cluster_identifier = \"{id}\"\n  }}\n")
        } else {
            format!("  id = \"{id}\"\n")
        };
        w.write(
            "import.tf",
            &format!("import {{\n  to = replication_topology.orders\n{target}}}\n"),
        );
        emu.clear_calls();
        let (_, plan) = plan_json(&w, host);
        let rc = &plan["resource_changes"][0];
        assert_eq!(
            rc["change"]["actions"],
            json!(["no-op"]),
            "{}: {rc:#}",
            host.name
        );
        if speaks_identity(host) {
            // The import block left the account out; the provider filled it in.
            assert_eq!(
                rc["change"]["importing"]["identity"],
                json!({ "account_id": account, "global_cluster_identifier": id }),
                "{}: {rc:#}",
                host.name
            );
        } else {
            assert_eq!(rc["change"]["importing"]["id"], id, "{}: {rc:#}", host.name);
        }
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color", "tfplan"]);
        let mutating: Vec<String> = emu
            .calls()
            .into_iter()
            .filter(|c| !c.action.starts_with("Describe"))
            .map(|c| c.action)
            .collect();
        assert_eq!(
            mutating,
            Vec::<String>::new(),
            "{}: importing changes nothing",
            host.name
        );
        let state = pulled(&w, host);
        let instance = &state["resources"][0]["instances"][0];
        assert_eq!(
            instance["attributes"]["global_cluster_identifier"], id,
            "{}",
            host.name
        );
        if speaks_identity(host) {
            assert_eq!(
                instance["identity"],
                json!({ "account_id": account, "global_cluster_identifier": id }),
                "{}: identity after import: {instance:#}",
                host.name
            );
        }
        std::fs::remove_file(w.path().join("import.tf")).unwrap();
        assert_no_changes(&w, host, "plan after import");

        if speaks_identity(host) {
            // An identity naming another account is refused, with the reason.
            forget_state(&w);
            w.write(
                "import.tf",
                &format!("import {{\n  to = replication_topology.orders\n  identity = {{\n    account_id                = \"210987654321\"\n    global_cluster_identifier = \"{id}\"\n  }}\n}}\n"),
            );
            let out = w.run_env(host, &["plan", "-no-color"], &FAST_POLL);
            let t = text(&out);
            assert!(!out.status.success(), "{}: {t}", host.name);
            assert!(
                t.contains("Import Identity Does Not Match"),
                "{}: {t}",
                host.name
            );
            assert!(t.contains(&account), "{}: {t}", host.name);
            // And one without the required identifier is refused by the host.
            w.write(
                "import.tf",
                "import {\n  to = replication_topology.orders\n  identity = {\n    account_id = \"123456789012\"\n  }\n}\n",
            );
            let out = w.run_env(host, &["plan", "-no-color"], &FAST_POLL);
            assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        }
    });
}

#[test]
fn query_generates_configuration_that_imports_cleanly() {
    let Some(host) = common::hosts().into_iter().find(speaks_identity) else {
        eprintln!("skipping: terraform query needs Terraform 1.14 or later (run `make tools`)");
        return;
    };
    let emu = Emu::start(SCALE);
    let ids = ["query-a", "query-b", "query-c"];
    // Three topologies made through the provider, then forgotten.
    let mut made = header(&emu.provider_block());
    for id in ids {
        made.push_str(&format!(
            "\nresource \"replication_topology\" \"{id}\" {{\n  global_cluster_identifier = \"{id}\"\n  engine                    = \"aurora-postgresql\"\n  master_username           = \"app\"\n{BODY}}}\n"
        ));
    }
    // One of another engine, which the list block's filter leaves out.
    made.push_str(&format!(
        "\nresource \"replication_topology\" \"other\" {{\n  global_cluster_identifier = \"query-mysql\"\n  engine                    = \"aurora-mysql\"\n  master_username           = \"app\"\n{}}}\n",
        BODY.replace("16.4", "8.0.mysql_aurora.3.08.0")
    ));
    let w = Workdir::new(&made);
    tf_ok(&w, &host, &["apply", "-auto-approve", "-no-color"]);

    let q = Workdir::new(&header(&emu.provider_block()));
    q.write(
        "all.tfquery.hcl",
        "list \"replication_topology\" \"all\" {\n  provider         = replication\n  include_resource = true\n  config {\n    engine = \"aurora-postgresql\"\n  }\n}\n",
    );
    let out = tf_ok(
        &q,
        &host,
        &["query", "-no-color", "-generate-config-out=generated.tf"],
    );
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    for id in ids {
        assert!(listed.contains(id), "{id} not listed:\n{listed}");
    }
    assert!(
        !listed.contains("query-mysql"),
        "filtered out by engine:\n{listed}"
    );
    let generated = std::fs::read_to_string(q.path().join("generated.tf")).unwrap();
    assert_eq!(
        generated.matches("import {").count(),
        ids.len(),
        "{generated}"
    );
    // The import blocks name each topology by its identity.
    for id in ids {
        assert!(
            generated.contains(&format!("    global_cluster_identifier = \"{id}\"\n  }}")),
            "{id}: {generated}"
        );
    }

    emu.clear_calls();
    let out = tf_ok(&q, &host, &["plan", "-no-color"]);
    let plan = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        plan.contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}\n--- generated.tf\n{generated}"
    );
    let calls: Vec<String> = emu
        .calls()
        .into_iter()
        .filter(|c| !c.action.starts_with("Describe"))
        .map(|c| c.action)
        .collect();
    assert_eq!(
        calls,
        Vec::<String>::new(),
        "planning an import changes nothing"
    );
}

/// State written by a host that knows no identities (OpenTofu 1.6, like
/// state written before this provider had one) gets its identity on
/// Terraform's first refresh, with a plan that changes nothing.
#[test]
fn state_without_identity_gains_it_on_refresh() {
    let hosts = common::hosts();
    let (Some(tofu), Some(terraform)) = (
        hosts.iter().find(|h| h.name == "tofu-1.6"),
        hosts.iter().find(|h| speaks_identity(h)),
    ) else {
        eprintln!("skipping: needs both OpenTofu 1.6 and Terraform 1.15 (run `make tools`)");
        return;
    };
    let emu = Emu::start(SCALE);
    let id = "ident-upgrade";
    let w = Workdir::new(&config(&emu, id, BODY));
    tf_ok(&w, tofu, &["apply", "-auto-approve", "-no-color"]);
    let before = pulled(&w, tofu);
    let instance = &before["resources"][0]["instances"][0];
    assert!(
        instance
            .get("identity")
            .is_none_or(serde_json::Value::is_null),
        "{instance:#}"
    );
    let (code, out) = plan_code(&w, terraform);
    assert_eq!(
        code,
        0,
        "terraform plan of OpenTofu's state: {}",
        text(&out)
    );
    tf_ok(
        &w,
        terraform,
        &["apply", "-refresh-only", "-auto-approve", "-no-color"],
    );
    let after = pulled(&w, terraform);
    assert_eq!(
        after["resources"][0]["instances"][0]["identity"],
        json!({ "account_id": account_of(&emu, id), "global_cluster_identifier": id }),
        "{after:#}"
    );
    assert_eq!(
        after["resources"][0]["instances"][0]["attributes"],
        before["resources"][0]["instances"][0]["attributes"],
        "the refresh changed only the identity"
    );
    let (code, out) = plan_code(&w, terraform);
    assert_eq!(code, 0, "plan after the refresh: {}", text(&out));
}
