//! The Terraform side of the JSON encoding: a parsed [`Json`] tree to a
//! [`Value`] of a given type, and a [`Value`] of a type to JSON text, with
//! cty's leniencies (see the parent module).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::parse::Json;
use super::write;
use super::Result;
use crate::tf::codec::CodecError;
use crate::tf::number::Number;
use crate::tf::path::Loc;
use crate::tf::types::Type;
use crate::tf::value::Value;

fn mismatch(expected: &Type, found: &Json, path: &Loc<'_>) -> CodecError {
    CodecError::new(
        &path.path(),
        format!(
            "expected {}, found {}",
            expected.describe(),
            found.describe()
        ),
    )
}

/// Maps a parsed tree to a value of a type.
pub(super) struct Decoder {
    /// Drop object attributes the type does not have instead of failing.
    pub(super) ignore_undefined: bool,
}

impl Decoder {
    /// `node` as a value of type `ty`; `path` names where it is, for errors.
    pub(super) fn node(&self, node: &Json, ty: &Type, path: &Loc<'_>) -> Result<Value> {
        if *node == Json::Null {
            return Ok(Value::Null);
        }
        match (ty, node) {
            (Type::Dynamic, Json::Object(entries)) => {
                let mut value = None;
                let mut type_node = None;
                for (k, v) in entries {
                    let slot = match k.as_ref() {
                    "value" => &mut value,
                    "type" => &mut type_node,
                    _ => {
                        return Err(CodecError::new(
                            &path.path(),
                            format!("unexpected key {k:?} in a dynamic value (only \"value\" and \"type\" are allowed)"),
                        ))
                    }
                };
                    if slot.replace(v).is_some() {
                        return Err(CodecError::new(
                            &path.path(),
                            format!("duplicate key {k:?} in a dynamic value"),
                        ));
                    }
                }
                let (Some(value), Some(type_node)) = (value, type_node) else {
                    return Err(CodecError::new(
                        &path.path(),
                        "a dynamic value needs both \"value\" and \"type\"",
                    ));
                };
                let mut type_json = String::new();
                type_node.write(&mut type_json);
                let inner_ty = Type::from_json(type_json.as_bytes()).map_err(|e| {
                    CodecError::new(&path.path(), format!("invalid dynamic value type: {e}"))
                })?;
                let inner = self.node(value, &inner_ty, path)?;
                Ok(Value::Dynamic(inner_ty, Box::new(inner)))
            }
            (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
            (Type::Bool, Json::String(s)) if s == "true" || s == "false" => {
                Ok(Value::Bool(s == "true"))
            }
            (Type::Number, Json::Number(text) | Json::String(text)) => Number::parse(text)
                .map(Value::Number)
                .map_err(|e| CodecError::new(&path.path(), format!("expected a number: {e}"))),
            (Type::String, Json::String(s) | Json::Number(s)) => Ok(Value::String(s.to_string())),
            (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
            (Type::List(e) | Type::Set(e), Json::Array(items)) => {
                let values = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.node(item, e, &Loc::Index(path, i as i64)))
                    .collect::<Result<Vec<_>>>()?;
                Ok(if matches!(ty, Type::Set(_)) {
                    Value::set(values)
                } else {
                    Value::List(values)
                })
            }
            (Type::Tuple(ts), Json::Array(items)) => {
                if ts.len() != items.len() {
                    return Err(CodecError::tuple_length(
                        &path.path(),
                        ts.len(),
                        items.len(),
                    ));
                }
                ts.iter()
                    .zip(items)
                    .enumerate()
                    .map(|(i, (t, item))| self.node(item, t, &Loc::Index(path, i as i64)))
                    .collect::<Result<Vec<_>>>()
                    .map(Value::Tuple)
            }
            (Type::Map(e), Json::Object(entries)) => {
                let mut out = BTreeMap::new();
                for (k, item) in entries {
                    let child = Loc::Key(path, k.as_ref());
                    let v = self.node(item, e, &child)?;
                    if out.insert(k.to_string(), v).is_some() {
                        return Err(CodecError::new(&child.path(), "duplicate map key"));
                    }
                }
                Ok(Value::Map(out))
            }
            (Type::Object(attrs), Json::Object(entries)) => {
                let mut out = BTreeMap::new();
                for (k, item) in entries {
                    let child = Loc::Attr(path, k.as_ref());
                    let Some(attr_ty) = attrs.get(k.as_ref()) else {
                        if self.ignore_undefined {
                            continue;
                        }
                        return Err(CodecError::new(&child.path(), "unsupported attribute"));
                    };
                    let v = self.node(item, attr_ty, &child)?;
                    if out.insert(k.to_string(), v).is_some() {
                        return Err(CodecError::new(&child.path(), "duplicate attribute"));
                    }
                }
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            _ => Err(mismatch(ty, node, path)),
        }
    }
}

// ---------------------------------------------------------------- encoding
/// Writes `v`, a value of type `ty`, as JSON; `path` names where `v` is,
/// for errors.
pub(super) fn encode_value(out: &mut String, v: &Value, ty: &Type, path: &Loc<'_>) -> Result<()> {
    if let Value::Unknown = v {
        return Err(CodecError::new(
            &path.path(),
            "unknown values cannot be written as JSON",
        ));
    }
    match (ty, v) {
        (Type::Dynamic, Value::Null) => write::null(out),
        (Type::Dynamic, Value::Dynamic(inner_ty, inner)) => {
            out.push_str("{\"value\":");
            encode_value(out, inner, inner_ty, path)?;
            out.push_str(",\"type\":");
            inner_ty.write_json(out);
            out.push('}');
        }
        (Type::Dynamic, other) => {
            let Some(inner_ty) = other.infer_type() else {
                return Err(CodecError::new(
                    &path.path(),
                    format!(
                        "cannot tell the type of {} in a dynamic slot; wrap it in Value::Dynamic",
                        other.describe()
                    ),
                ));
            };
            return encode_value(
                out,
                &Value::Dynamic(inner_ty, Box::new(other.clone())),
                ty,
                path,
            );
        }
        (_, Value::Null) => write::null(out),
        (_, Value::Dynamic(inner_ty, inner)) if inner_ty == ty => {
            encode_value(out, inner, ty, path)?
        }
        (Type::Bool, Value::Bool(b)) => write::bool(out, *b),
        (Type::Number, Value::Number(n)) => {
            if n.is_infinite() {
                return Err(CodecError::new(
                    &path.path(),
                    format!("{n} cannot be written as JSON"),
                ));
            }
            let _ = write!(out, "{n}");
        }
        (Type::String, Value::String(s)) => write::string(out, s),
        (Type::List(e), Value::List(items)) | (Type::Set(e), Value::Set(items)) => {
            write::array(out, items.iter().enumerate(), |out, (i, item)| {
                encode_value(out, item, e, &Loc::Index(path, i as i64))
            })?
        }
        (Type::Tuple(ts), Value::Tuple(items)) => {
            if ts.len() != items.len() {
                return Err(CodecError::tuple_length(
                    &path.path(),
                    ts.len(),
                    items.len(),
                ));
            }
            write::array(
                out,
                ts.iter().zip(items).enumerate(),
                |out, (i, (t, item))| encode_value(out, item, t, &Loc::Index(path, i as i64)),
            )?
        }
        (Type::Map(e), Value::Map(entries)) => write::object(
            out,
            entries.iter().map(|(k, item)| (k, (k, item))),
            |out, (k, item)| encode_value(out, item, e, &Loc::Key(path, k.as_str())),
        )?,
        (Type::Object(attrs), Value::Object(values)) => {
            if let Some(extra) = values.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::new(
                    &Loc::Attr(path, extra.as_str()).path(),
                    "unsupported attribute",
                ));
            }
            write::object(
                out,
                attrs.iter().map(|(name, t)| (name, (name, t))),
                |out, (name, attr_ty)| {
                    let child = Loc::Attr(path, name.as_str());
                    let item = values
                        .get(name)
                        .ok_or_else(|| CodecError::new(&child.path(), "missing attribute"))?;
                    encode_value(out, item, attr_ty, &child)
                },
            )?
        }
        _ => {
            return Err(CodecError::new(
                &path.path(),
                format!("expected {} ({ty}), found {}", ty.describe(), v.describe()),
            ))
        }
    }
    Ok(())
}
