//! The typed model of the provider block and of `replication_topology`
//! (configuration, plan and state share one shape), in the manner of
//! terraform-plugin-framework's models: one struct per object, one field per
//! attribute, each field null, unknown or known.
//!
//! This file owns the only conversion between [`Value`] and the model, in
//! both directions, and with it the only place attribute names (the
//! [`name`] constants of the schema) meet fields, together with
//! [`super::settings`], which holds the production settings' part of the
//! model. Everything else — plan, validation, state, the RPCs — reads and
//! writes fields.

use std::collections::BTreeMap;

use crate::tf::{AttributePath, Number, Value};

use super::schema::name;
use super::settings::{ClusterConfig, InstanceConfig};

/// A value as Terraform has it: null, unknown (known only after apply), or
/// known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Field<T> {
    /// Not set.
    #[default]
    Null,
    /// Not known until apply.
    Unknown,
    /// Set and known.
    Known(T),
}

impl<T> Field<T> {
    /// The value when known.
    pub(crate) fn known(&self) -> Option<&T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    /// Whether this is null.
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    /// Whether this is unknown.
    pub(crate) fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }

    /// This field when it is set (not null), else `otherwise`.
    pub(crate) fn or(self, otherwise: Field<T>) -> Field<T> {
        if self.is_null() {
            otherwise
        } else {
            self
        }
    }

    /// Unknown becomes null; the rest as it is.
    pub(crate) fn known_or_null(self) -> Field<T> {
        if self.is_unknown() {
            Field::Null
        } else {
            self
        }
    }
}

impl Field<String> {
    /// The known string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }

    /// A known string.
    pub(crate) fn string(s: impl Into<String>) -> Self {
        Field::Known(s.into())
    }

    /// Known when `s` is some, else null.
    pub(crate) fn opt(s: Option<impl Into<String>>) -> Self {
        s.map_or(Field::Null, |s| Field::Known(s.into()))
    }
}

impl Field<bool> {
    /// The known bool.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        self.known().copied()
    }
}

impl Field<Number> {
    /// The known number, when it is a whole number that fits `i64`.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        self.known().and_then(Number::as_i64)
    }

    /// A known whole number.
    pub(crate) fn int(n: i64) -> Self {
        Field::Known(Number::from(n))
    }
}

/// A map attribute whose elements are themselves null, unknown or known.
pub(crate) type FieldMap<T> = BTreeMap<String, Field<T>>;

/// A set attribute (of strings, in this schema).
pub(crate) type FieldSet<T> = Vec<Field<T>>;

// ---------------------------------------------------------------------------
// Conversion of one known value.

/// A type the model holds inside a [`Field`]: how a known value converts.
pub(crate) trait Known: Sized {
    /// The model of a known value; `None` when the value has another type.
    fn from_known(v: &Value) -> Option<Self>;
    /// The known value.
    fn to_known(&self) -> Value;
}

impl Known for String {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_str().map(str::to_string)
    }
    fn to_known(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Known for bool {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_bool()
    }
    fn to_known(&self) -> Value {
        Value::Bool(*self)
    }
}

impl Known for Number {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_number().cloned()
    }
    fn to_known(&self) -> Value {
        Value::Number(self.clone())
    }
}

impl<T: Known> Known for FieldMap<T> {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_entries().map(|m| {
            m.iter()
                .map(|(k, x)| (k.clone(), Field::from_value(Some(x))))
                .collect()
        })
    }
    fn to_known(&self) -> Value {
        Value::Map(
            self.iter()
                .map(|(k, x)| (k.clone(), x.to_value()))
                .collect(),
        )
    }
}

impl<T: Known> Known for FieldSet<T> {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_elements()
            .map(|xs| xs.iter().map(|x| Field::from_value(Some(x))).collect())
    }
    fn to_known(&self) -> Value {
        Value::Set(self.iter().map(Field::to_value).collect())
    }
}

impl<T: Known> Field<T> {
    /// The field of an attribute value (absent is null). A value of another
    /// type than the schema's reads as null.
    pub(crate) fn from_value(v: Option<&Value>) -> Self {
        match v.map(Value::unwrap_dynamic) {
            None | Some(Value::Null) => Field::Null,
            Some(Value::Unknown) => Field::Unknown,
            Some(v) => T::from_known(v).map_or(Field::Null, Field::Known),
        }
    }

