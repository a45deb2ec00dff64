//! Terraform's type system (cty types) and their JSON encoding.
//!
//! The JSON encoding is the one Terraform uses on the wire for dynamic values
//! and in schemas: `"string"`, `"number"`, `"bool"`, `"dynamic"`,
//! `["list","string"]`, `["set",T]`, `["map",T]`, `["tuple",[T,...]]`,
//! `["object",{"a":T,...}]`. Type constraints may carry a third element on
//! objects listing optional attributes (`["object",{..},["a"]]`); it is
//! accepted and ignored, as optional-ness is not part of a value's type.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;

use super::json::write;

/// A cty type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Bool,
    Number,
    String,
    /// "Any type": values of this type carry their concrete type with them
    /// ([`Value::Dynamic`](super::Value::Dynamic)).
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, Type>),
}

/// A type's JSON encoding could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    /// The bytes are not JSON at all.
    #[error("type is not valid JSON: {0}")]
    Json(String),
    /// The JSON does not describe a type.
    #[error("invalid type {found}: {reason}")]
    Invalid { found: String, reason: String },
}

fn invalid(found: &serde_json::Value, reason: impl Into<String>) -> TypeError {
    let mut found = found.to_string();
    if found.len() > 80 {
        let mut cut = 77;
        while !found.is_char_boundary(cut) {
            cut -= 1;
        }
        found.truncate(cut);
        found.push_str("...");
    }
    TypeError::Invalid {
        found,
        reason: reason.into(),
    }
}

impl Type {
    /// `list(element)`.
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// `set(element)`.
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// `map(element)`.
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// `object({...})` from `(name, type)` pairs.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// `tuple([...])`.
    pub fn tuple(elements: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elements.into_iter().collect())
    }

    /// Reads the cty JSON encoding of a type.
    pub fn from_json(bytes: &[u8]) -> Result<Type, TypeError> {
        let json: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| TypeError::Json(e.to_string()))?;
        Self::from_json_value(&json)
    }

    fn from_json_value(json: &serde_json::Value) -> Result<Type, TypeError> {
        use serde_json::Value as J;
        match json {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(invalid(json, "unknown primitive type")),
            },
            J::Array(items) => {
                let kind = items
                    .first()
                    .and_then(J::as_str)
                    .ok_or_else(|| invalid(json, "a complex type must start with its kind"))?;
                let arg = items
                    .get(1)
                    .ok_or_else(|| invalid(json, "a complex type needs an argument"))?;
                let max_len = if kind == "object" { 3 } else { 2 };
                if items.len() > max_len {
                    return Err(invalid(json, "too many elements"));
                }
                match kind {
                    "list" => Ok(Type::list(Self::from_json_value(arg)?)),
                    "set" => Ok(Type::set(Self::from_json_value(arg)?)),
                    "map" => Ok(Type::map(Self::from_json_value(arg)?)),
                    "tuple" => {
                        let elems = arg
                            .as_array()
                            .ok_or_else(|| invalid(json, "tuple element types must be an array"))?;
                        elems
                            .iter()
                            .map(Self::from_json_value)
                            .collect::<Result<Vec<_>, _>>()
                            .map(Type::Tuple)
                    }
                    "object" => {
                        let attrs = arg.as_object().ok_or_else(|| {
                            invalid(json, "object attribute types must be an object")
                        })?;
                        if let Some(optional) = items.get(2) {
                            let names = optional.as_array().ok_or_else(|| {
                                invalid(json, "optional attributes must be an array of names")
                            })?;
                            for name in names {
                                match name.as_str() {
                                    Some(n) if attrs.contains_key(n) => {}
                                    _ => {
                                        return Err(invalid(
                                            json,
                                            "optional attribute is not an attribute",
                                        ))
                                    }
                                }
                            }
                        }
                        attrs
                            .iter()
                            .map(|(k, v)| Ok((k.clone(), Self::from_json_value(v)?)))
                            .collect::<Result<BTreeMap<_, _>, _>>()
                            .map(Type::Object)
                    }
                    _ => Err(invalid(json, "unknown complex type kind")),
                }
            }
            _ => Err(invalid(json, "a type is a string or an array")),
        }
    }

    /// The cty JSON encoding of this type (object attributes sorted by name).
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::new();
        self.write_json(&mut out);
        out.into_bytes()
    }

    /// Writes [`Type::to_json`]'s text to `out`.
    pub(crate) fn write_json(&self, out: &mut String) {
        match self {
            Type::Bool => write::string(out, "bool"),
            Type::Number => write::string(out, "number"),
            Type::String => write::string(out, "string"),
            Type::Dynamic => write::string(out, "dynamic"),
            Type::List(e) | Type::Set(e) | Type::Map(e) => {
                let kind = match self {
                    Type::List(_) => "list",
                    Type::Set(_) => "set",
                    _ => "map",
                };
                out.push('[');
                write::string(out, kind);
                out.push(',');
                e.write_json(out);
                out.push(']');
            }
            Type::Tuple(elems) => {
                out.push('[');
                write::string(out, "tuple");
                out.push(',');
                let Ok(()) = write::array(out, elems, |out, e| {
                    e.write_json(out);
                    Ok::<(), Infallible>(())
                });
                out.push(']');
            }
            Type::Object(attrs) => {
                out.push('[');
                write::string(out, "object");
                out.push(',');
                let Ok(()) = write::object(out, attrs, |out, t| {
                    t.write_json(out);
                    Ok::<(), Infallible>(())
                });
                out.push(']');
            }
        }
    }

    /// True for bool, number and string.
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Bool | Type::Number | Type::String)
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(e) | Type::Set(e) | Type::Map(e) => Some(e),
            _ => None,
        }
    }

    /// The type of an object attribute.
    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        match self {
            Type::Object(attrs) => attrs.get(name),
            _ => None,
        }
    }

    /// True when this type is or contains [`Type::Dynamic`].
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::Bool | Type::Number | Type::String => false,
            Type::List(e) | Type::Set(e) | Type::Map(e) => e.has_dynamic(),
            Type::Tuple(es) => es.iter().any(Type::has_dynamic),
            Type::Object(attrs) => attrs.values().any(Type::has_dynamic),
        }
    }

    /// "a string", "an object", ...: the kind of the type with an article,
    /// for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Type::Bool => "a bool",
            Type::Number => "a number",
            Type::String => "a string",
            Type::Dynamic => "a value of any type",
            Type::List(_) => "a list",
            Type::Set(_) => "a set",
            Type::Map(_) => "a map",
            Type::Tuple(_) => "a tuple",
            Type::Object(_) => "an object",
        }
    }
}

