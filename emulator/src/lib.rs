//! aurora-emulator (placeholder; being written).
