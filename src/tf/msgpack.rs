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
use super::path::AttributePath;
use super::types::Type;
use super::value::Value;

type Result<T> = std::result::Result<T, CodecError>;

/// Decodes a msgpack value of type `ty`. Trailing bytes are an error.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let root = AttributePath::root();
    let v = r.value(ty, &root, 0)?;
    if r.pos != bytes.len() {
        return Err(CodecError::new(
            &root,
            format!("{} unexpected bytes after the value", bytes.len() - r.pos),
        ));
    }
    Ok(v)
}

/// Encodes `v` as a msgpack value of type `ty`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_value(&mut out, v, ty, &AttributePath::root())?;
    Ok(out)
}

// ---------------------------------------------------------------- decoding

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn truncated(path: &AttributePath) -> CodecError {
    CodecError::new(path, "unexpected end of msgpack data")
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
    fn peek(&self, path: &AttributePath) -> Result<u8> {
        self.buf.get(self.pos).copied().ok_or_else(|| truncated(path))
    }

    fn take(&mut self, n: usize, path: &AttributePath) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len()).ok_or_else(|| truncated(path))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn be(&mut self, n: usize, path: &AttributePath) -> Result<u64> {
        Ok(self.take(n, path)?.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn mismatch(&self, expected: &str, path: &AttributePath) -> CodecError {
        let found = self.buf.get(self.pos).map_or("nothing", |m| describe_marker(*m));
        CodecError::new(path, format!("expected {expected}, found {found}"))
    }

    /// Skips an extension (marker already peeked).
    fn skip_ext(&mut self, path: &AttributePath) -> Result<()> {
        let m = self.take(1, path)?[0];
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

    fn array_len(&mut self, expected: &str, path: &AttributePath) -> Result<usize> {
        let m = self.peek(path)?;
        let len = match m {
            0x90..=0x9f => {
                self.pos += 1;
                usize::from(m & 0x0f)
            }
            0xdc => {
                self.pos += 1;
                self.be(2, path)? as usize
            }
            0xdd => {
                self.pos += 1;
                self.be(4, path)? as usize
            }
            _ => return Err(self.mismatch(expected, path)),
        };
        Ok(len)
    }

    fn map_len(&mut self, expected: &str, path: &AttributePath) -> Result<usize> {
        let m = self.peek(path)?;
        let len = match m {
            0x80..=0x8f => {
                self.pos += 1;
                usize::from(m & 0x0f)
            }
            0xde => {
                self.pos += 1;
                self.be(2, path)? as usize
            }
            0xdf => {
                self.pos += 1;
                self.be(4, path)? as usize
            }
            _ => return Err(self.mismatch(expected, path)),
        };
        Ok(len)
    }

    /// Raw bytes of a str or bin.
    fn str_or_bin(&mut self, expected: &str, path: &AttributePath) -> Result<&'a [u8]> {
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

    fn string(&mut self, expected: &str, path: &AttributePath) -> Result<String> {
        let bytes = self.str_or_bin(expected, path)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::new(path, "string is not valid UTF-8"))
    }

    fn number(&mut self, path: &AttributePath) -> Result<Number> {
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
                Number::from_f64_exact(f).ok_or_else(|| CodecError::new(path, "NaN is not a valid number"))?
            }
            0xa0..=0xbf | 0xd9..=0xdb | 0xc4..=0xc6 => {
                let s = self.string("a number", path)?;
                Number::parse(&s).map_err(|e| CodecError::new(path, format!("expected a number, found a string: {e}")))?
            }
            _ => return Err(self.mismatch("a number", path)),
        };
        Ok(n)
    }

    fn value(&mut self, ty: &Type, path: &AttributePath, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(CodecError::new(path, "value is nested too deeply"));
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
                        path,
                        format!("a dynamic value must be a [type, value] array of 2 elements, found {len}"),
                    ));
                }
                let json = self.str_or_bin("the JSON type of a dynamic value", path)?;
                let inner_ty = Type::from_json(json)
                    .map_err(|e| CodecError::new(path, format!("invalid dynamic value type: {e}")))?;
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
                let mut items = Vec::with_capacity(len.min(self.buf.len() - self.pos));
                for i in 0..len {
                    items.push(self.value(e, &path.index(i as i64), depth + 1)?);
                }
                Ok(if is_set { Value::set(items) } else { Value::List(items) })
            }
            Type::Tuple(ts) => {
                let len = self.array_len("a tuple", path)?;
                if len != ts.len() {
                    return Err(CodecError::new(
                        path,
                        format!("expected a tuple of {} elements, found {len}", ts.len()),
                    ));
                }
                let mut items = Vec::with_capacity(len);
                for (i, t) in ts.iter().enumerate() {
                    items.push(self.value(t, &path.index(i as i64), depth + 1)?);
                }
                Ok(Value::Tuple(items))
            }
            Type::Map(e) => {
                let len = self.map_len("a map", path)?;
                let mut entries = BTreeMap::new();
                for _ in 0..len {
                    let key = self.string("a string map key", path)?;
                    let child = path.key(key.as_str());
                    let v = self.value(e, &child, depth + 1)?;
                    if entries.insert(key, v).is_some() {
                        return Err(CodecError::new(&child, "duplicate map key"));
                    }
                }
                Ok(Value::Map(entries))
            }
            Type::Object(attrs) => {
                let len = self.map_len("an object", path)?;
                let mut out = BTreeMap::new();
                for _ in 0..len {
                    let name = self.string("a string attribute name", path)?;
                    let child = path.attr(name.as_str());
                    let Some(attr_ty) = attrs.get(&name) else {
                        return Err(CodecError::new(&child, "unsupported attribute"));
                    };
                    let v = self.value(attr_ty, &child, depth + 1)?;
                    if out.insert(name, v).is_some() {
                        return Err(CodecError::new(&child, "duplicate attribute"));
                    }
                }
                if let Some(missing) = attrs.keys().find(|k| !out.contains_key(*k)) {
                    return Err(CodecError::new(&path.attr(missing.as_str()), "missing attribute"));
                }
                Ok(Value::Object(out))
            }
        }
    }
}

