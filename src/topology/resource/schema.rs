//! Schemas of the provider block, the `replication_topology` resource and
//! data source (SPEC §3–4). Every attribute carries a markdown description:
//! the registry docs are generated from these.

use crate::tf::{
    Attribute, AttributeKind, Block, BlockNesting, NestedAttributes, NestedBlock, ObjectNesting,
    Schema, Type,
};
use crate::topology::credentials;

/// Attribute and block names, written once: the schema below and the
/// model's conversion ([`super::model`]) both use these.
pub(crate) mod name {
    pub(crate) const ALLOW_MAJOR_VERSION_UPGRADE: &str = "allow_major_version_upgrade";
    pub(crate) const ARN: &str = "arn";
    pub(crate) const ASSUME_ROLE: &str = "assume_role";
    pub(crate) const CLUSTER_IDENTIFIER: &str = "cluster_identifier";
    pub(crate) const CREATE: &str = "create";
    pub(crate) const DATABASE_NAME: &str = "database_name";
    pub(crate) const DB_CLUSTER_PARAMETER_GROUP_NAME: &str = "db_cluster_parameter_group_name";
    pub(crate) const DB_SUBNET_GROUP_NAME: &str = "db_subnet_group_name";
    pub(crate) const DEFAULT_TAGS: &str = "default_tags";
    pub(crate) const DELETE: &str = "delete";
    pub(crate) const DELETION_PROTECTION: &str = "deletion_protection";
    pub(crate) const ENDPOINT: &str = "endpoint";
    pub(crate) const ENDPOINT_URL: &str = "endpoint_url";
    pub(crate) const ENGINE: &str = "engine";
    pub(crate) const ENGINE_VERSION: &str = "engine_version";
    pub(crate) const EXTERNAL_ID: &str = "external_id";
    pub(crate) const FAILOVER_MODE: &str = "failover_mode";
    pub(crate) const FINAL_SNAPSHOT_IDENTIFIER: &str = "final_snapshot_identifier";
    pub(crate) const GLOBAL_CLUSTER_IDENTIFIER: &str = "global_cluster_identifier";
    pub(crate) const GLOBAL_CLUSTER_RESOURCE_ID: &str = "global_cluster_resource_id";
    pub(crate) const GLOBAL_ENDPOINT: &str = "global_endpoint";
    pub(crate) const ID: &str = "id";
    pub(crate) const IDENTIFIER: &str = "identifier";
    pub(crate) const INSTANCE_CLASS: &str = "instance_class";
    pub(crate) const INSTANCES: &str = "instances";
    pub(crate) const KMS_KEY_ID: &str = "kms_key_id";
    pub(crate) const MASTER_PASSWORD: &str = "master_password";
    pub(crate) const MASTER_PASSWORD_WO: &str = "master_password_wo";
    pub(crate) const MASTER_PASSWORD_WO_VERSION: &str = "master_password_wo_version";
    pub(crate) const MASTER_USERNAME: &str = "master_username";
    pub(crate) const MAX_RETRIES: &str = "max_retries";
    pub(crate) const PRIMARY_REGION: &str = "primary_region";
    pub(crate) const PROFILE: &str = "profile";
    pub(crate) const PROMOTION_TIER: &str = "promotion_tier";
    pub(crate) const READER_ENDPOINT: &str = "reader_endpoint";
    pub(crate) const REGION: &str = "region";
    pub(crate) const REGIONS: &str = "regions";
    pub(crate) const RETRY_MODE: &str = "retry_mode";
    pub(crate) const ROLE: &str = "role";
    pub(crate) const ROLE_ARN: &str = "role_arn";
    pub(crate) const SESSION_NAME: &str = "session_name";
    pub(crate) const SKIP_FINAL_SNAPSHOT: &str = "skip_final_snapshot";
    pub(crate) const SNAPSHOT_IDENTIFIER: &str = "snapshot_identifier";
    pub(crate) const SOURCE_DB_CLUSTER_IDENTIFIER: &str = "source_db_cluster_identifier";
    pub(crate) const STATUS: &str = "status";
    pub(crate) const STORAGE_ENCRYPTED: &str = "storage_encrypted";
    pub(crate) const TAGS: &str = "tags";
    pub(crate) const TIMEOUTS: &str = "timeouts";
    pub(crate) const UPDATE: &str = "update";
    pub(crate) const VPC_SECURITY_GROUP_IDS: &str = "vpc_security_group_ids";
    pub(crate) const WRITE_FORWARDING: &str = "write_forwarding";

