//! Pure conversions between the generated protobuf types and the
//! protocol-neutral [`crate::tf`] vocabulary, one small function per message.

use super::pb::tfplugin6 as pb;
use crate::engine::ClientCapabilities;
use crate::tf::{
    self, AttributeKind, AttributePath, BlockNesting, Diagnostic, Diagnostics, ObjectNesting,
    Severity, Step, Type, Value,
};

/// Schema -> protobuf.
pub(super) fn schema(s: &tf::Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block)),
    }
}

fn block(b: &tf::Block) -> pb::schema::Block {
    pb::schema::Block {
        version: 0,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b.block_types.iter().map(nested_block).collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: b.deprecated,
        deprecation_message: String::new(),
    }
}

fn attribute(a: &tf::Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &a.kind {
        AttributeKind::Type(t) => (t.to_json(), None),
        AttributeKind::Nested(n) => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: n.attributes.iter().map(attribute).collect(),
                nesting: object_nesting(n.nesting) as i32,
                ..Default::default()
            }),
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: a.deprecated,
        write_only: a.write_only,
        deprecation_message: String::new(),
    }
}

fn object_nesting(n: ObjectNesting) -> pb::schema::object::NestingMode {
    use pb::schema::object::NestingMode as M;
    match n {
        ObjectNesting::Single => M::Single,
        ObjectNesting::List => M::List,
        ObjectNesting::Set => M::Set,
        ObjectNesting::Map => M::Map,
    }
}

fn nested_block(b: &tf::NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as M;
    let nesting = match b.nesting {
        BlockNesting::Single => M::Single,
        BlockNesting::List => M::List,
        BlockNesting::Set => M::Set,
        BlockNesting::Map => M::Map,
        BlockNesting::Group => M::Group,
    };
    pb::schema::NestedBlock {
        type_name: b.type_name.clone(),
        block: Some(block(&b.block)),
        nesting: nesting as i32,
        min_items: b.min_items,
        max_items: b.max_items,
    }
}

/// Identity schema -> protobuf.
pub(super) fn identity_schema(s: &tf::IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json(),
                required_for_import: a.required_for_import,
                optional_for_import: a.optional_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

/// Identity data from protobuf; absent is null.
pub(super) fn decode_identity(
    v: Option<&pb::ResourceIdentityData>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostic> {
    decode(v.and_then(|d| d.identity_data.as_ref()), ty, what)
}

/// Identity data -> protobuf; null is absent.
pub(super) fn encode_identity(
    v: &Value,
    ty: &Type,
    what: &str,
) -> Result<Option<pb::ResourceIdentityData>, Diagnostic> {
    if v.is_null() {
        return Ok(None);
    }
    Ok(Some(pb::ResourceIdentityData {
        identity_data: Some(encode(v, ty, what)?),
    }))
}

/// AttributePath -> protobuf.
pub(super) fn path(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .steps
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    Step::Attr(n) => Selector::AttributeName(n.clone()),
                    Step::Key(k) => Selector::ElementKeyString(k.clone()),
                    Step::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// Diagnostics -> protobuf.
pub(super) fn diagnostics(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter().map(diagnostic).collect()
}

fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error as i32,
            Severity::Warning => pb::diagnostic::Severity::Warning as i32,
        },
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.path.as_ref().map(path),
    }
}

/// ClientCapabilities from protobuf (absent = none, as OpenTofu 1.6 sends).
pub(super) fn caps(c: Option<&pb::ClientCapabilities>) -> ClientCapabilities {
    c.map(|c| ClientCapabilities {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    })
    .unwrap_or_default()
}

