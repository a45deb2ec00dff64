//! RPC dispatch and Terraform invariant checks (placeholder; being written).