    // Production settings (SPEC §7).
    pub(crate) const APPLY_IMMEDIATELY: &str = "apply_immediately";
    pub(crate) const AUTO_MINOR_VERSION_UPGRADE: &str = "auto_minor_version_upgrade";
    pub(crate) const AVAILABILITY_ZONE: &str = "availability_zone";
    pub(crate) const BACKUP_RETENTION_PERIOD: &str = "backup_retention_period";
    pub(crate) const CA_CERT_IDENTIFIER: &str = "ca_cert_identifier";
    pub(crate) const COPY_TAGS_TO_SNAPSHOT: &str = "copy_tags_to_snapshot";
    pub(crate) const DB_PARAMETER_GROUP_NAME: &str = "db_parameter_group_name";
    pub(crate) const ENABLE_LOCAL_WRITE_FORWARDING: &str = "enable_local_write_forwarding";
    pub(crate) const ENABLED_CLOUDWATCH_LOGS_EXPORTS: &str = "enabled_cloudwatch_logs_exports";
    pub(crate) const ENGINE_LIFECYCLE_SUPPORT: &str = "engine_lifecycle_support";
    pub(crate) const IAM_DATABASE_AUTHENTICATION_ENABLED: &str =
        "iam_database_authentication_enabled";
    pub(crate) const MAX_CAPACITY: &str = "max_capacity";
    pub(crate) const MIN_CAPACITY: &str = "min_capacity";
    pub(crate) const MONITORING_INTERVAL: &str = "monitoring_interval";
    pub(crate) const MONITORING_ROLE_ARN: &str = "monitoring_role_arn";
    pub(crate) const NETWORK_TYPE: &str = "network_type";
    pub(crate) const PENDING_CHANGES: &str = "pending_changes";
    pub(crate) const PERFORMANCE_INSIGHTS_ENABLED: &str = "performance_insights_enabled";
    pub(crate) const PERFORMANCE_INSIGHTS_KMS_KEY_ID: &str = "performance_insights_kms_key_id";
    pub(crate) const PERFORMANCE_INSIGHTS_RETENTION_PERIOD: &str =
        "performance_insights_retention_period";
    pub(crate) const PORT: &str = "port";
    pub(crate) const PREFERRED_BACKUP_WINDOW: &str = "preferred_backup_window";
    pub(crate) const PREFERRED_MAINTENANCE_WINDOW: &str = "preferred_maintenance_window";
    pub(crate) const SECONDS_UNTIL_AUTO_PAUSE: &str = "seconds_until_auto_pause";
    pub(crate) const SERVERLESSV2_SCALING_CONFIGURATION: &str =
        "serverlessv2_scaling_configuration";
    pub(crate) const STORAGE_TYPE: &str = "storage_type";
    // Replication health (resource guard; data source lag figures).
    pub(crate) const MAX_DATA_LOSS: &str = "max_data_loss";
    pub(crate) const REPLICATION_LAG_MS: &str = "replication_lag_ms";
    pub(crate) const RPO_LAG_MS: &str = "rpo_lag_ms";
    pub(crate) const LAG_OBSERVED_AT: &str = "lag_observed_at";
}

/// `role` of the region holding the writer.
pub(crate) const ROLE_PRIMARY: &str = "primary";
/// `role` of every other region.
pub(crate) const ROLE_SECONDARY: &str = "secondary";

/// Defaults the planner fills in when the configuration leaves an attribute
/// unset, and the deadlines `timeouts` falls back to. The descriptions below
/// quote them, so the docs show the value the planner uses.
pub(crate) mod default {
    use std::time::Duration;