    /// The attribute value.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Field::Null => Value::Null,
            Field::Unknown => Value::Unknown,
            Field::Known(v) => v.to_known(),
        }
    }
}

/// The field `name` of an object value.
fn read<T: Known>(obj: &Value, name: &str) -> Field<T> {
    Field::from_value(obj.get_attr(name))
}

// ---------------------------------------------------------------------------
// The resource.

/// `replication_topology`: its configuration, plan or state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Topology {
    pub(crate) id: Field<String>,
    pub(crate) global_cluster_identifier: Field<String>,
    pub(crate) engine: Field<String>,
    pub(crate) engine_version: Field<String>,
    pub(crate) allow_major_version_upgrade: Field<bool>,
    pub(crate) database_name: Field<String>,
    pub(crate) master_username: Field<String>,
    pub(crate) master_password: Field<String>,
    pub(crate) master_password_wo: Field<String>,
    pub(crate) master_password_wo_version: Field<Number>,
    pub(crate) storage_encrypted: Field<bool>,
    pub(crate) deletion_protection: Field<bool>,
    pub(crate) primary_region: Field<String>,
    pub(crate) failover_mode: Field<String>,
    pub(crate) regions: Field<FieldMap<Region>>,
    pub(crate) skip_final_snapshot: Field<bool>,
    pub(crate) final_snapshot_identifier: Field<String>,
    pub(crate) tags: Field<FieldMap<String>>,
    pub(crate) arn: Field<String>,
    pub(crate) global_cluster_resource_id: Field<String>,
    pub(crate) global_endpoint: Field<String>,
    pub(crate) status: Field<String>,
    pub(crate) timeouts: Field<Timeouts>,
    // Production settings (SPEC §7).
    pub(crate) engine_lifecycle_support: Field<String>,
    pub(crate) apply_immediately: Field<bool>,
    // Replication health.
    pub(crate) max_data_loss: Field<String>,
    // Starting from what exists (SPEC §8): configuration only.
    pub(crate) source_db_cluster_identifier: Field<String>,
    pub(crate) snapshot_identifier: Field<String>,
}

/// One entry of `regions`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Region {
    pub(crate) cluster_identifier: Field<String>,
    pub(crate) instance_class: Field<String>,
    pub(crate) db_subnet_group_name: Field<String>,
    pub(crate) vpc_security_group_ids: Field<FieldSet<String>>,
    pub(crate) kms_key_id: Field<String>,
    pub(crate) write_forwarding: Field<bool>,
    pub(crate) db_cluster_parameter_group_name: Field<String>,
    pub(crate) instances: Field<FieldMap<Instance>>,
    pub(crate) arn: Field<String>,
    pub(crate) endpoint: Field<String>,
    pub(crate) reader_endpoint: Field<String>,
    pub(crate) role: Field<String>,
    pub(crate) status: Field<String>,
    // Production settings (SPEC §7).
    pub(crate) settings: ClusterConfig,
    pub(crate) instance_defaults: InstanceConfig,
    pub(crate) pending_changes: Field<FieldMap<String>>,
}

/// One entry of a region's `instances`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Instance {
    pub(crate) identifier: Field<String>,
    pub(crate) instance_class: Field<String>,
    pub(crate) promotion_tier: Field<Number>,
    pub(crate) arn: Field<String>,
    pub(crate) endpoint: Field<String>,
    pub(crate) status: Field<String>,
    // Production settings (SPEC §7).
    pub(crate) settings: InstanceConfig,
    pub(crate) availability_zone: Field<String>,
    pub(crate) pending_changes: Field<FieldMap<String>>,
}

/// The `timeouts` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Timeouts {
    pub(crate) create: Field<String>,
    pub(crate) update: Field<String>,
    pub(crate) delete: Field<String>,
}

impl Topology {
    /// Whether the topology was (or is to be) grown from an existing
    /// cluster or restored from a snapshot (SPEC §8).
    pub(crate) fn has_origin(&self) -> bool {
        !self.source_db_cluster_identifier.is_null() || !self.snapshot_identifier.is_null()
    }
}

