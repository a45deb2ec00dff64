//! Stored JSON state straight to msgpack, for `UpgradeResourceState` of
//! state already at the current schema version: the parsed tree is written
//! out type by type without building a [`Value`](crate::tf::Value) tree
//! first, which is what the provider did on every plan for every resource.
//!
//! The output is byte for byte what decoding with
//! [`decode_ignoring_undefined`](super::decode_ignoring_undefined) and
//! encoding with [`msgpack::encode`](crate::tf::msgpack::encode) give. Sets,
//! dynamic values and tuples (rare in state, and with rules of their own:
//! sets drop duplicate elements) go through that path for their subtree.
//! Anything the fast path does not accept, including every kind of invalid
//! input, makes it give up (`None`) so that the caller takes the value path,
//! which has the precise error messages.

use std::borrow::Cow;

use super::parse::{parse, Json};
use super::value::Decoder;
use crate::tf::msgpack::{
    self, write_array_len, write_bool, write_map_len, write_nil, write_number, write_str,
};
use crate::tf::number::Number;
use crate::tf::path::Loc;
use crate::tf::types::Type;

/// The msgpack encoding of the JSON value `bytes` of type `ty`, with object
/// attributes the type does not define dropped; `None` when the value path
/// must decide (invalid input, or a form the fast path leaves to it).
pub fn to_msgpack_ignoring_undefined(bytes: &[u8], ty: &Type) -> Option<Vec<u8>> {
    let node = parse(bytes).ok()?;
    let mut out = Vec::with_capacity(bytes.len());
    write(&mut out, &node, ty)?;
    Some(out)
}