    /// `allow_major_version_upgrade`.
    pub(crate) const ALLOW_MAJOR_VERSION_UPGRADE: bool = false;
    /// `deletion_protection`.
    pub(crate) const DELETION_PROTECTION: bool = false;
    /// `skip_final_snapshot`.
    pub(crate) const SKIP_FINAL_SNAPSHOT: bool = false;
    /// `failover_mode`.
    pub(crate) const FAILOVER_MODE: &str = "switchover";
    /// `regions[*].write_forwarding`.
    pub(crate) const WRITE_FORWARDING: bool = false;
    /// `regions[*].instances[*].promotion_tier`.
    pub(crate) const PROMOTION_TIER: i64 = 1;
    /// `apply_immediately`.
    pub(crate) const APPLY_IMMEDIATELY: bool = true;
    /// `timeouts.create`.
    pub(crate) const CREATE_TIMEOUT: Duration = Duration::from_secs(120 * 60);
    /// `timeouts.update`.
    pub(crate) const UPDATE_TIMEOUT: Duration = Duration::from_secs(120 * 60);
    /// `timeouts.delete`.
    pub(crate) const DELETE_TIMEOUT: Duration = Duration::from_secs(90 * 60);
}

/// What a change of an attribute replaces (Terraform's "requires replace",
/// and the regional equivalent the reconciler carries out itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replaces {
    /// The whole topology: the plan asks Terraform to replace the resource.
    Topology,
    /// The region's cluster: deleted and created again within the update.
    RegionCluster,
}

impl Replaces {
    /// The sentence the attribute's description ends with.
    fn sentence(self) -> &'static str {
        match self {
            Replaces::Topology => "Changing it replaces the whole topology.",
            Replaces::RegionCluster => "A change recreates this region's cluster.",
        }
    }
}

/// Every attribute whose change replaces something: top-level attributes
/// with [`Replaces::Topology`], region attributes with
/// [`Replaces::RegionCluster`].
const REPLACING: [(&str, Replaces); 9] = [
    (name::GLOBAL_CLUSTER_IDENTIFIER, Replaces::Topology),
    (name::SNAPSHOT_IDENTIFIER, Replaces::Topology),
    (name::ENGINE, Replaces::Topology),
    (name::DATABASE_NAME, Replaces::Topology),
    (name::MASTER_USERNAME, Replaces::Topology),
    (name::STORAGE_ENCRYPTED, Replaces::Topology),
    (name::CLUSTER_IDENTIFIER, Replaces::RegionCluster),
    (name::DB_SUBNET_GROUP_NAME, Replaces::RegionCluster),
    (name::KMS_KEY_ID, Replaces::RegionCluster),
];

/// The attributes whose change replaces `what`.
pub(crate) fn replacing(what: Replaces) -> impl Iterator<Item = &'static str> {
    REPLACING
        .iter()
        .filter(move |(_, r)| *r == what)
        .map(|(n, _)| *n)
}

/// `description`, followed by the sentence saying what a change replaces
/// when `name` is in [`REPLACING`].
fn with_replacement(name: &str, description: &str) -> String {
    match REPLACING.iter().find(|(n, _)| *n == name) {
        Some((_, r)) => format!("{description} {}", r.sentence()),
        None => description.to_string(),
    }
}

/// `text` followed by "Default: <shown>.".
fn defaulted(text: &str, shown: &str) -> String {
    format!("{text} Default: {shown}.")
}

/// A value as the descriptions quote it: `` `false` ``.
fn code(v: impl std::fmt::Display) -> String {
    format!("`{v}`")
}

