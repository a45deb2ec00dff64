//! Protocol-neutral vocabulary: the types, values, schemas, attribute paths
//! and diagnostics that the rest of the provider speaks.
//!
//! Nothing here knows about gRPC, protobuf or AWS. The protocol layer turns
//! `DynamicValue`s into [`Value`]s with [`msgpack`] (or [`json`] for raw
//! state), and schemas into protobuf with the shapes of [`Schema`].

mod codec;
mod diag;
mod identity;
pub mod json;
pub mod msgpack;
mod number;
mod path;
mod schema;
mod types;
mod value;

pub use codec::CodecError;
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use identity::{IdentityAttribute, IdentitySchema};
pub use number::{Number, NumberError, MAX_EXPONENT};
pub use path::{AttributePath, Step};
pub use schema::{
    Attribute, AttributeKind, Block, BlockNesting, NestedAttributes, NestedBlock, ObjectNesting,
    Schema,
};
pub use types::{Type, TypeError};
pub use value::Value;