impl Known for Topology {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_entries()?;
        Some(Topology {
            id: read(v, name::ID),
            global_cluster_identifier: read(v, name::GLOBAL_CLUSTER_IDENTIFIER),
            engine: read(v, name::ENGINE),
            engine_version: read(v, name::ENGINE_VERSION),
            allow_major_version_upgrade: read(v, name::ALLOW_MAJOR_VERSION_UPGRADE),
            database_name: read(v, name::DATABASE_NAME),
            master_username: read(v, name::MASTER_USERNAME),
            master_password: read(v, name::MASTER_PASSWORD),
            master_password_wo: read(v, name::MASTER_PASSWORD_WO),
            master_password_wo_version: read(v, name::MASTER_PASSWORD_WO_VERSION),
            storage_encrypted: read(v, name::STORAGE_ENCRYPTED),
            deletion_protection: read(v, name::DELETION_PROTECTION),
            primary_region: read(v, name::PRIMARY_REGION),
            failover_mode: read(v, name::FAILOVER_MODE),
            regions: read(v, name::REGIONS),
            skip_final_snapshot: read(v, name::SKIP_FINAL_SNAPSHOT),
            final_snapshot_identifier: read(v, name::FINAL_SNAPSHOT_IDENTIFIER),
            tags: read(v, name::TAGS),
            arn: read(v, name::ARN),
            global_cluster_resource_id: read(v, name::GLOBAL_CLUSTER_RESOURCE_ID),
            global_endpoint: read(v, name::GLOBAL_ENDPOINT),
            status: read(v, name::STATUS),
            timeouts: read(v, name::TIMEOUTS),
            engine_lifecycle_support: read(v, name::ENGINE_LIFECYCLE_SUPPORT),
            apply_immediately: read(v, name::APPLY_IMMEDIATELY),
            // Replication health.
            max_data_loss: read(v, name::MAX_DATA_LOSS),
            source_db_cluster_identifier: read(v, name::SOURCE_DB_CLUSTER_IDENTIFIER),
            snapshot_identifier: read(v, name::SNAPSHOT_IDENTIFIER),
        })
    }

    fn to_known(&self) -> Value {
        Value::object([
            (name::ID, self.id.to_value()),
            (
                name::GLOBAL_CLUSTER_IDENTIFIER,
                self.global_cluster_identifier.to_value(),
            ),
            (name::ENGINE, self.engine.to_value()),
            (name::ENGINE_VERSION, self.engine_version.to_value()),
            (
                name::ALLOW_MAJOR_VERSION_UPGRADE,
                self.allow_major_version_upgrade.to_value(),
            ),
            (name::DATABASE_NAME, self.database_name.to_value()),
            (name::MASTER_USERNAME, self.master_username.to_value()),
            (name::MASTER_PASSWORD, self.master_password.to_value()),
            (name::MASTER_PASSWORD_WO, self.master_password_wo.to_value()),
            (
                name::MASTER_PASSWORD_WO_VERSION,
                self.master_password_wo_version.to_value(),
            ),
            (name::STORAGE_ENCRYPTED, self.storage_encrypted.to_value()),
            (
                name::DELETION_PROTECTION,
                self.deletion_protection.to_value(),
            ),
            (name::PRIMARY_REGION, self.primary_region.to_value()),
            (name::FAILOVER_MODE, self.failover_mode.to_value()),
            (name::REGIONS, self.regions.to_value()),
            (
                name::SKIP_FINAL_SNAPSHOT,
                self.skip_final_snapshot.to_value(),
            ),
            (
                name::FINAL_SNAPSHOT_IDENTIFIER,
                self.final_snapshot_identifier.to_value(),
            ),
            (name::TAGS, self.tags.to_value()),
            (name::ARN, self.arn.to_value()),
            (
                name::GLOBAL_CLUSTER_RESOURCE_ID,
                self.global_cluster_resource_id.to_value(),
            ),
            (name::GLOBAL_ENDPOINT, self.global_endpoint.to_value()),
            (name::STATUS, self.status.to_value()),
            (name::TIMEOUTS, self.timeouts.to_value()),
            (
                name::ENGINE_LIFECYCLE_SUPPORT,
                self.engine_lifecycle_support.to_value(),
            ),
            (name::APPLY_IMMEDIATELY, self.apply_immediately.to_value()),
            // Replication health.
            (name::MAX_DATA_LOSS, self.max_data_loss.to_value()),
            (
                name::SOURCE_DB_CLUSTER_IDENTIFIER,
                self.source_db_cluster_identifier.to_value(),
            ),
            (
                name::SNAPSHOT_IDENTIFIER,
                self.snapshot_identifier.to_value(),
            ),
        ])
    }
}

