//! terraform-provider-replication: a Terraform / OpenTofu provider (plugin
//! protocol 6) that manages a whole Aurora Global Database topology as one
//! resource, `replication_topology`, including which region is primary.
//!
//! Rooms: [`protocol`] is the wire edge (gRPC, handshake, mTLS, codecs);
//! [`tf`] is the protocol-neutral vocabulary (values, types, schemas,
//! diagnostics); [`engine`] dispatches RPCs and checks Terraform's plan/apply
//! invariants; [`topology`] is the resource; `aws` is the only SDK caller.

pub mod aws;
pub mod docs;
pub mod engine;
pub mod logging;
pub mod protocol;
pub mod tf;
pub mod topology;
