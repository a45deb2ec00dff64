//! The plan rules: a planned value against config and prior state.

use super::{
    attr_of, attrs_sensitive, block_sensitive, elements, len_text, shown, Checker, Violation, NULL,
};
use crate::tf::json::write;
use crate::tf::{
    msgpack, Attribute, AttributeKind, AttributePath, Block, BlockNesting, NestedAttributes,
    ObjectNesting, Type, Value,
};

/// Checks a planned new state against config and prior state (see the
/// module docs for the rules). Empty when the plan is valid.
pub fn check_plan(block: &Block, prior: &Value, config: &Value, planned: &Value) -> Vec<String> {
    plan_violations(block, &block.value_type(), prior, config, planned)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// [`check_plan`] with structured results, for diagnostics with paths;
/// `ty` is `block`'s value type (computed once by the caller).
pub fn plan_violations(
    block: &Block,
    ty: &Type,
    prior: &Value,
    config: &Value,
    planned: &Value,
) -> Vec<Violation> {
    let mut c = Checker::default();
    if let Err(e) = msgpack::encode(planned, ty) {
        c.report(
            &e.path,
            format!("planned value does not match the schema: {}", e.message),
        );
    }
    c.plan_block(block, prior, config, planned, &AttributePath::root());
    c.out
}

impl Checker {
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
                                    write::quote(k)
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
                            format!(
                                "block key {} from config is not present in plan",
                                write::quote(k)
                            ),
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
                            format!(
                                "map key {} from plan is not present in config",
                                write::quote(k)
                            ),
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
                        format!(
                            "map key {} from config is not present in plan",
                            write::quote(k)
                        ),
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
}