impl Known for Region {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_entries()?;
        Some(Region {
            cluster_identifier: read(v, name::CLUSTER_IDENTIFIER),
            instance_class: read(v, name::INSTANCE_CLASS),
            db_subnet_group_name: read(v, name::DB_SUBNET_GROUP_NAME),
            vpc_security_group_ids: read(v, name::VPC_SECURITY_GROUP_IDS),
            kms_key_id: read(v, name::KMS_KEY_ID),
            write_forwarding: read(v, name::WRITE_FORWARDING),
            db_cluster_parameter_group_name: read(v, name::DB_CLUSTER_PARAMETER_GROUP_NAME),
            instances: read(v, name::INSTANCES),
            arn: read(v, name::ARN),
            endpoint: read(v, name::ENDPOINT),
            reader_endpoint: read(v, name::READER_ENDPOINT),
            role: read(v, name::ROLE),
            status: read(v, name::STATUS),
            settings: ClusterConfig::read(v),
            instance_defaults: InstanceConfig::read(v),
            pending_changes: read(v, name::PENDING_CHANGES),
        })
    }

    fn to_known(&self) -> Value {
        let mut attrs = vec![
            (name::CLUSTER_IDENTIFIER, self.cluster_identifier.to_value()),
            (name::INSTANCE_CLASS, self.instance_class.to_value()),
            (
                name::DB_SUBNET_GROUP_NAME,
                self.db_subnet_group_name.to_value(),
            ),
            (
                name::VPC_SECURITY_GROUP_IDS,
                self.vpc_security_group_ids.to_value(),
            ),
            (name::KMS_KEY_ID, self.kms_key_id.to_value()),
            (name::WRITE_FORWARDING, self.write_forwarding.to_value()),
            (
                name::DB_CLUSTER_PARAMETER_GROUP_NAME,
                self.db_cluster_parameter_group_name.to_value(),
            ),
            (name::INSTANCES, self.instances.to_value()),
            (name::ARN, self.arn.to_value()),
            (name::ENDPOINT, self.endpoint.to_value()),
            (name::READER_ENDPOINT, self.reader_endpoint.to_value()),
            (name::ROLE, self.role.to_value()),
            (name::STATUS, self.status.to_value()),
            (name::PENDING_CHANGES, self.pending_changes.to_value()),
        ];
        attrs.extend(self.settings.pairs());
        attrs.extend(self.instance_defaults.pairs());
        Value::object(attrs)
    }
}

impl Known for Instance {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_entries()?;
        Some(Instance {
            identifier: read(v, name::IDENTIFIER),
            instance_class: read(v, name::INSTANCE_CLASS),
            promotion_tier: read(v, name::PROMOTION_TIER),
            arn: read(v, name::ARN),
            endpoint: read(v, name::ENDPOINT),
            status: read(v, name::STATUS),
            settings: InstanceConfig::read(v),
            availability_zone: read(v, name::AVAILABILITY_ZONE),
            pending_changes: read(v, name::PENDING_CHANGES),
        })
    }

    fn to_known(&self) -> Value {
        let mut attrs = vec![
            (name::IDENTIFIER, self.identifier.to_value()),
            (name::INSTANCE_CLASS, self.instance_class.to_value()),
            (name::PROMOTION_TIER, self.promotion_tier.to_value()),
            (name::ARN, self.arn.to_value()),
            (name::ENDPOINT, self.endpoint.to_value()),
            (name::STATUS, self.status.to_value()),
            (name::AVAILABILITY_ZONE, self.availability_zone.to_value()),
            (name::PENDING_CHANGES, self.pending_changes.to_value()),
        ];
        attrs.extend(self.settings.pairs());
        Value::object(attrs)
    }
}

