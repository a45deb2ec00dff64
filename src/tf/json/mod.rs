//! The JSON encoding of values (cty's JSON format), used for raw state and
//! state upgrades.
//!
//! - Unknown values cannot be written as JSON: encoding one is an error.
//! - Numbers keep full precision in both directions (this module has its own
//!   small JSON reader, so nothing goes through `f64`). Infinities cannot be
//!   written. As cty does, a number may also be read from a string, a string
//!   from a number or bool literal, and a bool from `"true"`/`"false"`.
//! - Objects: attributes absent from the JSON decode as null (state written
//!   by older schema versions may omit them); an attribute the type does not
//!   have is an error naming its path. Encoding requires every attribute.
//! - A value in a dynamic slot is `{"value": ..., "type": ...}`, except an
//!   untyped null which is `null`.
//! - Duplicate object keys are an error.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::codec::{CodecError, MAX_DEPTH};
use super::number::Number;
use super::path::AttributePath;
use super::types::Type;
use super::value::Value;

type Result<T> = std::result::Result<T, CodecError>;

/// Decodes a JSON value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value> {
    let node = parse(bytes)?;
    Decoder {
        ignore_undefined: false,
    }
    .node(&node, ty, &AttributePath::root())
}

/// Like [`decode`], but object attributes the type does not define are
/// dropped instead of rejected, at every level. For `UpgradeResourceState`
/// of same-version state: an older provider build may have stored attributes
/// this one no longer has (terraform-plugin-framework does the same with
/// `IgnoreUndefinedAttributes`).
pub fn decode_ignoring_undefined(bytes: &[u8], ty: &Type) -> Result<Value> {
    let node = parse(bytes)?;
    Decoder {
        ignore_undefined: true,
    }
    .node(&node, ty, &AttributePath::root())
}

/// Encodes `v` as a JSON value of type `ty`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>> {
    let mut out = String::new();
    encode_value(&mut out, v, ty, &AttributePath::root())?;
    Ok(out.into_bytes())
}

// ---------------------------------------------------------------- parsing