/// A whole number of minutes as Terraform writes a duration: "120m".
pub(crate) fn duration_text(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    if secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

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
        description: with_replacement(name, description),
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
        type_name: name::ASSUME_ROLE.into(),
        nesting: BlockNesting::Single,
        min_items: 0,
        max_items: 0,
        block: block(
            vec![
                attr(
                    name::ROLE_ARN,
                    Type::String,
                    Required,
                    "ARN of the IAM role to assume for every RDS call.",
                ),
                attr(
                    name::SESSION_NAME,
                    Type::String,
                    Optional,
                    "Session name for the assumed role. Default: `terraform-provider-replication`.",
                ),
                attr(
                    name::EXTERNAL_ID,
                    Type::String,
                    Optional,
                    "External ID the role's trust policy requires, if any.",
                ),
            ],
            vec![],
            "Assume an IAM role, on top of the credentials found by the standard AWS chain.",
        ),
    };
    let mut schema = Schema {
        version: 0,
        block: block(
            vec![
                attr(name::REGION, Type::String, Optional, "Home region for global-cluster calls. Default: the `primary_region` of each topology, else `AWS_REGION`. When the home region does not answer, global-cluster calls fall back to another member region."),
                attr(name::PROFILE, Type::String, Optional, "Named profile from the shared AWS config and credentials files."),
                attr(name::ENDPOINT_URL, Type::String, Optional, "RDS endpoint override used for every region (a local emulator, VPC endpoints). `AWS_ENDPOINT_URL_RDS` and `AWS_ENDPOINT_URL` are honoured when this is unset."),
                attr(name::MAX_RETRIES, Type::Number, Optional, "Maximum attempts for throttled or 5xx AWS calls. Default: 25. Transport failures (refused, reset, timed out) give up much sooner so an unreachable region is reported in seconds."),
                attr(name::RETRY_MODE, Type::String, Optional, "How throttled and 5xx calls are retried. Unset (the default): the provider paces calls per region itself, without delay until a region throttles, then at the rate that region was answering, recovering as calls are answered; calls that change something go before waiting reads. `standard`: the AWS SDK's retries, each throttled call backing off on its own. `adaptive`: the SDK's retries and client-side rate limiter, which may start from one call every two seconds after a burst. Setting this (or `AWS_RETRY_MODE`) turns the provider's pacing off."),
                attr(name::DEFAULT_TAGS, Type::map(Type::String), Optional, "Tags applied to every object the provider creates, merged under each topology's `tags`."),
            ],
            vec![assume_role, credentials::web_identity_block()],
            "The `replication` provider manages Aurora Global Database topologies. Credentials come from the standard AWS chain: environment, shared files, SSO, web identity, container and instance metadata.",
        ),
    };
    schema.block.attributes.extend(credentials::attributes());
    schema
}

fn instance_attributes() -> Vec<Attribute> {
    use Mode::*;
    vec![
        attr(name::IDENTIFIER, Type::String, OptionalComputed, "DB instance identifier. Default: `<cluster_identifier>-<key>`."),
        attr(name::INSTANCE_CLASS, Type::String, OptionalComputed, "Instance class. Default: the region's `instance_class`. A change resizes the instance in place (it restarts)."),
        attr(name::PROMOTION_TIER, Type::Number, OptionalComputed, &defaulted("Failover priority within the region, 0 (highest) to 15.", &default::PROMOTION_TIER.to_string())),
        attr(name::ARN, Type::String, Computed, "ARN of the DB instance."),
        attr(name::ENDPOINT, Type::String, Computed, "Instance endpoint address."),
        attr(name::STATUS, Type::String, Computed, "Instance status as RDS reports it."),
    ]
    .into_iter()
    .chain(instance_setting_attributes(false))
    .chain([
        attr(name::AVAILABILITY_ZONE, Type::String, OptionalComputed, "Availability zone of the instance. Unset: AWS chooses one. A change deletes this instance and creates it again in the new zone."),
        attr(name::PENDING_CHANGES, Type::map(Type::String), Computed, "Changes AWS accepted for this instance but holds until the maintenance window (with `apply_immediately = false`), by attribute name. Empty once AWS has applied them."),
    ])
    .collect()
}

