//! Resource identity (Terraform 1.12 and later): a small, versioned object
//! of primitive attributes that names one remote object, stored by
//! Terraform beside the state and accepted by `import` blocks in place of
//! an import ID.

use super::{Type, Value};

/// One attribute of an identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityAttribute {
    /// Attribute name.
    pub name: String,
    /// Its type (a primitive, or a list of primitives).
    pub ty: Type,
    /// Must be given in an `import` block's `identity`.
    pub required_for_import: bool,
    /// May be left out of an `import` block's `identity`: the provider finds it.
    pub optional_for_import: bool,
    /// Markdown description.
    pub description: String,
}

impl IdentityAttribute {
    /// An attribute an `import` block must give.
    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            ty,
            required_for_import: true,
            optional_for_import: false,
            description: description.to_owned(),
        }
    }

    /// An attribute an `import` block may leave out.
    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Self {
            required_for_import: false,
            optional_for_import: true,
            ..Self::required(name, ty, description)
        }
    }
}

/// The identity schema of one managed resource type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentitySchema {
    /// Identity version, separate from the resource's schema version; bumped
    /// whenever the attributes change shape.
    pub version: i64,
    /// The attributes, in declaration order.
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// The object type of identity data.
    pub fn value_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }

    /// The attributes an `import` block must give that `identity` leaves
    /// null or unknown.
    pub fn missing_for_import(&self, identity: &Value) -> Vec<&str> {
        self.attributes
            .iter()
            .filter(|a| a.required_for_import)
            .filter(|a| {
                let v = identity.get_attr(&a.name);
                v.is_none_or(|v| v.is_null() || !v.is_wholly_known())
            })
            .map(|a| a.name.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> IdentitySchema {
        IdentitySchema {
            version: 0,
            attributes: vec![
                IdentityAttribute::optional("account_id", Type::String, "a"),
                IdentityAttribute::required("name", Type::String, "n"),
            ],
        }
    }

    #[test]
    fn value_type_is_an_object_of_the_attributes() {
        assert_eq!(
            schema().value_type(),
            Type::object([("account_id", Type::String), ("name", Type::String)])
        );
    }

    #[test]
    fn import_needs_every_required_attribute() {
        let s = schema();
        let given = |name: Value| Value::object([("account_id", Value::Null), ("name", name)]);
        assert_eq!(
            s.missing_for_import(&given(Value::string("x"))),
            Vec::<&str>::new()
        );
        assert_eq!(s.missing_for_import(&given(Value::Null)), vec!["name"]);
        assert_eq!(s.missing_for_import(&given(Value::Unknown)), vec!["name"]);
        assert_eq!(s.missing_for_import(&Value::Null), vec!["name"]);
    }
}
