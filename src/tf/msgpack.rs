//! The msgpack encoding of values that Terraform uses in `DynamicValue.msgpack`
//! (cty's msgpack format).
//!
//! Wire facts this module follows:
//! - null is msgpack nil; unknown is any msgpack extension. Terraform sends
//!   plain unknowns as ext type 0 and refined unknowns as ext type 12 whose
//!   payload holds the refinements; every extension decodes as
//!   [`Value::Unknown`] (refinements are dropped). Unknowns are encoded as
//!   fixext1 type 0 payload 0 (`d4 00 00`).
//! - numbers arrive as ints, uints, floats or decimal strings (for numbers
//!   neither int64 nor float64 can hold exactly). Encoding mirrors cty: int64
//!   when whole and in range, else float64 when exact, else the plain decimal
//!   string. Infinities are kept ([`Number`] has them) and travel as float64
//!   ±inf, like cty; the strings `"+Inf"`/`"-Inf"` decode to them too. NaN is
//!   rejected.
//! - lists, sets and tuples are arrays (tuples of exactly their length); maps
//!   and objects are maps with string keys; an object must have exactly its
//!   type's attributes, a missing or extra one is an error naming the path.
//! - a value in a dynamic slot is a 2-array `[type JSON (bin or str), value]`,
//!   unless it is an untyped null (nil) or unknown (extension).
//! - set elements are addressed in error paths by their array position.

use std::collections::BTreeMap;

use super::codec::{CodecError, MAX_DEPTH};
use super::number::Number;
use super::path::{AttributePath, Loc};
use super::types::Type;
use super::value::Value;

type Result<T> = std::result::Result<T, CodecError>;

/// Decodes a msgpack value of type `ty`. Trailing bytes are an error.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let v = r.value(ty, &Loc::Root, 0)?;
    if r.pos != bytes.len() {
        return Err(CodecError::new(
            &AttributePath::root(),
            format!("{} unexpected bytes after the value", bytes.len() - r.pos),
        ));
    }
    Ok(v)
}

/// Encodes `v` as a msgpack value of type `ty`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_value(&mut out, v, ty, &Loc::Root)?;
    Ok(out)
}

// ---------------------------------------------------------------- decoding

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn truncated(path: &Loc<'_>) -> CodecError {
    CodecError::new(&path.path(), "unexpected end of msgpack data")
}

/// What a msgpack marker byte introduces, for "found ..." messages.
fn describe_marker(m: u8) -> &'static str {
    match m {
        0x00..=0x7f | 0xe0..=0xff | 0xcc..=0xd3 => "an integer",
        0x80..=0x8f | 0xde | 0xdf => "a map",
        0x90..=0x9f | 0xdc | 0xdd => "an array",
        0xa0..=0xbf | 0xd9..=0xdb => "a string",
        0xc0 => "nil",
        0xc2 | 0xc3 => "a bool",
        0xc4..=0xc6 => "binary data",
        0xc7..=0xc9 | 0xd4..=0xd8 => "an extension",
        0xca | 0xcb => "a float",
        _ => "an invalid msgpack marker (0xc1)",
    }
}

fn is_ext(m: u8) -> bool {
    matches!(m, 0xc7..=0xc9 | 0xd4..=0xd8)
}

impl<'a> Reader<'a> {
    fn peek(&self, path: &Loc<'_>) -> Result<u8> {
        self.buf
            .get(self.pos)
            .copied()
            .ok_or_else(|| truncated(path))
    }

    fn take(&mut self, n: usize, path: &Loc<'_>) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| truncated(path))?;
        let s = self.buf.get(self.pos..end).ok_or_else(|| truncated(path))?;
        self.pos = end;
        Ok(s)
    }