/// Renders the type the way Terraform writes type constraints:
/// `list(object({a = string}))`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("any"),
            Type::List(e) => write!(f, "list({e})"),
            Type::Set(e) => write!(f, "set({e})"),
            Type::Map(e) => write!(f, "map({e})"),
            Type::Tuple(es) => {
                f.write_str("tuple([")?;
                for (i, e) in es.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str("])")
            }
            Type::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (k, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {t}")?;
                }
                f.write_str("})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_types() -> Vec<(Type, &'static str)> {
        vec![
            (Type::Bool, r#""bool""#),
            (Type::Number, r#""number""#),
            (Type::String, r#""string""#),
            (Type::Dynamic, r#""dynamic""#),
            (Type::list(Type::String), r#"["list","string"]"#),
            (Type::set(Type::Number), r#"["set","number"]"#),
            (Type::map(Type::Bool), r#"["map","bool"]"#),
            (Type::tuple([]), r#"["tuple",[]]"#),
            (
                Type::tuple([Type::String, Type::Number]),
                r#"["tuple",["string","number"]]"#,
            ),
            (Type::object::<&str>([]), r#"["object",{}]"#),
            (
                Type::object([("b", Type::Number), ("a", Type::list(Type::Dynamic))]),
                r#"["object",{"a":["list","dynamic"],"b":"number"}]"#,
            ),
            (
                Type::map(Type::object([("x\"y", Type::set(Type::map(Type::String)))])),
                r#"["map",["object",{"x\"y":["set",["map","string"]]}]]"#,
            ),
        ]
    }

    #[test]
    fn json_round_trip_table() {
        for (ty, json) in sample_types() {
            assert_eq!(String::from_utf8(ty.to_json()).unwrap(), json, "{ty}");
            assert_eq!(Type::from_json(json.as_bytes()).unwrap(), ty, "{json}");
        }
    }

    #[test]
    fn accepts_whitespace_and_optional_attribute_lists() {
        let ty = Type::from_json(br#" [ "object" , { "a" : "string", "b": "number" }, ["b"] ] "#)
            .unwrap();
        assert_eq!(ty, Type::object([("a", Type::String), ("b", Type::Number)]));
    }

    #[test]
    fn rejects_invalid_table() {
        let cases: &[&[u8]] = &[
            b"",
            b"\"str\"",
            b"\"capsule\"",
            b"[]",
            b"[\"list\"]",
            b"[\"list\",\"string\",\"string\"]",
            b"[\"frob\",\"string\"]",
            b"[\"tuple\",\"string\"]",
            b"[\"object\",[\"a\"]]",
            b"[\"object\",{\"a\":\"string\"},[\"b\"]]",
            b"[\"object\",{\"a\":\"nope\"}]",
            b"42",
            b"null",
            b"{\"list\":\"string\"}",
            b"[\"list\",\"string\"",
            b"\xff",
        ];
        for case in cases {
            assert!(
                Type::from_json(case).is_err(),
                "{}",
                String::from_utf8_lossy(case)
            );
        }
    }

    #[test]
    fn display_and_helpers() {
        let ty = Type::list(Type::object([("a", Type::String), ("b", Type::Dynamic)]));
        assert_eq!(ty.to_string(), "list(object({a = string, b = any}))");
        assert!(ty.has_dynamic());
        assert!(!Type::map(Type::String).has_dynamic());
        assert_eq!(
            ty.element_type().and_then(|o| o.attribute_type("a")),
            Some(&Type::String)
        );
        assert!(Type::Bool.is_primitive());
        assert!(!Type::Dynamic.is_primitive());
        assert_eq!(Type::Object(BTreeMap::new()).describe(), "an object");
        assert_eq!(Type::tuple([Type::Bool]).to_string(), "tuple([bool])");
    }
}