/// The instance settings (SPEC §7): on a region they are the defaults of its
/// instances, on an instance its own values, which win.
fn instance_setting_attributes(region_level: bool) -> Vec<Attribute> {
    use Mode::*;
    let who = if region_level {
        "The default of this region's instances; an instance's own value wins."
    } else {
        "Unset: the region's value, else AWS's choice."
    };
    let d = |text: &str| format!("{text} {who}");
    vec![
        attr(name::DB_PARAMETER_GROUP_NAME, Type::String, OptionalComputed, &d("DB parameter group. A change takes effect only after the instance is rebooted, which the provider does not do.")),
        attr(name::PERFORMANCE_INSIGHTS_ENABLED, Type::Bool, OptionalComputed, &d("Enable Performance Insights.")),
        attr(name::PERFORMANCE_INSIGHTS_RETENTION_PERIOD, Type::Number, OptionalComputed, &d("Days of Performance Insights data to keep: 7, 31 × n for n up to 23, or 731.")),
        attr(name::PERFORMANCE_INSIGHTS_KMS_KEY_ID, Type::String, OptionalComputed, &d("KMS key (ARN, as AWS reports it) encrypting Performance Insights data.")),
        attr(name::MONITORING_INTERVAL, Type::Number, OptionalComputed, &d("Enhanced Monitoring interval in seconds: 0 (off), 1, 5, 10, 15, 30 or 60. Above 0 needs `monitoring_role_arn`.")),
        attr(name::MONITORING_ROLE_ARN, Type::String, OptionalComputed, &d("IAM role that lets RDS send Enhanced Monitoring metrics to CloudWatch Logs.")),
        attr(name::AUTO_MINOR_VERSION_UPGRADE, Type::Bool, OptionalComputed, &d("Apply minor engine upgrades automatically in the maintenance window.")),
        attr(name::CA_CERT_IDENTIFIER, Type::String, OptionalComputed, &d("Certificate authority of the server certificate, e.g. `rds-ca-rsa2048-g1`. A change may restart the instance.")),
    ]
}

/// The cluster settings of a region (SPEC §7). Unset: AWS's choice, read
/// back into state.
fn cluster_setting_attributes() -> Vec<Attribute> {
    use Mode::*;
    let scaling = vec![
        attr(name::MIN_CAPACITY, Type::Number, Required, "Minimum Aurora capacity units per instance, in steps of 0.5: 0 (auto-pause, where the engine version supports it) or 0.5 to 256."),
        attr(name::MAX_CAPACITY, Type::Number, Required, "Maximum Aurora capacity units per instance, in steps of 0.5: 1 to 256, at least `min_capacity`."),
        attr(name::SECONDS_UNTIL_AUTO_PAUSE, Type::Number, OptionalComputed, "Idle seconds before an instance pauses, 300 to 86400; only with `min_capacity = 0`."),
    ];
    vec![
        nested(name::SERVERLESSV2_SCALING_CONFIGURATION, ObjectNesting::Single, scaling, OptionalComputed, "Aurora Serverless v2 capacity range of this region's `db.serverless` instances. It is set on the cluster before any instance is created; a change is made in place."),
        attr(name::STORAGE_TYPE, Type::String, OptionalComputed, "`aurora` (Standard) or `aurora-iopt1` (I/O-Optimized). AWS allows a switch to I/O-Optimized once every 30 days."),
        attr(name::BACKUP_RETENTION_PERIOD, Type::Number, OptionalComputed, "Days to keep automated backups, 1 to 35."),
        attr(name::PREFERRED_BACKUP_WINDOW, Type::String, OptionalComputed, "Daily backup window in UTC, `hh24:mi-hh24:mi`, at least 30 minutes, not overlapping the maintenance window."),
        attr(name::PREFERRED_MAINTENANCE_WINDOW, Type::String, OptionalComputed, "Weekly maintenance window in UTC, `ddd:hh24:mi-ddd:hh24:mi` with lower-case days (`sun:05:00-sun:06:00`), at least 30 minutes."),
        attr(name::COPY_TAGS_TO_SNAPSHOT, Type::Bool, OptionalComputed, "Copy the cluster's tags to its snapshots."),
        attr(name::IAM_DATABASE_AUTHENTICATION_ENABLED, Type::Bool, OptionalComputed, "Allow IAM database authentication."),
        attr(name::PORT, Type::Number, OptionalComputed, "Port the cluster accepts connections on, 1150 to 65535. A change restarts every instance of the cluster."),
        attr(name::ENABLED_CLOUDWATCH_LOGS_EXPORTS, Type::set(Type::String), OptionalComputed, "Logs exported to CloudWatch Logs. aurora-postgresql: `postgresql`, `instance`, `iam-db-auth-error`; aurora-mysql: `audit`, `error`, `general`, `slowquery`, `instance`, `iam-db-auth-error`."),
        attr(name::NETWORK_TYPE, Type::String, OptionalComputed, "`IPV4` or `DUAL` (IPv4 and IPv6; the subnet group must support it)."),
        attr(name::ENABLE_LOCAL_WRITE_FORWARDING, Type::Bool, OptionalComputed, "Forward writes from this cluster's reader instances to its writer."),
    ]
}