fn write(out: &mut Vec<u8>, node: &Json, ty: &Type) -> Option<()> {
    if *node == Json::Null {
        write_nil(out);
        return Some(());
    }
    match (ty, node) {
        (Type::Bool, Json::Bool(b)) => write_bool(out, *b),
        (Type::Bool, Json::String(s)) => match s.as_ref() {
            "true" => write_bool(out, true),
            "false" => write_bool(out, false),
            _ => return None,
        },
        (Type::Number, Json::Number(text) | Json::String(text)) => {
            write_number(out, &Number::parse(text).ok()?);
        }
        (Type::String, Json::String(s) | Json::Number(s)) => write_str(out, s),
        (Type::String, Json::Bool(b)) => write_str(out, if *b { "true" } else { "false" }),
        (Type::List(e), Json::Array(items)) => {
            write_array_len(out, items.len());
            for item in items {
                write(out, item, e)?;
            }
        }
        (Type::Map(e), Json::Object(entries)) => {
            // Written in key order, as a map value is; a repeated key is an
            // error the value path reports.
            let mut sorted: Vec<&(Cow<'_, str>, Json<'_>)> = entries.iter().collect();
            sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            if sorted.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
                return None;
            }
            write_map_len(out, sorted.len());
            for (k, item) in sorted {
                write_str(out, k);
                write(out, item, e)?;
            }
        }
        (Type::Object(attrs), Json::Object(entries)) => {
            // Every attribute of the type, in name order; absent ones are
            // null. Terraform stores attributes in name order too, so the
            // next entry is almost always the one looked for.
            let defined = entries
                .iter()
                .filter(|(k, _)| attrs.contains_key(k.as_ref()))
                .count();
            let mut used = 0;
            let mut next = 0;
            write_map_len(out, attrs.len());
            for (name, attr_ty) in attrs {
                write_str(out, name);
                let named = |k: &Cow<'_, str>| k.as_ref() == name.as_str();
                let found = match entries.get(next) {
                    Some((k, item)) if named(k) => Some((next, item)),
                    _ => entries
                        .iter()
                        .enumerate()
                        .find_map(|(at, (k, item))| named(k).then_some((at, item))),
                };
                match found {
                    Some((at, item)) => {
                        used += 1;
                        next = at + 1;
                        write(out, item, attr_ty)?;
                    }
                    None => write_nil(out),
                }
            }
            // Fewer attributes used than entries naming one: a name was
            // repeated.
            if used != defined {
                return None;
            }
        }
        (Type::Set(_) | Type::Tuple(_) | Type::Dynamic, _) => {
            let value = Decoder {
                ignore_undefined: true,
            }
            .node(node, ty, &Loc::Root)
            .ok()?;
            out.extend(msgpack::encode(&value, ty).ok()?);
        }
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::json::decode_ignoring_undefined;

    /// What the value path gives: decode, then encode.
    fn slow(json: &str, ty: &Type) -> Option<Vec<u8>> {
        let v = decode_ignoring_undefined(json.as_bytes(), ty).ok()?;
        msgpack::encode(&v, ty).ok()
    }

    fn both(json: &str, ty: &Type) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        (
            to_msgpack_ignoring_undefined(json.as_bytes(), ty),
            slow(json, ty),
        )
    }

    fn nested() -> Type {
        Type::object([
            ("id", Type::String),
            ("count", Type::Number),
            ("on", Type::Bool),
            ("tags", Type::Map(Box::new(Type::String))),
            ("ids", Type::Set(Box::new(Type::String))),
            ("zones", Type::List(Box::new(Type::String))),
            ("pair", Type::Tuple(vec![Type::String, Type::Number])),
            ("any", Type::Dynamic),
            (
                "regions",
                Type::Map(Box::new(Type::object([
                    ("class", Type::String),
                    ("size", Type::Number),
                    (
                        "instances",
                        Type::Map(Box::new(Type::object([("tier", Type::Number)]))),
                    ),
                ]))),
            ),
        ])
    }

    #[test]
    fn valid_state_gives_the_bytes_of_the_value_path() {
        let ty = nested();
        for json in [
            r#"{"id":"a","count":3,"on":true,"tags":{"b":"2","a":"1"},"ids":["x","y","x"],"zones":["z1","z2"],"pair":["p",1.5],"any":{"value":"s","type":"string"},"regions":{"us-east-1":{"class":"db.r6g.large","size":1e2,"instances":{"a":{"tier":0},"b":{"tier":-1}}}}}"#,
            // Attributes out of order, some absent, one the type lacks.
            r#"{"regions":null,"on":"false","count":"12345678901234567890123","id":7,"gone":{"deep":[1,2]}}"#,
            r#"{"id":true,"zones":[],"tags":{},"ids":null,"count":0.1}"#,
            r#"{}"#,
            "null",
        ] {
            let (fast, slow) = both(json, &ty);
            assert!(fast.is_some(), "{json}");
            assert_eq!(fast, slow, "{json}");
        }
    }

    #[test]
    fn invalid_input_is_left_to_the_value_path() {
        let ty = nested();
        for json in [
            r#"{"id":"a","id":"b"}"#,
            r#"{"tags":{"a":"1","a":"2"}}"#,
            r#"{"count":"many"}"#,
            r#"{"on":"yes"}"#,
            r#"{"zones":"z1"}"#,
            r#"{"pair":["p"]}"#,
            r#"{"any":{"value":1}}"#,
            r#"{"id":"a""#,
            r#"[1]"#,
        ] {
            let (fast, slow) = both(json, &ty);
            assert_eq!(fast, None, "{json}");
            assert_eq!(slow, None, "{json}");
        }
    }

    #[test]
    fn the_topology_state_of_the_previous_release_transcodes_like_the_value_path() {
        // A stored state as Terraform writes it, attributes in name order,
        // with attributes this build no longer has and missing ones it added.
        let ty = crate::topology::schema::resource().block.value_type();
        let json = serde_json::json!({
            "id": "orders", "global_cluster_identifier": "orders", "engine": "aurora-postgresql",
            "engine_version": "16.4", "master_username": "app", "master_password": "pw-123456789",
            "primary_region": "us-east-1", "skip_final_snapshot": true, "tags": {"team": "a"},
            "removed_long_ago": 1,
            "regions": {"us-east-1": {"instance_class": "db.r6g.large",
                "vpc_security_group_ids": ["sg-2", "sg-1"],
                "instances": {"a": {"promotion_tier": 0}, "b": {}}}}
        })
        .to_string();
        let (fast, slow) = both(&json, &ty);
        assert!(fast.is_some());
        assert_eq!(fast, slow);
    }
}