    fn be(&mut self, n: usize, path: &Loc<'_>) -> Result<u64> {
        Ok(self
            .take(n, path)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// Bytes not yet read.
    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// How many elements to reserve room for when a header announces `len`:
    /// every element takes at least one byte, so a collection cannot hold
    /// more elements than bytes are left. A header claiming 2^32 elements in
    /// a short message reserves for what the message can hold, not 2^32.
    fn capacity_hint(&self, len: usize) -> usize {
        len.min(self.remaining())
    }

    fn mismatch(&self, expected: &str, path: &Loc<'_>) -> CodecError {
        let found = self
            .buf
            .get(self.pos)
            .map_or("nothing", |m| describe_marker(*m));
        CodecError::new(&path.path(), format!("expected {expected}, found {found}"))
    }

    /// Skips an extension (marker already peeked).
    fn skip_ext(&mut self, path: &Loc<'_>) -> Result<()> {
        let m = self.peek(path)?;
        self.pos += 1;
        let len = match m {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7 => self.be(1, path)? as usize,
            0xc8 => self.be(2, path)? as usize,
            _ => self.be(4, path)? as usize,
        };
        self.take(1 + len, path)?; // type byte + payload
        Ok(())
    }

    /// Reads the length of a collection whose fix form is `fix..=fix+15`
    /// and whose 16/32-bit forms have markers `m16`/`m32`.
    fn collection_len(
        &mut self,
        fix: u8,
        m16: u8,
        m32: u8,
        expected: &str,
        path: &Loc<'_>,
    ) -> Result<usize> {
        let m = self.peek(path)?;
        let width = match m {
            _ if (fix..=fix + 15).contains(&m) => {
                self.pos += 1;
                return Ok(usize::from(m & 0x0f));
            }
            _ if m == m16 => 2,
            _ if m == m32 => 4,
            _ => return Err(self.mismatch(expected, path)),
        };
        self.pos += 1;
        Ok(self.be(width, path)? as usize)
    }

    fn array_len(&mut self, expected: &str, path: &Loc<'_>) -> Result<usize> {
        self.collection_len(0x90, 0xdc, 0xdd, expected, path)
    }

    fn map_len(&mut self, expected: &str, path: &Loc<'_>) -> Result<usize> {
        self.collection_len(0x80, 0xde, 0xdf, expected, path)
    }

    /// Raw bytes of a str or bin.
    fn str_or_bin(&mut self, expected: &str, path: &Loc<'_>) -> Result<&'a [u8]> {
        let m = self.peek(path)?;
        let len = match m {
            0xa0..=0xbf => {
                self.pos += 1;
                usize::from(m & 0x1f)
            }
            0xd9 | 0xc4 => {
                self.pos += 1;
                self.be(1, path)? as usize
            }
            0xda | 0xc5 => {
                self.pos += 1;
                self.be(2, path)? as usize
            }
            0xdb | 0xc6 => {
                self.pos += 1;
                self.be(4, path)? as usize
            }
            _ => return Err(self.mismatch(expected, path)),
        };
        self.take(len, path)
    }

    fn string(&mut self, expected: &str, path: &Loc<'_>) -> Result<String> {
        let bytes = self.str_or_bin(expected, path)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| CodecError::new(&path.path(), "string is not valid UTF-8"))
    }

    fn number(&mut self, path: &Loc<'_>) -> Result<Number> {
        let m = self.peek(path)?;
        let n = match m {
            0x00..=0x7f => {
                self.pos += 1;
                Number::from(m)
            }
            0xe0..=0xff => {
                self.pos += 1;
                Number::from(m as i8)
            }
            0xcc..=0xcf => {
                self.pos += 1;
                Number::from(self.be(1 << (m - 0xcc), path)?)
            }
            0xd0..=0xd3 => {
                self.pos += 1;
                let width = 1usize << (m - 0xd0);
                let raw = self.be(width, path)?;
                let shift = 64 - 8 * width as u32;
                Number::from(((raw << shift) as i64) >> shift)
            }
            0xca | 0xcb => {
                self.pos += 1;
                let f = if m == 0xca {
                    f64::from(f32::from_bits(self.be(4, path)? as u32))
                } else {
                    f64::from_bits(self.be(8, path)?)
                };
                Number::from_f64_exact(f)
                    .ok_or_else(|| CodecError::new(&path.path(), "NaN is not a valid number"))?
            }
            0xa0..=0xbf | 0xd9..=0xdb | 0xc4..=0xc6 => {
                let s = self.string("a number", path)?;
                Number::parse(&s).map_err(|e| {
                    CodecError::new(
                        &path.path(),
                        format!("expected a number, found a string: {e}"),
                    )
                })?
            }
            _ => return Err(self.mismatch("a number", path)),
        };
        Ok(n)
    }

    fn value(&mut self, ty: &Type, path: &Loc<'_>, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(CodecError::new(&path.path(), "value is nested too deeply"));
        }
        let m = self.peek(path)?;
        if is_ext(m) {
            self.skip_ext(path)?;
            return Ok(Value::Unknown);
        }
        if m == 0xc0 {
            self.pos += 1;
            return Ok(Value::Null);
        }
        match ty {
            Type::Dynamic => {
                let len = self.array_len("a [type, value] pair for a dynamic value", path)?;
                if len != 2 {
                    return Err(CodecError::new(
                        &path.path(),
                        format!("a dynamic value must be a [type, value] array of 2 elements, found {len}"),
                    ));
                }
                let json = self.str_or_bin("the JSON type of a dynamic value", path)?;
                let inner_ty = Type::from_json(json).map_err(|e| {
                    CodecError::new(&path.path(), format!("invalid dynamic value type: {e}"))
                })?;
                let inner = self.value(&inner_ty, path, depth + 1)?;
                Ok(Value::Dynamic(inner_ty, Box::new(inner)))
            }
            Type::Bool => match m {
                0xc2 | 0xc3 => {
                    self.pos += 1;
                    Ok(Value::Bool(m == 0xc3))
                }
                _ => Err(self.mismatch("a bool", path)),
            },
            Type::Number => Ok(Value::Number(self.number(path)?)),
            Type::String => Ok(Value::String(self.string("a string", path)?)),
            Type::List(e) | Type::Set(e) => {
                let is_set = matches!(ty, Type::Set(_));
                let len = self.array_len(if is_set { "a set" } else { "a list" }, path)?;
                let mut items = Vec::with_capacity(self.capacity_hint(len));
                for i in 0..len {
                    items.push(self.value(e, &Loc::Index(path, i as i64), depth + 1)?);
                }
                Ok(if is_set {
                    Value::set(items)
                } else {
                    Value::List(items)
                })
            }
            Type::Tuple(ts) => {
                let len = self.array_len("a tuple", path)?;
                if len != ts.len() {
                    return Err(CodecError::tuple_length(&path.path(), ts.len(), len));
                }
                let mut items = Vec::with_capacity(self.capacity_hint(len));
                for (i, t) in ts.iter().enumerate() {
                    items.push(self.value(t, &Loc::Index(path, i as i64), depth + 1)?);
                }
                Ok(Value::Tuple(items))
            }
            Type::Map(e) => {
                let len = self.map_len("a map", path)?;
                let mut entries = BTreeMap::new();
                for _ in 0..len {
                    let key = self.string("a string map key", path)?;
                    let child = Loc::Key(path, key.as_str());
                    let v = self.value(e, &child, depth + 1)?;
                    if entries.contains_key(&key) {
                        return Err(CodecError::new(&child.path(), "duplicate map key"));
                    }
                    entries.insert(key, v);
                }
                Ok(Value::Map(entries))
            }
            Type::Object(attrs) => {
                let len = self.map_len("an object", path)?;
                // cty and `encode` write attributes in name order, the order
                // of `attrs`: walk both together instead of looking each
                // name up; a name out of that order is looked up.
                let mut fields: Vec<(String, Value)> =
                    Vec::with_capacity(self.capacity_hint(len).min(attrs.len()));
                let mut ahead = attrs.iter().peekable();
                for _ in 0..len {
                    let name = self.string("a string attribute name", path)?;
                    let child = Loc::Attr(path, name.as_str());
                    while ahead.next_if(|(k, _)| k.as_str() < name.as_str()).is_some() {}
                    let attr_ty = match ahead.next_if(|(k, _)| **k == name) {
                        Some((_, t)) => Some(t),
                        None => attrs.get(&name),
                    };
                    let Some(attr_ty) = attr_ty else {
                        return Err(CodecError::new(&child.path(), "unsupported attribute"));
                    };
                    let v = self.value(attr_ty, &child, depth + 1)?;
                    let after_last = fields.last().is_none_or(|(last, _)| *last < name);
                    if !after_last && fields.iter().any(|(k, _)| *k == name) {
                        return Err(CodecError::new(&child.path(), "duplicate attribute"));
                    }
                    fields.push((name, v));
                }
                // Sorted input is detected and bulk-built without searches.
                let out: BTreeMap<String, Value> = fields.into_iter().collect();
                // Every name read is one of `attrs`, once: any missing shows
                // in the count.
                if out.len() != attrs.len() {
                    if let Some(missing) = attrs.keys().find(|k| !out.contains_key(*k)) {
                        return Err(CodecError::new(
                            &Loc::Attr(path, missing.as_str()).path(),
                            "missing attribute",
                        ));
                    }
                }
                Ok(Value::Object(out))
            }
        }
    }
}

// ---------------------------------------------------------------- encoding

pub(crate) fn write_nil(out: &mut Vec<u8>) {
    out.push(0xc0);
}

pub(crate) fn write_bool(out: &mut Vec<u8>, b: bool) {
    out.push(if b { 0xc3 } else { 0xc2 });
}

fn write_unknown(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0xd4, 0x00, 0x00]);
}

