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

//!
//! The module has three parts: `parse` reads JSON text into a small tree
//! that keeps numbers as their literal text, `value` maps that tree to and
//! from [`Value`]s type by type, and `write` is the crate's one JSON writer.

mod parse;
#[cfg(test)]
mod tests;
mod transcode;
mod value;
pub(crate) mod write;

use super::codec::CodecError;
use super::types::Type;
use super::value::Value;
use parse::parse;
pub use transcode::to_msgpack_ignoring_undefined;
use value::{encode_value, Decoder};

type Result<T> = std::result::Result<T, CodecError>;

/// Decodes a JSON value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value> {
    let node = parse(bytes)?;
    Decoder {
        ignore_undefined: false,
    }
    .node(&node, ty, &crate::tf::path::Loc::Root)
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
    .node(&node, ty, &crate::tf::path::Loc::Root)
}

/// Encodes `v` as a JSON value of type `ty`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>> {
    let mut out = String::new();
    encode_value(&mut out, v, ty, &crate::tf::path::Loc::Root)?;
    Ok(out.into_bytes())
}