// ---------------------------------------------------------------- encoding

fn write_nil(out: &mut Vec<u8>) {
    out.push(0xc0);
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

fn write_len(out: &mut Vec<u8>, len: usize, fix: u8, fix_max: usize, m8: Option<u8>, m16: u8, m32: u8) {
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

fn write_str(out: &mut Vec<u8>, s: &str) {
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

fn write_array_len(out: &mut Vec<u8>, len: usize) {
    write_len(out, len, 0x90, 15, None, 0xdc, 0xdd);
}

fn write_map_len(out: &mut Vec<u8>, len: usize) {
    write_len(out, len, 0x80, 15, None, 0xde, 0xdf);
}

fn write_number(out: &mut Vec<u8>, n: &Number) {
    if let Some(i) = n.as_i64() {
        write_int(out, i);
    } else if let Some(f) = n.as_exact_f64() {
        out.push(0xcb);
        out.extend_from_slice(&f.to_bits().to_be_bytes());
    } else {
        write_str(out, &n.to_string());
    }
}

fn mismatch(v: &Value, ty: &Type, path: &AttributePath) -> CodecError {
    CodecError::new(path, format!("expected {} ({ty}), found {}", ty.describe(), v.describe()))
}

fn encode_value(out: &mut Vec<u8>, v: &Value, ty: &Type, path: &AttributePath) -> Result<()> {
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
                    path,
                    format!("cannot tell the type of {} in a dynamic slot; wrap it in Value::Dynamic", other.describe()),
                ));
            };
            write_array_len(out, 2);
            write_bin(out, &inner_ty.to_json());
            encode_value(out, other, &inner_ty, path)?;
        }
        (_, Value::Null) => write_nil(out),
        (_, Value::Unknown) => write_unknown(out),
        (_, Value::Dynamic(inner_ty, inner)) if inner_ty == ty => encode_value(out, inner, ty, path)?,
        (Type::Bool, Value::Bool(b)) => out.push(if *b { 0xc3 } else { 0xc2 }),
        (Type::Number, Value::Number(n)) => write_number(out, n),
        (Type::String, Value::String(s)) => write_str(out, s),
        (Type::List(e), Value::List(items)) | (Type::Set(e), Value::Set(items)) => {
            write_array_len(out, items.len());
            for (i, item) in items.iter().enumerate() {
                encode_value(out, item, e, &path.index(i as i64))?;
            }
        }
        (Type::Tuple(ts), Value::Tuple(items)) => {
            if ts.len() != items.len() {
                return Err(CodecError::new(
                    path,
                    format!("expected a tuple of {} elements, found {}", ts.len(), items.len()),
                ));
            }
            write_array_len(out, items.len());
            for (i, (t, item)) in ts.iter().zip(items).enumerate() {
                encode_value(out, item, t, &path.index(i as i64))?;
            }
        }
        (Type::Map(e), Value::Map(entries)) => {
            write_map_len(out, entries.len());
            for (k, item) in entries {
                write_str(out, k);
                encode_value(out, item, e, &path.key(k.as_str()))?;
            }
        }
        (Type::Object(attrs), Value::Object(values)) => {
            if let Some(extra) = values.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::new(&path.attr(extra.as_str()), "unsupported attribute"));
            }
            write_map_len(out, attrs.len());
            for (name, attr_ty) in attrs {
                let child = path.attr(name.as_str());
                let item = values.get(name).ok_or_else(|| CodecError::new(&child, "missing attribute"))?;
                write_str(out, name);
                encode_value(out, item, attr_ty, &child)?;
            }
        }
        _ => return Err(mismatch(v, ty, path)),
    }
    Ok(())
}