/// A parsed JSON document; numbers keep their literal text.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn describe(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a bool",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => write_json_string(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn parse(bytes: &[u8]) -> Result<Json> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        CodecError::new(
            &AttributePath::root(),
            format!("JSON is not valid UTF-8: {e}"),
        )
    })?;
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(p.err("unexpected data after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, msg: &str) -> CodecError {
        CodecError::new(
            &AttributePath::root(),
            format!("invalid JSON at byte {}: {msg}", self.pos),
        )
    }

    fn ws(&mut self) {
        while matches!(self.s.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.pos..].starts_with(lit.as_bytes()) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.s.get(self.pos) {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') if self.eat("null") => Ok(Json::Null),
            Some(b't') if self.eat("true") => Ok(Json::Bool(true)),
            Some(b'f') if self.eat("false") => Ok(Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat("]") {
                    return Ok(Json::Array(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("]") {
                        return Ok(Json::Array(items));
                    }
                    return Err(self.err("expected ',' or ']'"));
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                self.ws();
                if self.eat("}") {
                    return Ok(Json::Object(entries));
                }
                loop {
                    self.ws();
                    if self.s.get(self.pos) != Some(&b'"') {
                        return Err(self.err("expected a string key"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(":") {
                        return Err(self.err("expected ':'"));
                    }
                    self.ws();
                    let v = self.value(depth + 1)?;
                    entries.push((k, v));
                    self.ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("}") {
                        return Ok(Json::Object(entries));
                    }
                    return Err(self.err("expected ',' or '}'"));
                }
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn number(&mut self) -> Result<Json> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while matches!(p.s.get(p.pos), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - s
        };
        self.eat("-");
        match self.s.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.eat(".") && digits(self) == 0 {
            return Err(self.err("invalid number: no digits after '.'"));
        }
        if matches!(self.s.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.s.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("invalid number: no exponent digits"));
            }
        }
        Ok(Json::Number(self.text[start..self.pos].to_owned()))
    }

    fn hex4(&mut self) -> Result<u32> {
        let h = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.err("truncated \\u escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while matches!(self.s.get(self.pos), Some(c) if *c != b'"' && *c != b'\\' && *c >= 0x20)
            {
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.s.get(self.pos) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = *self
                        .s
                        .get(self.pos)
                        .ok_or_else(|| self.err("unterminated string"))?;
                    self.pos += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                if !self.eat("\\u") {
                                    return Err(self.err("unpaired surrogate in \\u escape"));
                                }
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.err("unpaired surrogate in \\u escape"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            out.push(
                                char::from_u32(code)
                                    .ok_or_else(|| self.err("invalid \\u escape"))?,
                            );
                        }
                        _ => return Err(self.err("invalid escape")),
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }
}

// ---------------------------------------------------------------- decoding

fn mismatch(expected: &Type, found: &Json, path: &AttributePath) -> CodecError {
    CodecError::new(
        path,
        format!(
            "expected {}, found {}",
            expected.describe(),
            found.describe()
        ),
    )
}

struct Decoder {
    ignore_undefined: bool,
}

impl Decoder {
    fn node(&self, node: &Json, ty: &Type, path: &AttributePath) -> Result<Value> {
        if *node == Json::Null {
            return Ok(Value::Null);
        }
        match (ty, node) {
            (Type::Dynamic, Json::Object(entries)) => {
                let mut value = None;
                let mut type_node = None;
                for (k, v) in entries {
                    let slot = match k.as_str() {
                    "value" => &mut value,
                    "type" => &mut type_node,
                    _ => {
                        return Err(CodecError::new(
                            path,
                            format!("unexpected key {k:?} in a dynamic value (only \"value\" and \"type\" are allowed)"),
                        ))
                    }
                };
                    if slot.replace(v).is_some() {
                        return Err(CodecError::new(
                            path,
                            format!("duplicate key {k:?} in a dynamic value"),
                        ));
                    }
                }
                let (Some(value), Some(type_node)) = (value, type_node) else {
                    return Err(CodecError::new(
                        path,
                        "a dynamic value needs both \"value\" and \"type\"",
                    ));
                };
                let mut type_json = String::new();
                type_node.write(&mut type_json);
                let inner_ty = Type::from_json(type_json.as_bytes()).map_err(|e| {
                    CodecError::new(path, format!("invalid dynamic value type: {e}"))
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
                .map_err(|e| CodecError::new(path, format!("expected a number: {e}"))),
            (Type::String, Json::String(s) | Json::Number(s)) => Ok(Value::String(s.clone())),
            (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
            (Type::List(e) | Type::Set(e), Json::Array(items)) => {
                let values = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.node(item, e, &path.index(i as i64)))
                    .collect::<Result<Vec<_>>>()?;
                Ok(if matches!(ty, Type::Set(_)) {
                    Value::set(values)
                } else {
                    Value::List(values)
                })
            }
            (Type::Tuple(ts), Json::Array(items)) => {
                if ts.len() != items.len() {
                    return Err(CodecError::tuple_length(path, ts.len(), items.len()));
                }
                ts.iter()
                    .zip(items)
                    .enumerate()
                    .map(|(i, (t, item))| self.node(item, t, &path.index(i as i64)))
                    .collect::<Result<Vec<_>>>()
                    .map(Value::Tuple)
            }
            (Type::Map(e), Json::Object(entries)) => {
                let mut out = BTreeMap::new();
                for (k, item) in entries {
                    let child = path.key(k.as_str());
                    let v = self.node(item, e, &child)?;
                    if out.insert(k.clone(), v).is_some() {
                        return Err(CodecError::new(&child, "duplicate map key"));
                    }
                }
                Ok(Value::Map(out))
            }
            (Type::Object(attrs), Json::Object(entries)) => {
                let mut out = BTreeMap::new();
                for (k, item) in entries {
                    let child = path.attr(k.as_str());
                    let Some(attr_ty) = attrs.get(k) else {
                        if self.ignore_undefined {
                            continue;
                        }
                        return Err(CodecError::new(&child, "unsupported attribute"));
                    };
                    let v = self.node(item, attr_ty, &child)?;
                    if out.insert(k.clone(), v).is_some() {
                        return Err(CodecError::new(&child, "duplicate attribute"));
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

fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn encode_value(out: &mut String, v: &Value, ty: &Type, path: &AttributePath) -> Result<()> {
    if let Value::Unknown = v {
        return Err(CodecError::new(
            path,
            "unknown values cannot be written as JSON",
        ));
    }
    match (ty, v) {
        (Type::Dynamic, Value::Null) => out.push_str("null"),
        (Type::Dynamic, Value::Dynamic(inner_ty, inner)) => {
            out.push_str("{\"value\":");
            encode_value(out, inner, inner_ty, path)?;
            out.push_str(",\"type\":");
            out.push_str(&String::from_utf8_lossy(&inner_ty.to_json()));
            out.push('}');
        }
        (Type::Dynamic, other) => {
            let Some(inner_ty) = other.infer_type() else {
                return Err(CodecError::new(
                    path,
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
        (_, Value::Null) => out.push_str("null"),
        (_, Value::Dynamic(inner_ty, inner)) if inner_ty == ty => {
            encode_value(out, inner, ty, path)?
        }
        (Type::Bool, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (Type::Number, Value::Number(n)) => {
            if n.is_infinite() {
                return Err(CodecError::new(
                    path,
                    format!("{n} cannot be written as JSON"),
                ));
            }
            let _ = write!(out, "{n}");
        }
        (Type::String, Value::String(s)) => write_json_string(out, s),
        (Type::List(e), Value::List(items)) | (Type::Set(e), Value::Set(items)) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                encode_value(out, item, e, &path.index(i as i64))?;
            }
            out.push(']');
        }
        (Type::Tuple(ts), Value::Tuple(items)) => {
            if ts.len() != items.len() {
                return Err(CodecError::tuple_length(path, ts.len(), items.len()));
            }
            out.push('[');
            for (i, (t, item)) in ts.iter().zip(items).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                encode_value(out, item, t, &path.index(i as i64))?;
            }
            out.push(']');
        }
        (Type::Map(e), Value::Map(entries)) => {
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, k);
                out.push(':');
                encode_value(out, item, e, &path.key(k.as_str()))?;
            }
            out.push('}');
        }
        (Type::Object(attrs), Value::Object(values)) => {
            if let Some(extra) = values.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::new(
                    &path.attr(extra.as_str()),
                    "unsupported attribute",
                ));
            }
            out.push('{');
            for (i, (name, attr_ty)) in attrs.iter().enumerate() {
                let child = path.attr(name.as_str());
                let item = values
                    .get(name)
                    .ok_or_else(|| CodecError::new(&child, "missing attribute"))?;
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, name);
                out.push(':');
                encode_value(out, item, attr_ty, &child)?;
            }
            out.push('}');
        }
        _ => {
            return Err(CodecError::new(
                path,
                format!("expected {} ({ty}), found {}", ty.describe(), v.describe()),
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Value {
        Value::Number(s.parse().unwrap())
    }

    fn dec(json: &str, ty: &Type) -> Value {
        decode(json.as_bytes(), ty).unwrap_or_else(|e| panic!("{json} as {ty}: {e}"))
    }

    fn enc(v: &Value, ty: &Type) -> String {
        String::from_utf8(encode(v, ty).unwrap_or_else(|e| panic!("{v} as {ty}: {e}"))).unwrap()
    }

    fn obj_ty() -> Type {
        Type::object([
            ("name", Type::String),
            ("count", Type::Number),
            ("tags", Type::map(Type::String)),
            ("items", Type::list(Type::object([("id", Type::String)]))),
            ("ids", Type::set(Type::String)),
            ("pair", Type::tuple([Type::Bool, Type::Number])),
            ("any", Type::Dynamic),
        ])
    }

    #[test]
    fn encode_decode_table() {
        let cases: Vec<(Type, Value, &str)> = vec![
            (Type::String, Value::Null, "null"),
            (Type::Bool, Value::bool(true), "true"),
            (
                Type::String,
                Value::string("a\"b\\c\n\u{1}é"),
                r#""a\"b\\c\n\u0001é""#,
            ),
            (Type::Number, num("1"), "1"),
            (Type::Number, num("-2.5"), "-2.5"),
            (Type::Number, num("0.1"), "0.1"),
            (Type::Number, num("1e-20"), "0.00000000000000000001"),
            (
                Type::Number,
                num("1180591620717411303424"),
                "1180591620717411303424",
            ),
            (
                Type::Number,
                num("123456789012345678901234567890"),
                "123456789012345678901234567890",
            ),
            (
                Type::Number,
                num("123456789012345678901234567890.5"),
                "123456789012345678901234567890.5",
            ),
            (
                Type::list(Type::Number),
                Value::list([num("1"), Value::Null]),
                "[1,null]",
            ),
            (
                Type::set(Type::String),
                Value::set([Value::string("a")]),
                r#"["a"]"#,
            ),
            (
                Type::map(Type::Bool),
                Value::map([("b", Value::bool(false)), ("a", Value::bool(true))]),
                r#"{"a":true,"b":false}"#,
            ),
            (
                Type::tuple([Type::String, Type::Number]),
                Value::tuple([Value::string("x"), num("2")]),
                r#"["x",2]"#,
            ),
            (
                Type::object([("b", Type::String), ("a", Type::list(Type::String))]),
                Value::object([("a", Value::list([])), ("b", Value::Null)]),
                r#"{"a":[],"b":null}"#,
            ),
            (Type::Dynamic, Value::Null, "null"),
            (
                Type::Dynamic,
                Value::dynamic(Type::String, Value::string("x")),
                r#"{"value":"x","type":"string"}"#,
            ),
            (
                Type::Dynamic,
                Value::dynamic(Type::String, Value::Null),
                r#"{"value":null,"type":"string"}"#,
            ),
            (
                Type::Dynamic,
                Value::dynamic(
                    Type::object([("n", Type::Number)]),
                    Value::object([("n", num("1e30"))]),
                ),
                r#"{"value":{"n":1000000000000000000000000000000},"type":["object",{"n":"number"}]}"#,
            ),
            (
                Type::map(Type::Dynamic),
                Value::map([(
                    "k",
                    Value::dynamic(Type::list(Type::Bool), Value::list([Value::bool(true)])),
                )]),
                r#"{"k":{"value":[true],"type":["list","bool"]}}"#,
            ),
        ];
        for (ty, v, want) in cases {
            assert_eq!(enc(&v, &ty), want, "{ty}");
            assert_eq!(dec(want, &ty), v, "{want}");
        }
    }

    #[test]
    fn full_object_round_trip_with_nulls_at_every_level() {
        let full = Value::object([
            ("name", Value::string("orders")),
            ("count", num("99999999999999999999999")),
            ("tags", Value::map([("env", Value::string("prod"))])),
            (
                "items",
                Value::list([Value::object([("id", Value::string("a"))])]),
            ),
            ("ids", Value::set([Value::string("x"), Value::string("y")])),
            ("pair", Value::tuple([Value::bool(true), num("0.5")])),
            (
                "any",
                Value::dynamic(Type::set(Type::Number), Value::set([num("1")])),
            ),
        ]);
        let ty = obj_ty();
        assert_eq!(dec(&enc(&full, &ty), &ty), full);
        let Value::Object(attrs) = &full else {
            unreachable!()
        };
        for name in attrs.keys() {
            let mut m = attrs.clone();
            m.insert(name.clone(), Value::Null);
            let v = Value::Object(m);
            assert_eq!(dec(&enc(&v, &ty), &ty), v, "{name} null");
        }
        let nested_nulls = Value::object([
            ("name", Value::Null),
            ("count", Value::Null),
            ("tags", Value::map([("a", Value::Null)])),
            (
                "items",
                Value::list([Value::object([("id", Value::Null)]), Value::Null]),
            ),
            ("ids", Value::set([Value::Null])),
            ("pair", Value::tuple([Value::Null, Value::Null])),
            ("any", Value::Null),
        ]);
        assert_eq!(dec(&enc(&nested_nulls, &ty), &ty), nested_nulls);
    }

    #[test]
    fn lenient_decoding_like_cty() {
        let cases: Vec<(&str, Type, Value)> = vec![
            // missing attributes decode as null
            (
                r#"{}"#,
                Type::object([("a", Type::String), ("b", Type::Number)]),
                Value::object([("a", Value::Null), ("b", Value::Null)]),
            ),
            (
                r#"{"a":"x"}"#,
                Type::object([("a", Type::String), ("b", Type::Number)]),
                Value::object([("a", Value::string("x")), ("b", Value::Null)]),
            ),
            // numbers from strings, strings from numbers and bools, bools from strings
            (r#""12.50""#, Type::Number, num("12.5")),
            (r#""1e400""#, Type::Number, num("1e400")),
            ("12.50", Type::String, Value::string("12.50")),
            ("true", Type::String, Value::string("true")),
            (r#""false""#, Type::Bool, Value::bool(false)),
            // whitespace and escapes
            (
                " \n\t[ 1 , 2 ]\r\n",
                Type::list(Type::Number),
                Value::list([num("1"), num("2")]),
            ),
            (
                r#""\u00e9\ud83d\ude00\/\b\f\t""#,
                Type::String,
                Value::string("é\u{1F600}/\u{8}\u{c}\t"),
            ),
            // exponent forms keep full precision
            ("1E+2", Type::Number, num("100")),
            (
                "-0.0000000000000000000000000000001",
                Type::Number,
                num("-1e-31"),
            ),
            (
                "123456789012345678901234567890123456789",
                Type::Number,
                num("123456789012345678901234567890123456789"),
            ),
            // dynamic keys in either order
            (
                r#"{"type":"bool","value":true}"#,
                Type::Dynamic,
                Value::dynamic(Type::Bool, Value::bool(true)),
            ),
            // set duplicates collapse
            (
                r#"["a","a"]"#,
                Type::set(Type::String),
                Value::set([Value::string("a")]),
            ),
        ];
        for (json, ty, want) in cases {
            assert_eq!(dec(json, &ty), want, "{json}");
        }
    }

    #[test]
    fn decode_errors_table() {
        let regions = Type::object([(
            "regions",
            Type::map(Type::object([("instances", Type::map(Type::String))])),
        )]);
        let cases: Vec<(&str, Type, &str)> = vec![
            (
                r#"{"regions":{"us-east-1":{"instances":[]}}}"#,
                regions.clone(),
                r#"at regions["us-east-1"].instances: expected a map, found an array"#,
            ),
            (
                r#"{"regions":{"us-east-1":{"instances":{},"x":1}}}"#,
                regions.clone(),
                r#"at regions["us-east-1"].x: unsupported attribute"#,
            ),
            (
                r#"{"a":1,"a":2}"#,
                Type::object([("a", Type::Number)]),
                "at a: duplicate attribute",
            ),
            (
                r#"{"k":1,"k":2}"#,
                Type::map(Type::Number),
                r#"at ["k"]: duplicate map key"#,
            ),
            ("[1]", Type::String, "expected a string, found an array"),
            (
                "{}",
                Type::list(Type::String),
                "expected a list, found an object",
            ),
            ("1", Type::Bool, "expected a bool, found a number"),
            (r#""yes""#, Type::Bool, "expected a bool, found a string"),
            (r#""abc""#, Type::Number, "expected a number"),
            (
                r#"[true]"#,
                Type::tuple([Type::Bool, Type::Bool]),
                "expected a tuple of 2 elements, found 1",
            ),
            (
                r#"["a",1,[]]"#,
                Type::list(Type::String),
                "at [2]: expected a string, found an array",
            ),
            (r#"{"value":1}"#, Type::Dynamic, "needs both"),
            (
                r#"{"value":1,"type":"number","x":1}"#,
                Type::Dynamic,
                "unexpected key",
            ),
            (
                r#"{"value":1,"type":"nope"}"#,
                Type::Dynamic,
                "invalid dynamic value type",
            ),
            (
                r#"{"value":"x","type":"number"}"#,
                Type::Dynamic,
                "expected a number",
            ),
            (
                r#""x""#,
                Type::Dynamic,
                "expected a value of any type, found a string",
            ),
            ("", Type::String, "unexpected end of input"),
            ("[1,2", Type::list(Type::Number), "expected ',' or ']'"),
            ("[1,]", Type::list(Type::Number), "unexpected character"),
            (r#"{"a" 1}"#, Type::map(Type::Number), "expected ':'"),
            (r#"{1:1}"#, Type::map(Type::Number), "expected a string key"),
            ("01", Type::Number, "unexpected data after"),
            ("1.", Type::Number, "no digits after '.'"),
            ("1e", Type::Number, "no exponent digits"),
            ("-", Type::Number, "invalid number"),
            ("+1", Type::Number, "unexpected character"),
            ("NaN", Type::Number, "unexpected character"),
            (r#""abc"#, Type::String, "unterminated string"),
            (r#""\x""#, Type::String, "invalid escape"),
            (r#""\ud83d""#, Type::String, "unpaired surrogate"),
            (r#""\u12""#, Type::String, "escape"),
            ("\"a\u{1}\"", Type::String, "control character"),
            ("nul", Type::String, "unexpected character"),
            ("true false", Type::Bool, "unexpected data after"),
        ];
        for (json, ty, want) in cases {
            let got = decode(json.as_bytes(), &ty)
                .map(|v| v.to_string())
                .unwrap_err()
                .to_string();
            assert!(
                got.contains(want),
                "{json} as {ty}: got {got:?}, want {want:?}"
            );
        }
        assert!(decode(b"\"\xff\"", &Type::String)
            .unwrap_err()
            .to_string()
            .contains("UTF-8"));
    }

    #[test]
    fn encode_errors_table() {
        let ty = Type::object([("a", Type::list(Type::String))]);
        let cases: Vec<(Type, Value, &str)> = vec![
            (
                Type::String,
                Value::Unknown,
                "unknown values cannot be written as JSON",
            ),
            (
                ty.clone(),
                Value::object([("a", Value::list([Value::Unknown]))]),
                "at a[0]: unknown values",
            ),
            (Type::Number, num("+Inf"), "+Inf cannot be written as JSON"),
            (
                ty.clone(),
                Value::object::<&str>([]),
                "at a: missing attribute",
            ),
            (
                ty.clone(),
                Value::object([("a", Value::Null), ("b", Value::Null)]),
                "at b: unsupported attribute",
            ),
            (
                Type::Bool,
                Value::string("true"),
                "expected a bool (bool), found a string",
            ),
            (
                Type::Dynamic,
                Value::map::<&str>([]),
                "cannot tell the type",
            ),
            (
                Type::tuple([Type::Bool]),
                Value::tuple([]),
                "expected a tuple of 1 elements",
            ),
        ];
        for (ty, v, want) in cases {
            let got = encode(&v, &ty).unwrap_err().to_string();
            assert!(
                got.contains(want),
                "{v} as {ty}: got {got:?}, want {want:?}"
            );
        }
    }

    #[test]
    fn undefined_attributes_can_be_dropped_for_state_upgrades() {
        let ty = Type::object([
            ("a", Type::String),
            ("m", Type::map(Type::object([("x", Type::Number)]))),
        ]);
        let json = br#"{"a":"v","gone":1,"m":{"k":{"x":1,"old":true}}}"#;
        assert!(decode(json, &ty)
            .unwrap_err()
            .to_string()
            .contains("at gone: unsupported attribute"));
        let v = decode_ignoring_undefined(json, &ty).unwrap();
        assert_eq!(
            v,
            Value::object([
                ("a", Value::string("v")),
                (
                    "m",
                    Value::map([("k", Value::object([("x", Value::number(1))]))])
                ),
            ])
        );
        // Type errors are still errors.
        assert!(decode_ignoring_undefined(br#"{"a":[]}"#, &ty).is_err());
    }

    #[test]
    fn deep_nesting_is_rejected_not_overflowing() {
        let deep = "[".repeat(100_000);
        let got = decode(deep.as_bytes(), &Type::Dynamic)
            .unwrap_err()
            .to_string();
        assert!(got.contains("nested too deeply"), "{got}");
    }

    #[test]
    fn msgpack_and_json_agree() {
        let ty = obj_ty();
        let v = dec(
            r#"{"name":"n","count":0.1,"tags":{"a":"b"},"items":[{"id":"i"}],"ids":["x"],"pair":[false,2e70],"any":{"value":["a"],"type":["tuple",["string"]]}}"#,
            &ty,
        );
        let via_msgpack =
            super::super::msgpack::decode(&super::super::msgpack::encode(&v, &ty).unwrap(), &ty)
                .unwrap();
        assert_eq!(via_msgpack, v);
        assert_eq!(dec(&enc(&via_msgpack, &ty), &ty), v);
    }
}
