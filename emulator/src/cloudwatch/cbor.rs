//! A CBOR document tree for CloudWatch's Smithy RPC v2 CBOR protocol: decode
//! a request body (definite and indefinite lengths, tag 1 timestamps) into
//! [`Cbor`], encode an answer from it.

use minicbor::data::{Tag, Type};
use minicbor::{Decoder, Encoder};

/// Deepest nesting accepted in a request (GetMetricData needs five levels).
const MAX_DEPTH: usize = 32;

/// One CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cbor {
    Null,
    Bool(bool),
    /// Any integer that fits an i128 (CBOR's range).
    Int(i128),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Array(Vec<Cbor>),
    /// Entries in the order sent; keys that are not text are dropped.
    Map(Vec<(String, Cbor)>),
    Tagged(u64, Box<Cbor>),
}

impl Cbor {
    /// The value of `key` in a map.
    pub(crate) fn get(&self, key: &str) -> Option<&Cbor> {
        match self {
            Cbor::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Cbor::Text(s) => Some(s),
            _ => None,
        }
    }
    pub(crate) fn as_array(&self) -> Option<&[Cbor]> {
        match self {
            Cbor::Array(items) => Some(items),
            _ => None,
        }
    }
    /// A number (integer or float) as f64.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Cbor::Int(n) => Some(*n as f64),
            Cbor::Float(f) => Some(*f),
            _ => None,
        }
    }
    /// An integer, or a float without fraction.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Cbor::Int(n) => i64::try_from(*n).ok(),
            Cbor::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }
    /// A Smithy timestamp (tag 1 around epoch seconds), as epoch ms.
    pub(crate) fn as_epoch_ms(&self) -> Option<i64> {
        match self {
            Cbor::Tagged(1, inner) => inner.as_f64().map(|s| (s * 1000.0).floor() as i64),
            _ => None,
        }
    }
}

/// Why a body is not a CBOR document.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DecodeError(String);

fn err(e: impl std::fmt::Display) -> DecodeError {
    DecodeError(e.to_string())
}

/// Decodes one data item that must span the whole body.
pub(crate) fn decode(bytes: &[u8]) -> Result<Cbor, DecodeError> {
    let mut d = Decoder::new(bytes);
    let item = item(&mut d, 0)?;
    if d.position() != bytes.len() {
        return Err(DecodeError("trailing bytes after the document".into()));
    }
    Ok(item)
}

fn item(d: &mut Decoder<'_>, depth: usize) -> Result<Cbor, DecodeError> {
    if depth > MAX_DEPTH {
        return Err(DecodeError("document nested too deeply".into()));
    }
    let ty = d.datatype().map_err(err)?;
    Ok(match ty {
        Type::Null | Type::Undefined => {
            d.skip().map_err(err)?;
            Cbor::Null
        }
        Type::Bool => Cbor::Bool(d.bool().map_err(err)?),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => {
            Cbor::Int(i128::from(d.u64().map_err(err)?))
        }
        Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => {
            Cbor::Int(i128::from(d.int().map_err(err)?))
        }
        Type::F16 | Type::F32 | Type::F64 => Cbor::Float(d.f64().map_err(err)?),
        Type::String => Cbor::Text(d.str().map_err(err)?.to_string()),
        Type::StringIndef => {
            let mut s = String::new();
            for part in d.str_iter().map_err(err)? {
                s.push_str(part.map_err(err)?);
            }
            Cbor::Text(s)
        }
        Type::Bytes => Cbor::Bytes(d.bytes().map_err(err)?.to_vec()),
        Type::BytesIndef => {
            let mut b = Vec::new();
            for part in d.bytes_iter().map_err(err)? {
                b.extend_from_slice(part.map_err(err)?);
            }
            Cbor::Bytes(b)
        }
        Type::Array | Type::ArrayIndef => {
            let len = d.array().map_err(err)?;
            let mut items = Vec::new();
            match len {
                Some(n) => {
                    for _ in 0..n {
                        items.push(item(d, depth + 1)?);
                    }
                }
                None => loop {
                    if d.datatype().map_err(err)? == Type::Break {
                        d.skip().map_err(err)?;
                        break;
                    }
                    items.push(item(d, depth + 1)?);
                },
            }
            Cbor::Array(items)
        }
        Type::Map | Type::MapIndef => {
            let len = d.map().map_err(err)?;
            let mut entries = Vec::new();
            let mut entry = |d: &mut Decoder<'_>| -> Result<(), DecodeError> {
                let key = item(d, depth + 1)?;
                let value = item(d, depth + 1)?;
                if let Cbor::Text(k) = key {
                    entries.push((k, value));
                }
                Ok(())
            };
            match len {
                Some(n) => {
                    for _ in 0..n {
                        entry(d)?;
                    }
                }
                None => loop {
                    if d.datatype().map_err(err)? == Type::Break {
                        d.skip().map_err(err)?;
                        break;
                    }
                    entry(d)?;
                },
            }
            Cbor::Map(entries)
        }
        Type::Tag => {
            let tag = d.tag().map_err(err)?;
            Cbor::Tagged(tag.as_u64(), Box::new(item(d, depth + 1)?))
        }
        Type::Simple | Type::Break | Type::Unknown(_) => {
            return Err(DecodeError(format!("unexpected CBOR item {ty}")))
        }
    })
}

