//! The error shared by the msgpack and JSON value codecs.

use std::fmt;

use super::path::AttributePath;

/// A value could not be decoded or encoded: where, and what was wrong.
///
/// Displays as `at regions["us-east-1"].instances: expected a map, found an
/// array` (without the `at ...:` prefix when the problem is at the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    /// Where in the value the problem is.
    pub path: AttributePath,
    /// What is wrong there.
    pub message: String,
}

impl CodecError {
    /// An error at `path`.
    pub fn new(path: &AttributePath, message: impl Into<String>) -> Self {
        Self {
            path: path.clone(),
            message: message.into(),
        }
    }
}

impl CodecError {
    /// A tuple with the wrong number of elements.
    pub(crate) fn tuple_length(path: &AttributePath, want: usize, found: usize) -> Self {
        Self::new(
            path,
            format!("expected a tuple of {want} elements, found {found}"),
        )
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            f.write_str(&self.message)
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for CodecError {}

/// Deepest nesting either codec accepts, so hostile input (dynamic values
/// wrapping dynamic values, deeply nested JSON) cannot exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        let p = AttributePath::root()
            .attr("regions")
            .key("us-east-1")
            .attr("instances");
        let e = CodecError::new(&p, "expected a map, found an array");
        assert_eq!(
            e.to_string(),
            r#"at regions["us-east-1"].instances: expected a map, found an array"#
        );
        let root = CodecError::new(&AttributePath::root(), "truncated input");
        assert_eq!(root.to_string(), "truncated input");
    }
}