/// Decodes a DynamicValue of the given type. An absent value, or one with
/// neither encoding, is null. A decoding problem is a diagnostic (the host
/// sent something the schema does not allow), never a panic.
pub(super) fn decode(
    v: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostic> {
    let Some(v) = v else { return Ok(Value::Null) };
    let result = if !v.msgpack.is_empty() {
        tf::msgpack::decode(&v.msgpack, ty)
    } else if !v.json.is_empty() {
        tf::json::decode(&v.json, ty)
    } else {
        return Ok(Value::Null);
    };
    result.map_err(|e| {
        Diagnostic::error(
            "Invalid Value From Terraform",
            format!("The {what} sent by Terraform does not match this provider's schema: {e}. This usually means the host and provider disagree on the schema; run `terraform init -upgrade` and retry."),
        )
    })
}

/// Encodes a value as msgpack.
pub(super) fn encode(v: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostic> {
    tf::msgpack::encode(v, ty)
        .map(|msgpack| pb::DynamicValue { msgpack, json: Vec::new() })
        .map_err(|e| {
            Diagnostic::error(
                "Provider Produced An Invalid Value",
                format!("The {what} could not be encoded for Terraform: {e}. This is a bug in the provider."),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn path_steps_map_to_selectors() {
        use pb::attribute_path::step::Selector;
        let p = AttributePath::root()
            .attr("regions")
            .key("us-east-1")
            .attr("instances")
            .index(2);
        let got: Vec<_> = path(&p)
            .steps
            .into_iter()
            .map(|s| s.selector.unwrap())
            .collect();
        assert_eq!(
            got,
            vec![
                Selector::AttributeName("regions".into()),
                Selector::ElementKeyString("us-east-1".into()),
                Selector::AttributeName("instances".into()),
                Selector::ElementKeyInt(2),
            ]
        );
    }

    #[test]
    fn severities_map() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error("E", "e"));
        d.push(Diagnostic::warning("W", "w").with_path(AttributePath::root().attr("x")));
        let got = diagnostics(&d);
        assert_eq!(got[0].severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(got[1].severity, pb::diagnostic::Severity::Warning as i32);
        assert!(got[0].attribute.is_none());
        assert_eq!(got[1].attribute.as_ref().unwrap().steps.len(), 1);
    }

    #[test]
    fn absent_or_empty_dynamic_value_is_null() {
        assert_eq!(decode(None, &Type::String, "x").unwrap(), Value::Null);
        let empty = pb::DynamicValue::default();
        assert_eq!(
            decode(Some(&empty), &Type::String, "x").unwrap(),
            Value::Null
        );
    }

    #[test]
    fn malformed_msgpack_is_a_diagnostic() {
        let bad = pb::DynamicValue {
            msgpack: vec![0xc1],
            json: vec![],
        };
        let err = decode(Some(&bad), &Type::String, "configuration").unwrap_err();
        assert_eq!(err.severity, Severity::Error);
        assert!(err.detail.contains("configuration"), "{}", err.detail);
    }

    #[test]
    fn msgpack_round_trip_through_dynamic_value() {
        let ty = Type::Object(BTreeMap::from([("a".to_string(), Type::String)]));
        let v = Value::Object(BTreeMap::from([(
            "a".to_string(),
            Value::String("x".into()),
        )]));
        let dv = encode(&v, &ty, "state").unwrap();
        assert_eq!(decode(Some(&dv), &ty, "state").unwrap(), v);
    }

    #[test]
    fn nested_attributes_carry_nesting_and_no_type() {
        let s = tf::Schema {
            version: 1,
            block: tf::Block {
                attributes: vec![tf::Attribute {
                    name: "regions".into(),
                    kind: AttributeKind::Nested(tf::NestedAttributes {
                        nesting: ObjectNesting::Map,
                        attributes: vec![],
                    }),
                    description: "d".into(),
                    required: true,
                    optional: false,
                    computed: false,
                    sensitive: false,
                    write_only: false,
                    deprecated: false,
                }],
                block_types: vec![],
                description: String::new(),
                deprecated: false,
            },
        };
        let p = schema(&s);
        let a = &p.block.unwrap().attributes[0];
        assert!(a.r#type.is_empty());
        assert_eq!(
            a.nested_type.as_ref().unwrap().nesting,
            pb::schema::object::NestingMode::Map as i32
        );
        assert_eq!(a.description_kind, pb::StringKind::Markdown as i32);
    }
}
