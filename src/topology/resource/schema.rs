//! Schemas of the provider block, the `replication_topology` resource and
//! data source (SPEC §3–4). Every attribute carries a markdown description:
//! the registry docs are generated from these.

use crate::tf::{
    Attribute, AttributeKind, Block, BlockNesting, NestedAttributes, NestedBlock, ObjectNesting,
    Schema, Type,
};

/// Resource schema version: bump with a state upgrade when the shape changes.
pub const RESOURCE_VERSION: i64 = 0;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Required,
    Optional,
    OptionalComputed,
    Computed,
}

fn attr(name: &str, ty: Type, mode: Mode, description: &str) -> Attribute {
    Attribute {
        name: name.to_string(),
        kind: AttributeKind::Type(ty),
        description: description.to_string(),
        required: mode == Mode::Required,
        optional: matches!(mode, Mode::Optional | Mode::OptionalComputed),
        computed: matches!(mode, Mode::OptionalComputed | Mode::Computed),
        sensitive: false,
        write_only: false,
        deprecated: false,
    }
}

fn nested(
    name: &str,
    nesting: ObjectNesting,
    attributes: Vec<Attribute>,
    mode: Mode,
    description: &str,
) -> Attribute {
    Attribute {
        kind: AttributeKind::Nested(NestedAttributes {
            nesting,
            attributes,
        }),
        ..attr(name, Type::Dynamic, mode, description)
    }
}

fn sensitive(mut a: Attribute) -> Attribute {
    a.sensitive = true;
    a
}

fn write_only(mut a: Attribute) -> Attribute {
    a.write_only = true;
    a.sensitive = true;
    a
}

/// In the data source everything but the lookup key is computed.
fn all_computed(mut a: Attribute) -> Attribute {
    a.required = false;
    a.optional = false;
    a.computed = true;
    a.description = read_only_description(&a.description);
    if let AttributeKind::Nested(n) = &mut a.kind {
        n.attributes = std::mem::take(&mut n.attributes)
            .into_iter()
            .map(all_computed)
            .collect();
    }
    a
}

/// A resource description with the sentences about setting or changing the
/// value dropped: in the data source every such attribute is read-only.
fn read_only_description(d: &str) -> String {
    const ABOUT_SETTING: [&str; 8] = [
        "Changing it",
        "A change",
        "Default:",
        "Unset:",
        "Any change",
        "Change ",
        "A minor change",
        "Takes effect",
    ];
    let kept: Vec<&str> = d
        .split_inclusive(". ")
        .map(str::trim)
        .filter(|s| !s.is_empty() && !ABOUT_SETTING.iter().any(|p| s.starts_with(p)))
        .collect();
    if kept.is_empty() {
        d.to_string()
    } else {
        kept.join(" ")
    }
}

fn block(attributes: Vec<Attribute>, block_types: Vec<NestedBlock>, description: &str) -> Block {
    Block {
        attributes,
        block_types,
        description: description.to_string(),
        deprecated: false,
    }
}

/// The `provider "replication"` block.
pub fn provider() -> Schema {
    use Mode::*;
    let assume_role = NestedBlock {
        type_name: "assume_role".into(),
        nesting: BlockNesting::Single,
        min_items: 0,
        max_items: 0,
        block: block(
            vec![
                attr(
                    "role_arn",
                    Type::String,
                    Required,
                    "ARN of the IAM role to assume for every RDS call.",
                ),
                attr(
                    "session_name",
                    Type::String,
                    Optional,
                    "Session name for the assumed role. Default: `terraform-provider-replication`.",
                ),
                attr(
                    "external_id",
                    Type::String,
                    Optional,
                    "External ID the role's trust policy requires, if any.",
                ),
            ],
            vec![],
            "Assume an IAM role, on top of the credentials found by the standard AWS chain.",
        ),
    };
    Schema {
        version: 0,
        block: block(
            vec![
                attr("region", Type::String, Optional, "Home region for global-cluster calls. Default: the `primary_region` of each topology, else `AWS_REGION`. When the home region does not answer, global-cluster calls fall back to another member region."),
                attr("profile", Type::String, Optional, "Named profile from the shared AWS config and credentials files."),
                attr("endpoint_url", Type::String, Optional, "RDS endpoint override used for every region (a local emulator, VPC endpoints). `AWS_ENDPOINT_URL_RDS` and `AWS_ENDPOINT_URL` are honoured when this is unset."),
                attr("max_retries", Type::Number, Optional, "Maximum attempts for throttled or 5xx AWS calls. Default: 25. Transport failures (refused, reset, timed out) give up much sooner so an unreachable region is reported in seconds."),
                attr("retry_mode", Type::String, Optional, "How throttled and 5xx calls are retried: `standard` backs off each failed call on its own; `adaptive` also paces every call to a region once that region throttles, at a rate lowered on each throttling answer and raised as calls succeed. Adaptive suits long refreshes of many topologies sharing a region's request limit; it slows short bursts (after the first throttling answer it may start from one call every two seconds) and slows the provider when other clients cause the throttling. Default: `AWS_RETRY_MODE` or the profile's `retry_mode`, else `standard`."),
                attr("default_tags", Type::map(Type::String), Optional, "Tags applied to every object the provider creates, merged under each topology's `tags`."),
            ],
            vec![assume_role],
            "The `replication` provider manages Aurora Global Database topologies. Credentials come from the standard AWS chain: environment, shared files, SSO, web identity, container and instance metadata.",
        ),
    }
}