fn region_attributes() -> Vec<Attribute> {
    use Mode::*;
    vec![
        attr(name::CLUSTER_IDENTIFIER, Type::String, OptionalComputed, "Identifier of this region's DB cluster. Default: `<global_cluster_identifier>-<region>`."),
        attr(name::INSTANCE_CLASS, Type::String, OptionalComputed, "Default instance class for this region's instances."),
        attr(name::DB_SUBNET_GROUP_NAME, Type::String, OptionalComputed, "DB subnet group of this region's cluster."),
        attr(name::VPC_SECURITY_GROUP_IDS, Type::set(Type::String), OptionalComputed, "VPC security groups of this region's cluster."),
        attr(name::KMS_KEY_ID, Type::String, OptionalComputed, "KMS key in this region for an encrypted cluster. Secondaries need a key of their own region."),
        attr(name::WRITE_FORWARDING, Type::Bool, OptionalComputed, &format!("{} Takes effect on secondaries.", defaulted("Forward writes from this secondary to the primary.", &code(default::WRITE_FORWARDING)))),
        attr(name::DB_CLUSTER_PARAMETER_GROUP_NAME, Type::String, OptionalComputed, "DB cluster parameter group of this region's cluster."),
        nested(name::INSTANCES, ObjectNesting::Map, instance_attributes(), OptionalComputed, "DB instances of this region by key. Default: `{}`, a headless region (valid for secondaries only)."),
        attr(name::ARN, Type::String, Computed, "ARN of this region's DB cluster."),
        attr(name::ENDPOINT, Type::String, Computed, "Cluster (writer) endpoint of this region."),
        attr(name::READER_ENDPOINT, Type::String, Computed, "Reader endpoint of this region."),
        attr(name::ROLE, Type::String, Computed, "`primary` or `secondary`."),
        attr(name::STATUS, Type::String, Computed, "Cluster status as RDS reports it."),
    ]
    .into_iter()
    .chain(cluster_setting_attributes())
    .chain(instance_setting_attributes(true))
    .chain([attr(name::PENDING_CHANGES, Type::map(Type::String), Computed, "Changes AWS accepted for this region's cluster but holds until the maintenance window (with `apply_immediately = false`), by attribute name. Empty once AWS has applied them.")])
    .collect()
}