impl Known for Timeouts {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_entries()?;
        Some(Timeouts {
            create: read(v, name::CREATE),
            update: read(v, name::UPDATE),
            delete: read(v, name::DELETE),
        })
    }

    fn to_known(&self) -> Value {
        Value::object([
            (name::CREATE, self.create.to_value()),
            (name::UPDATE, self.update.to_value()),
            (name::DELETE, self.delete.to_value()),
        ])
    }
}

impl Topology {
    /// The model of a resource value; null and unknown read as a model whose
    /// every field is null.
    pub(crate) fn from_value(v: &Value) -> Self {
        Topology::from_known(v).unwrap_or_default()
    }

    /// The resource value.
    pub(crate) fn to_value(&self) -> Value {
        self.to_known()
    }

    /// The known regions (none while unknown or null).
    pub(crate) fn region_entries(&self) -> impl Iterator<Item = (&String, &Field<Region>)> {
        self.regions.known().into_iter().flatten()
    }

    /// The known region `key`.
    pub(crate) fn region(&self, key: &str) -> Option<&Region> {
        self.regions.known()?.get(key)?.known()
    }
}

impl Region {
    /// The region value.
    pub(crate) fn to_value(&self) -> Value {
        self.to_known()
    }

    /// The known instances (none while unknown or null).
    pub(crate) fn instance_entries(&self) -> impl Iterator<Item = (&String, &Field<Instance>)> {
        self.instances.known().into_iter().flatten()
    }

    /// Whether a configured region has no instances (None while unknown).
    pub(crate) fn is_headless(&self) -> Option<bool> {
        match &self.instances {
            Field::Null => Some(true),
            Field::Unknown => None,
            Field::Known(m) => Some(m.is_empty()),
        }
    }
}

// ---------------------------------------------------------------------------
// The provider block.

/// The `provider "replication"` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ProviderBlock {
    pub(crate) region: Field<String>,
    pub(crate) profile: Field<String>,
    pub(crate) endpoint_url: Field<String>,
    pub(crate) max_retries: Field<Number>,
    pub(crate) retry_mode: Field<String>,
    pub(crate) default_tags: Field<FieldMap<String>>,
    pub(crate) assume_role: Field<AssumeRole>,
}

/// The provider's `assume_role` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct AssumeRole {
    pub(crate) role_arn: Field<String>,
    pub(crate) session_name: Field<String>,
    pub(crate) external_id: Field<String>,
}

impl Known for AssumeRole {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_entries()?;
        Some(AssumeRole {
            role_arn: read(v, name::ROLE_ARN),
            session_name: read(v, name::SESSION_NAME),
            external_id: read(v, name::EXTERNAL_ID),
        })
    }

    fn to_known(&self) -> Value {
        Value::object([
            (name::ROLE_ARN, self.role_arn.to_value()),
            (name::SESSION_NAME, self.session_name.to_value()),
            (name::EXTERNAL_ID, self.external_id.to_value()),
        ])
    }
}

impl Known for ProviderBlock {
    fn from_known(v: &Value) -> Option<Self> {
        v.as_entries()?;
        Some(ProviderBlock {
            region: read(v, name::REGION),
            profile: read(v, name::PROFILE),
            endpoint_url: read(v, name::ENDPOINT_URL),
            max_retries: read(v, name::MAX_RETRIES),
            retry_mode: read(v, name::RETRY_MODE),
            default_tags: read(v, name::DEFAULT_TAGS),
            assume_role: read(v, name::ASSUME_ROLE),
        })
    }

    fn to_known(&self) -> Value {
        Value::object([
            (name::REGION, self.region.to_value()),
            (name::PROFILE, self.profile.to_value()),
            (name::ENDPOINT_URL, self.endpoint_url.to_value()),
            (name::MAX_RETRIES, self.max_retries.to_value()),
            (name::RETRY_MODE, self.retry_mode.to_value()),
            (name::DEFAULT_TAGS, self.default_tags.to_value()),
            (name::ASSUME_ROLE, self.assume_role.to_value()),
        ])
    }
}

