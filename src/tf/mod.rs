//! Protocol-neutral vocabulary (placeholder; being written).
