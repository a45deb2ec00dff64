//! Protocol-neutral vocabulary: the types, values, schemas, attribute paths
//! and diagnostics that the rest of the provider speaks.
//!
//! Nothing here knows about gRPC, protobuf or AWS. The protocol layer turns
//! `DynamicValue`s into [`Value`]s with [`msgpack`] (or [`json`] for raw
//! state), and schemas into protobuf with the shapes in [`schema`].

pub mod codec;
pub mod diag;
pub mod json;
pub mod msgpack;
pub mod number;
pub mod path;
pub mod schema;
pub mod types;
pub mod value;

pub use codec::CodecError;
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use path::{AttributePath, Step};
pub use schema::*;
pub use types::{Type, TypeError};
pub use value::{Number, Value};
