//! Attribute paths: where in a resource's value something is.
//!
//! An [`AttributePath`] is a list of [`Step`]s from the root object of a
//! resource (or provider, or data source) to one nested value. It renders the
//! way Terraform users read references, e.g.
//! `regions["us-east-1"].instances["a"].promotion_tier`.
//!
//! Set elements have no key of their own; this crate addresses them by their
//! position in the wire array with [`Step::Index`].

use std::fmt;

use super::json::write;

/// One step of an [`AttributePath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// An object attribute (or block type) by name: `.name`.
    Attr(String),
    /// A map element by key: `["key"]`.
    Key(String),
    /// A list, tuple or set element by position: `[0]`.
    Index(i64),
}

/// A path from the root object to a nested value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributePath {
    /// Steps from the root, outermost first. Empty means the root itself.
    pub steps: Vec<Step>,
}

/// Where a codec is in a value: a chain of borrowed steps, extended at
/// every nested value without allocating, and turned into an
/// [`AttributePath`] only when an error needs one.
#[derive(Clone, Copy)]
pub(crate) enum Loc<'a> {
    Root,
    Attr(&'a Loc<'a>, &'a str),
    Key(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, i64),
}

impl Loc<'_> {
    pub(crate) fn path(&self) -> AttributePath {
        let mut steps = Vec::new();
        self.push_steps(&mut steps);
        AttributePath::new(steps)
    }

    fn push_steps(&self, steps: &mut Vec<Step>) {
        match *self {
            Loc::Root => {}
            Loc::Attr(parent, name) => {
                parent.push_steps(steps);
                steps.push(Step::Attr(name.to_owned()));
            }
            Loc::Key(parent, key) => {
                parent.push_steps(steps);
                steps.push(Step::Key(key.to_owned()));
            }
            Loc::Index(parent, i) => {
                parent.push_steps(steps);
                steps.push(Step::Index(i));
            }
        }
    }
}

impl AttributePath {
    /// The path of the root object.
    pub fn root() -> Self {
        Self::default()
    }

    /// A path made of the given steps.
    pub fn new(steps: Vec<Step>) -> Self {
        Self { steps }
    }

    /// This path extended by one step.
    pub fn step(&self, step: Step) -> Self {
        let mut steps = Vec::with_capacity(self.steps.len() + 1);
        steps.extend_from_slice(&self.steps);
        steps.push(step);
        Self { steps }
    }

    /// This path extended by an attribute name.
    pub fn attr(&self, name: impl Into<String>) -> Self {
        self.step(Step::Attr(name.into()))
    }

    /// This path extended by a map key.
    pub fn key(&self, key: impl Into<String>) -> Self {
        self.step(Step::Key(key.into()))
    }

    /// This path extended by a list/tuple/set position.
    pub fn index(&self, index: i64) -> Self {
        self.step(Step::Index(index))
    }

    /// Appends a step in place.
    pub fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    /// Removes the last step in place and returns it.
    pub fn pop(&mut self) -> Option<Step> {
        self.steps.pop()
    }

    /// The path without its last step (the root's parent is the root).
    pub fn parent(&self) -> Self {
        let mut steps = self.steps.clone();
        steps.pop();
        Self { steps }
    }

    /// True for the root path.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True for the root path (same as [`is_root`](Self::is_root)).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// True when `self` is `other` or lies below it.
    pub fn starts_with(&self, other: &AttributePath) -> bool {
        self.steps.starts_with(&other.steps)
    }
}

impl From<Vec<Step>> for AttributePath {
    fn from(steps: Vec<Step>) -> Self {
        Self { steps }
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::Attr(name) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(name)?;
                }
                Step::Key(key) => {
                    f.write_str("[")?;
                    write::quoted(f, key)?;
                    f.write_str("]")?;
                }
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_table() {
        let root = AttributePath::root();
        let cases: Vec<(AttributePath, &str)> = vec![
            (root.clone(), ""),
            (root.attr("name"), "name"),
            (
                root.attr("regions").key("us-east-1"),
                r#"regions["us-east-1"]"#,
            ),
            (
                root.attr("regions")
                    .key("us-east-1")
                    .attr("instances")
                    .key("a")
                    .attr("promotion_tier"),
                r#"regions["us-east-1"].instances["a"].promotion_tier"#,
            ),
            (root.attr("list").index(3).attr("x"), "list[3].x"),
            (root.key("k"), r#"["k"]"#),
            (root.index(0), "[0]"),
            (
                root.attr("m").key("with \"quote\"\n"),
                r#"m["with \"quote\"\n"]"#,
            ),
            (root.attr("m").key("back\\slash"), r#"m["back\\slash"]"#),
        ];
        for (path, want) in cases {
            assert_eq!(path.to_string(), want, "{path:?}");
        }
    }

    #[test]
    fn builders_do_not_mutate_the_original() {
        let base = AttributePath::root().attr("a");
        let child = base.key("b");
        assert_eq!(base.len(), 1);
        assert_eq!(child.len(), 2);
        assert_eq!(child.parent(), base);
        assert!(child.starts_with(&base));
        assert!(!base.starts_with(&child));
        assert!(AttributePath::root().is_root());
        assert_eq!(AttributePath::root().parent(), AttributePath::root());
    }

    #[test]
    fn push_and_pop() {
        let mut p = AttributePath::root();
        p.push(Step::Attr("a".into()));
        p.push(Step::Index(2));
        assert_eq!(p.to_string(), "a[2]");
        assert_eq!(p.pop(), Some(Step::Index(2)));
        assert_eq!(p, AttributePath::from(vec![Step::Attr("a".into())]));
    }
}
