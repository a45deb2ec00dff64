//! The rules for resource identity (Terraform 1.12 and later).
//!
//! Terraform itself checks that an identity conforms to the identity schema
//! and is wholly known, except in a plan that creates or replaces the object
//! (`validateIdentity`, `validateIdentityKnown` in its resource instance
//! node). The engine adds the rules Terraform relies on without checking:
//! an identity names one remote object, so for an existing object it never
//! changes — not on refresh, not in an in-place plan, not at apply — and an
//! object has an identity exactly when it exists.
//!
//! A plan that creates or replaces an object carries no identity at all:
//! Terraform 1.15 accepts one with unknown parts there, but then fails to
//! render the plan with `show -json` ("value is not known"), so the
//! identity first appears in the apply's answer.

use crate::tf::{AttributePath, Type, Value};

use super::Violation;

/// Which answer an identity comes with, and what it is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityCheck<'a> {
    /// A refresh, an in-place plan, or an apply: the identity of the same
    /// object as `before` (null when there was none yet, as for state
    /// written before identities existed, or at create); wholly known,
    /// except that an in-place plan may carry over nothing unknown either.
    Same {
        /// The identity the object had (or was planned with).
        before: &'a Value,
    },
    /// An import: wholly known, and equal to every attribute the
    /// `import` block gave (the rest the provider filled in).
    Import {
        /// The identity the `import` block gave (null for import by ID).
        requested: &'a Value,
    },
}

/// Every rule `identity` breaks, for an object whose state is `state`.
pub fn identity_violations(
    ty: &Type,
    state: &Value,
    identity: &Value,
    check: IdentityCheck<'_>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut report = |path: AttributePath, message: String| {
        out.push(Violation { path, message });
    };
    let root = AttributePath::root;
    if state.is_null() {
        if !identity.is_null() {
            report(
                root(),
                "an identity was returned for an object that does not exist".to_owned(),
            );
        }
        return out;
    }
    if identity.is_null() || identity.is_unknown() {
        report(
            root(),
            "no identity was returned for an existing object".to_owned(),
        );
        return out;
    }
    if !identity.conforms_to(ty) || identity.as_entries().is_none() {
        report(
            root(),
            format!("the identity {identity} does not match the identity schema {ty}"),
        );
        return out;
    }
    let Some(attrs) = identity.as_entries() else {
        return out;
    };
    for (name, v) in attrs {
        let path = root().attr(name);
        if !v.is_wholly_known() {
            report(path.clone(), "identity attribute is unknown".to_owned());
            continue;
        }
        let reference = match check {
            // An unknown part of a planned identity is filled in by apply.
            IdentityCheck::Same { before } => before
                .get_attr(name)
                .filter(|b| !b.is_null() && b.is_wholly_known()),
            IdentityCheck::Import { requested } => {
                requested.get_attr(name).filter(|r| !r.is_null())
            }
        };
        if let Some(r) = reference {
            if r != v {
                let message = match check {
                    IdentityCheck::Import { .. } => {
                        format!("the imported object has {v}, the import block asked for {r}")
                    }
                    _ => format!("identity changed from {r} to {v} for the same object"),
                };
                report(path, message);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty() -> Type {
        Type::object([("account_id", Type::String), ("name", Type::String)])
    }

    fn id(account: Value, name: &str) -> Value {
        Value::object([("account_id", account), ("name", Value::string(name))])
    }

    fn state() -> Value {
        Value::object([("name", Value::string("x"))])
    }

    fn messages(v: Vec<Violation>) -> Vec<String> {
        v.into_iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn table() {
        let acct = || Value::string("123456789012");
        let other = || Value::string("210987654321");
        let known = id(acct(), "x");
        let half = id(Value::Unknown, "x");
        let no_account = id(Value::Null, "x");
        let other_account = id(other(), "x");
        let cases: Vec<(&str, Value, Value, IdentityCheck<'_>, Vec<&str>)> = vec![
            (
                "refresh keeps it",
                state(),
                known.clone(),
                IdentityCheck::Same { before: &known },
                vec![],
            ),
            (
                "refresh after state without identity",
                state(),
                known.clone(),
                IdentityCheck::Same {
                    before: &Value::Null,
                },
                vec![],
            ),
            (
                "refresh must not change the account",
                state(),
                id(other(), "x"),
                IdentityCheck::Same { before: &known },
                vec![
                    r#"account_id: identity changed from "123456789012" to "210987654321" for the same object"#,
                ],
            ),
            (
                "apply fills in what a planned identity left unknown",
                state(),
                known.clone(),
                IdentityCheck::Same { before: &half },
                vec![],
            ),
            (
                "in-place plan must be known",
                state(),
                id(Value::Unknown, "x"),
                IdentityCheck::Same { before: &known },
                vec!["account_id: identity attribute is unknown"],
            ),
            (
                "existing object needs an identity",
                state(),
                Value::Null,
                IdentityCheck::Same { before: &known },
                vec!["no identity was returned for an existing object"],
            ),
            (
                "a gone object has none",
                Value::Null,
                known.clone(),
                IdentityCheck::Same { before: &known },
                vec!["an identity was returned for an object that does not exist"],
            ),
            (
                "wrong shape",
                state(),
                Value::object([("name", Value::string("x"))]),
                IdentityCheck::Same {
                    before: &Value::Null,
                },
                vec![
                    r#"the identity {name = "x"} does not match the identity schema object({account_id = string, name = string})"#,
                ],
            ),
            (
                "import fills in the account",
                state(),
                known.clone(),
                IdentityCheck::Import {
                    requested: &no_account,
                },
                vec![],
            ),
            (
                "import of another account's object",
                state(),
                known.clone(),
                IdentityCheck::Import {
                    requested: &other_account,
                },
                vec![
                    r#"account_id: the imported object has "123456789012", the import block asked for "210987654321""#,
                ],
            ),
        ];
        for (what, state, identity, check, want) in cases {
            let got = messages(identity_violations(&ty(), &state, &identity, check));
            let want: Vec<String> = want.into_iter().map(str::to_owned).collect();
            // The exact text of the type and value renderings is not the
            // point of the shape case: compare its start only.
            if what == "wrong shape" {
                assert_eq!(got.len(), 1, "{what}: {got:?}");
                assert!(
                    got[0].contains("does not match the identity schema"),
                    "{what}: {got:?}"
                );
                continue;
            }
            assert_eq!(got, want, "{what}");
        }
    }
}