/// Encodes a document (definite lengths throughout).
pub(crate) fn encode(doc: &Cbor) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = write(&mut e, doc);
    e.into_writer()
}

fn write(
    e: &mut Encoder<Vec<u8>>,
    doc: &Cbor,
) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
    match doc {
        Cbor::Null => {
            e.null()?;
        }
        Cbor::Bool(b) => {
            e.bool(*b)?;
        }
        Cbor::Int(n) => {
            e.i128(*n)?;
        }
        Cbor::Float(f) => {
            e.f64(*f)?;
        }
        Cbor::Text(s) => {
            e.str(s)?;
        }
        Cbor::Bytes(b) => {
            e.bytes(b)?;
        }
        Cbor::Array(items) => {
            e.array(items.len() as u64)?;
            for i in items {
                write(e, i)?;
            }
        }
        Cbor::Map(entries) => {
            e.map(entries.len() as u64)?;
            for (k, v) in entries {
                e.str(k)?;
                write(e, v)?;
            }
        }
        Cbor::Tagged(tag, inner) => {
            e.tag(Tag::new(*tag))?;
            write(e, inner)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_indefinite_lengths() {
        let doc = Cbor::Map(vec![
            (
                "a".into(),
                Cbor::Array(vec![Cbor::Int(-3), Cbor::Float(1.5)]),
            ),
            (
                "t".into(),
                Cbor::Tagged(1, Box::new(Cbor::Float(1_700_000_000.25))),
            ),
        ]);
        assert_eq!(decode(&encode(&doc)).unwrap(), doc);
        assert_eq!(doc.get("t").unwrap().as_epoch_ms(), Some(1_700_000_000_250));
        // {_ "k": [_ 1], "s": (_ "ab" "c")}
        let indef = [
            0xbf, 0x61, b'k', 0x9f, 0x01, 0xff, 0x61, b's', 0x7f, 0x62, b'a', b'b', 0x61, b'c',
            0xff, 0xff,
        ];
        let d = decode(&indef).unwrap();
        assert_eq!(d.get("k"), Some(&Cbor::Array(vec![Cbor::Int(1)])));
        assert_eq!(d.get("s").and_then(Cbor::as_str), Some("abc"));
    }

    #[test]
    fn rejects_truncated_trailing_and_deep_documents() {
        assert!(decode(&[0xa1, 0x61]).is_err());
        assert!(decode(&[0x01, 0x02]).is_err());
        let deep: Vec<u8> = std::iter::repeat_n(0x81u8, 100).chain([0x01]).collect();
        assert!(decode(&deep).is_err());
    }
}
