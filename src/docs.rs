//! Registry documentation generated from the provider's own schemas.
//!
//! Owns the four schema-driven pages of the Terraform registry layout:
//! `docs/index.md` (the provider block), `docs/resources/topology.md` (with
//! the resource identity), `docs/data-sources/topology.md` and
//! `docs/list-resources/topology.md` (the list block's `config`). Each page is front matter, a short
//! hand-written introduction, an example read from `examples/` and an
//! argument / attribute reference rendered from
//! [`crate::topology::schema`], so a schema change cannot leave the docs
//! behind: `tests/provider/docs.rs` regenerates the pages and compares them byte for
//! byte with the committed ones. Guides (`docs/guides/`) are written by hand
//! and not touched here.
//!
//! Rendering is pure ([`render`]); only [`write`] touches the file system.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::tf::{
    Attribute, AttributeKind, Block, BlockNesting, IdentitySchema, NestedBlock, ObjectNesting,
    Schema, Type,
};
use crate::topology::schema::{self, default};
use crate::topology::{identity_schema, list_schema};

/// The resource and data source type the pages document.
pub const TYPE_NAME: &str = "replication_topology";

/// One generated page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the docs directory, e.g. `resources/topology.md`.
    pub path: PathBuf,
    /// The whole markdown text.
    pub text: String,
}