fn instance_attributes() -> Vec<Attribute> {
    use Mode::*;
    vec![
        attr("identifier", Type::String, OptionalComputed, "DB instance identifier. Default: `<cluster_identifier>-<key>`."),
        attr("instance_class", Type::String, OptionalComputed, "Instance class. Default: the region's `instance_class`. A change resizes the instance in place (it restarts)."),
        attr("promotion_tier", Type::Number, OptionalComputed, "Failover priority within the region, 0 (highest) to 15. Default: 1."),
        attr("arn", Type::String, Computed, "ARN of the DB instance."),
        attr("endpoint", Type::String, Computed, "Instance endpoint address."),
        attr("status", Type::String, Computed, "Instance status as RDS reports it."),
    ]
}

fn region_attributes() -> Vec<Attribute> {
    use Mode::*;
    vec![
        attr("cluster_identifier", Type::String, OptionalComputed, "Identifier of this region's DB cluster. Default: `<global_cluster_identifier>-<region>`. A change recreates this region's cluster."),
        attr("instance_class", Type::String, OptionalComputed, "Default instance class for this region's instances."),
        attr("db_subnet_group_name", Type::String, OptionalComputed, "DB subnet group of this region's cluster. A change recreates this region's cluster."),
        attr("vpc_security_group_ids", Type::set(Type::String), OptionalComputed, "VPC security groups of this region's cluster."),
        attr("kms_key_id", Type::String, OptionalComputed, "KMS key in this region for an encrypted cluster. Secondaries need a key of their own region. A change recreates this region's cluster."),
        attr("write_forwarding", Type::Bool, OptionalComputed, "Forward writes from this secondary to the primary. Default: `false`. Takes effect on secondaries."),
        attr("db_cluster_parameter_group_name", Type::String, OptionalComputed, "DB cluster parameter group of this region's cluster."),
        nested("instances", ObjectNesting::Map, instance_attributes(), OptionalComputed, "DB instances of this region by key. Default: `{}`, a headless region (valid for secondaries only)."),
        attr("arn", Type::String, Computed, "ARN of this region's DB cluster."),
        attr("endpoint", Type::String, Computed, "Cluster (writer) endpoint of this region."),
        attr("reader_endpoint", Type::String, Computed, "Reader endpoint of this region."),
        attr("role", Type::String, Computed, "`primary` or `secondary`."),
        attr("status", Type::String, Computed, "Cluster status as RDS reports it."),
    ]
}

fn timeouts_block() -> NestedBlock {
    use Mode::*;
    NestedBlock {
        type_name: "timeouts".into(),
        nesting: BlockNesting::Single,
        min_items: 0,
        max_items: 0,
        block: block(
            vec![
                attr(
                    "create",
                    Type::String,
                    Optional,
                    "Deadline for a create, as a duration like `\"120m\"`. Default: 120m.",
                ),
                attr(
                    "update",
                    Type::String,
                    Optional,
                    "Deadline for an update. Default: 120m.",
                ),
                attr(
                    "delete",
                    Type::String,
                    Optional,
                    "Deadline for a destroy. Default: 90m.",
                ),
            ],
            vec![],
            "How long each operation may take in all, waits included.",
        ),
    }
}

