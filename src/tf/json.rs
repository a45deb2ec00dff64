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
    decode_node(&node, ty, &AttributePath::root())
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
    let text = std::str::from_utf8(bytes)
        .map_err(|e| CodecError::new(&AttributePath::root(), format!("JSON is not valid UTF-8: {e}")))?;
    let mut p = Parser { s: text.as_bytes(), text, pos: 0 };
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
        CodecError::new(&AttributePath::root(), format!("invalid JSON at byte {}: {msg}", self.pos))
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
        let h = self.text.get(self.pos..self.pos + 4).ok_or_else(|| self.err("truncated \\u escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while matches!(self.s.get(self.pos), Some(c) if *c != b'"' && *c != b'\\' && *c >= 0x20) {
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
                    let c = *self.s.get(self.pos).ok_or_else(|| self.err("unterminated string"))?;
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
                            out.push(char::from_u32(code).ok_or_else(|| self.err("invalid \\u escape"))?);
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
    CodecError::new(path, format!("expected {}, found {}", expected.describe(), found.describe()))
}

fn decode_node(node: &Json, ty: &Type, path: &AttributePath) -> Result<Value> {
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
                    return Err(CodecError::new(path, format!("duplicate key {k:?} in a dynamic value")));
                }
            }
            let (Some(value), Some(type_node)) = (value, type_node) else {
                return Err(CodecError::new(path, "a dynamic value needs both \"value\" and \"type\""));
            };
            let mut type_json = String::new();
            type_node.write(&mut type_json);
            let inner_ty = Type::from_json(type_json.as_bytes())
                .map_err(|e| CodecError::new(path, format!("invalid dynamic value type: {e}")))?;
            let inner = decode_node(value, &inner_ty, path)?;
            Ok(Value::Dynamic(inner_ty, Box::new(inner)))
        }
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, Json::String(s)) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        (Type::Number, Json::Number(text) | Json::String(text)) => Number::parse(text)
            .map(Value::Number)
            .map_err(|e| CodecError::new(path, format!("expected a number: {e}"))),
        (Type::String, Json::String(s) | Json::Number(s)) => Ok(Value::String(s.clone())),
        (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::List(e) | Type::Set(e), Json::Array(items)) => {
            let values = items
                .iter()
                .enumerate()
                .map(|(i, item)| decode_node(item, e, &path.index(i as i64)))
                .collect::<Result<Vec<_>>>()?;
            Ok(if matches!(ty, Type::Set(_)) { Value::set(values) } else { Value::List(values) })
        }
        (Type::Tuple(ts), Json::Array(items)) => {
            if ts.len() != items.len() {
                return Err(CodecError::new(
                    path,
                    format!("expected a tuple of {} elements, found {}", ts.len(), items.len()),
                ));
            }
            ts.iter()
                .zip(items)
                .enumerate()
                .map(|(i, (t, item))| decode_node(item, t, &path.index(i as i64)))
                .collect::<Result<Vec<_>>>()
                .map(Value::Tuple)
        }
        (Type::Map(e), Json::Object(entries)) => {
            let mut out = BTreeMap::new();
            for (k, item) in entries {
                let child = path.key(k.as_str());
                let v = decode_node(item, e, &child)?;
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
                    return Err(CodecError::new(&child, "unsupported attribute"));
                };
                let v = decode_node(item, attr_ty, &child)?;
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
        return Err(CodecError::new(path, "unknown values cannot be written as JSON"));
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
                    format!("cannot tell the type of {} in a dynamic slot; wrap it in Value::Dynamic", other.describe()),
                ));
            };
            return encode_value(out, &Value::Dynamic(inner_ty, Box::new(other.clone())), ty, path);
        }
        (_, Value::Null) => out.push_str("null"),
        (_, Value::Dynamic(inner_ty, inner)) if inner_ty == ty => encode_value(out, inner, ty, path)?,
        (Type::Bool, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (Type::Number, Value::Number(n)) => {
            if n.is_infinite() {
                return Err(CodecError::new(path, format!("{n} cannot be written as JSON")));
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
                return Err(CodecError::new(
                    path,
                    format!("expected a tuple of {} elements, found {}", ts.len(), items.len()),
                ));
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
                return Err(CodecError::new(&path.attr(extra.as_str()), "unsupported attribute"));
            }
            out.push('{');
            for (i, (name, attr_ty)) in attrs.iter().enumerate() {
                let child = path.attr(name.as_str());
                let item = values.get(name).ok_or_else(|| CodecError::new(&child, "missing attribute"))?;
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