fn write_int(out: &mut Vec<u8>, v: i64) {
    if (0..=0x7f).contains(&v) {
        out.push(v as u8);
    } else if (-32..0).contains(&v) {
        out.push(v as i8 as u8);
    } else if v >= 0 {
        if v <= 0xff {
            out.push(0xcc);
            out.push(v as u8);
        } else if v <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(v as u16).to_be_bytes());
        } else if v <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(v as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(v as u64).to_be_bytes());
        }
    } else if v >= i64::from(i8::MIN) {
        out.push(0xd0);
        out.push(v as i8 as u8);
    } else if v >= i64::from(i16::MIN) {
        out.push(0xd1);
        out.extend_from_slice(&(v as i16).to_be_bytes());
    } else if v >= i64::from(i32::MIN) {
        out.push(0xd2);
        out.extend_from_slice(&(v as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&v.to_be_bytes());
    }
}

fn write_len(
    out: &mut Vec<u8>,
    len: usize,
    fix: u8,
    fix_max: usize,
    m8: Option<u8>,
    m16: u8,
    m32: u8,
) {
    if len <= fix_max {
        out.push(fix | len as u8);
    } else if let (Some(m8), true) = (m8, len <= 0xff) {
        out.push(m8);
        out.push(len as u8);
    } else if len <= 0xffff {
        out.push(m16);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(m32);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    write_len(out, s.len(), 0xa0, 31, Some(0xd9), 0xda, 0xdb);
    out.extend_from_slice(s.as_bytes());
}

fn write_bin(out: &mut Vec<u8>, b: &[u8]) {
    if b.len() <= 0xff {
        out.push(0xc4);
        out.push(b.len() as u8);
    } else if b.len() <= 0xffff {
        out.push(0xc5);
        out.extend_from_slice(&(b.len() as u16).to_be_bytes());
    } else {
        out.push(0xc6);
        out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    }
    out.extend_from_slice(b);
}

pub(crate) fn write_array_len(out: &mut Vec<u8>, len: usize) {
    write_len(out, len, 0x90, 15, None, 0xdc, 0xdd);
}

pub(crate) fn write_map_len(out: &mut Vec<u8>, len: usize) {
    write_len(out, len, 0x80, 15, None, 0xde, 0xdf);
}

pub(crate) fn write_number(out: &mut Vec<u8>, n: &Number) {
    if let Some(i) = n.as_i64() {
        write_int(out, i);
    } else if let Some(f) = n.as_exact_f64() {
        out.push(0xcb);
        out.extend_from_slice(&f.to_bits().to_be_bytes());
    } else {
        write_str(out, &n.to_string());
    }
}

fn mismatch(v: &Value, ty: &Type, path: &Loc<'_>) -> CodecError {
    CodecError::new(
        &path.path(),
        format!("expected {} ({ty}), found {}", ty.describe(), v.describe()),
    )
}

/// The error for an object whose attribute names are not its type's: the
/// first unsupported one, else the first missing one.
fn object_names_mismatch(
    attrs: &BTreeMap<String, Type>,
    values: &BTreeMap<String, Value>,
    path: &Loc<'_>,
) -> CodecError {
    if let Some(extra) = values.keys().find(|k| !attrs.contains_key(*k)) {
        return CodecError::new(
            &Loc::Attr(path, extra.as_str()).path(),
            "unsupported attribute",
        );
    }
    let missing = attrs.keys().find(|k| !values.contains_key(*k));
    CodecError::new(
        &missing.map_or_else(|| path.path(), |m| Loc::Attr(path, m.as_str()).path()),
        "missing attribute",
    )
}

fn encode_value(out: &mut Vec<u8>, v: &Value, ty: &Type, path: &Loc<'_>) -> Result<()> {
    match (ty, v) {
        (Type::Dynamic, Value::Null) => write_nil(out),
        (Type::Dynamic, Value::Unknown) => write_unknown(out),
        (Type::Dynamic, Value::Dynamic(inner_ty, inner)) => {
            write_array_len(out, 2);
            write_bin(out, &inner_ty.to_json());
            encode_value(out, inner, inner_ty, path)?;
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
            write_array_len(out, 2);
            write_bin(out, &inner_ty.to_json());
            encode_value(out, other, &inner_ty, path)?;
        }
        (_, Value::Null) => write_nil(out),
        (_, Value::Unknown) => write_unknown(out),
        (_, Value::Dynamic(inner_ty, inner)) if inner_ty == ty => {
            encode_value(out, inner, ty, path)?
        }
        (Type::Bool, Value::Bool(b)) => write_bool(out, *b),
        (Type::Number, Value::Number(n)) => write_number(out, n),
        (Type::String, Value::String(s)) => write_str(out, s),
        (Type::List(e), Value::List(items)) | (Type::Set(e), Value::Set(items)) => {
            write_array_len(out, items.len());
            for (i, item) in items.iter().enumerate() {
                encode_value(out, item, e, &Loc::Index(path, i as i64))?;
            }
        }
        (Type::Tuple(ts), Value::Tuple(items)) => {
            if ts.len() != items.len() {
                return Err(CodecError::tuple_length(
                    &path.path(),
                    ts.len(),
                    items.len(),
                ));
            }
            write_array_len(out, items.len());
            for (i, (t, item)) in ts.iter().zip(items).enumerate() {
                encode_value(out, item, t, &Loc::Index(path, i as i64))?;
            }
        }
        (Type::Map(e), Value::Map(entries)) => {
            write_map_len(out, entries.len());
            for (k, item) in entries {
                write_str(out, k);
                encode_value(out, item, e, &Loc::Key(path, k.as_str()))?;
            }
        }
        (Type::Object(attrs), Value::Object(values)) => {
            // Both maps are in name order: the same names is one pass.
            let same_names =
                values.len() == attrs.len() && values.keys().zip(attrs.keys()).all(|(v, a)| v == a);
            if !same_names {
                return Err(object_names_mismatch(attrs, values, path));
            }
            write_map_len(out, attrs.len());
            for ((name, attr_ty), item) in attrs.iter().zip(values.values()) {
                write_str(out, name);
                encode_value(out, item, attr_ty, &Loc::Attr(path, name.as_str()))?;
            }
        }
        _ => return Err(mismatch(v, ty, path)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_attributes_in_any_order_decode_to_the_same_value() {
        let ty = Type::object([("a", Type::String), ("b", Type::Number), ("c", Type::Bool)]);
        let sorted = decode(&hex("83 a1 61 a1 78 a1 62 01 a1 63 c3"), &ty).unwrap();
        let shuffled = decode(&hex("83 a1 63 c3 a1 61 a1 78 a1 62 01"), &ty).unwrap();
        let reversed = decode(&hex("83 a1 63 c3 a1 62 01 a1 61 a1 78"), &ty).unwrap();
        assert_eq!(shuffled, sorted);
        assert_eq!(reversed, sorted);
        assert_eq!(
            encode(&reversed, &ty).unwrap(),
            hex("83 a1 61 a1 78 a1 62 01 a1 63 c3")
        );
    }

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn num(s: &str) -> Value {
        Value::Number(s.parse().unwrap())
    }

    fn obj_ty() -> Type {
        Type::object([
            ("name", Type::String),
            ("count", Type::Number),
            ("tags", Type::map(Type::String)),
            (
                "items",
                Type::list(Type::object([("id", Type::String), ("on", Type::Bool)])),
            ),
            ("ids", Type::set(Type::String)),
            ("pair", Type::tuple([Type::String, Type::Number])),
            ("any", Type::Dynamic),
        ])
    }

    fn obj(
        name: Value,
        count: Value,
        tags: Value,
        items: Value,
        ids: Value,
        pair: Value,
        any: Value,
    ) -> Value {
        Value::object([
            ("name", name),
            ("count", count),
            ("tags", tags),
            ("items", items),
            ("ids", ids),
            ("pair", pair),
            ("any", any),
        ])
    }

    fn full_object() -> Value {
        obj(
            Value::string("orders"),
            num("123456789012345678901234567890"),
            Value::map([
                ("env", Value::string("prod")),
                ("team", Value::string("db")),
            ]),
            Value::list([Value::object([
                ("id", Value::string("a")),
                ("on", Value::bool(true)),
            ])]),
            Value::set([Value::string("x"), Value::string("y")]),
            Value::tuple([Value::string("p"), num("0.1")]),
            Value::dynamic(
                Type::list(Type::Number),
                Value::list([num("1"), num("-2.5")]),
            ),
        )
    }

    /// (type, value) pairs that must survive encode -> decode unchanged.
    fn round_trip_cases() -> Vec<(Type, Value)> {
        let item_ty = Type::object([("id", Type::String), ("on", Type::Bool)]);
        let mut cases = vec![
            (Type::Bool, Value::bool(true)),
            (Type::Bool, Value::bool(false)),
            (Type::String, Value::string("")),
            (Type::String, Value::string("héllo \u{1F600}")),
            (Type::String, Value::string("x".repeat(31))),
            (Type::String, Value::string("x".repeat(32))),
            (Type::String, Value::string("x".repeat(255))),
            (Type::String, Value::string("x".repeat(256))),
            (Type::String, Value::string("x".repeat(70_000))),
            (
                Type::List(Box::new(Type::Number)),
                Value::list((0..20).map(Value::number)),
            ),
            (
                Type::list(Type::Number),
                Value::list((0..70_000).map(Value::number)),
            ),
            (Type::list(Type::String), Value::list([])),
            (Type::set(Type::String), Value::set([])),
            (Type::map(Type::String), Value::map::<&str>([])),
            (
                Type::map(Type::Number),
                Value::map((0..20).map(|i| (format!("k{i}"), Value::number(i)))),
            ),
            (Type::tuple([]), Value::tuple([])),
            (
                Type::tuple([Type::Bool, Type::String]),
                Value::tuple([Value::bool(true), Value::string("s")]),
            ),
            (Type::object::<&str>([]), Value::object::<&str>([])),
            (
                Type::set(item_ty.clone()),
                Value::set([Value::object([
                    ("id", Value::string("a")),
                    ("on", Value::Null),
                ])]),
            ),
            (
                Type::map(Type::list(Type::set(Type::Bool))),
                Value::map([("k", Value::list([Value::set([Value::bool(true)])]))]),
            ),
            (obj_ty(), full_object()),
            (
                Type::Dynamic,
                Value::dynamic(Type::String, Value::string("d")),
            ),
            (Type::Dynamic, Value::dynamic(Type::String, Value::Null)),
            (Type::Dynamic, Value::dynamic(Type::Number, Value::Unknown)),
            (Type::Dynamic, Value::dynamic(obj_ty(), full_object())),
            (
                Type::list(Type::Dynamic),
                Value::list([
                    Value::dynamic(Type::Bool, Value::bool(true)),
                    Value::Null,
                    Value::Unknown,
                ]),
            ),
        ];
        for n in [
            "0",
            "1",
            "-1",
            "127",
            "128",
            "-32",
            "-33",
            "255",
            "256",
            "65535",
            "65536",
            "-129",
            "-32769",
            "4294967296",
            "-2147483649",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "1180591620717411303424",
            "123456789012345678901234567890",
            "-123456789012345678901234567890",
            "0.1",
            "0.5",
            "-0.25",
            "1e-20",
            "3.14159265358979323846264338327950288",
            "1e300",
            "1e-300",
            "+Inf",
            "-Inf",
        ] {
            cases.push((Type::Number, num(n)));
        }
        // Null and unknown at every level of the full object.
        let base = full_object();
        let Value::Object(attrs) = &base else {
            unreachable!()
        };
        for name in attrs.keys() {
            for special in [Value::Null, Value::Unknown] {
                let mut m = attrs.clone();
                m.insert(name.clone(), special);
                cases.push((obj_ty(), Value::Object(m)));
            }
        }
        for special in [Value::Null, Value::Unknown] {
            cases.push((obj_ty(), special.clone()));
            cases.push((
                Type::list(Type::String),
                Value::list([Value::string("a"), special.clone()]),
            ));
            cases.push((Type::set(Type::String), Value::set([special.clone()])));
            cases.push((
                Type::map(Type::String),
                Value::map([("k", special.clone())]),
            ));
            cases.push((Type::tuple([Type::String]), Value::tuple([special.clone()])));
            cases.push((
                obj_ty(),
                obj(
                    Value::string("n"),
                    Value::number(1),
                    Value::map([("a", special.clone())]),
                    Value::list([Value::object([
                        ("id", special.clone()),
                        ("on", special.clone()),
                    ])]),
                    Value::set([Value::string("x")]),
                    Value::tuple([special.clone(), special.clone()]),
                    special.clone(),
                ),
            ));
            cases.push((Type::Dynamic, special));
        }
        cases
    }

    #[test]
    fn round_trip_table() {
        for (ty, v) in round_trip_cases() {
            let bytes = encode(&v, &ty).unwrap_or_else(|e| panic!("encode {ty}: {e}"));
            let back = decode(&bytes, &ty).unwrap_or_else(|e| panic!("decode {ty}: {e}"));
            assert_eq!(back, v, "type {ty}");
        }
    }

    #[test]
    fn wire_bytes_table() {
        let cases: Vec<(Type, Value, &str)> = vec![
            (Type::String, Value::Null, "c0"),
            (Type::String, Value::Unknown, "d4 00 00"),
            (Type::Dynamic, Value::Unknown, "d4 00 00"),
            (Type::Bool, Value::bool(true), "c3"),
            (Type::Bool, Value::bool(false), "c2"),
            (Type::Number, num("1"), "01"),
            (Type::Number, num("1.0"), "01"),
            (Type::Number, num("-1"), "ff"),
            (Type::Number, num("-33"), "d0 df"),
            (Type::Number, num("200"), "cc c8"),
            (Type::Number, num("300"), "cd 01 2c"),
            (Type::Number, num("70000"), "ce 00 01 11 70"),
            (Type::Number, num("-70000"), "d2 ff fe ee 90"),
            (
                Type::Number,
                num("4294967296"),
                "cf 00 00 00 01 00 00 00 00",
            ),
            (Type::Number, num("0.5"), "cb 3f e0 00 00 00 00 00 00"),
            // 2^63 is not an int64 but is an exact float64, as cty encodes it.
            (
                Type::Number,
                num("9223372036854775808"),
                "cb 43 e0 00 00 00 00 00 00",
            ),
            (Type::Number, num("+Inf"), "cb 7f f0 00 00 00 00 00 00"),
            (Type::Number, num("-Inf"), "cb ff f0 00 00 00 00 00 00"),
            (Type::Number, num("0.1"), "a3 30 2e 31"),
            (
                Type::Number,
                num("18446744073709551615"),
                "b4 3138343436373434303733373039353531363135",
            ),
            (Type::String, Value::string("a"), "a1 61"),
            (
                Type::list(Type::Bool),
                Value::list([Value::bool(true)]),
                "91 c3",
            ),
            (
                Type::map(Type::Bool),
                Value::map([("a", Value::bool(true))]),
                "81 a1 61 c3",
            ),
            (
                Type::object([("b", Type::Bool), ("a", Type::String)]),
                Value::object([("a", Value::string("x")), ("b", Value::Null)]),
                "82 a1 61 a1 78 a1 62 c0",
            ),
            (
                Type::Dynamic,
                Value::dynamic(Type::String, Value::string("x")),
                "92 c4 08 22737472696e6722 a1 78",
            ),
            (
                Type::Dynamic,
                Value::string("x"),
                "92 c4 08 22737472696e6722 a1 78",
            ),
            (Type::Dynamic, Value::Null, "c0"),
            (
                Type::Dynamic,
                Value::dynamic(Type::String, Value::Null),
                "92 c4 08 22737472696e6722 c0",
            ),
            (
                Type::String,
                Value::dynamic(Type::String, Value::string("x")),
                "a1 78",
            ),
        ];
        for (ty, v, want) in cases {
            assert_eq!(encode(&v, &ty).unwrap(), hex(want), "{ty} {v}");
        }
    }

    #[test]
    fn number_wire_forms_decode_table() {
        let cases: Vec<(&str, &str)> = vec![
            ("05", "5"),
            ("7f", "127"),
            ("e0", "-32"),
            ("cc ff", "255"),
            ("cd ff ff", "65535"),
            ("ce ff ff ff ff", "4294967295"),
            ("cf ff ff ff ff ff ff ff ff", "18446744073709551615"),
            ("d0 80", "-128"),
            ("d1 80 00", "-32768"),
            ("d2 80 00 00 00", "-2147483648"),
            ("d3 80 00 00 00 00 00 00 00", "-9223372036854775808"),
            ("d0 05", "5"),
            ("ca 3f 00 00 00", "0.5"),
            ("cb 3f f8 00 00 00 00 00 00", "1.5"),
            ("cb c0 04 00 00 00 00 00 00", "-2.5"),
            (
                "cb 3f b9 99 99 99 99 99 9a",
                "0.1000000000000000055511151231257827021181583404541015625",
            ),
            ("cb 7f f0 00 00 00 00 00 00", "+Inf"),
            ("a3 30 2e 31", "0.1"),
            ("a5 31 65 2d 32 30", "0.00000000000000000001"),
            ("a4 2b 49 6e 66", "+Inf"),
            ("a4 2d 49 6e 66", "-Inf"),
            ("c4 01 37", "7"),
        ];
        for (bytes, want) in cases {
            let v = decode(&hex(bytes), &Type::Number).unwrap_or_else(|e| panic!("{bytes}: {e}"));
            assert_eq!(v, num(want), "{bytes}");
        }
        let big = encode(&num("1180591620717411303424"), &Type::Number).unwrap();
        assert_eq!(
            decode(&big, &Type::Number).unwrap(),
            num("1180591620717411303424")
        );
        // A float64 decoded from the wire goes back as the very same float64.
        let f = hex("cb 3f b9 99 99 99 99 99 9a");
        assert_eq!(
            encode(&decode(&f, &Type::Number).unwrap(), &Type::Number).unwrap(),
            f
        );
    }

    #[test]
    fn every_extension_is_unknown() {
        let exts = [
            "d4 00 00",
            "d4 0c 00",
            "d5 0c 81 01",
            "d6 05 01 02 03 04",
            "d7 7f 0102030405060708",
            "d8 ff 0102030405060708090a0b0c0d0e0f10",
            "c7 00 0c",
            // refined unknown (ext 12) whose payload is a msgpack map of refinements
            "c7 03 0c 81 01 c2",
            "c7 07 0c 82 01 c3 02 a2 61 62",
            "c8 00 03 0c 81 01 c3",
            "c9 00 00 00 02 2a 01 02",
        ];
        let wrap = |ext: &str| -> Vec<(Type, Vec<u8>, Value)> {
            vec![
                (Type::String, hex(ext), Value::Unknown),
                (Type::Number, hex(ext), Value::Unknown),
                (Type::Dynamic, hex(ext), Value::Unknown),
                (obj_ty(), hex(ext), Value::Unknown),
                (
                    Type::list(Type::String),
                    hex(&format!("92 a1 61 {ext}")),
                    Value::list([Value::string("a"), Value::Unknown]),
                ),
                (
                    Type::map(Type::Bool),
                    hex(&format!("81 a1 6b {ext}")),
                    Value::map([("k", Value::Unknown)]),
                ),
                (
                    Type::object([("a", Type::String), ("b", Type::Bool)]),
                    hex(&format!("82 a1 61 {ext} a1 62 c3")),
                    Value::object([("a", Value::Unknown), ("b", Value::bool(true))]),
                ),
                (
                    Type::Dynamic,
                    hex(&format!("92 c4 08 22737472696e6722 {ext}")),
                    Value::dynamic(Type::String, Value::Unknown),
                ),
            ]
        };
        for ext in exts {
            for (ty, bytes, want) in wrap(ext) {
                let got = decode(&bytes, &ty).unwrap_or_else(|e| panic!("{ext} as {ty}: {e}"));
                assert_eq!(got, want, "{ext} as {ty}");
            }
        }
    }

    fn err(bytes: &[u8], ty: &Type) -> String {
        match decode(bytes, ty) {
            Ok(v) => panic!("expected an error decoding {ty}, got {v}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn decode_errors_name_the_path_table() {
        let regions = Type::object([(
            "regions",
            Type::map(Type::object([
                ("instances", Type::map(Type::String)),
                ("tier", Type::Number),
            ])),
        )]);
        let ab = Type::object([("a", Type::String), ("b", Type::Number)]);
        let cases: Vec<(Type, &str, &str)> = vec![
            (Type::String, "c3", "expected a string, found a bool"),
            (Type::Bool, "a1 61", "expected a bool, found a string"),
            (Type::Number, "c3", "expected a number, found a bool"),
            (Type::Number, "a3 61 62 63", "expected a number, found a string"),
            (Type::Number, "cb 7f f8 00 00 00 00 00 00", "NaN"),
            (Type::list(Type::String), "81 a1 61 a1 62", "expected a list, found a map"),
            (Type::set(Type::String), "a1 61", "expected a set, found a string"),
            (Type::map(Type::String), "91 a1 61", "expected a map, found an array"),
            (Type::object([("a", Type::String)]), "91 a1 61", "expected an object, found an array"),
            (Type::tuple([Type::String]), "92 a1 61 a1 62", "expected a tuple of 1 elements, found 2"),
            (Type::list(Type::String), "92 a1 61 01", "at [1]: expected a string, found an integer"),
            (Type::map(Type::Number), "81 a1 6b a1 78", r#"at ["k"]: expected a number"#),
            (Type::map(Type::Number), "81 01 01", "expected a string map key, found an integer"),
            (Type::map(Type::Number), "82 a1 6b 01 a1 6b 02", r#"at ["k"]: duplicate map key"#),
            (Type::object([("a", Type::String)]), "80", "at a: missing attribute"),
            (Type::object([("a", Type::String)]), "82 a1 61 c0 a1 62 c0", "at b: unsupported attribute"),
            (Type::object([("a", Type::String)]), "81 a1 62 c0", "at b: unsupported attribute"),
            (Type::object([("a", Type::String)]), "82 a1 61 c0 a1 61 c0", "at a: duplicate attribute"),
            // A repeated name after a later one is still a duplicate.
            (ab.clone(), "83 a1 61 c0 a1 62 c0 a1 61 c0", "at a: duplicate attribute"),
            (ab.clone(), "82 a1 62 c0 a1 62 c0", "at b: duplicate attribute"),
            (ab.clone(), "82 a1 62 c0 a1 63 c0", "at c: unsupported attribute"),
            (ab.clone(), "81 a1 62 c0", "at a: missing attribute"),
            (
                regions.clone(),
                "81 a7 726567696f6e73 81 a9 75732d656173742d31 82 a9 696e7374616e636573 91 c0 a4 74696572 01",
                r#"at regions["us-east-1"].instances: expected a map, found an array"#,
            ),
            (
                regions.clone(),
                "81 a7 726567696f6e73 81 a9 75732d656173742d31 81 a9 696e7374616e636573 80",
                r#"at regions["us-east-1"].tier: missing attribute"#,
            ),
            (Type::Dynamic, "a1 61", "expected a [type, value] pair for a dynamic value, found a string"),
            (Type::Dynamic, "91 a1 61", "a dynamic value must be a [type, value] array of 2 elements, found 1"),
            (Type::Dynamic, "92 c4 03 616263 c0", "invalid dynamic value type"),
            (Type::Dynamic, "92 01 c0", "expected the JSON type of a dynamic value, found an integer"),
            (Type::Dynamic, "92 c4 08 22737472696e6722 01", "expected a string, found an integer"),
            (Type::String, "a2 ff fe", "not valid UTF-8"),
            (Type::String, "c1", "invalid msgpack marker"),
            (Type::String, "a1 61 a1 62", "2 unexpected bytes after the value"),
            (Type::String, "", "unexpected end of msgpack data"),
        ];
        for (ty, bytes, want) in cases {
            let got = err(&hex(bytes), &ty);
            assert!(
                got.contains(want),
                "{ty} {bytes}: got {got:?}, want {want:?}"
            );
        }
    }

    #[test]
    fn truncated_input_is_an_error_at_every_length() {
        for (ty, v) in round_trip_cases()
            .into_iter()
            .filter(|(_, v)| !matches!(v, Value::List(l) if l.len() > 1000))
        {
            let bytes = encode(&v, &ty).unwrap();
            for cut in 0..bytes.len() {
                assert!(
                    decode(&bytes[..cut], &ty).is_err(),
                    "{ty}: prefix of {cut}/{} bytes decoded",
                    bytes.len()
                );
            }
        }
    }

    #[test]
    fn huge_length_headers_reserve_only_what_the_message_can_hold() {
        // An array header claiming 2^32 - 1 elements, then five one-byte
        // elements: ten bytes in all.
        let bytes = hex("dd ff ff ff ff a0 a0 a0 a0 a0");
        let mut r = Reader {
            buf: &bytes,
            pos: 0,
        };
        let len = r.array_len("a list", &Loc::Root).unwrap();
        assert_eq!(len, 0xffff_ffff);
        assert_eq!(r.remaining(), 5);
        assert_eq!(r.capacity_hint(len), 5);
        assert_eq!(r.capacity_hint(3), 3);
        let done = Reader {
            buf: &bytes,
            pos: bytes.len(),
        };
        assert_eq!(done.capacity_hint(len), 0);

        // Decoding fails cleanly (and at once) where the data runs out.
        let started = std::time::Instant::now();
        for ty in [Type::list(Type::String), Type::set(Type::String)] {
            let err = decode(&bytes, &ty).unwrap_err();
            assert!(err.message.contains("unexpected end"), "{ty}: {err}");
            assert_eq!(err.path.to_string(), "[5]", "{ty}");
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn garbage_never_panics() {
        // A small deterministic generator; any outcome but a panic is fine.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let types = [
            obj_ty(),
            Type::Dynamic,
            Type::list(Type::Dynamic),
            Type::Number,
            Type::map(Type::String),
        ];
        for round in 0..20_000 {
            let len = round % 40;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 24) as u8
                })
                .collect();
            let _ = decode(&bytes, &types[round % types.len()]);
        }
        // Huge declared lengths with no data behind them.
        for bytes in [
            "dd ff ff ff ff",
            "df ff ff ff ff",
            "db ff ff ff ff",
            "c9 ff ff ff ff 00",
            "c6 ff ff ff ff",
        ] {
            assert!(decode(&hex(bytes), &Type::list(Type::String)).is_err());
            assert!(decode(&hex(bytes), &Type::Dynamic).is_err());
        }
    }

    #[test]
    fn deeply_nested_dynamic_values_are_rejected_not_overflowing() {
        let mut bytes = Vec::new();
        for _ in 0..10_000 {
            bytes.extend_from_slice(&hex("92 c4 09 2264796e616d696322"));
        }
        bytes.push(0xc0);
        assert!(err(&bytes, &Type::Dynamic).contains("nested too deeply"));
    }

    #[test]
    fn dynamic_type_may_be_str_or_bin() {
        let as_str = hex("92 a8 22737472696e6722 a1 78");
        assert_eq!(
            decode(&as_str, &Type::Dynamic).unwrap(),
            Value::dynamic(Type::String, Value::string("x"))
        );
        let nested = Value::dynamic(
            Type::object([("a", Type::list(Type::Number))]),
            Value::object([("a", Value::list([num("2.5")]))]),
        );
        let bytes = encode(&nested, &Type::Dynamic).unwrap();
        assert_eq!(decode(&bytes, &Type::Dynamic).unwrap(), nested);
    }

    #[test]
    fn sets_drop_duplicate_known_elements_on_decode() {
        let v = decode(&hex("93 a1 61 a1 61 a1 62"), &Type::set(Type::String)).unwrap();
        assert_eq!(v, Value::set([Value::string("a"), Value::string("b")]));
        assert_eq!(v.as_elements().map(<[Value]>::len), Some(2));
    }

    #[test]
    fn encode_errors_name_the_path_table() {
        let ty = Type::object([
            ("a", Type::String),
            ("m", Type::map(Type::list(Type::Number))),
        ]);
        let cases: Vec<(Type, Value, &str)> = vec![
            (
                Type::String,
                Value::number(1),
                "expected a string (string), found a number",
            ),
            (
                Type::list(Type::String),
                Value::set([]),
                "expected a list (list(string)), found a set",
            ),
            (
                ty.clone(),
                Value::object([("a", Value::Null)]),
                "at m: missing attribute",
            ),
            (
                ty.clone(),
                Value::object([("a", Value::Null), ("m", Value::Null), ("z", Value::Null)]),
                "at z: unsupported attribute",
            ),
            (
                ty.clone(),
                Value::object([
                    ("a", Value::Null),
                    (
                        "m",
                        Value::map([("k", Value::list([Value::number(1), Value::string("x")]))]),
                    ),
                ]),
                r#"at m["k"][1]: expected a number"#,
            ),
            (
                Type::tuple([Type::Bool]),
                Value::tuple([]),
                "expected a tuple of 1 elements, found 0",
            ),
            (Type::Dynamic, Value::list([]), "cannot tell the type"),
            (
                Type::Number,
                Value::dynamic(Type::String, Value::string("1")),
                "found a dynamically-typed value",
            ),
        ];
        for (ty, v, want) in cases {
            let got = encode(&v, &ty).unwrap_err().to_string();
            assert!(got.contains(want), "{ty} {v}: got {got:?}, want {want:?}");
        }
    }
}
