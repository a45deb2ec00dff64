//! Every HCL snippet of docs/guides/migrating-from-aws-provider.md, checked
//! with a real host. Each ```terraform block of the guide is preceded by a
//! `<!-- check: KIND -->` line, and every kind is checked:
//! - `aws`: AWS provider configuration, which cannot be installed here:
//!   `terraform fmt -check` (a parse that needs no provider);
//! - `topology`: the replication_topology and import block that take over a
//!   global database made the way the AWS provider makes one (through
//!   aws-sdk-rds, no ownership tags): `validate`, then a plan that reads
//!   "1 to import, 0 to add, 0 to change, 0 to destroy", then an apply that
//!   creates and deletes nothing, then an empty plan;
//! - `grow`: the replication_topology grown from a regional cluster `legacy`
//!   made through aws-sdk-rds: `validate`, apply, the same cluster (resource
//!   id) is the writer of a two-member global cluster, then an empty plan.

use std::path::Path;

use crate::common;
use crate::e2e_grow::{members, resource_id, standalone, wait_available, EAST};

use common::{header, hosts, per_host, plan_code, text, tf_ok, Emu, Workdir};

const GUIDE: &str = "docs/guides/migrating-from-aws-provider.md";
const WEST: &str = "eu-west-1";

/// (kind, snippet) of every ```terraform block, in order.
fn snippets() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(GUIDE)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_start().starts_with("```terraform") || lines[i].trim() == "```hcl" {
            let kind = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .and_then(|l| l.trim().strip_prefix("<!-- check: "))
                .and_then(|l| l.strip_suffix(" -->"))
                .unwrap_or_else(|| {
                    panic!("{GUIDE} line {}: a snippet without a check marker", i + 1)
                })
                .to_string();
            let end = i
                + 1
                + lines[i + 1..]
                    .iter()
                    .position(|l| l.trim() == "```")
                    .unwrap();
            out.push((kind, lines[i + 1..end].join("\n") + "\n"));
            i = end;
        }
        i += 1;
    }
    out
}

fn of_kind(kind: &str) -> Vec<String> {
    snippets()
        .into_iter()
        .filter(|(k, _)| k == kind)
        .map(|(_, s)| s)
        .collect()
}

#[test]
fn every_snippet_has_a_known_check() {
    let all = snippets();
    assert!(all.len() >= 6, "{all:?}");
    for (kind, snippet) in &all {
        assert!(
            ["aws", "topology", "grow"].contains(&kind.as_str()),
            "unknown check {kind:?}"
        );
        // Each kind holds what its check can check.
        let has_topology = snippet.contains("resource \"replication_topology\"");
        assert_eq!(has_topology, kind != "aws", "{kind}: {snippet}");
    }
    assert_eq!(of_kind("topology").len(), 1);
    assert_eq!(of_kind("grow").len(), 1);
}

#[test]
fn aws_provider_snippets_are_well_formed_hcl() {
    let Some(host) = hosts().into_iter().find(|h| h.name == "terraform-1.15") else {
        eprintln!("skipping: no terraform 1.15");
        return;
    };
    let aws = of_kind("aws");
    assert!(aws.len() >= 4);
    for snippet in aws {
        let w = Workdir::new(&snippet);
        let out = w.run(&host, &["fmt", "-check", "-diff", "-no-color"]);
        assert!(out.status.success(), "{snippet}\n{}", text(&out));
    }
    // The check can fail: a snippet that does not parse is refused.
    let w = Workdir::new("removed {\n  from = aws_rds_cluster.primary\n  lifecycle {\n");
    let out = w.run(&host, &["fmt", "-check", "-no-color"]);
    assert!(!out.status.success(), "{}", text(&out));
}

/// A global database made the way `aws_rds_global_cluster`,
/// `aws_rds_cluster` and `aws_rds_cluster_instance` make one (the guide's
/// first snippet): no provider ownership tags.
fn made_by_the_aws_provider(emu: &Emu) {
    let east = emu.rds(EAST);
    emu.block_on(
        east.create_global_cluster()
            .global_cluster_identifier("orders")
            .engine("aurora-postgresql")
            .engine_version("16.4")
            .database_name("orders")
            .send(),
    )
    .unwrap();
    emu.block_on(
        east.create_db_cluster()
            .db_cluster_identifier("orders-us-east-1")
            .global_cluster_identifier("orders")
            .engine("aurora-postgresql")
            .engine_version("16.4")
            .master_username("app")
            .master_user_password("correct-horse-battery")
            .database_name("orders")
            .send(),
    )
    .unwrap();
    emu.block_on(
        east.create_db_instance()
            .db_instance_identifier("orders-us-east-1-a")
            .db_cluster_identifier("orders-us-east-1")
            .engine("aurora-postgresql")
            .db_instance_class("db.r6g.large")
            .send(),
    )
    .unwrap();
    wait_available(emu, "orders-us-east-1", &["orders-us-east-1-a".to_string()]);
    let west = emu.rds(WEST);
    emu.block_on(
        west.create_db_cluster()
            .db_cluster_identifier("orders-eu-west-1")
            .global_cluster_identifier("orders")
            .engine("aurora-postgresql")
            .engine_version("16.4")
            .send(),
    )
    .unwrap();
    emu.block_on(
        west.create_db_instance()
            .db_instance_identifier("orders-eu-west-1-a")
            .db_cluster_identifier("orders-eu-west-1")
            .engine("aurora-postgresql")
            .db_instance_class("db.r6g.large")
            .send(),
    )
    .unwrap();
    emu.wait_settled("orders");
}

#[test]
fn the_topology_snippet_imports_the_global_database_without_changes() {
    let snippet = of_kind("topology").remove(0);
    per_host(|host| {
        let emu = Emu::start(0.003);
        made_by_the_aws_provider(&emu);
        let w = Workdir::new(&(header(&emu.provider_block()) + "\n" + &snippet));
        tf_ok(&w, host, &["validate", "-no-color"]);
        emu.clear_calls();
        let out = tf_ok(&w, host, &["plan", "-no-color"]);
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
            "{}: {}",
            host.name,
            text(&out)
        );
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        let changed: Vec<String> = emu
            .calls()
            .into_iter()
            .filter(|c| !c.is_read() && c.action != "AddTagsToResource")
            .map(|c| format!("{} {}", c.action, c.region))
            .collect();
        assert!(changed.is_empty(), "{}: {changed:?}", host.name);
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 0, "{}: {}", host.name, text(&out));
    });
}

#[test]
fn the_grow_snippet_grows_the_regional_cluster_in_place() {
    let snippet = of_kind("grow").remove(0);
    per_host(|host| {
        let emu = Emu::start(0.003);
        let before = standalone(&emu, "legacy", &["a"]);
        let w = Workdir::new(&(header(&emu.provider_block()) + "\n" + &snippet));
        tf_ok(&w, host, &["validate", "-no-color"]);
        tf_ok(&w, host, &["apply", "-auto-approve", "-no-color"]);
        assert_eq!(resource_id(&emu, "legacy"), before, "{}", host.name);
        assert_eq!(
            members(&emu, "orders"),
            (2, "legacy".to_string()),
            "{}",
            host.name
        );
        let (code, out) = plan_code(&w, host);
        assert_eq!(code, 0, "{}: {}", host.name, text(&out));
    });
}