fn topology_attributes() -> Vec<Attribute> {
    use Mode::*;
    vec![
        attr("id", Type::String, Computed, "The global cluster identifier."),
        attr("global_cluster_identifier", Type::String, Required, "Identifier of the global cluster. Changing it replaces the whole topology."),
        attr("engine", Type::String, Required, "`aurora-postgresql` or `aurora-mysql`. Changing it replaces the whole topology."),
        attr("engine_version", Type::String, OptionalComputed, "Engine version. A minor change upgrades secondaries first, then the primary; a major change needs `allow_major_version_upgrade`."),
        attr("allow_major_version_upgrade", Type::Bool, OptionalComputed, "Allow a major `engine_version` change. Default: `false`."),
        attr("database_name", Type::String, Optional, "Name of the initial database, created in the primary. Changing it replaces the whole topology."),
        attr("master_username", Type::String, Required, "Master user name. Changing it replaces the whole topology."),
        sensitive(attr("master_password", Type::String, Optional, "Master password, stored (sensitive) in state. Exactly one of `master_password` and `master_password_wo` is required at create. Only the primary receives it.")),
        write_only(attr("master_password_wo", Type::String, Optional, "Write-only master password (Terraform 1.11 and later): sent to AWS, never stored in state or plan. Change `master_password_wo_version` to send a new one.")),
        attr("master_password_wo_version", Type::Number, Optional, "Any change re-sends `master_password_wo`."),
        attr("storage_encrypted", Type::Bool, OptionalComputed, "Encrypt storage. Changing it replaces the whole topology."),
        attr("deletion_protection", Type::Bool, OptionalComputed, "Refuse to destroy while `true`. Default: `false`."),
        attr("primary_region", Type::String, OptionalComputed, "Region that holds the writer; must be a key of `regions`. A change moves the primary (see `failover_mode`). Unset: follow the writer AWS reports and never move it (at create: the provider's `region`)."),
        attr("failover_mode", Type::String, OptionalComputed, "How a `primary_region` change is carried out: `switchover` (default, no data loss, every region must be healthy) or `failover` (allows data loss; for a lost primary region)."),
        nested("regions", ObjectNesting::Map, region_attributes(), Required, "Regional clusters by AWS region name: one primary and up to 10 secondaries."),
        attr("skip_final_snapshot", Type::Bool, OptionalComputed, "Skip the primary's final snapshot at destroy. Default: `false`."),
        attr("final_snapshot_identifier", Type::String, Optional, "Identifier of the primary's final snapshot; required at destroy unless `skip_final_snapshot`."),
        attr("tags", Type::map(Type::String), Optional, "Tags for the global cluster, every regional cluster and instance, merged over the provider's `default_tags`."),
        attr("arn", Type::String, Computed, "ARN of the global cluster."),
        attr("global_cluster_resource_id", Type::String, Computed, "Resource ID of the global cluster."),
        attr("global_endpoint", Type::String, Computed, "Global writer endpoint: always resolves to the current primary's writer."),
        attr("status", Type::String, Computed, "Global cluster status as RDS reports it."),
    ]
}

/// The `replication_topology` resource.
pub fn resource() -> Schema {
    Schema {
        version: RESOURCE_VERSION,
        block: block(
            topology_attributes(),
            vec![timeouts_block()],
            "A whole Aurora Global Database: the global cluster, one regional cluster per region with its instances, and which region is primary. Changing `primary_region` performs a managed switchover, or a failover when `failover_mode = \"failover\"`.",
        ),
    }
}

/// The `replication_topology` data source: the resource's shape, all computed
/// but the identifier, without passwords.
pub fn data_source() -> Schema {
    let attributes = topology_attributes()
        .into_iter()
        .filter(|a| {
            !a.name.starts_with("master_password")
                && a.name != "final_snapshot_identifier"
                && a.name != "skip_final_snapshot"
                && a.name != "allow_major_version_upgrade"
                && a.name != "failover_mode"
        })
        .map(|a| {
            if a.name == "global_cluster_identifier" {
                a
            } else {
                all_computed(a)
            }
        })
        .collect();
    Schema {
        version: 0,
        block: block(attributes, vec![], "Reads an existing Aurora Global Database topology: every member region, its cluster and instances, and which region is primary."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk<'a>(attrs: &'a [Attribute], out: &mut Vec<&'a Attribute>) {
        for a in attrs {
            out.push(a);
            if let AttributeKind::Nested(n) = &a.kind {
                walk(&n.attributes, out);
            }
        }
    }

    #[test]
    fn every_attribute_has_a_description_and_one_mode() {
        for s in [provider(), resource(), data_source()] {
            let mut all = Vec::new();
            walk(&s.block.attributes, &mut all);
            for b in &s.block.block_types {
                walk(&b.block.attributes, &mut all);
            }
            for a in all {
                assert!(!a.description.is_empty(), "{} has no description", a.name);
                assert!(a.required || a.optional || a.computed, "{}", a.name);
                assert!(!(a.required && a.computed), "{}", a.name);
            }
        }
    }

    #[test]
    fn passwords_are_sensitive_and_wo_is_write_only() {
        let s = resource();
        let pw = s.block.attribute("master_password").unwrap();
        assert!(pw.sensitive && !pw.write_only);
        let wo = s.block.attribute("master_password_wo").unwrap();
        assert!(wo.write_only && wo.sensitive);
        let ds = data_source();
        assert!(ds.block.attribute("master_password").is_none());
        assert!(ds.block.attribute("master_password_wo").is_none());
    }

    #[test]
    fn data_source_descriptions_do_not_talk_about_changing_values() {
        let ds = data_source();
        let mut all = Vec::new();
        walk(&ds.block.attributes, &mut all);
        for a in all.iter().filter(|a| a.computed) {
            for phrase in ["Changing it", "A change", "Default:"] {
                assert!(
                    !a.description.contains(phrase),
                    "{}: {}",
                    a.name,
                    a.description
                );
            }
            assert!(!a.description.is_empty(), "{}", a.name);
        }
    }

    #[test]
    fn data_source_only_takes_the_identifier() {
        let ds = data_source();
        for a in &ds.block.attributes {
            if a.name == "global_cluster_identifier" {
                assert!(a.required);
            } else {
                assert!(a.computed && !a.optional && !a.required, "{}", a.name);
            }
        }
    }
}
