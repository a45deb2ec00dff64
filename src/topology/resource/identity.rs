//! The identity of a `replication_topology` (Terraform 1.12 and later): the
//! account and the global cluster identifier. Both come from the state the
//! provider already has — the account from the global cluster's ARN — so
//! the identity is a pure function of the state and costs no AWS call.

use crate::tf::{IdentityAttribute, IdentitySchema, Type, Value};

use super::model::Field;
use super::schema::name as schema_name;

/// Identity attribute names.
pub(crate) mod name {
    pub(crate) const ACCOUNT_ID: &str = "account_id";
    pub(crate) const GLOBAL_CLUSTER_IDENTIFIER: &str = "global_cluster_identifier";
}

/// Version of the identity's shape; bump it (and teach
/// UpgradeResourceIdentity the old shape) when the attributes change.
pub(crate) const VERSION: i64 = 0;

/// The identity schema.
pub fn schema() -> IdentitySchema {
    IdentitySchema {
        version: VERSION,
        attributes: vec![
            IdentityAttribute::optional(
                name::ACCOUNT_ID,
                Type::String,
                "AWS account that owns the global database. Optional in an `import` block: the provider's credentials decide the account, and an `account_id` that differs from theirs is an error.",
            ),
            IdentityAttribute::required(
                name::GLOBAL_CLUSTER_IDENTIFIER,
                Type::String,
                "Identifier of the global cluster.",
            ),
        ],
    }
}

/// The identity of the topology `state` describes: null for a null state;
/// `account_id` unknown while the global cluster's ARN is (a create plan),
/// null when the ARN carries no account.
pub(crate) fn of_state(state: &Value) -> Value {
    if state.is_null() {
        return Value::Null;
    }
    // Only two attributes: reading them alone spares decoding the whole
    // topology, which this runs for on every read, plan and apply.
    let attr = |n: &str| Field::<String>::from_value(state.get_attr(n));
    let (arn, global_cluster_identifier) = (
        attr(schema_name::ARN),
        attr(schema_name::GLOBAL_CLUSTER_IDENTIFIER),
    );
    let account = match (&arn, state.is_unknown()) {
        (_, true) | (Field::Unknown, _) => Field::Unknown,
        (Field::Known(arn), _) => Field::opt(crate::aws::arn_account(arn)),
        (Field::Null, _) => Field::Null,
    };
    let gci = if state.is_unknown() {
        Field::Unknown
    } else {
        global_cluster_identifier
    };
    Value::object([
        (name::ACCOUNT_ID, account.to_value()),
        (name::GLOBAL_CLUSTER_IDENTIFIER, gci.to_value()),
    ])
}

/// The import ID (the global cluster identifier) an identity names.
pub(crate) fn import_id(identity: &Value) -> Option<String> {
    identity
        .get_attr(name::GLOBAL_CLUSTER_IDENTIFIER)
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::resource::schema::name as attr;

    fn state(arn: Value) -> Value {
        let ty = crate::topology::resource::schema::resource()
            .block
            .value_type();
        let Type::Object(attrs) = ty else {
            panic!("resource type is an object")
        };
        Value::Object(
            attrs
                .keys()
                .map(|k| {
                    let v = match k.as_str() {
                        attr::ARN => arn.clone(),
                        attr::GLOBAL_CLUSTER_IDENTIFIER => Value::string("orders"),
                        _ => Value::Null,
                    };
                    (k.clone(), v)
                })
                .collect(),
        )
    }

    fn identity(account: Value) -> Value {
        Value::object([
            (name::ACCOUNT_ID, account),
            (name::GLOBAL_CLUSTER_IDENTIFIER, Value::string("orders")),
        ])
    }

    #[test]
    fn identity_comes_from_the_state() {
        let arn = "arn:aws:rds::123456789012:global-cluster:orders";
        assert_eq!(
            of_state(&state(Value::string(arn))),
            identity(Value::string("123456789012"))
        );
        assert_eq!(of_state(&state(Value::Unknown)), identity(Value::Unknown));
        assert_eq!(of_state(&state(Value::Null)), identity(Value::Null));
        assert_eq!(of_state(&Value::Null), Value::Null);
        assert!(!of_state(&Value::Unknown).is_wholly_known());
    }

    #[test]
    fn identity_conforms_to_its_schema() {
        let arn = "arn:aws:rds::123456789012:global-cluster:orders";
        assert!(of_state(&state(Value::string(arn))).conforms_to(&schema().value_type()));
    }

    #[test]
    fn import_id_is_the_global_cluster_identifier() {
        assert_eq!(import_id(&identity(Value::Null)), Some("orders".to_owned()));
        assert_eq!(import_id(&Value::Null), None);
    }
}
