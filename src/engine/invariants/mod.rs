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
//! Values of sensitive and write-only attributes never appear in messages.

use std::collections::HashMap;
use std::fmt;

use crate::tf::{
    msgpack, Attribute, AttributeKind, AttributePath, Block, BlockNesting, NestedAttributes,
    ObjectNesting, Type, Value,
};

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

/// Checks a planned new state against config and prior state (see the
/// module docs for the rules). Empty when the plan is valid.
pub fn check_plan(block: &Block, prior: &Value, config: &Value, planned: &Value) -> Vec<String> {
    plan_violations(block, prior, config, planned)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// [`check_plan`] with structured results, for diagnostics with paths.
pub fn plan_violations(
    block: &Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
) -> Vec<Violation> {
    let mut c = Checker::default();
    if let Err(e) = msgpack::encode(planned, &block.value_type()) {
        c.report(
            &e.path,
            format!("planned value does not match the schema: {}", e.message),
        );
    }
    c.plan_block(block, prior, config, planned, &AttributePath::root());
    c.out
}

/// Checks an apply result against the plan (see the module docs for the
/// rules). Empty when the result is consistent.
pub fn check_apply(block: &Block, planned: &Value, new: &Value) -> Vec<String> {
    apply_violations(block, planned, new)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// [`check_apply`] with structured results, for diagnostics with paths.
pub fn apply_violations(block: &Block, planned: &Value, new: &Value) -> Vec<Violation> {
    let mut c = Checker::default();
    let root = AttributePath::root();
    if let Err(e) = msgpack::encode(new, &block.value_type()) {
        c.report(
            &e.path,
            format!("new state does not match the schema: {}", e.message),
        );
    }
    let mut unknown = Vec::new();
    unknown_paths(new, &root, &mut unknown);
    for path in unknown {
        c.report(
            &path,
            "unknown value after apply; every value must be known once applied",
        );
    }
    block.walk(new, &mut |path, attr, v| {
        if attr.write_only && !v.is_null() {
            c.report(
                path,
                "write-only attribute has a non-null value after apply; it must never be stored",
            );
        }
    });
    c.object_compatible(block, planned, new, &root);
    c.out
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

fn unknown_paths(v: &Value, path: &AttributePath, out: &mut Vec<AttributePath>) {
    match v {
        Value::Unknown => out.push(path.clone()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            for (i, item) in items.iter().enumerate() {
                unknown_paths(item, &path.index(i as i64), out);
            }
        }
        Value::Map(m) => {
            for (k, item) in m {
                unknown_paths(item, &path.key(k.as_str()), out);
            }
        }
        Value::Object(m) => {
            for (k, item) in m {
                unknown_paths(item, &path.attr(k.as_str()), out);
            }
        }
        Value::Dynamic(_, inner) => unknown_paths(inner, path, out),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
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

fn quote(s: &str) -> String {
    Value::string(s).to_string()
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

    // ------------------------------------------------------------ plan

    fn plan_block(
        &mut self,
        block: &Block,
        prior: &Value,
        config: &Value,
        planned: &Value,
        path: &AttributePath,
    ) {
        if planned.is_null() && !config.is_null() {
            return self.report(path, "planned for absence but config wants existence");
        }
        if config.is_null() && !planned.is_null() {
            return self.report(path, "planned for existence but config wants absence");
        }
        if planned.is_null() {
            return;
        }
        if planned.is_unknown() {
            return self.report(
                path,
                "planned an unknown object; set the attributes inside it to unknown instead",
            );
        }
        self.plan_attrs(&block.attributes, prior, config, planned, path);

        for nb in &block.block_types {
            let name = nb.type_name.as_str();
            let path = path.attr(name);
            let (planned_v, config_v, prior_v) = (
                attr_of(planned, name),
                attr_of(config, name),
                attr_of(prior, name),
            );
            let mode = match nb.nesting {
                BlockNesting::Single => None,
                BlockNesting::List => Some("list"),
                BlockNesting::Set => Some("set"),
                BlockNesting::Map => Some("map"),
                BlockNesting::Group => Some("group"),
            };
            if let (Some(mode), true) = (mode, planned_v.is_null()) {
                self.report(
                    &path,
                    format!("attribute representing a {mode} of nested blocks must be empty to indicate no blocks, not null"),
                );
                continue;
            }
            if planned_v == config_v {
                continue;
            }
            if config_v.is_unknown() {
                let shown = shown(planned_v, block_sensitive(&nb.block));
                self.report(
                    &path,
                    format!("planned value {shown} for unknown dynamic block"),
                );
                continue;
            }
            if planned_v.is_unknown() {
                self.report(&path, "planned unknown value for non-computed block");
                continue;
            }
            match nb.nesting {
                BlockNesting::Single | BlockNesting::Group => {
                    self.plan_block(&nb.block, prior_v, config_v, planned_v, &path)
                }
                BlockNesting::List => {
                    let planned_e = elements(planned_v).unwrap_or_default();
                    let config_e = elements(config_v).unwrap_or_default();
                    if planned_e.len() != config_e.len() {
                        self.report(
                            &path,
                            format!(
                                "block count in plan ({}) disagrees with count in config ({})",
                                planned_e.len(),
                                config_e.len()
                            ),
                        );
                        continue;
                    }
                    let prior_e = elements(prior_v).unwrap_or_default();
                    for (i, (p, cfg)) in planned_e.iter().zip(config_e).enumerate() {
                        let path = path.index(i as i64);
                        if p.is_unknown() {
                            self.report(&path, "element representing nested block must not be unknown itself; set nested attribute values to unknown instead");
                            continue;
                        }
                        self.plan_block(&nb.block, prior_e.get(i).unwrap_or(&NULL), cfg, p, &path);
                    }
                }
                BlockNesting::Map => {
                    let empty = Default::default();
                    let planned_m = planned_v.as_entries().unwrap_or(&empty);
                    let config_m = config_v.as_entries().unwrap_or(&empty);
                    let prior_m = prior_v.as_entries().unwrap_or(&empty);
                    for (k, p) in planned_m {
                        let Some(cfg) = config_m.get(k) else {
                            self.report(
                                &path,
                                format!(
                                    "block key {} from plan is not present in config",
                                    quote(k)
                                ),
                            );
                            continue;
                        };
                        let path = path.key(k.as_str());
                        if p.is_unknown() {
                            self.report(&path, "element representing nested block must not be unknown itself; set nested attribute values to unknown instead");
                            continue;
                        }
                        self.plan_block(&nb.block, prior_m.get(k).unwrap_or(&NULL), cfg, p, &path);
                    }
                    for k in config_m.keys().filter(|k| !planned_m.contains_key(*k)) {
                        self.report(
                            &path,
                            format!("block key {} from config is not present in plan", quote(k)),
                        );
                    }
                }
                BlockNesting::Set => {
                    for (i, p) in elements(planned_v).unwrap_or_default().iter().enumerate() {
                        if p.is_unknown() {
                            self.report(&path.index(i as i64), "element representing nested block must not be unknown itself; set nested attribute values to unknown instead");
                        }
                    }
                }
            }
        }
    }

    fn plan_attrs(
        &mut self,
        attributes: &[Attribute],
        prior: &Value,
        config: &Value,
        planned: &Value,
        path: &AttributePath,
    ) {
        for attr in attributes {
            let name = attr.name.as_str();
            self.plan_attr(
                attr,
                attr_of(prior, name),
                attr_of(config, name),
                attr_of(planned, name),
                &path.attr(name),
            );
        }
    }

    fn plan_attr(
        &mut self,
        attr: &Attribute,
        prior: &Value,
        config: &Value,
        planned: &Value,
        path: &AttributePath,
    ) {
        if attr.write_only {
            if !planned.is_null() {
                self.report(path, "planned value for write-only attribute is not null");
            }
            return;
        }
        if planned == config {
            return;
        }
        if planned == prior && !prior.is_null() && !config.is_null() {
            return;
        }
        if attr.computed && !attr.optional {
            return;
        }
        if config.is_null() && attr.computed {
            return;
        }
        if config.is_null() && !planned.is_null() {
            let msg = if attr.sensitive {
                "sensitive planned value for a non-computed attribute".to_owned()
            } else {
                let redact = attr
                    .nested()
                    .is_some_and(|n| attrs_sensitive(&n.attributes));
                format!(
                    "planned value {} for a non-computed attribute",
                    shown(planned, redact)
                )
            };
            return self.report(path, msg);
        }
        if let AttributeKind::Nested(n) = &attr.kind {
            return self.plan_nested(n, prior, config, planned, path);
        }
        let msg = match (attr.sensitive, prior.is_null()) {
            (true, true) => "sensitive planned value does not match config value".to_owned(),
            (true, false) => {
                "sensitive planned value does not match config value nor prior value".to_owned()
            }
            (false, true) => {
                format!("planned value {planned} does not match config value {config}")
            }
            (false, false) => {
                format!("planned value {planned} does not match config value {config} nor prior value {prior}")
            }
        };
        self.report(path, msg);
    }

    fn plan_nested(
        &mut self,
        n: &NestedAttributes,
        prior: &Value,
        config: &Value,
        planned: &Value,
        path: &AttributePath,
    ) {
        if planned.is_null() && !config.is_null() {
            return self.report(path, "planned for absence but config wants existence");
        }
        if config.is_null() && !planned.is_null() {
            return self.report(path, "planned for existence but config wants absence");
        }
        if !config.is_null() && planned.is_unknown() {
            return self.report(path, "planned unknown for configured value");
        }
        if planned.is_null() {
            return;
        }
        match n.nesting {
            ObjectNesting::Single => self.plan_attrs(&n.attributes, prior, config, planned, path),
            ObjectNesting::List => {
                let (Some(planned_e), Some(config_e)) = (elements(planned), elements(config))
                else {
                    return self.report(
                        path,
                        format!(
                            "count in plan ({}) disagrees with count in config ({})",
                            len_text(planned),
                            len_text(config)
                        ),
                    );
                };
                if planned_e.len() != config_e.len() {
                    return self.report(
                        path,
                        format!(
                            "count in plan ({}) disagrees with count in config ({})",
                            planned_e.len(),
                            config_e.len()
                        ),
                    );
                }
                let prior_e = elements(prior).unwrap_or_default();
                for (i, (p, cfg)) in planned_e.iter().zip(config_e).enumerate() {
                    self.plan_attrs(
                        &n.attributes,
                        prior_e.get(i).unwrap_or(&NULL),
                        cfg,
                        p,
                        &path.index(i as i64),
                    );
                }
            }
            ObjectNesting::Map => {
                let (Some(planned_m), Some(config_m)) = (planned.as_entries(), config.as_entries())
                else {
                    return self.report(
                        path,
                        format!(
                            "count in plan ({}) disagrees with count in config ({})",
                            len_text(planned),
                            len_text(config)
                        ),
                    );
                };
                let empty = Default::default();
                let prior_m = prior.as_entries().unwrap_or(&empty);
                for (k, p) in planned_m {
                    let Some(cfg) = config_m.get(k) else {
                        self.report(
                            path,
                            format!("map key {} from plan is not present in config", quote(k)),
                        );
                        continue;
                    };
                    self.plan_attrs(
                        &n.attributes,
                        prior_m.get(k).unwrap_or(&NULL),
                        cfg,
                        p,
                        &path.key(k.as_str()),
                    );
                }
                for k in config_m.keys().filter(|k| !planned_m.contains_key(*k)) {
                    self.report(
                        path,
                        format!("map key {} from config is not present in plan", quote(k)),
                    );
                }
            }
            ObjectNesting::Set => {
                // Elements cannot be correlated; only a count that is known on
                // both sides can be compared.
                if planned.is_wholly_known() && config.is_wholly_known() {
                    let (pl, cl) = (len_text(planned), len_text(config));
                    if pl != cl {
                        self.report(
                            path,
                            format!("count in plan ({pl}) disagrees with count in config ({cl})"),
                        );
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ apply

    fn object_compatible(
        &mut self,
        block: &Block,
        planned: &Value,
        actual: &Value,
        path: &AttributePath,
    ) {
        let at_root = if path.is_root() { "Root object " } else { "" };
        if planned.is_null() && !actual.is_null() {
            return self.report(path, format!("{at_root}was absent, but now present"));
        }
        if actual.is_null() && !planned.is_null() {
            return self.report(path, format!("{at_root}was present, but now absent"));
        }
        if planned.is_null() {
            return;
        }
        self.attrs_compatible(&block.attributes, planned, actual, path);

        for nb in &block.block_types {
            let name = nb.type_name.as_str();
            let path = path.attr(name);
            let (planned_v, actual_v) = (attr_of(planned, name), attr_of(actual, name));
            match nb.nesting {
                BlockNesting::Single | BlockNesting::Group => {
                    if planned_v.is_unknown() && actual_v.is_null() {
                        continue;
                    }
                    self.object_compatible(&nb.block, planned_v, actual_v, &path);
                }
                BlockNesting::List => {
                    let (Some(planned_e), Some(actual_e)) =
                        (elements(planned_v), elements(actual_v))
                    else {
                        continue;
                    };
                    if planned_e.len() != actual_e.len() {
                        self.report(
                            &path,
                            format!(
                                "block count changed from {} to {}",
                                planned_e.len(),
                                actual_e.len()
                            ),
                        );
                        continue;
                    }
                    for (i, (p, a)) in planned_e.iter().zip(actual_e).enumerate() {
                        self.object_compatible(&nb.block, p, a, &path.index(i as i64));
                    }
                }
                BlockNesting::Map => {
                    let (Some(planned_m), Some(actual_m)) =
                        (planned_v.as_entries(), actual_v.as_entries())
                    else {
                        continue;
                    };
                    for (k, p) in planned_m {
                        match actual_m.get(k) {
                            Some(a) => {
                                self.object_compatible(&nb.block, p, a, &path.key(k.as_str()))
                            }
                            None => {
                                self.report(&path, format!("block key {} has vanished", quote(k)))
                            }
                        }
                    }
                    for k in actual_m.keys().filter(|k| !planned_m.contains_key(*k)) {
                        self.report(&path, format!("new block key {} has appeared", quote(k)));
                    }
                }
                BlockNesting::Set => {
                    let (Some(planned_e), Some(actual_e)) =
                        (elements(planned_v), elements(actual_v))
                    else {
                        continue;
                    };
                    self.sets_correlate(
                        planned_e,
                        actual_e,
                        &path,
                        block_sensitive(&nb.block),
                        &mut |p, a| {
                            let mut sub = Checker::default();
                            sub.object_compatible(&nb.block, p, a, &path);
                            sub.out.is_empty()
                        },
                    );
                    if planned_e.len() < actual_e.len() {
                        self.report(
                            &path,
                            format!(
                                "block set length changed from {} to {}",
                                planned_e.len(),
                                actual_e.len()
                            ),
                        );
                    }
                }
            }
        }
    }

    fn attrs_compatible(
        &mut self,
        attributes: &[Attribute],
        planned: &Value,
        actual: &Value,
        path: &AttributePath,
    ) {
        for attr in attributes {
            let name = attr.name.as_str();
            let path = path.attr(name);
            let (p, a) = (attr_of(planned, name), attr_of(actual, name));
            let mut sub = Checker::default();
            match &attr.kind {
                AttributeKind::Type(ty) => sub.value_compatible(ty, p, a, &path),
                AttributeKind::Nested(n) => sub.nested_compatible(n, p, a, &path),
            }
            if sub.out.is_empty() {
                continue;
            }
            if attr.sensitive || attr.write_only {
                self.report(&path, "inconsistent values for sensitive attribute");
            } else {
                self.out.extend(sub.out);
            }
        }
    }

    /// Null/unknown handling shared by values and nested attributes; true
    /// when nothing more needs comparing.
    fn settled(
        &mut self,
        planned: &Value,
        actual: &Value,
        path: &AttributePath,
        redact: bool,
    ) -> bool {
        let show = |v: &Value| shown(v, redact);
        if planned.is_unknown() {
            return true;
        }
        match (planned.is_null(), actual.is_null()) {
            (true, true) => return true,
            (false, true) => {
                self.report(path, format!("was {}, but now null", show(planned)));
                return true;
            }
            (true, false) => {
                self.report(path, format!("was null, but now {}", show(actual)));
                return true;
            }
            (false, false) => {}
        }
        if actual.is_unknown() {
            self.report(path, "was known, but now unknown");
            return true;
        }
        false
    }

    fn nested_compatible(
        &mut self,
        n: &NestedAttributes,
        planned: &Value,
        actual: &Value,
        path: &AttributePath,
    ) {
        if self.settled(planned, actual, path, attrs_sensitive(&n.attributes)) {
            return;
        }
        let wrong_shape = |c: &mut Self| {
            c.report(
                path,
                format!("wrong final value type: expected {}", n.value_type()),
            )
        };
        match n.nesting {
            ObjectNesting::Single => self.attrs_compatible(&n.attributes, planned, actual, path),
            ObjectNesting::List => {
                let (Some(planned_e), Some(actual_e)) = (elements(planned), elements(actual))
                else {
                    return wrong_shape(self);
                };
                for (i, p) in planned_e.iter().enumerate() {
                    match actual_e.get(i) {
                        Some(a) => {
                            self.attrs_compatible(&n.attributes, p, a, &path.index(i as i64))
                        }
                        None => self.report(path, format!("element {i} has vanished")),
                    }
                }
                for i in planned_e.len()..actual_e.len() {
                    self.report(path, format!("new element {i} has appeared"));
                }
            }
            ObjectNesting::Map => {
                let (Some(planned_m), Some(actual_m)) = (planned.as_entries(), actual.as_entries())
                else {
                    return wrong_shape(self);
                };
                for (k, p) in planned_m {
                    match actual_m.get(k) {
                        Some(a) => {
                            self.attrs_compatible(&n.attributes, p, a, &path.key(k.as_str()))
                        }
                        None => self.report(path, format!("element {} has vanished", quote(k))),
                    }
                }
                for k in actual_m.keys().filter(|k| !planned_m.contains_key(*k)) {
                    self.report(path, format!("new element {} has appeared", quote(k)));
                }
            }
            ObjectNesting::Set => {
                let (Some(planned_e), Some(actual_e)) = (elements(planned), elements(actual))
                else {
                    return wrong_shape(self);
                };
                self.sets_correlate(
                    planned_e,
                    actual_e,
                    path,
                    attrs_sensitive(&n.attributes),
                    &mut |p, a| {
                        let mut sub = Checker::default();
                        sub.attrs_compatible(&n.attributes, p, a, path);
                        sub.out.is_empty()
                    },
                );
                if planned_e.len() < actual_e.len() {
                    self.report(
                        path,
                        format!(
                            "length changed from {} to {}",
                            planned_e.len(),
                            actual_e.len()
                        ),
                    );
                }
            }
        }
    }

    fn value_compatible(
        &mut self,
        ty: &Type,
        planned: &Value,
        actual: &Value,
        path: &AttributePath,
    ) {
        if let Type::Dynamic = ty {
            let Value::Dynamic(planned_ty, planned_inner) = planned else {
                // An untyped null or unknown: anything goes.
                return;
            };
            let actual_inner = match actual {
                Value::Dynamic(actual_ty, inner) if actual_ty == planned_ty => inner.as_ref(),
                Value::Dynamic(actual_ty, _) => {
                    return self.report(
                        path,
                        format!("wrong final value type: {actual_ty} instead of {planned_ty}"),
                    );
                }
                other => other,
            };
            return self.value_compatible(planned_ty, planned_inner, actual_inner, path);
        }
        let (planned, actual) = (planned.unwrap_dynamic(), actual.unwrap_dynamic());
        if self.settled(planned, actual, path, false) {
            return;
        }
        match (ty, planned, actual) {
            (Type::Bool | Type::Number | Type::String, p, a) => {
                if p != a {
                    self.report(path, format!("was {p}, but now {a}"));
                }
            }
            (Type::List(e), Value::List(pe), Value::List(ae)) => {
                self.elements_compatible(&|_| e, pe, ae, path)
            }
            (Type::Tuple(ts), Value::Tuple(pe), Value::Tuple(ae)) => {
                self.elements_compatible(&|i| ts.get(i).unwrap_or(&Type::Dynamic), pe, ae, path);
            }
            (Type::Map(e), Value::Map(pm), Value::Map(am)) => {
                for (k, p) in pm {
                    match am.get(k) {
                        Some(a) => self.value_compatible(e, p, a, &path.key(k.as_str())),
                        None => self.report(path, format!("element {} has vanished", quote(k))),
                    }
                }
                for k in am.keys().filter(|k| !pm.contains_key(*k)) {
                    self.report(path, format!("new element {} has appeared", quote(k)));
                }
            }
            (Type::Object(attrs), Value::Object(_), Value::Object(_)) => {
                for (name, t) in attrs {
                    self.value_compatible(
                        t,
                        attr_of(planned, name),
                        attr_of(actual, name),
                        &path.attr(name.as_str()),
                    );
                }
            }
            (Type::Set(e), Value::Set(pe), Value::Set(ae)) => {
                self.sets_correlate(pe, ae, path, false, &mut |p, a| {
                    let mut sub = Checker::default();
                    sub.value_compatible(e, p, a, path);
                    sub.out.is_empty()
                });
                if pe.len() < ae.len() {
                    self.report(
                        path,
                        format!("length changed from {} to {}", pe.len(), ae.len()),
                    );
                }
            }
            (ty, _, a) => self.report(
                path,
                format!(
                    "wrong final value type: expected {} ({ty}), found {}",
                    ty.describe(),
                    a.describe()
                ),
            ),
        }
    }

    fn elements_compatible<'t>(
        &mut self,
        ty_at: &dyn Fn(usize) -> &'t Type,
        planned: &[Value],
        actual: &[Value],
        path: &AttributePath,
    ) {
        for (i, p) in planned.iter().enumerate() {
            match actual.get(i) {
                Some(a) => self.value_compatible(ty_at(i), p, a, &path.index(i as i64)),
                None => self.report(path, format!("element {i} has vanished")),
            }
        }
        for i in planned.len()..actual.len() {
            self.report(path, format!("new element {i} has appeared"));
        }
    }

    /// Every planned element must correlate with some actual element and
    /// vice versa (Terraform's `assertSetValuesCompatible`).
    fn sets_correlate(
        &mut self,
        planned: &[Value],
        actual: &[Value],
        path: &AttributePath,
        redact: bool,
        correlate: &mut dyn FnMut(&Value, &Value) -> bool,
    ) {
        let mut planned_ok = vec![false; planned.len()];
        let mut actual_ok = vec![false; actual.len()];
        // Equal elements always correlate; pair those off by hashing first so
        // large unchanged sets cost linear time.
        let mut by_value: HashMap<&Value, Vec<usize>> = HashMap::with_capacity(actual.len());
        for (ai, a) in actual.iter().enumerate() {
            by_value.entry(a).or_default().push(ai);
        }
        for (pi, p) in planned.iter().enumerate() {
            if let Some(matches) = by_value.get(p) {
                planned_ok[pi] = true;
                for &ai in matches {
                    actual_ok[ai] = true;
                }
            }
        }
        // Then the general correlation for what is left: every element only
        // needs one counterpart, so matched pairs need no further check.
        let unmatched_actual: Vec<usize> = (0..actual.len()).filter(|&ai| !actual_ok[ai]).collect();
        let matched_planned: Vec<usize> = (0..planned.len()).filter(|&pi| planned_ok[pi]).collect();
        let unmatched_planned: Vec<usize> =
            (0..planned.len()).filter(|&pi| !planned_ok[pi]).collect();
        for pi in unmatched_planned {
            for (ai, a) in actual.iter().enumerate() {
                if correlate(&planned[pi], a) {
                    planned_ok[pi] = true;
                    actual_ok[ai] = true;
                }
            }
        }
        for ai in unmatched_actual {
            if actual_ok[ai] {
                continue;
            }
            actual_ok[ai] = matched_planned
                .iter()
                .any(|&pi| correlate(&planned[pi], &actual[ai]));
        }
        let show = |i: usize, v: &Value| {
            if redact {
                format!("#{i}")
            } else {
                v.to_string()
            }
        };
        let before = self.out.len();
        for (i, p) in planned.iter().enumerate().filter(|(i, _)| !planned_ok[*i]) {
            self.report(
                path,
                format!(
                    "planned set element {} does not correlate with any element in actual",
                    show(i, p)
                ),
            );
        }
        if self.out.len() > before {
            return;
        }
        for (i, a) in actual.iter().enumerate().filter(|(i, _)| !actual_ok[*i]) {
            self.report(
                path,
                format!(
                    "actual set element {} does not correlate with any element in plan",
                    show(i, a)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::{NestedBlock, Step};

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn block_body() -> Block {
        Block::new().attributes(vec![
            Attribute::optional("v", Type::String),
            Attribute::computed("id", Type::String),
        ])
    }

    fn schema() -> Block {
        Block::new()
            .attributes(vec![
                Attribute::required("name", Type::String),
                Attribute::optional("desc", Type::String),
                Attribute::optional("secret", Type::String).sensitive(),
                Attribute::optional_computed("version", Type::String),
                Attribute::computed("arn", Type::String),
                Attribute::optional("password_wo", Type::String)
                    .sensitive()
                    .write_only(),
                Attribute::optional(
                    "regions",
                    NestedAttributes::map(vec![
                        Attribute::required("class", Type::String),
                        Attribute::optional_computed("tier", Type::Number),
                        Attribute::computed("endpoint", Type::String),
                        Attribute::optional("token", Type::String).sensitive(),
                    ]),
                ),
                Attribute::optional(
                    "list_n",
                    NestedAttributes::list(vec![
                        Attribute::optional("x", Type::String),
                        Attribute::computed("id", Type::String),
                    ]),
                ),
                Attribute::optional(
                    "set_n",
                    NestedAttributes::set(vec![Attribute::required("k", Type::String)]),
                ),
                Attribute::optional(
                    "single_n",
                    NestedAttributes::single(vec![Attribute::optional("x", Type::String)]),
                ),
                Attribute::optional("tags", Type::map(Type::String)),
                Attribute::optional("ids", Type::set(Type::String)),
                Attribute::optional("names", Type::list(Type::String)),
                Attribute::optional("any", Type::Dynamic),
            ])
            .blocks(vec![
                NestedBlock::new("rule", BlockNesting::List, block_body()),
                NestedBlock::new("single", BlockNesting::Single, block_body()),
                NestedBlock::new("mb", BlockNesting::Map, block_body()),
                NestedBlock::new("sb", BlockNesting::Set, block_body()),
                NestedBlock::new("grp", BlockNesting::Group, block_body()),
            ])
    }

    fn body(v: Value, id: Value) -> Value {
        Value::object([("v", v), ("id", id)])
    }

    /// A configuration touching every attribute and block kind.
    fn config() -> Value {
        Value::object([
            ("name", s("n")),
            ("desc", Value::Null),
            ("secret", s("hunter2")),
            ("version", Value::Null),
            ("arn", Value::Null),
            ("password_wo", s("pw")),
            (
                "regions",
                Value::map([(
                    "us-east-1",
                    Value::object([
                        ("class", s("c")),
                        ("tier", Value::Null),
                        ("endpoint", Value::Null),
                        ("token", s("tok")),
                    ]),
                )]),
            ),
            (
                "list_n",
                Value::list([Value::object([("x", s("a")), ("id", Value::Null)])]),
            ),
            ("set_n", Value::set([Value::object([("k", s("a"))])])),
            ("single_n", Value::object([("x", s("s"))])),
            ("tags", Value::map([("a", s("b"))])),
            ("ids", Value::set([s("i"), s("j")])),
            ("names", Value::list([s("p"), s("q")])),
            ("any", Value::dynamic(Type::String, s("d"))),
            ("rule", Value::list([body(s("r"), Value::Null)])),
            ("single", Value::Null),
            ("mb", Value::map([("k", body(s("m"), Value::Null))])),
            ("sb", Value::set([body(s("s"), Value::Null)])),
            ("grp", body(Value::Null, Value::Null)),
        ])
    }

    /// A valid plan for creating `config()`.
    fn planned() -> Value {
        let mut v = config();
        for (path, new) in [
            (vec![a("password_wo")], Value::Null),
            (vec![a("version")], Value::Unknown),
            (vec![a("arn")], Value::Unknown),
            (
                vec![a("regions"), k("us-east-1"), a("tier")],
                Value::number(1),
            ),
            (
                vec![a("regions"), k("us-east-1"), a("endpoint")],
                Value::Unknown,
            ),
            (vec![a("list_n"), i(0), a("id")], Value::Unknown),
            (vec![a("rule"), i(0), a("id")], Value::Unknown),
            (vec![a("mb"), k("k"), a("id")], Value::Unknown),
            (vec![a("grp"), a("id")], Value::Unknown),
        ] {
            v = with(v, &path, new);
        }
        v
    }

    /// What a correct apply of `planned()` returns.
    fn applied() -> Value {
        let mut v = planned();
        for (path, new) in [
            (vec![a("version")], s("16.4")),
            (vec![a("arn")], s("arn:aws:rds::1:global-cluster:n")),
            (vec![a("regions"), k("us-east-1"), a("endpoint")], s("ep")),
            (vec![a("list_n"), i(0), a("id")], s("l0")),
            (vec![a("rule"), i(0), a("id")], s("r0")),
            (vec![a("mb"), k("k"), a("id")], s("m0")),
            (vec![a("grp"), a("id")], s("g0")),
        ] {
            v = with(v, &path, new);
        }
        v
    }

    fn a(n: &str) -> Step {
        Step::Attr(n.into())
    }
    fn k(n: &str) -> Step {
        Step::Key(n.into())
    }
    fn i(n: i64) -> Step {
        Step::Index(n)
    }

    /// `v` with the value at `path` replaced by `new`.
    fn with(mut v: Value, path: &[Step], new: Value) -> Value {
        fn slot<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
            let Some((first, rest)) = path.split_first() else {
                return v;
            };
            let next = match (v, first) {
                (Value::Object(m), Step::Attr(n)) | (Value::Map(m), Step::Key(n)) => {
                    m.get_mut(n).expect("no such key")
                }
                (Value::List(items) | Value::Set(items), Step::Index(i)) => &mut items[*i as usize],
                (other, step) => panic!("cannot step {step:?} into {other}"),
            };
            slot(next, rest)
        }
        *slot(&mut v, path) = new;
        v
    }

    fn run_plan(prior: &Value, config: &Value, planned: &Value) -> Vec<String> {
        check_plan(&schema(), prior, config, planned)
    }

    fn assert_problems(got: &[String], want: &[&str], case: &str) {
        if want.is_empty() {
            assert!(got.is_empty(), "{case}: expected no problems, got {got:#?}");
            return;
        }
        for w in want {
            assert!(
                got.iter().any(|g| g.contains(w)),
                "{case}: no problem containing {w:?} in {got:#?}"
            );
        }
    }

    #[test]
    fn fixtures_conform_to_the_schema() {
        let ty = schema().value_type();
        for v in [config(), planned(), applied()] {
            assert!(v.conforms_to(&ty), "{v}");
        }
        assert!(applied().is_wholly_known());
    }

    #[test]
    fn valid_plans_table() {
        let prior = applied();
        let cases: Vec<(&str, Value, Value, Value)> = vec![
            ("create", Value::Null, config(), planned()),
            ("destroy", prior.clone(), Value::Null, Value::Null),
            (
                "no-op update keeps prior computed values",
                prior.clone(),
                config(),
                with(prior.clone(), &[a("password_wo")], Value::Null),
            ),
            (
                "update may keep a prior value that differs from config",
                with(prior.clone(), &[a("desc")], s("A")),
                with(config(), &[a("desc")], s("a")),
                with(
                    with(prior.clone(), &[a("password_wo")], Value::Null),
                    &[a("desc")],
                    s("A"),
                ),
            ),
            (
                "optional+computed null in config may be planned as the prior value",
                prior.clone(),
                config(),
                with(planned(), &[a("version")], s("16.4")),
            ),
            (
                "optional+computed set in config planned as config",
                Value::Null,
                with(config(), &[a("version")], s("15")),
                with(planned(), &[a("version")], s("15")),
            ),
            (
                "unknown config may be planned unknown",
                Value::Null,
                with(config(), &[a("desc")], Value::Unknown),
                with(planned(), &[a("desc")], Value::Unknown),
            ),
            (
                "computed-only attribute set in config may be planned as anything",
                Value::Null,
                with(config(), &[a("arn")], s("x")),
                with(planned(), &[a("arn")], s("y")),
            ),
            (
                "sets compare as sets",
                Value::Null,
                config(),
                with(planned(), &[a("ids")], Value::Set(vec![s("j"), s("i")])),
            ),
            (
                "numbers compare numerically",
                Value::Null,
                with(
                    config(),
                    &[a("regions"), k("us-east-1"), a("tier")],
                    Value::number(2),
                ),
                with(
                    planned(),
                    &[a("regions"), k("us-east-1"), a("tier")],
                    Value::Number("2.0".parse().unwrap()),
                ),
            ),
            (
                "unknown whole nested attribute where config is unknown",
                Value::Null,
                with(config(), &[a("regions")], Value::Unknown),
                with(planned(), &[a("regions")], Value::Unknown),
            ),
            (
                "null single block with null config",
                Value::Null,
                config(),
                planned(),
            ),
            (
                "empty list block with null config from a legacy source",
                Value::Null,
                with(config(), &[a("rule")], Value::Null),
                with(planned(), &[a("rule")], Value::list([])),
            ),
            (
                "set block elements are not correlated",
                Value::Null,
                config(),
                with(
                    planned(),
                    &[a("sb")],
                    Value::set([body(s("s"), Value::Unknown)]),
                ),
            ),
        ];
        for (name, prior, config, planned) in cases {
            assert_problems(&run_plan(&prior, &config, &planned), &[], name);
        }
    }

    #[test]
    fn plan_violations_table() {
        let prior = applied();
        let p = planned;
        let c = config;
        let cases: Vec<(&str, Value, Value, Value, Vec<&str>)> = vec![
            (
                "non-computed attribute differs from config",
                Value::Null,
                with(c(), &[a("desc")], s("a")),
                with(p(), &[a("desc")], s("b")),
                vec![r#"desc: planned value "b" does not match config value "a""#],
            ),
            (
                "differs from config and prior",
                with(prior.clone(), &[a("desc")], s("A")),
                with(c(), &[a("desc")], s("a")),
                with(p(), &[a("desc")], s("b")),
                vec![r#"desc: planned value "b" does not match config value "a" nor prior value "A""#],
            ),
            (
                "non-computed attribute with null config planned non-null",
                Value::Null,
                c(),
                with(p(), &[a("desc")], s("x")),
                vec![r#"desc: planned value "x" for a non-computed attribute"#],
            ),
            (
                "unknown planned for a configured non-computed attribute",
                Value::Null,
                with(c(), &[a("desc")], s("a")),
                with(p(), &[a("desc")], Value::Unknown),
                vec![r#"desc: planned value (unknown) does not match config value "a""#],
            ),
            (
                "optional+computed with config set planned differently",
                Value::Null,
                with(c(), &[a("version")], s("15")),
                with(p(), &[a("version")], s("16")),
                vec![r#"version: planned value "16" does not match config value "15""#],
            ),
            (
                "optional+computed with config set planned unknown",
                Value::Null,
                with(c(), &[a("version")], s("15")),
                p(),
                vec![r#"version: planned value (unknown) does not match config value "15""#],
            ),
            (
                "sensitive value mismatch hides the values",
                Value::Null,
                c(),
                with(p(), &[a("secret")], s("other")),
                vec!["secret: sensitive planned value does not match config value"],
            ),
            (
                "write-only attribute planned non-null",
                Value::Null,
                c(),
                with(p(), &[a("password_wo")], s("pw")),
                vec!["password_wo: planned value for write-only attribute is not null"],
            ),
            (
                "planned destroy while config exists",
                prior.clone(),
                c(),
                Value::Null,
                vec!["planned for absence but config wants existence"],
            ),
            (
                "planned existence while config is null",
                prior.clone(),
                Value::Null,
                p(),
                vec!["planned for existence but config wants absence"],
            ),
            ("planned object unknown", Value::Null, c(), Value::Unknown, vec!["planned an unknown object"]),
            (
                "nested map attribute differs",
                Value::Null,
                c(),
                with(p(), &[a("regions"), k("us-east-1"), a("class")], s("d")),
                vec![r#"regions["us-east-1"].class: planned value "d" does not match config value "c""#],
            ),
            (
                "nested map sensitive attribute differs",
                Value::Null,
                c(),
                with(p(), &[a("regions"), k("us-east-1"), a("token")], s("leak")),
                vec![r#"regions["us-east-1"].token: sensitive planned value does not match config value"#],
            ),
            (
                "nested map key added by the plan",
                Value::Null,
                c(),
                with(
                    p(),
                    &[a("regions")],
                    Value::map([
                        ("us-east-1", Value::object([("class", s("c")), ("tier", Value::number(1)), ("endpoint", Value::Unknown), ("token", s("tok"))])),
                        ("eu-west-1", Value::object([("class", s("c")), ("tier", Value::number(1)), ("endpoint", Value::Unknown), ("token", Value::Null)])),
                    ]),
                ),
                vec![r#"regions: map key "eu-west-1" from plan is not present in config"#],
            ),
            (
                "nested map key dropped by the plan",
                Value::Null,
                c(),
                with(p(), &[a("regions")], Value::map::<&str>([])),
                vec![r#"regions: map key "us-east-1" from config is not present in plan"#],
            ),
            (
                "nested list count differs",
                Value::Null,
                c(),
                with(
                    p(),
                    &[a("list_n")],
                    Value::list([
                        Value::object([("x", s("a")), ("id", Value::Unknown)]),
                        Value::object([("x", s("b")), ("id", Value::Unknown)]),
                    ]),
                ),
                vec!["list_n: count in plan (2) disagrees with count in config (1)"],
            ),
            (
                "nested list element attribute differs",
                Value::Null,
                c(),
                with(p(), &[a("list_n"), i(0), a("x")], s("z")),
                vec![r#"list_n[0].x: planned value "z" does not match config value "a""#],
            ),
            (
                "nested single attribute differs",
                Value::Null,
                c(),
                with(p(), &[a("single_n"), a("x")], Value::Null),
                vec![r#"single_n.x: planned value null does not match config value "s""#],
            ),
            (
                "nested attribute planned null while configured",
                Value::Null,
                c(),
                with(p(), &[a("single_n")], Value::Null),
                vec!["single_n: planned for absence but config wants existence"],
            ),
            (
                "nested attribute planned unknown while configured",
                Value::Null,
                c(),
                with(p(), &[a("regions")], Value::Unknown),
                vec!["regions: planned unknown for configured value"],
            ),
            (
                "nested attribute planned while config is null",
                Value::Null,
                with(c(), &[a("single_n")], Value::Null),
                p(),
                vec![r#"single_n: planned value {x = "s"} for a non-computed attribute"#],
            ),
            (
                "nested set count differs",
                Value::Null,
                c(),
                with(p(), &[a("set_n")], Value::set([Value::object([("k", s("a"))]), Value::object([("k", s("b"))])])),
                vec!["set_n: count in plan (2) disagrees with count in config (1)"],
            ),
            (
                "map attribute differs",
                Value::Null,
                c(),
                with(p(), &[a("tags"), k("a")], s("c")),
                vec![r#"tags: planned value {"a" = "c"} does not match config value {"a" = "b"}"#],
            ),
            (
                "set attribute differs",
                Value::Null,
                c(),
                with(p(), &[a("ids")], Value::set([s("i")])),
                vec![r#"ids: planned value set(["i"]) does not match config value set(["i", "j"])"#],
            ),
            (
                "list attribute order matters",
                Value::Null,
                c(),
                with(p(), &[a("names")], Value::list([s("q"), s("p")])),
                vec!["names: planned value"],
            ),
            (
                "dynamic attribute changes type",
                Value::Null,
                c(),
                with(p(), &[a("any")], Value::dynamic(Type::Number, Value::number(1))),
                vec![r#"any: planned value 1 does not match config value "d""#],
            ),
            (
                "list block planned null",
                Value::Null,
                c(),
                with(p(), &[a("rule")], Value::Null),
                vec!["rule: attribute representing a list of nested blocks must be empty to indicate no blocks, not null"],
            ),
            (
                "group block planned null",
                Value::Null,
                c(),
                with(p(), &[a("grp")], Value::Null),
                vec!["grp: attribute representing a group of nested blocks must be empty"],
            ),
            (
                "set block planned null",
                Value::Null,
                c(),
                with(p(), &[a("sb")], Value::Null),
                vec!["sb: attribute representing a set of nested blocks"],
            ),
            (
                "list block count differs",
                Value::Null,
                c(),
                with(p(), &[a("rule")], Value::list([])),
                vec!["rule: block count in plan (0) disagrees with count in config (1)"],
            ),
            (
                "list block element unknown",
                Value::Null,
                c(),
                with(p(), &[a("rule"), i(0)], Value::Unknown),
                vec!["rule[0]: element representing nested block must not be unknown itself"],
            ),
            (
                "list block attribute differs",
                Value::Null,
                c(),
                with(p(), &[a("rule"), i(0), a("v")], s("x")),
                vec![r#"rule[0].v: planned value "x" does not match config value "r""#],
            ),
            (
                "block planned unknown",
                Value::Null,
                c(),
                with(p(), &[a("rule")], Value::Unknown),
                vec!["rule: planned unknown value for non-computed block"],
            ),
            (
                "dynamic block with unknown for_each planned known",
                Value::Null,
                with(c(), &[a("rule")], Value::Unknown),
                p(),
                vec!["rule: planned value [{id = (unknown), v = \"r\"}] for unknown dynamic block"],
            ),
            (
                "map block key dropped and added",
                Value::Null,
                c(),
                with(p(), &[a("mb")], Value::map([("other", body(s("m"), Value::Unknown))])),
                vec![
                    r#"mb: block key "other" from plan is not present in config"#,
                    r#"mb: block key "k" from config is not present in plan"#,
                ],
            ),
            (
                "map block attribute differs",
                Value::Null,
                c(),
                with(p(), &[a("mb"), k("k"), a("v")], s("x")),
                vec![r#"mb["k"].v: planned value "x" does not match config value "m""#],
            ),
            (
                "map block element unknown",
                Value::Null,
                c(),
                with(p(), &[a("mb"), k("k")], Value::Unknown),
                vec![r#"mb["k"]: element representing nested block must not be unknown itself"#],
            ),
            (
                "set block element unknown",
                Value::Null,
                c(),
                with(p(), &[a("sb")], Value::set([Value::Unknown])),
                vec!["sb[0]: element representing nested block must not be unknown itself"],
            ),
            (
                "single block planned while config is null",
                Value::Null,
                c(),
                with(p(), &[a("single")], body(Value::Null, Value::Unknown)),
                vec!["single: planned for existence but config wants absence"],
            ),
            (
                "single block attribute differs",
                Value::Null,
                with(c(), &[a("single")], body(s("a"), Value::Null)),
                with(p(), &[a("single")], body(s("b"), Value::Unknown)),
                vec![r#"single.v: planned value "b" does not match config value "a""#],
            ),
            (
                "group block attribute differs",
                Value::Null,
                c(),
                with(p(), &[a("grp"), a("v")], s("x")),
                vec!["grp.v: planned value \"x\" for a non-computed attribute"],
            ),
            (
                "planned value missing an attribute",
                Value::Null,
                c(),
                {
                    let Value::Object(mut m) = p() else { unreachable!() };
                    m.remove("desc");
                    Value::Object(m)
                },
                vec!["desc: planned value does not match the schema: missing attribute"],
            ),
        ];
        for (name, prior, config, planned, want) in cases {
            let got = run_plan(&prior, &config, &planned);
            assert_problems(&got, &want, name);
        }
    }

    #[test]
    fn sensitive_values_never_appear_in_plan_messages() {
        let got = run_plan(
            &Value::Null,
            &config(),
            &with(planned(), &[a("secret")], s("s3cr3t-planned")),
        );
        let got2 = run_plan(
            &Value::Null,
            &with(config(), &[a("secret")], Value::Null),
            &with(planned(), &[a("secret")], s("s3cr3t-planned")),
        );
        let got3 = run_plan(
            &Value::Null,
            &config(),
            &with(planned(), &[a("password_wo")], s("pw")),
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            got2,
            ["secret: sensitive planned value for a non-computed attribute"]
        );
        for msg in got.iter().chain(&got2).chain(&got3) {
            assert!(
                !msg.contains("s3cr3t") && !msg.contains("hunter2") && !msg.contains("\"pw\""),
                "{msg}"
            );
        }
    }

    #[test]
    fn values_holding_secrets_are_redacted_in_messages() {
        // A nested attribute with a sensitive child, planned while config is null.
        let got = run_plan(
            &Value::Null,
            &with(config(), &[a("regions")], Value::Null),
            &planned(),
        );
        assert_eq!(
            got,
            ["regions: planned value (sensitive value) for a non-computed attribute"]
        );
        // A set of blocks with a sensitive attribute grows after apply.
        let secret_block = Block::new()
            .attributes(vec![
                Attribute::optional("v", Type::String),
                Attribute::optional("key", Type::String).sensitive(),
            ])
            .blocks(vec![NestedBlock::new(
                "sb",
                BlockNesting::Set,
                Block::new().attributes(vec![Attribute::optional("k", Type::String).sensitive()]),
            )]);
        let elem = |k: &str| Value::object([("k", s(k))]);
        let planned = Value::object([
            ("v", Value::Null),
            ("key", Value::Null),
            ("sb", Value::set([elem("secret-a")])),
        ]);
        let new = Value::object([
            ("v", Value::Null),
            ("key", Value::Null),
            ("sb", Value::set([elem("secret-a"), elem("secret-b")])),
        ]);
        let got = check_apply(&secret_block, &planned, &new);
        assert_eq!(
            got,
            [
                "sb: actual set element #1 does not correlate with any element in plan",
                "sb: block set length changed from 1 to 2"
            ]
        );
        // An unknown dynamic block planned as known.
        let config = Value::object([
            ("v", Value::Null),
            ("key", Value::Null),
            ("sb", Value::Unknown),
        ]);
        let got = check_plan(&secret_block, &Value::Null, &config, &planned);
        assert_eq!(
            got,
            ["sb: planned value (sensitive value) for unknown dynamic block"]
        );
        // A nested attribute with a sensitive child that turns null after apply.
        let got = run_apply(
            &planned_full_regions(),
            &with(applied(), &[a("regions")], Value::Null),
        );
        assert_eq!(got, ["regions: was (sensitive value), but now null"]);
    }

    fn planned_full_regions() -> Value {
        with(
            planned(),
            &[a("regions"), k("us-east-1"), a("endpoint")],
            s("ep"),
        )
    }

    #[test]
    fn violations_carry_paths() {
        let v = plan_violations(
            &schema(),
            &Value::Null,
            &config(),
            &with(
                planned(),
                &[a("regions"), k("us-east-1"), a("class")],
                s("d"),
            ),
        );
        assert_eq!(v.len(), 1);
        assert_eq!(
            v[0].path,
            AttributePath::root()
                .attr("regions")
                .key("us-east-1")
                .attr("class")
        );
        assert!(v[0].message.starts_with("planned value"));
    }

    fn run_apply(planned: &Value, new: &Value) -> Vec<String> {
        check_apply(&schema(), planned, new)
    }

    #[test]
    fn valid_apply_results_table() {
        let cases: Vec<(&str, Value, Value)> = vec![
            ("create", planned(), applied()),
            ("destroy", Value::Null, Value::Null),
            (
                "unknown set elements may coalesce",
                with(
                    planned(),
                    &[a("ids")],
                    Value::Set(vec![Value::Unknown, Value::Unknown]),
                ),
                with(applied(), &[a("ids")], Value::set([s("a")])),
            ),
            (
                "unknown set may become anything",
                with(planned(), &[a("ids")], Value::Unknown),
                with(applied(), &[a("ids")], Value::set([s("a"), s("b"), s("c")])),
            ),
            (
                "sets compare as sets",
                planned(),
                with(applied(), &[a("ids")], Value::Set(vec![s("j"), s("i")])),
            ),
            (
                "unknown dynamic may become any type",
                with(planned(), &[a("any")], Value::Unknown),
                with(
                    applied(),
                    &[a("any")],
                    Value::dynamic(Type::list(Type::Bool), Value::list([Value::bool(true)])),
                ),
            ),
            (
                "unknown nested map may become anything",
                with(planned(), &[a("regions")], Value::Unknown),
                with(applied(), &[a("regions")], Value::map::<&str>([])),
            ),
            (
                "unknown single block may vanish",
                with(planned(), &[a("single")], Value::Unknown),
                applied(),
            ),
        ];
        for (name, planned, new) in cases {
            assert_problems(&run_apply(&planned, &new), &[], name);
        }
    }

    #[test]
    fn apply_violations_table() {
        let p = planned;
        let n = applied;
        let cases: Vec<(&str, Value, Value, Vec<&str>)> = vec![
            (
                "present after destroy",
                Value::Null,
                n(),
                vec!["Root object was absent, but now present"],
            ),
            (
                "absent after create",
                p(),
                Value::Null,
                vec!["Root object was present, but now absent"],
            ),
            (
                "unknown left after apply",
                p(),
                with(n(), &[a("arn")], Value::Unknown),
                vec!["arn: unknown value after apply"],
            ),
            (
                "nested unknown left after apply",
                p(),
                with(
                    n(),
                    &[a("regions"), k("us-east-1"), a("endpoint")],
                    Value::Unknown,
                ),
                vec![r#"regions["us-east-1"].endpoint: unknown value after apply"#],
            ),
            (
                "write-only stored",
                p(),
                with(n(), &[a("password_wo")], s("pw")),
                vec![
                    "password_wo: write-only attribute has a non-null value after apply",
                    "password_wo: inconsistent values for sensitive attribute",
                ],
            ),
            (
                "known value changed",
                p(),
                with(n(), &[a("name")], s("m")),
                vec![r#"name: was "n", but now "m""#],
            ),
            (
                "null became value",
                p(),
                with(n(), &[a("desc")], s("x")),
                vec![r#"desc: was null, but now "x""#],
            ),
            (
                "value became null",
                p(),
                with(n(), &[a("name")], Value::Null),
                vec![r#"name: was "n", but now null"#],
            ),
            (
                "sensitive changed",
                p(),
                with(n(), &[a("secret")], s("leak")),
                vec!["secret: inconsistent values for sensitive attribute"],
            ),
            (
                "nested known value changed",
                p(),
                with(
                    n(),
                    &[a("regions"), k("us-east-1"), a("tier")],
                    Value::number(2),
                ),
                vec![r#"regions["us-east-1"].tier: was 1, but now 2"#],
            ),
            (
                "nested sensitive value changed",
                p(),
                with(n(), &[a("regions"), k("us-east-1"), a("token")], s("leak")),
                vec![r#"regions["us-east-1"].token: inconsistent values for sensitive attribute"#],
            ),
            (
                "nested map element vanished",
                p(),
                with(n(), &[a("regions")], Value::map::<&str>([])),
                vec![r#"regions: element "us-east-1" has vanished"#],
            ),
            (
                "nested list element appeared",
                p(),
                with(
                    n(),
                    &[a("list_n")],
                    Value::list([
                        Value::object([("x", s("a")), ("id", s("l0"))]),
                        Value::object([("x", s("b")), ("id", s("l1"))]),
                    ]),
                ),
                vec!["list_n: new element 1 has appeared"],
            ),
            (
                "nested set grew",
                p(),
                with(
                    n(),
                    &[a("set_n")],
                    Value::set([
                        Value::object([("k", s("a"))]),
                        Value::object([("k", s("b"))]),
                    ]),
                ),
                vec![
                    r#"set_n: actual set element {k = "b"} does not correlate"#,
                    "set_n: length changed from 1 to 2",
                ],
            ),
            (
                "list element changed",
                p(),
                with(n(), &[a("names"), i(1)], s("z")),
                vec![r#"names[1]: was "q", but now "z""#],
            ),
            (
                "list element vanished",
                p(),
                with(n(), &[a("names")], Value::list([s("p")])),
                vec!["names: element 1 has vanished"],
            ),
            (
                "map element appeared",
                p(),
                with(
                    n(),
                    &[a("tags")],
                    Value::map([("a", s("b")), ("c", s("d"))]),
                ),
                vec![r#"tags: new element "c" has appeared"#],
            ),
            (
                "set grew",
                p(),
                with(n(), &[a("ids")], Value::set([s("i"), s("j"), s("k")])),
                vec![
                    r#"ids: actual set element "k" does not correlate with any element in plan"#,
                    "ids: length changed from 2 to 3",
                ],
            ),
            (
                "set element changed",
                p(),
                with(n(), &[a("ids")], Value::set([s("i"), s("x")])),
                vec![
                    r#"ids: planned set element "j" does not correlate with any element in actual"#,
                ],
            ),
            (
                "dynamic type changed",
                p(),
                with(
                    n(),
                    &[a("any")],
                    Value::dynamic(Type::Number, Value::number(1)),
                ),
                vec!["any: wrong final value type: number instead of string"],
            ),
            (
                "dynamic value changed",
                p(),
                with(n(), &[a("any")], Value::dynamic(Type::String, s("e"))),
                vec![r#"any: was "d", but now "e""#],
            ),
            (
                "list block count changed",
                p(),
                with(n(), &[a("rule")], Value::list([])),
                vec!["rule: block count changed from 1 to 0"],
            ),
            (
                "list block attribute changed",
                p(),
                with(n(), &[a("rule"), i(0), a("v")], s("x")),
                vec![r#"rule[0].v: was "r", but now "x""#],
            ),
            (
                "map block key vanished",
                p(),
                with(n(), &[a("mb")], Value::map::<&str>([])),
                vec![r#"mb: block key "k" has vanished"#],
            ),
            (
                "map block key appeared",
                p(),
                with(
                    n(),
                    &[a("mb")],
                    Value::map([
                        ("k", body(s("m"), s("m0"))),
                        ("z", body(Value::Null, s("z0"))),
                    ]),
                ),
                vec![r#"mb: new block key "z" has appeared"#],
            ),
            (
                "set block grew",
                p(),
                with(
                    n(),
                    &[a("sb")],
                    Value::set([body(s("s"), Value::Null), body(s("t"), Value::Null)]),
                ),
                vec![
                    "sb: block set length changed from 1 to 2",
                    "sb: actual set element",
                ],
            ),
            (
                "single block appeared",
                p(),
                with(n(), &[a("single")], body(Value::Null, s("x"))),
                vec!["single: was absent, but now present"],
            ),
            (
                "group attribute changed",
                p(),
                with(n(), &[a("grp"), a("v")], s("x")),
                vec![r#"grp.v: was null, but now "x""#],
            ),
            (
                "new state missing an attribute",
                p(),
                {
                    let Value::Object(mut m) = n() else {
                        unreachable!()
                    };
                    m.remove("arn");
                    Value::Object(m)
                },
                vec!["arn: new state does not match the schema: missing attribute"],
            ),
            (
                "wrong kind",
                p(),
                with(n(), &[a("tags")], Value::list([s("b")])),
                vec!["tags: wrong final value type: expected a map"],
            ),
        ];
        for (name, planned, new, want) in cases {
            let got = run_apply(&planned, &new);
            assert_problems(&got, &want, name);
        }
    }

    #[test]
    fn sensitive_values_never_appear_in_apply_messages() {
        let new = with(
            with(applied(), &[a("secret")], s("leaked-secret")),
            &[a("password_wo")],
            s("leaked-pw"),
        );
        let new = with(
            new,
            &[a("regions"), k("us-east-1"), a("token")],
            s("leaked-token"),
        );
        let got = run_apply(&planned(), &new);
        assert!(!got.is_empty());
        for msg in &got {
            assert!(
                !msg.contains("leaked") && !msg.contains("hunter2") && !msg.contains("tok\""),
                "{msg}"
            );
        }
    }

    #[test]
    fn large_unchanged_sets_are_checked_quickly() {
        let big = Value::set((0..50_000).map(|n| s(&n.to_string())));
        let planned = with(planned(), &[a("ids")], big.clone());
        let new = with(applied(), &[a("ids")], big);
        assert!(run_apply(&planned, &new).is_empty());
    }

    #[test]
    fn set_elements_correlate_with_unknown_placeholders() {
        let planned = with(
            planned(),
            &[a("ids")],
            Value::Set(vec![s("i"), Value::Unknown]),
        );
        assert!(run_apply(
            &planned,
            &with(applied(), &[a("ids")], Value::set([s("i"), s("new")]))
        )
        .is_empty());
        assert!(run_apply(
            &planned,
            &with(applied(), &[a("ids")], Value::set([s("i")]))
        )
        .is_empty());
        let got = run_apply(
            &planned,
            &with(applied(), &[a("ids")], Value::set([s("x"), s("y")])),
        );
        assert_problems(
            &got,
            &[r#"ids: planned set element "i" does not correlate"#],
            "known element lost",
        );
    }

    #[test]
    fn destroy_checks_need_no_schema_match() {
        assert!(run_plan(&applied(), &Value::Null, &Value::Null).is_empty());
        assert!(run_apply(&Value::Null, &Value::Null).is_empty());
    }
}
