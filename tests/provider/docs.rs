//! The committed registry docs match the provider's schemas: regenerating
//! them gives the same bytes (run `make docs` after a schema change), and
//! every attribute and block of every schema is documented on its page.

use std::path::{Path, PathBuf};

use terraform_provider_replication::docs;
use terraform_provider_replication::tf::{Attribute, AttributeKind, Block, Schema};
use terraform_provider_replication::topology::schema;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn committed(rel: &str) -> String {
    let path = root().join("docs").join(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `make docs`", path.display()))
}

#[test]
fn committed_docs_match_the_schema() {
    let pages = docs::render(&root().join("examples")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let written = docs::write(&pages, tmp.path()).unwrap();
    assert_eq!(written.len(), 4);
    for page in &pages {
        let fresh = std::fs::read(tmp.path().join(&page.path)).unwrap();
        let rel = page.path.to_str().unwrap();
        assert!(
            fresh == committed(rel).as_bytes(),
            "docs/{rel} is out of date with the schema or examples: run `make docs` and commit the result"
        );
    }
}

/// Every attribute path of a block: `a`, `regions.instances.identifier`, ...
fn paths(block: &Block, parent: &str, out: &mut Vec<(String, String)>) {
    fn attrs(list: &[Attribute], parent: &str, out: &mut Vec<(String, String)>) {
        for a in list {
            out.push((parent.to_string(), a.name.clone()));
            if let AttributeKind::Nested(n) = &a.kind {
                attrs(&n.attributes, &join(parent, &a.name), out);
            }
        }
    }
    attrs(&block.attributes, parent, out);
    for b in &block.block_types {
        out.push((parent.to_string(), b.type_name.clone()));
        paths(&b.block, &join(parent, &b.type_name), out);
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// The text of the section documenting `parent` (the top-level reference
/// when empty): up to the next nested section.
fn section<'a>(page: &'a str, parent: &str) -> &'a str {
    let start = if parent.is_empty() {
        page.find("## Argument Reference")
            .expect("no Argument Reference")
    } else {
        let heading = format!("### Nested Schema for `{parent}`");
        page.find(&heading)
            .unwrap_or_else(|| panic!("no section {heading}"))
    };
    let rest = &page[start + 1..];
    let end = rest.find("### Nested Schema for").unwrap_or(rest.len());
    if parent.is_empty() {
        &rest[..end]
    } else {
        let body = &rest[rest.find('\n').unwrap()..];
        &body[..body.find("### Nested Schema for").unwrap_or(body.len())]
    }
}

fn assert_documented(schema: &Schema, page_rel: &str) {
    let page = committed(page_rel);
    let mut all = Vec::new();
    paths(&schema.block, "", &mut all);
    assert!(!all.is_empty());
    for (parent, name) in all {
        let line = format!("- `{name}` (");
        assert!(
            section(&page, &parent).contains(&line),
            "docs/{page_rel}: `{}` is not documented in its section",
            join(&parent, &name)
        );
    }
}

#[test]
fn every_provider_attribute_is_documented() {
    assert_documented(&schema::provider(), "index.md");
}

#[test]
fn every_resource_attribute_is_documented() {
    assert_documented(&schema::resource(), "resources/topology.md");
}

#[test]
fn every_list_resource_attribute_is_documented() {
    assert_documented(
        &terraform_provider_replication::topology::list_schema(),
        "list-resources/topology.md",
    );
}

#[test]
fn every_identity_attribute_is_documented() {
    let page = committed("resources/topology.md");
    let identity = &page[page.find("## Identity").expect("no Identity section")..];
    for a in terraform_provider_replication::topology::identity_schema().attributes {
        assert!(
            identity.contains(&format!("- `{}` (", a.name)),
            "identity attribute {} is not documented",
            a.name
        );
    }
}

#[test]
fn every_data_source_attribute_is_documented() {
    assert_documented(&schema::data_source(), "data-sources/topology.md");
}

#[test]
fn sensitive_and_write_only_attributes_are_marked() {
    let page = committed("resources/topology.md");
    assert!(
        page.contains("- `master_password` (String, Sensitive)"),
        "master_password not marked sensitive"
    );
    assert!(
        page.contains("- `master_password_wo` (String, Sensitive, Write-only)"),
        "master_password_wo not marked"
    );
    let ds = committed("data-sources/topology.md");
    assert!(
        !ds.contains("master_password"),
        "the data source has no passwords"
    );
}

#[test]
fn pages_have_front_matter_examples_and_import() {
    for rel in [
        "index.md",
        "resources/topology.md",
        "data-sources/topology.md",
    ] {
        let page = committed(rel);
        assert!(page.starts_with("---\npage_title: "), "{rel}");
        assert!(page.contains("\nsubcategory: "), "{rel}");
        assert!(page.contains("\ndescription: |-\n"), "{rel}");
        assert!(page.contains("## Example Usage\n\n```terraform\n"), "{rel}");
    }
    let resource = committed("resources/topology.md");
    assert!(resource.contains("## Import"));
    assert!(resource.contains("import {\n  to = replication_topology.orders"));
    assert!(resource.contains("terraform import replication_topology.orders orders"));
    assert!(resource.contains("  identity = {\n    global_cluster_identifier = \"orders\""));
    let list = committed("list-resources/topology.md");
    assert!(list.starts_with("---\npage_title: "));
    assert!(list.contains("list \"replication_topology\""));
}

#[test]
fn guides_exist_and_pages_link_only_to_existing_files() {
    let docs_dir = root().join("docs");
    for guide in [
        "guides/switchover-and-failover.md",
        "guides/importing.md",
        "guides/migrating-from-aws-provider.md",
    ] {
        let text = committed(guide);
        assert!(
            text.starts_with("---\npage_title: "),
            "{guide} has no front matter"
        );
    }
    // Relative markdown links between pages resolve.
    let mut pages = Vec::new();
    collect_md(&docs_dir, &mut pages);
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        for link in text.split("](").skip(1) {
            let target = &link[..link.find(')').unwrap()];
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let file = target.split('#').next().unwrap();
            let resolved = page.parent().unwrap().join(file);
            assert!(
                resolved.exists(),
                "{}: broken link {target}",
                page.display()
            );
        }
    }
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_md(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// The AWS operations the code calls (`client.describe_db_clusters()` and
/// the like in src/aws/), as qualified IAM action names
/// (`rds:DescribeDBClusters`; calls in src/aws/metrics.rs are CloudWatch's).
pub(crate) fn aws_actions_in_code() -> std::collections::BTreeSet<String> {
    let mut actions = std::collections::BTreeSet::new();
    let mut files = Vec::new();
    let mut dirs = vec![root().join("src/aws")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    for path in files {
        let service = if path.file_name().is_some_and(|f| f == "metrics.rs") {
            "cloudwatch"
        } else {
            "rds"
        };
        let text = std::fs::read_to_string(path).unwrap();
        for (i, _) in text.match_indices("client") {
            let rest = text[i + "client".len()..].trim_start();
            let Some(call) = rest.strip_prefix('.') else {
                continue;
            };
            let name: String = call
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !call[name.len()..].starts_with("()") || name.is_empty() {
                continue;
            }
            let pascal: String = name
                .split('_')
                .map(|w| {
                    if w == "db" {
                        "DB".to_string()
                    } else {
                        w[..1].to_uppercase() + &w[1..]
                    }
                })
                .collect();
            actions.insert(format!("{service}:{pascal}"));
        }
    }
    actions
}

#[test]
fn iam_actions_listed_in_readme_and_provider_page_match_the_code() {
    let used = aws_actions_in_code();
    assert!(
        used.len() >= 19
            && used.contains("rds:DescribeGlobalClusters")
            && used.contains("rds:SwitchoverGlobalCluster")
            && used.contains("cloudwatch:GetMetricData"),
        "{used:?}"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let index = committed("index.md");
    for qualified in &used {
        let action = &qualified[qualified.find(':').unwrap() + 1..];
        assert!(
            readme.contains(&format!("\"{qualified}\"")),
            "README.md does not list {qualified}"
        );
        assert!(
            index.contains(&format!("`{action}`")),
            "docs/index.md does not list {action}"
        );
    }
    // Nothing more than the code needs.
    for service in ["rds", "cloudwatch"] {
        for listed in readme.split(&format!("\"{service}:")).skip(1) {
            let action = &listed[..listed.find('"').unwrap()];
            assert!(
                used.contains(&format!("{service}:{action}")),
                "README.md lists {service}:{action}, which the code never calls"
            );
        }
    }
}
