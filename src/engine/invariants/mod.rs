//! Terraform's plan and apply rules as pure functions.
//!
//! Terraform checks every plan and every apply result a provider returns
//! (`plans/objchange`: `AssertPlanValid` and `AssertObjectCompatible`) and, on
//! a violation, fails the run with "Provider produced invalid plan" or
//! "Provider produced inconsistent result after apply" and a message aimed at
//! provider developers. The engine runs the same rules before replying, so a
//! provider bug surfaces as a clear diagnostic naming the attribute instead.
//!
//! The rules, as implemented here:
//!
//! Plan ([`check_plan`]), attribute by attribute:
//! - write-only attributes must be planned null;
//! - a planned value equal to config is always fine; so is one equal to a
//!   non-null prior value when config is non-null (the provider judged them
//!   equivalent);
//! - computed-only attributes may be planned as anything;
//! - optional+computed attributes may be planned as anything when config is null;
//! - otherwise the plan must equal config: a non-computed attribute with null
//!   config must be planned null, and unknown is only allowed where config is
//!   unknown itself;
//! - nested attributes recurse per element (lists by index, maps by key,
//!   sets by count only, as Terraform cannot correlate set elements);
//! - nested blocks: collection blocks are never null, a block's value may not
//!   be unknown, list blocks keep the config's count, map blocks the config's
//!   keys, and each block recurses;
//! - a null plan is a destroy and is only valid with null config.
//!
//! Apply ([`check_apply`]):
//! - the new state conforms to the schema's type and is wholly known;
//! - write-only attributes are null;
//! - a null plan (destroy) must give a null result and vice versa;
//! - every value known in the plan is unchanged; unknowns may become
//!   anything of the right type; lists/maps keep their elements; sets may
//!   shrink (equal elements coalesce) but not grow, and each element must
//!   correlate with one on the other side.
//!
//! Identity ([`identity_violations`]): an existing object has a wholly
//! known identity that conforms to the identity schema and never changes; a
//! plan that creates or replaces it carries none; an import's identity
//! agrees with what the `import` block gave.
//!
//! Values of sensitive and write-only attributes never appear in messages.

mod apply;
mod identity;
mod plan;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::tf::{Attribute, AttributePath, Block, Value};

pub use apply::{apply_violations, check_apply};
pub use identity::{identity_violations, IdentityCheck};
pub use plan::{check_plan, plan_violations};

/// One broken rule: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The offending attribute (root for the object as a whole).
    pub path: AttributePath,
    /// What is wrong, for a provider developer.
    pub message: String,
}

/// `regions["x"].arn: planned value "b" does not match config value "a"`;
/// just the message for the root object.
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

static NULL: Value = Value::Null;
static UNKNOWN: Value = Value::Unknown;

/// An attribute of an object value; null inside null (or non-objects),
/// unknown inside unknown.
fn attr_of<'a>(object: &'a Value, name: &str) -> &'a Value {
    match object.unwrap_dynamic() {
        Value::Object(m) => m.get(name).unwrap_or(&NULL),
        Value::Unknown => &UNKNOWN,
        _ => &NULL,
    }
}

/// Elements of a known list/set/tuple value, or `None`.
fn elements(v: &Value) -> Option<&[Value]> {
    v.as_elements()
}

fn len_text(v: &Value) -> String {
    match v.unwrap_dynamic() {
        Value::Unknown => "unknown".to_owned(),
        Value::Null => "0 (null)".to_owned(),
        other => elements(other).map_or_else(
            || {
                other
                    .as_entries()
                    .map_or_else(|| "?".to_owned(), |m| m.len().to_string())
            },
            |e| e.len().to_string(),
        ),
    }
}

/// True when any attribute in `attrs`, at any depth, is sensitive or write-only.
fn attrs_sensitive(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.sensitive || a.write_only || a.nested().is_some_and(|n| attrs_sensitive(&n.attributes))
    })
}

/// True when any attribute of `block` or its nested blocks is sensitive.
fn block_sensitive(block: &Block) -> bool {
    attrs_sensitive(&block.attributes)
        || block
            .block_types
            .iter()
            .any(|nb| block_sensitive(&nb.block))
}

/// A value for a message, or a placeholder when it may hold secrets.
fn shown(v: &Value, redact: bool) -> String {
    if redact {
        "(sensitive value)".to_owned()
    } else {
        v.to_string()
    }
}

#[derive(Default)]
struct Checker {
    out: Vec<Violation>,
}

impl Checker {
    fn report(&mut self, path: &AttributePath, message: impl Into<String>) {
        self.out.push(Violation {
            path: path.clone(),
            message: message.into(),
        });
    }
}