fn timeouts_block() -> NestedBlock {
    use Mode::*;
    NestedBlock {
        type_name: name::TIMEOUTS.into(),
        nesting: BlockNesting::Single,
        min_items: 0,
        max_items: 0,
        block: block(
            vec![
                attr(
                    name::CREATE,
                    Type::String,
                    Optional,
                    &defaulted(
                        "Deadline for a create, as a duration like `\"120m\"`.",
                        &duration_text(default::CREATE_TIMEOUT),
                    ),
                ),
                attr(
                    name::UPDATE,
                    Type::String,
                    Optional,
                    &defaulted(
                        "Deadline for an update.",
                        &duration_text(default::UPDATE_TIMEOUT),
                    ),
                ),
                attr(
                    name::DELETE,
                    Type::String,
                    Optional,
                    &defaulted(
                        "Deadline for a destroy.",
                        &duration_text(default::DELETE_TIMEOUT),
                    ),
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
        attr(name::ID, Type::String, Computed, "The global cluster identifier."),
        attr(name::GLOBAL_CLUSTER_IDENTIFIER, Type::String, Required, "Identifier of the global cluster."),
        attr(name::ENGINE, Type::String, Required, "`aurora-postgresql` or `aurora-mysql`."),
        attr(name::ENGINE_VERSION, Type::String, OptionalComputed, "Engine version. A minor change upgrades secondaries first, then the primary; a major change needs `allow_major_version_upgrade`."),
        attr(name::ALLOW_MAJOR_VERSION_UPGRADE, Type::Bool, OptionalComputed, &defaulted("Allow a major `engine_version` change.", &code(default::ALLOW_MAJOR_VERSION_UPGRADE))),
        attr(name::DATABASE_NAME, Type::String, Optional, "Name of the initial database, created in the primary."),
        attr(name::MASTER_USERNAME, Type::String, Required, "Master user name."),
        sensitive(attr(name::MASTER_PASSWORD, Type::String, Optional, "Master password, stored (sensitive) in state. Exactly one of `master_password` and `master_password_wo` is required at create, unless the topology grows a cluster (`source_db_cluster_identifier`) or restores a snapshot (`snapshot_identifier`), whose master user it keeps; a password given then is set once the global database exists. Only the primary receives it.")),
        write_only(attr(name::MASTER_PASSWORD_WO, Type::String, Optional, "Write-only master password (Terraform 1.11 and later): sent to AWS, never stored in state or plan. Change `master_password_wo_version` to send a new one.")),
        attr(name::MASTER_PASSWORD_WO_VERSION, Type::Number, Optional, "Any change re-sends `master_password_wo`."),
        attr(name::STORAGE_ENCRYPTED, Type::Bool, OptionalComputed, "Encrypt storage."),
        attr(name::DELETION_PROTECTION, Type::Bool, OptionalComputed, &defaulted("Refuse to destroy while `true`.", &code(default::DELETION_PROTECTION))),
        attr(name::PRIMARY_REGION, Type::String, OptionalComputed, "Region that holds the writer; must be a key of `regions`. A change moves the primary (see `failover_mode`). Unset: follow the writer AWS reports and never move it (at create: the provider's `region`)."),
        attr(name::FAILOVER_MODE, Type::String, OptionalComputed, &format!("How a `primary_region` change is carried out: {} (default, no data loss, every region must be healthy) or `failover` (allows data loss; for a lost primary region).", code(default::FAILOVER_MODE))),
        nested(name::REGIONS, ObjectNesting::Map, region_attributes(), Required, "Regional clusters by AWS region name: one primary and up to 10 secondaries."),
        attr(name::SKIP_FINAL_SNAPSHOT, Type::Bool, OptionalComputed, &defaulted("Skip the primary's final snapshot at destroy.", &code(default::SKIP_FINAL_SNAPSHOT))),
        attr(name::FINAL_SNAPSHOT_IDENTIFIER, Type::String, Optional, "Identifier of the primary's final snapshot; required at destroy unless `skip_final_snapshot`."),
        attr(name::TAGS, Type::map(Type::String), Optional, "Tags for the global cluster, every regional cluster and instance, merged over the provider's `default_tags`."),
        attr(name::ARN, Type::String, Computed, "ARN of the global cluster."),
        attr(name::GLOBAL_CLUSTER_RESOURCE_ID, Type::String, Computed, "Resource ID of the global cluster."),
        attr(name::GLOBAL_ENDPOINT, Type::String, Computed, "Global writer endpoint: always resolves to the current primary's writer."),
        attr(name::STATUS, Type::String, Computed, "Global cluster status as RDS reports it."),
        // Production settings (SPEC §7).
        attr(name::ENGINE_LIFECYCLE_SUPPORT, Type::String, OptionalComputed, "`open-source-rds-extended-support` (run a major version past its end of standard support, at extra cost) or `open-source-rds-extended-support-disabled`. Set on the global cluster and every regional cluster at create; a change modifies every regional cluster."),
        attr(name::APPLY_IMMEDIATELY, Type::Bool, OptionalComputed, &defaulted("Apply settings changes at once. `false`: changes AWS can defer wait for each cluster's maintenance window; they are listed in `pending_changes` until then.", &code(default::APPLY_IMMEDIATELY))),
        // Starting from what exists (SPEC §8).
        attr(name::SOURCE_DB_CLUSTER_IDENTIFIER, Type::String, Optional, "Identifier or ARN of an existing standalone Aurora cluster in `primary_region` that becomes the primary of the new global database, in place: growing it neither replaces nor restarts it, and a failed grow never deletes it (destroying the topology later deletes it like any member). Its existing instances must all be declared in the primary region's `instances` (matched by `identifier`); engine, engine version, encryption, database name and master user come from it, so a configured value must match it, and no master password is needed. The primary region's `cluster_identifier` defaults to the source's identifier. Only read at create: a later change is an error, not a replacement."),
        attr(name::SNAPSHOT_IDENTIFIER, Type::String, Optional, "Identifier or ARN of a DB cluster snapshot in `primary_region`: the primary cluster is restored from it (RestoreDBClusterFromSnapshot) and becomes the global cluster's source; no master password is needed. Conflicts with `source_db_cluster_identifier`."),
        // Replication health.
        attr(name::MAX_DATA_LOSS, Type::String, Optional, "Largest data loss a failover may cause, as a duration like `\"5s\"` or `\"500ms\"`. A `failover_mode = \"failover\"` plan whose target region's RPO lag (its replication lag on engines without an RPO metric), read from CloudWatch, is above it is refused, and so is one whose lag cannot be read; apply checks again just before the failover is sent. Unset: no bound (the plan still states the lag)."),
    ]
}

/// The data source's per-region lag figures, read from CloudWatch.
fn region_lag_attributes() -> Vec<Attribute> {
    use Mode::*;
    vec![
        attr(name::REPLICATION_LAG_MS, Type::Number, Computed, "Latest `AuroraGlobalDBReplicationLag` of this region's cluster in milliseconds, from CloudWatch (at most 10 minutes old). Null on the primary and when CloudWatch has no recent datapoint."),
        attr(name::RPO_LAG_MS, Type::Number, Computed, "Latest `AuroraGlobalDBRPOLag` in milliseconds: how much recent committed data a failover to this region would lose. Null on the primary, without a recent datapoint, and on aurora-mysql, which does not publish it."),
        attr(name::LAG_OBSERVED_AT, Type::String, Computed, "When the latest lag datapoint was observed (RFC 3339, UTC). Null when no lag figure was read."),
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
            ![
                name::MASTER_PASSWORD,
                name::MASTER_PASSWORD_WO,
                name::MASTER_PASSWORD_WO_VERSION,
                name::FINAL_SNAPSHOT_IDENTIFIER,
                name::SKIP_FINAL_SNAPSHOT,
                name::ALLOW_MAJOR_VERSION_UPGRADE,
                name::FAILOVER_MODE,
                name::APPLY_IMMEDIATELY,
                name::MAX_DATA_LOSS,
                name::SOURCE_DB_CLUSTER_IDENTIFIER,
                name::SNAPSHOT_IDENTIFIER,
            ]
            .contains(&a.name.as_str())
        })
        .map(|a| {
            if a.name == name::GLOBAL_CLUSTER_IDENTIFIER {
                a
            } else {
                all_computed(a)
            }
        })
        .map(with_region_lag)
        .collect();
    Schema {
        version: 0,
        block: block(attributes, vec![], "Reads an existing Aurora Global Database topology: every member region, its cluster and instances, and which region is primary."),
    }
}

/// `regions` of the data source also carries each region's lag figures.
fn with_region_lag(mut a: Attribute) -> Attribute {
    if a.name == name::REGIONS {
        if let AttributeKind::Nested(n) = &mut a.kind {
            n.attributes.extend(region_lag_attributes());
        }
    }
    a
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
            if a.name == name::GLOBAL_CLUSTER_IDENTIFIER {
                assert!(a.required);
            } else {
                assert!(a.computed && !a.optional && !a.required, "{}", a.name);
            }
        }
    }
}
