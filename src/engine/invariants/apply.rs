//! The apply rules: a new state against the plan.

use std::collections::HashSet;

use super::{attr_of, attrs_sensitive, block_sensitive, elements, shown, Checker, Violation};
use crate::tf::json::write;
use crate::tf::{
    msgpack, Attribute, AttributeKind, AttributePath, Block, BlockNesting, NestedAttributes,
    ObjectNesting, Type, Value,
};

/// Checks an apply result against the plan (see the module docs for the
/// rules). Empty when the result is consistent.
pub fn check_apply(block: &Block, planned: &Value, new: &Value) -> Vec<String> {
    apply_violations(block, &block.value_type(), planned, new)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// [`check_apply`] with structured results, for diagnostics with paths;
/// `ty` is `block`'s value type (computed once by the caller).
pub fn apply_violations(block: &Block, ty: &Type, planned: &Value, new: &Value) -> Vec<Violation> {
    let mut c = Checker::default();
    let root = AttributePath::root();
    if let Err(e) = msgpack::encode(new, ty) {
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

impl Checker {
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
                            None => self.report(
                                &path,
                                format!("block key {} has vanished", write::quote(k)),
                            ),
                        }
                    }
                    for k in actual_m.keys().filter(|k| !planned_m.contains_key(*k)) {
                        self.report(
                            &path,
                            format!("new block key {} has appeared", write::quote(k)),
                        );
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
                        None => {
                            self.report(path, format!("element {} has vanished", write::quote(k)))
                        }
                    }
                }
                for k in actual_m.keys().filter(|k| !planned_m.contains_key(*k)) {
                    self.report(
                        path,
                        format!("new element {} has appeared", write::quote(k)),
                    );
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
                        None => {
                            self.report(path, format!("element {} has vanished", write::quote(k)))
                        }
                    }
                }
                for k in am.keys().filter(|k| !pm.contains_key(*k)) {
                    self.report(
                        path,
                        format!("new element {} has appeared", write::quote(k)),
                    );
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
        // Equal elements always correlate; pair those off by hashing first so
        // large unchanged sets cost linear time.
        let planned_values: HashSet<&Value> = planned.iter().collect();
        let actual_values: HashSet<&Value> = actual.iter().collect();
        let mut planned_ok: Vec<bool> = planned.iter().map(|p| actual_values.contains(p)).collect();
        let mut actual_ok: Vec<bool> = actual.iter().map(|a| planned_values.contains(a)).collect();
        // Then the general correlation for what is left: every element only
        // needs one counterpart, so matched pairs need no further check.
        let unmatched_actual: Vec<bool> = actual_ok.iter().map(|ok| !ok).collect();
        let matched_planned: Vec<&Value> = planned
            .iter()
            .zip(&planned_ok)
            .filter_map(|(p, ok)| ok.then_some(p))
            .collect();
        for (p, p_ok) in planned.iter().zip(planned_ok.iter_mut()) {
            if *p_ok {
                continue;
            }
            for (a, a_ok) in actual.iter().zip(actual_ok.iter_mut()) {
                if correlate(p, a) {
                    *p_ok = true;
                    *a_ok = true;
                }
            }
        }
        for ((a, a_ok), was_unmatched) in actual
            .iter()
            .zip(actual_ok.iter_mut())
            .zip(unmatched_actual)
        {
            if !was_unmatched || *a_ok {
                continue;
            }
            *a_ok = matched_planned.iter().any(|p| correlate(p, a));
        }
        let show = |i: usize, v: &Value| {
            if redact {
                format!("#{i}")
            } else {
                v.to_string()
            }
        };
        let before = self.out.len();
        fn unmatched(values: &[Value], ok: Vec<bool>) -> Vec<(usize, &Value)> {
            values
                .iter()
                .enumerate()
                .zip(ok)
                .filter_map(|(iv, ok)| (!ok).then_some(iv))
                .collect()
        }
        for (i, p) in unmatched(planned, planned_ok) {
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
        for (i, a) in unmatched(actual, actual_ok) {
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