impl ProviderBlock {
    /// The model of a provider block value (null reads as all null).
    pub(crate) fn from_value(v: &Value) -> Self {
        ProviderBlock::from_known(v).unwrap_or_default()
    }
}

/// The known strings of a string map (unknown and null entries left out).
pub(crate) fn known_strings(m: &Field<FieldMap<String>>) -> BTreeMap<String, String> {
    m.known()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
        .collect()
}

// ---------------------------------------------------------------------------
// Attribute paths, for diagnostics.

/// Paths of the model's fields, for diagnostics that point at the user's
/// line.
pub(crate) mod path {
    use super::{name, AttributePath};

    /// A top-level attribute or block.
    pub(crate) fn top(attr: &str) -> AttributePath {
        AttributePath::root().attr(attr)
    }

    /// `regions`.
    pub(crate) fn regions() -> AttributePath {
        top(name::REGIONS)
    }

    /// `regions["<key>"]`.
    pub(crate) fn region(key: &str) -> AttributePath {
        regions().key(key)
    }

    /// `regions["<region>"].instances`.
    pub(crate) fn instances(region_key: &str) -> AttributePath {
        region(region_key).attr(name::INSTANCES)
    }

    /// `regions["<region>"].instances["<key>"]`.
    pub(crate) fn instance(region_key: &str, key: &str) -> AttributePath {
        instances(region_key).key(key)
    }

    /// `timeouts.<op>`.
    pub(crate) fn timeout(op: &str) -> AttributePath {
        top(name::TIMEOUTS).attr(op)
    }
}

/// The region's default class as seen from its instances: unknown while any
/// is unknown; the class most instances use (a region's default plus a few
/// overrides); null when there are none or no class is the most common one.
/// Read derives it the same way.
pub(crate) fn common_class(instances: &Field<FieldMap<Instance>>) -> Field<String> {
    let Some(m) = instances.known() else {
        return Field::Unknown;
    };
    let mut counts: Vec<(&String, usize)> = Vec::new();
    for inst in m.values() {
        let c = match inst.known().map(|i| &i.instance_class) {
            Some(Field::Unknown) => return Field::Unknown,
            Some(Field::Known(c)) => c,
            Some(Field::Null) | None => continue,
        };
        match counts.iter_mut().find(|(v, _)| *v == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    let Some(top) = counts.iter().map(|(_, n)| *n).max() else {
        return Field::Null;
    };
    match counts
        .iter()
        .filter(|(_, n)| *n == top)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [(v, _)] => Field::string(*v),
        _ => Field::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topology_value_round_trips_through_the_model() {
        let ty = super::super::schema::resource().block.value_type();
        let json = serde_json::json!({
            "global_cluster_identifier": "orders",
            "engine": "aurora-postgresql",
            "master_username": "app",
            "master_password_wo_version": 2,
            "tags": {"team": "db"},
            "timeouts": {"create": "10m"},
            "regions": {
                "us-east-1": {
                    "vpc_security_group_ids": ["sg-1", "sg-2"],
                    "instances": {"a": {"promotion_tier": 0}}
                },
                "eu-west-1": {}
            }
        });
        let v = crate::tf::json::decode(json.to_string().as_bytes(), &ty).unwrap();
        let m = Topology::from_value(&v);
        assert_eq!(m.to_value(), v);
        assert_eq!(m.engine.as_str(), Some("aurora-postgresql"));
        let east = m.region("us-east-1").unwrap();
        let a = east.instances.known().unwrap().get("a").unwrap().known();
        assert_eq!(a.unwrap().promotion_tier.as_i64(), Some(0));
        assert_eq!(m.region("eu-west-1").unwrap().is_headless(), Some(true));
    }

    #[test]
    fn unknown_and_null_fields_stay_what_they_are() {
        let v = Value::object([(name::ENGINE, Value::Unknown), (name::REGIONS, Value::Null)]);
        let m = Topology::from_value(&v);
        assert!(m.engine.is_unknown());
        assert!(m.regions.is_null());
        assert_eq!(m.to_value().get_attr(name::ENGINE), Some(&Value::Unknown));
    }
}