/// Why the docs could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An example file the pages embed is missing or unreadable.
    #[error("cannot read example {}: {source}", path.display())]
    Example {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A page could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The example files the pages embed, relative to the examples directory.
pub const EXAMPLE_FILES: [&str; 6] = [
    "provider/provider.tf",
    "resources/replication_topology/resource.tf",
    "resources/replication_topology/import.tf",
    "resources/replication_topology/import.sh",
    "data-sources/replication_topology/data-source.tf",
    "list-resources/replication_topology/list-resource.tfquery.hcl",
];

/// Renders every generated page, reading examples from `examples`.
pub fn render(examples: &Path) -> Result<Vec<Page>, Error> {
    let read = |rel: &str| {
        let path = examples.join(rel);
        std::fs::read_to_string(&path)
            .map(|s| s.trim_end().to_string())
            .map_err(|source| Error::Example { path, source })
    };
    let [provider_tf, resource_tf, import_tf, import_sh, data_source_tf, list_hcl] =
        EXAMPLE_FILES.map(read);
    let pages = vec![
        Page {
            path: "index.md".into(),
            text: provider_page(&schema::provider(), &provider_tf?),
        },
        Page {
            path: "resources/topology.md".into(),
            text: resource_page(
                &schema::resource(),
                &identity_schema(),
                &resource_tf?,
                [&import_tf?, IMPORT_BY_IDENTITY, &import_sh?],
            ),
        },
        Page {
            path: "data-sources/topology.md".into(),
            text: data_source_page(&schema::data_source(), &data_source_tf?),
        },
        Page {
            path: "list-resources/topology.md".into(),
            text: list_resource_page(&list_schema(), &list_hcl?),
        },
    ];
    // Exactly one newline at the end of every page.
    Ok(pages
        .into_iter()
        .map(|p| Page {
            text: format!("{}\n", p.text.trim_end()),
            ..p
        })
        .collect())
}

/// Writes `pages` under `docs`, creating directories as needed. Returns the
/// paths written.
pub fn write(pages: &[Page], docs: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::new();
    for page in pages {
        let path = docs.join(&page.path);
        let wrap = |source| Error::Write {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(wrap)?;
        }
        std::fs::write(&path, &page.text).map_err(wrap)?;
        written.push(path);
    }
    Ok(written)
}

// ---------------------------------------------------------------------------
// Pages

const PROVIDER_INTRO: &str = r#"One resource, `replication_topology`, manages a whole Aurora Global Database:
the global cluster, one regional cluster per region with its DB instances, and
which region is primary. Changing `primary_region` is carried out as a managed
switchover, or as a failover when the old primary region is lost. See the
[switchover and failover guide](guides/switchover-and-failover.md).

## Installation

The provider's source address is `registry.terraform.io/replication/replication`:

```terraform
terraform {
  required_providers {
    replication = {
      source = "registry.terraform.io/replication/replication"
    }
  }
}
```

`make install` builds the provider and places it in the filesystem mirror
`~/.terraform.d/plugins`, which both `terraform init` and `tofu init` search
without any further configuration. Release archives (`make release`) follow
the registry's naming and can be served from any provider mirror.

Supported hosts: OpenTofu 1.6 and later, Terraform 1.11 and later (plugin
protocol 6). Write-only attributes (`master_password_wo`) need Terraform 1.11
or OpenTofu 1.11 or later. Release binaries: Linux (x86-64 and ARM64, glibc
2.17 or later), macOS (Intel and Apple silicon) and Windows (x86-64).

## Authentication

Credentials and settings come from the standard AWS chain: environment
variables, the shared config and credentials files (`profile`), SSO, web
identity (Terraform Cloud dynamic credentials, GitHub OIDC), and container or
instance metadata. `shared_config_files` and `shared_credentials_files`
replace the default shared files (HCP Terraform's dynamic credentials hand one
config file per provider configuration: see the
[HCP Terraform guide](guides/hcp-terraform.md));
`assume_role_with_web_identity` exchanges an OIDC token for role credentials
instead of using the chain. An `assume_role` block assumes a role on top of
them. `allowed_account_ids` or `forbidden_account_ids` make the provider check
the credentials' account with one STS `GetCallerIdentity` call when it is
configured, before any change. `AWS_ENDPOINT_URL_RDS` and `AWS_ENDPOINT_URL` are honoured; `endpoint_url`
overrides both. One RDS client is built per region, when first needed.
Replication lag is read from CloudWatch in the secondary's region
(`AWS_ENDPOINT_URL_CLOUDWATCH`, else `endpoint_url`, else
`AWS_ENDPOINT_URL`).

The caller needs these RDS actions: `CreateGlobalCluster`,
`DescribeGlobalClusters`, `ModifyGlobalCluster`, `DeleteGlobalCluster`,
`RemoveFromGlobalCluster`, `SwitchoverGlobalCluster`, `FailoverGlobalCluster`,
`CreateDBCluster`, `DescribeDBClusters`, `ModifyDBCluster`, `DeleteDBCluster`,
`CreateDBInstance`, `DescribeDBInstances`, `ModifyDBInstance`,
`DeleteDBInstance`, `DescribeDBClusterSnapshots`, `RestoreDBClusterFromSnapshot`
(only with `snapshot_identifier`), `AddTagsToResource` and
`RemoveTagsFromResource`; the CloudWatch action `GetMetricData` (replication
lag, for plans that move the primary and the data source); `kms:DescribeKey`
and `kms:CreateGrant` on the keys of encrypted clusters; `sts:AssumeRole` on
the role named in `assume_role` (`sts:AssumeRoleWithWebIdentity` is granted by
the role's trust policy, and `sts:GetCallerIdentity` needs no permission)."#;

fn provider_page(s: &Schema, example: &str) -> String {
    let mut out = head(
        "Provider: Replication",
        "Replication Provider",
        &s.block,
        PROVIDER_INTRO,
        example,
    );
    let _ = writeln!(out, "## Argument Reference\n");
    reference(&mut out, &s.block, Split::All, 3);
    nested_sections(&mut out, &s.block, "");
    out.push_str("## Guides\n\n");
    out.push_str("- [Switchover and failover](guides/switchover-and-failover.md)\n");
    out.push_str("- [Importing an existing global database](guides/importing.md)\n");
    out
}

/// The resource page's notes up to the timeouts section.
const RESOURCE_NOTES: &str = r#"## Moving the primary

`primary_region` is desired state. When it changes, the plan shows a warning
naming the regions involved and apply carries it out:

- `failover_mode = "switchover"` (the default): `SwitchoverGlobalCluster`, no
  data loss. Every region must be reachable and healthy.
- `failover_mode = "failover"`: `FailoverGlobalCluster` with
  `AllowDataLoss`, sent to the new primary's region. Use it when the primary
  region is down; writes not yet replicated are lost.

Leave `primary_region` unset to follow whichever region AWS reports as the
writer (after an out-of-band failover, say) without ever moving it. See the
[switchover and failover guide](../guides/switchover-and-failover.md).

Other disruptive changes also appear as plan warnings: removing a region,
recreating a regional cluster (a changed `cluster_identifier`,
`db_subnet_group_name` or `kms_key_id`) and changing an instance class.

## Timeouts

"#;

/// The resource page's notes after the timeouts section.
const RESOURCE_NOTES_AFTER_TIMEOUTS: &str = r#"## Failed and interrupted applies

Every object the provider creates is tagged with the topology's global cluster
identifier. When an apply fails or is killed, running apply again observes what
exists, adopts the objects it tagged, and continues. An existing object without
the tag is not adopted (import it instead), with one exception for backends that
do not keep tags on global clusters: an empty global cluster with no tags at all
and this topology's engine, engine version and encryption holds no data and is
taken over.

## Production settings

Each region takes the settings of its cluster (`serverlessv2_scaling_configuration`,
`storage_type`, `backup_retention_period`, `preferred_backup_window`,
`preferred_maintenance_window`, `copy_tags_to_snapshot`,
`iam_database_authentication_enabled`, `port`, `enabled_cloudwatch_logs_exports`,
`network_type`, `enable_local_write_forwarding`) and defaults for its instances
(`db_parameter_group_name`, `performance_insights_*`, `monitoring_interval`,
`monitoring_role_arn`, `auto_minor_version_upgrade`, `ca_cert_identifier`). An
instance's own value wins over its region's, as with `instance_class`. Names
follow `aws_rds_cluster` and `aws_rds_cluster_instance` of the AWS provider.

A setting left unset is AWS's choice: the state shows what AWS chose and the plan
never proposes to change it. Every rule AWS documents for these values (ranges,
window formats and overlap, log types per engine, capacity steps) is checked at
plan time and reported on the attribute. The Serverless v2 scaling configuration is
set on the cluster when it is created, before its `db.serverless` instances.
Changes are made in place with ModifyDBCluster and ModifyDBInstance; the plan warns
where AWS restarts or replaces something (a new `port` restarts every instance, a
new `availability_zone` recreates that instance, a new `db_parameter_group_name`
waits for a reboot the provider does not make).

**Misspelled settings are ignored.** Terraform and OpenTofu drop attribute names
they do not know inside nested attributes such as `regions` and `instances`
without an error or a warning ([hashicorp/terraform#33570](https://github.com/hashicorp/terraform/issues/33570)):
`instance_clas = "db.r6g.large"` inside a region validates, and the provider never
sees it. Before applying a new setting, compare the region and instance objects in
the plan with the settings you intended; a setting that does not appear there was
not understood.

## Deferred changes

With `apply_immediately = false`, settings changes are sent with
`ApplyImmediately=false`, and AWS holds those it can defer (for example the
storage type, the backup retention period, IAM authentication, log exports, an
instance's class or CA certificate) until the cluster's maintenance window. The
apply completes as soon as AWS has accepted the change. The state records the
configured value together with a `pending_changes` entry for each region or
instance, taken from AWS's `PendingModifiedValues`, so the next plans are empty
rather than proposing the same change again. When AWS has applied the change, the
next refresh empties `pending_changes`. Changes AWS always makes at once (for
example Performance Insights or monitoring) are made at once either way.
"#;

/// The resource page's section on starting from what exists (SPEC §8).
const RESOURCE_NOTES_ORIGIN: &str = r#"
## Growing a cluster and restoring a snapshot

A topology does not have to start from nothing.

**Grow an existing regional cluster** with `source_db_cluster_identifier` (its
identifier or ARN, in `primary_region`). The create sends `CreateGlobalCluster`
with `SourceDBClusterIdentifier`: the cluster becomes the primary in place, keeps
its data, endpoints, resource ID and instances, and is never replaced, restarted or
deleted by the provider. Then the missing instances and the secondary regions are
created.

- The primary region's `cluster_identifier` defaults to the source's identifier.
- Every existing instance of the source must be declared in the primary region's
  `instances`, matched by `identifier`, with its current `instance_class`. An
  undeclared instance stops the apply before any change, with a diagnostic that
  lists what to add; nothing is deleted to make the configuration true. Declared
  instances that do not exist yet are created.
- The global cluster inherits the engine, engine version, encryption and database
  name from the source, so the provider does not send them. Leave `engine_version`,
  `storage_encrypted` and `database_name` unset or give the source's values: a
  value that contradicts the source is an error on that attribute, reported before
  any change. `master_username` must be the source's.
- No master password is needed. One given anyway is set on the cluster with
  `ModifyDBCluster` once the global database exists.
- After the create, the source cluster and its instances are managed like any
  member of the topology, tags included: the topology's `tags` (and the provider's
  `default_tags`) replace the tags they had. Destroying the topology deletes them
  like any member (with the final snapshot unless `skip_final_snapshot`).
- The attribute only records where the topology came from. Changing it later is a
  plan error, not a replacement; removing it is allowed (set the primary region's
  `cluster_identifier` to the source's identifier then, or the plan recreates that
  region's cluster under the default name).

**Restore a DB cluster snapshot** with `snapshot_identifier` (identifier or ARN, in
`primary_region`). The primary cluster is created with
`RestoreDBClusterFromSnapshot` (no master password; the master user is the
snapshot's), waited for until available, and becomes the global cluster's source;
its instances and the secondaries follow. `engine_version`, `database_name`,
`kms_key_id`, the subnet and security groups, the cluster parameter group and
the cluster settings `RestoreDBClusterFromSnapshot` accepts are passed to the
restore when set; the other settings follow as in-place changes.
Changing `snapshot_identifier` replaces the topology, as with other providers.
Before the restore, the provider reads the snapshot by its identifier in
`primary_region` (an ARN is reduced to its identifier), so a snapshot shared from
another account is not found: copy it into the account first.

Both are checked only at create, and they exclude each other. An interrupted grow or
restore resumes on the next apply: the global cluster whose writer is the source
cluster, and a restored cluster carrying this topology's ownership tag, are this
topology's. A failed step never deletes or replaces the source. See the
[migration guide](../guides/migrating-from-aws-provider.md) for moving a global
database managed with the AWS provider, and for growing a regional cluster.
"#;

/// The timeouts paragraph, quoting the defaults the apply uses.
fn timeouts_note() -> String {
    let [create, update, delete] = [
        default::CREATE_TIMEOUT,
        default::UPDATE_TIMEOUT,
        default::DELETE_TIMEOUT,
    ]
    .map(schema::duration_text);
    format!(
        "The optional `timeouts` block bounds each operation as a whole, every wait\n\
         included: `create` (default `{create}`), `update` (default `{update}`) and `delete`\n\
         (default `{delete}`), as durations like `\"90m\"` or `\"2h\"`.\n\n"
    )
}

fn resource_page(
    s: &Schema,
    identity: &IdentitySchema,
    example: &str,
    [import_tf, identity_tf, import_sh]: [&str; 3],
) -> String {
    let title = format!("{TYPE_NAME} Resource - terraform-provider-replication");
    let mut out = head(
        &title,
        &format!("{TYPE_NAME} (Resource)"),
        &s.block,
        "",
        example,
    );
    out.push_str(RESOURCE_NOTES);
    out.push_str(&timeouts_note());
    out.push_str(RESOURCE_NOTES_AFTER_TIMEOUTS);
    out.push_str(RESOURCE_NOTES_ORIGIN);
    out.push('\n');
    arguments_and_attributes(&mut out, &s.block);
    out.push_str(
        "## Import\n\nImport an existing global database by its global cluster identifier. Every member\n\
         region and instance is discovered; map keys are derived from identifiers as the\n\
         [importing guide](../guides/importing.md) explains. Passwords and\n\
         `final_snapshot_identifier` cannot be read back. A region's instance defaults\n\
         (`instance_class` and the instance settings at region level) are read as the\n\
         value most of its instances share; when they split evenly there is none and the\n\
         default is null, so a configuration that sets it plans one in-place update that\n\
         only records the default (every instance keeps its value; nothing is sent to AWS).\n\n\
         With an `import` block (Terraform 1.5 and later, OpenTofu 1.5 and later):\n\n",
    );
    let _ = writeln!(out, "```terraform\n{import_tf}\n```\n");
    out.push_str(
        "With an `import` block that gives the resource identity instead of an ID\n\
         (Terraform 1.12 and later):\n\n",
    );
    let _ = writeln!(out, "```terraform\n{identity_tf}\n```\n");
    out.push_str("With the CLI:\n\n");
    let _ = writeln!(out, "```shell\n{import_sh}\n```\n");
    identity_section(&mut out, identity);
    out
}

/// An `import` block with an identity. Not an example file: every example
/// directory must validate with OpenTofu 1.6 too, which has no identities;
/// `tests/provider/e2e_identity.rs` runs the same block with Terraform.
const IMPORT_BY_IDENTITY: &str = r#"import {
  to = replication_topology.orders
  identity = {
    global_cluster_identifier = "orders"
  }
}"#;

/// The resource identity: what Terraform stores beside the state and an
/// `import` block may give.
fn identity_section(out: &mut String, identity: &IdentitySchema) {
    out.push_str(
        "## Identity\n\n\
         Terraform 1.12 and later store a resource identity beside the state: the\n\
         account and the global cluster identifier. It is read from the global cluster's\n\
         ARN, so it costs no extra AWS call, never changes for the life of the global\n\
         database, and is written on the first refresh of state created before it existed.\n\
         OpenTofu and older Terraform releases ignore it. An `import` block may give an\n\
         `identity` instead of an `id`; the `replication_topology`\n\
         [list resource](../list-resources/topology.md) returns it for every global\n\
         database it finds.\n\n",
    );
    for a in &identity.attributes {
        let need = if a.required_for_import {
            "Required for import"
        } else {
            "Optional for import"
        };
        let _ = writeln!(
            out,
            "- `{}` ({need}, {}) {}",
            a.name,
            type_label(&a.ty),
            one_line(&a.description)
        );
    }
}

fn list_resource_page(s: &Schema, example: &str) -> String {
    let title = format!("{TYPE_NAME} List Resource - terraform-provider-replication");
    let mut out = front_matter(&title, "", &s.block.description);
    let _ = writeln!(
        out,
        "# {TYPE_NAME} (List Resource)\n\n{}\n",
        s.block.description
    );
    out.push_str(
        "List resources need Terraform 1.14 or later. `list` blocks live in files named\n\
         `*.tfquery.hcl`, beside the configuration that declares the provider.\n\n",
    );
    let _ = writeln!(out, "## Example Usage\n\n```terraform\n{example}\n```\n");
    out.push_str(
        "Run `terraform query` to see what it finds, or\n\
         `terraform query -generate-config-out=generated.tf` to write a\n\
         `replication_topology` resource and an `import` block (by identity) for each\n\
         result; `terraform plan` then shows them as imports with no change. The\n\
         generated configuration has no master password: add `master_password` (or\n\
         `master_password_wo`) only when you mean to change it.\n\n",
    );
    let _ = writeln!(out, "## Argument Reference\n");
    out.push_str("The `config` block of a `list \"replication_topology\"` block:\n\n");
    reference(&mut out, &s.block, Split::All, 3);
    out.push_str(
        "## Results\n\n\
         Each result has the resource [identity](../resources/topology.md#identity)\n\
         (`account_id`, `global_cluster_identifier`) and a display name with the engine\n\
         and the primary region. With `include_resource = true` it also has the state an\n\
         import writes, read like an import: one `DescribeGlobalClusters` listing, then per\n\
         result one `DescribeGlobalClusters` and, per member region, one\n\
         `DescribeDBClusters` and one `DescribeDBInstances`. A global database that\n\
         cannot be read is left out with a warning.\n",
    );
    out
}

fn data_source_page(s: &Schema, example: &str) -> String {
    let title = format!("{TYPE_NAME} Data Source - terraform-provider-replication");
    let mut out = head(
        &title,
        &format!("{TYPE_NAME} (Data Source)"),
        &s.block,
        "",
        example,
    );
    arguments_and_attributes(&mut out, &s.block);
    out
}

/// Front matter, heading, the block's description, an optional introduction
/// and the example.
fn head(page_title: &str, heading: &str, block: &Block, intro: &str, example: &str) -> String {
    let mut out = front_matter(page_title, "", &block.description);
    let _ = writeln!(out, "# {heading}\n\n{}\n", block.description);
    if !intro.is_empty() {
        let _ = writeln!(out, "{intro}\n");
    }
    let _ = writeln!(out, "## Example Usage\n\n```terraform\n{example}\n```\n");
    out
}

/// "Argument Reference" (required, optional), "Attribute Reference"
/// (read-only), then a section per nested object or block.
fn arguments_and_attributes(out: &mut String, block: &Block) {
    let _ = writeln!(out, "## Argument Reference\n");
    reference(out, block, Split::Arguments, 3);
    let _ = writeln!(out, "## Attribute Reference\n");
    out.push_str("In addition to the arguments above, these attributes are exported.\n\n");
    reference(out, block, Split::Attributes, 3);
    nested_sections(out, block, "");
}

fn front_matter(title: &str, subcategory: &str, description: &str) -> String {
    let mut out = String::from("---\n");
    let _ = writeln!(out, "page_title: \"{title}\"");
    let _ = writeln!(out, "subcategory: \"{subcategory}\"");
    out.push_str("description: |-\n");
    for line in description.lines() {
        let _ = writeln!(out, "  {line}");
    }
    out.push_str("---\n\n");
    out
}

// ---------------------------------------------------------------------------
// Reference lists

/// Which attributes of a block a reference list shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Split {
    /// Everything, grouped as Required / Optional / Read-Only.
    All,
    /// What configuration may set: Required and Optional (with blocks).
    Arguments,
    /// Read-only (computed-only) attributes.
    Attributes,
}

/// The group an attribute is listed under.
fn group(a: &Attribute) -> &'static str {
    if a.required {
        "Required"
    } else if a.optional {
        "Optional"
    } else {
        "Read-Only"
    }
}

/// Renders the grouped attribute lists of `block` with headings of `level`.
fn reference(out: &mut String, block: &Block, split: Split, level: usize) {
    let hashes = "#".repeat(level);
    let groups: &[&str] = match split {
        Split::All => &["Required", "Optional", "Read-Only"],
        Split::Arguments => &["Required", "Optional"],
        Split::Attributes => &["Read-Only"],
    };
    for g in groups {
        let attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| group(a) == *g).collect();
        let blocks: Vec<&NestedBlock> = if *g == "Optional" {
            block.block_types.iter().collect()
        } else {
            vec![]
        };
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        if split != Split::Attributes {
            let _ = writeln!(out, "{hashes} {g}\n");
        }
        for a in attrs {
            attribute_line(out, a, "");
        }
        for b in blocks {
            block_line(out, b, "");
        }
        out.push('\n');
    }
}

/// `- `name` (Type, flags) Description.` and a pointer to the nested section.
fn attribute_line(out: &mut String, a: &Attribute, parent: &str) {
    let mut flags = vec![type_name(&a.kind)];
    if a.sensitive {
        flags.push("Sensitive".into());
    }
    if a.write_only {
        flags.push("Write-only".into());
    }
    if a.deprecated {
        flags.push("Deprecated".into());
    }
    let _ = write!(
        out,
        "- `{}` ({}) {}",
        a.name,
        flags.join(", "),
        one_line(&a.description)
    );
    if a.nested().is_some() {
        let path = join(parent, &a.name);
        let _ = write!(out, " See [`{path}`](#{}) below.", anchor(&path));
    }
    out.push('\n');
}

fn block_line(out: &mut String, b: &NestedBlock, parent: &str) {
    let path = join(parent, &b.type_name);
    let kind = match b.nesting {
        BlockNesting::Single | BlockNesting::Group => "Block",
        BlockNesting::List => "Block List",
        BlockNesting::Set => "Block Set",
        BlockNesting::Map => "Block Map",
    };
    let _ = writeln!(
        out,
        "- `{}` ({kind}) {} See [`{path}`](#{}) below.",
        b.type_name,
        one_line(&b.block.description),
        anchor(&path)
    );
}

/// One section per nested attribute object and nested block, depth first.
fn nested_sections(out: &mut String, block: &Block, parent: &str) {
    for a in &block.attributes {
        if let AttributeKind::Nested(n) = &a.kind {
            let path = join(parent, &a.name);
            let what = match n.nesting {
                ObjectNesting::Single => "an object",
                ObjectNesting::List => "a list of objects",
                ObjectNesting::Set => "a set of objects",
                ObjectNesting::Map => "a map of objects",
            };
            let _ = writeln!(
                out,
                "<a id=\"{}\"></a>\n### Nested Schema for `{path}`\n",
                anchor(&path)
            );
            let _ = writeln!(out, "`{path}` is {what}, each with these attributes.\n");
            let inner = Block {
                attributes: n.attributes.clone(),
                ..Block::default()
            };
            nested_groups(out, &inner, &path);
            out.push('\n');
            nested_sections(out, &inner, &path);
        }
    }
    for b in &block.block_types {
        let path = join(parent, &b.type_name);
        let _ = writeln!(
            out,
            "<a id=\"{}\"></a>\n### Nested Schema for `{path}`\n",
            anchor(&path)
        );
        let _ = writeln!(out, "{}\n", one_line(&b.block.description));
        nested_groups(out, &b.block, &path);
        out.push('\n');
        nested_sections(out, &b.block, &path);
    }
}

/// Required / Optional / Read-Only lists inside a nested section.
fn nested_groups(out: &mut String, block: &Block, path: &str) {
    let mut first = true;
    for g in ["Required", "Optional", "Read-Only"] {
        let attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| group(a) == g).collect();
        if attrs.is_empty() {
            continue;
        }
        if !first {
            out.push('\n');
        }
        first = false;
        let _ = writeln!(out, "{g}:\n");
        for a in attrs {
            attribute_line(out, a, path);
        }
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// An HTML anchor for a nested section, in the style of tfplugindocs.
fn anchor(path: &str) -> String {
    format!("nestedatt--{}", path.replace('.', "--"))
}

/// Descriptions are single paragraphs; keep list items on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The type as the registry docs spell it.
fn type_name(kind: &AttributeKind) -> String {
    match kind {
        AttributeKind::Type(t) => type_label(t),
        AttributeKind::Nested(n) => match n.nesting {
            ObjectNesting::Single => "Attributes".into(),
            ObjectNesting::List => "Attributes List".into(),
            ObjectNesting::Set => "Attributes Set".into(),
            ObjectNesting::Map => "Attributes Map".into(),
        },
    }
}

fn type_label(t: &Type) -> String {
    match t {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_label(e)),
        Type::Set(e) => format!("Set of {}", type_label(e)),
        Type::Map(e) => format!("Map of {}", type_label(e)),
        Type::Tuple(_) => "Tuple".into(),
        Type::Object(_) => "Object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::NestedAttributes;

    #[test]
    fn type_labels() {
        for (t, want) in [
            (Type::Bool, "Boolean"),
            (Type::set(Type::String), "Set of String"),
            (Type::map(Type::String), "Map of String"),
            (Type::list(Type::Number), "List of Number"),
        ] {
            assert_eq!(type_label(&t), want);
        }
        let nested = AttributeKind::Nested(NestedAttributes::map(vec![]));
        assert_eq!(type_name(&nested), "Attributes Map");
    }

    #[test]
    fn attribute_lines_mark_sensitive_write_only_and_nested() {
        let mut out = String::new();
        let wo = Attribute::optional("pw_wo", Type::String)
            .sensitive()
            .write_only()
            .description("Secret.");
        attribute_line(&mut out, &wo, "");
        assert_eq!(out, "- `pw_wo` (String, Sensitive, Write-only) Secret.\n");
        out.clear();
        let regions = Attribute::required("instances", NestedAttributes::map(vec![]))
            .description("Many\n  lines.");
        attribute_line(&mut out, &regions, "regions");
        assert_eq!(
            out,
            "- `instances` (Attributes Map) Many lines. See [`regions.instances`](#nestedatt--regions--instances) below.\n"
        );
    }

    #[test]
    fn front_matter_indents_the_description() {
        let fm = front_matter("T", "", "a\nb");
        assert_eq!(
            fm,
            "---\npage_title: \"T\"\nsubcategory: \"\"\ndescription: |-\n  a\n  b\n---\n\n"
        );
    }
}
