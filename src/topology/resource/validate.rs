//! Plan-time validation of a `replication_topology` configuration: every
//! check that needs neither AWS nor the prior state. Unknown values are
//! skipped (they are checked again when known). Every error carries the path
//! of the attribute it is about.

use crate::engine::ClientCapabilities;
use crate::tf::{AttributePath, Diagnostic, Diagnostics, Value};

use super::rules;

fn root() -> AttributePath {
    AttributePath::root()
}

fn invalid(path: AttributePath, what: &str, reason: &str) -> Diagnostic {
    Diagnostic::error(format!("Invalid {what}"), format!("The {what} {reason}.")).with_path(path)
}

/// A known, non-null string attribute of `obj`.
pub(crate) fn known_str<'a>(obj: &'a Value, name: &str) -> Option<&'a str> {
    obj.get_attr(name).and_then(Value::as_str)
}

fn check_str(
    d: &mut Diagnostics,
    obj: &Value,
    name: &str,
    path: &AttributePath,
    what: &str,
    rule: impl Fn(&str) -> Option<String>,
) {
    if let Some(s) = known_str(obj, name) {
        if let Some(reason) = rule(s) {
            d.push(invalid(path.attr(name), what, &reason));
        }
    }
}

/// Validates a resource configuration.
pub fn resource(config: &Value, caps: ClientCapabilities) -> Diagnostics {
    let mut d = Diagnostics::default();
    if config.is_null() || config.is_unknown() {
        return d;
    }
    let r = root();
    let engine = known_str(config, "engine").unwrap_or("aurora-postgresql");

    check_str(
        &mut d,
        config,
        "global_cluster_identifier",
        &r,
        "global cluster identifier",
        rules::identifier,
    );
    check_str(&mut d, config, "engine", &r, "engine", |s| {
        (!rules::ENGINES.contains(&s))
            .then(|| format!("must be one of {}, not {s:?}", rules::ENGINES.join(", ")))
    });
    check_str(
        &mut d,
        config,
        "master_username",
        &r,
        "master user name",
        |s| rules::master_username(s, engine),
    );
    check_str(&mut d, config, "database_name", &r, "database name", |s| {
        rules::database_name(s, engine)
    });
    check_str(
        &mut d,
        config,
        "master_password",
        &r,
        "master password",
        |s| rules::master_password(s, engine),
    );
    check_str(
        &mut d,
        config,
        "master_password_wo",
        &r,
        "master password",
        |s| rules::master_password(s, engine),
    );
    check_str(
        &mut d,
        config,
        "final_snapshot_identifier",
        &r,
        "final snapshot identifier",
        rules::snapshot_identifier,
    );
    check_str(&mut d, config, "failover_mode", &r, "failover mode", |s| {
        (!rules::FAILOVER_MODES.contains(&s))
            .then(|| "must be \"switchover\" or \"failover\"".to_string())
    });

    let pw = config
        .get_attr("master_password")
        .is_some_and(|v| !v.is_null());
    let wo = config
        .get_attr("master_password_wo")
        .is_some_and(|v| !v.is_null());
    if pw && wo {
        d.push(
            Diagnostic::error(
                "Conflicting Master Passwords",
                "Set either master_password (stored in state) or master_password_wo (write-only, never stored), not both.",
            )
            .with_path(r.attr("master_password_wo")),
        );
    }
    if wo && !caps.write_only_attributes_allowed {
        d.push(
            Diagnostic::error(
                "Write-Only Attribute Not Supported By This Host",
                "master_password_wo is a write-only attribute, which needs Terraform 1.11 or later. This host would store it in state; use master_password instead, or upgrade Terraform.",
            )
            .with_path(r.attr("master_password_wo")),
        );
    }
    if config
        .get_attr("master_password_wo_version")
        .is_some_and(|v| !v.is_null() && v.is_known())
        && !wo
    {
        d.push(
            Diagnostic::warning(
                "Password Version Without Write-Only Password",
                "master_password_wo_version only has an effect together with master_password_wo.",
            )
            .with_path(r.attr("master_password_wo_version")),
        );
    }

    if let Some(t) = config.get_attr("timeouts") {
        for op in ["create", "update", "delete"] {
            if let Some(s) = known_str(t, op) {
                if let Err(e) = rules::parse_duration(s) {
                    d.push(invalid(
                        r.attr("timeouts").attr(op),
                        "timeout",
                        &e.replacen(&format!("{s:?} is"), "is", 1),
                    ));
                }
            }
        }
    }

    regions(&mut d, config);
    d
}

fn regions(d: &mut Diagnostics, config: &Value) {
    let r = root();
    let Some(regions) = config.get_attr("regions").and_then(Value::as_entries) else {
        return;
    };
    let rp = r.attr("regions");
    if regions.is_empty() {
        d.push(
            Diagnostic::error(
                "No Regions",
                "A topology needs at least one region: the primary.",
            )
            .with_path(rp.clone()),
        );
    }
    if regions.len() > rules::MAX_REGIONS {
        d.push(
            Diagnostic::error(
                "Too Many Regions",
                format!("An Aurora global database has one primary and at most 10 secondary regions; this configuration lists {}.", regions.len()),
            )
            .with_path(rp.clone()),
        );
    }
    for (name, region) in regions {
        let p = rp.key(name);
        if let Some(reason) = rules::region(name) {
            d.push(invalid(
                p.clone(),
                "region",
                &format!("key {name:?} {reason}"),
            ));
        }
        if region.is_null() || region.is_unknown() {
            continue;
        }
        check_str(
            d,
            region,
            "cluster_identifier",
            &p,
            "cluster identifier",
            rules::identifier,
        );
        check_str(
            d,
            region,
            "instance_class",
            &p,
            "instance class",
            rules::instance_class,
        );
        let Some(instances) = region.get_attr("instances").and_then(Value::as_entries) else {
            continue;
        };
        let mut seen = std::collections::BTreeMap::new();
        for (key, inst) in instances {
            let ip = p.attr("instances").key(key);
            if inst.is_null() || inst.is_unknown() {
                continue;
            }
            check_str(
                d,
                inst,
                "identifier",
                &ip,
                "instance identifier",
                rules::identifier,
            );
            check_str(
                d,
                inst,
                "instance_class",
                &ip,
                "instance class",
                rules::instance_class,
            );
            if let Some(t) = inst
                .get_attr("promotion_tier")
                .filter(|v| v.is_known() && !v.is_null())
            {
                let ok = t.as_i64().is_some_and(|n| (0..=15).contains(&n));
                if !ok {
                    d.push(invalid(
                        ip.attr("promotion_tier"),
                        "promotion tier",
                        "must be a whole number from 0 to 15",
                    ));
                }
            }
            if let Some(id) = known_str(inst, "identifier") {
                if let Some(other) = seen.insert(id.to_string(), key.clone()) {
                    d.push(
                        Diagnostic::error(
                            "Duplicate Instance Identifier",
                            format!("Instances {other:?} and {key:?} in {name} both use the identifier {id:?}; identifiers are unique per region."),
                        )
                        .with_path(ip.attr("identifier")),
                    );
                }
            }
        }
    }
    if let Some(primary) = known_str(config, "primary_region") {
        match regions.get(primary) {
            None => d.push(
                Diagnostic::error(
                    "Primary Region Not In Regions",
                    format!(
                        "primary_region is {primary:?}, which is not a key of regions ({}). Add it to regions or pick one of them.",
                        regions.keys().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_path(r.attr("primary_region")),
            ),
            Some(region) => {
                if is_headless(region) == Some(true) {
                    d.push(
                        Diagnostic::error(
                            "Primary Region Has No Instances",
                            format!("The primary region {primary} must have at least one instance to hold the writer. Add one under regions[\"{primary}\"].instances."),
                        )
                        .with_path(rp.key(primary).attr("instances")),
                    );
                }
            }
        }
    }
}

/// Whether a configured region has no instances (None while unknown).
pub(crate) fn is_headless(region: &Value) -> Option<bool> {
    match region.get_attr("instances") {
        None => Some(true),
        Some(v) if v.is_null() => Some(true),
        Some(v) => v.as_entries().map(|m| m.is_empty()),
    }
}

/// Validates the data source configuration.
pub fn data_source(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    check_str(
        &mut d,
        config,
        "global_cluster_identifier",
        &root(),
        "global cluster identifier",
        rules::identifier,
    );
    d
}

/// Validates the provider block.
pub fn provider(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    let r = root();
    check_str(&mut d, config, "region", &r, "region", rules::region);
    check_str(&mut d, config, "endpoint_url", &r, "endpoint URL", |s| {
        (!(s.starts_with("http://") || s.starts_with("https://")))
            .then(|| "must be an http:// or https:// URL".to_string())
    });
    if let Some(n) = config
        .get_attr("max_retries")
        .filter(|v| v.is_known() && !v.is_null())
    {
        if !n.as_i64().is_some_and(|n| (0..=100).contains(&n)) {
            d.push(invalid(
                r.attr("max_retries"),
                "retry count",
                "must be a whole number from 0 to 100",
            ));
        }
    }
    check_str(&mut d, config, "retry_mode", &r, "retry mode", |s| {
        rules::retry_mode(s).err()
    });
    if let Some(a) = config.get_attr("assume_role").filter(|v| !v.is_null()) {
        check_str(
            &mut d,
            a,
            "role_arn",
            &r.attr("assume_role"),
            "role ARN",
            |s| {
                (!(s.starts_with("arn:") && s.contains(":role/"))).then(|| {
                    "must be an IAM role ARN like arn:aws:iam::123456789012:role/name".to_string()
                })
            },
        );
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn block(attrs: &[(&str, Value)]) -> Value {
        Value::Object(
            attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .map(|x| x.path.as_ref().map(ToString::to_string).unwrap_or_default())
            .collect()
    }

    #[test]
    fn provider_retry_mode_is_standard_or_adaptive() {
        for ok in ["standard", "adaptive"] {
            let d = provider(&block(&[("retry_mode", Value::String(ok.into()))]));
            assert!(!d.has_errors(), "{ok}: {:?}", paths(&d));
        }
        assert!(!provider(&block(&[("retry_mode", Value::Unknown)])).has_errors());
        assert!(!provider(&block(&[("retry_mode", Value::Null)])).has_errors());
        let d = provider(&block(&[("retry_mode", Value::String("legacy".into()))]));
        assert_eq!(d.len(), 1);
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.summary, "Invalid retry mode");
        assert!(
            diag.detail
                .contains("\"standard\" or \"adaptive\", not \"legacy\""),
            "{}",
            diag.detail
        );
        assert_eq!(
            paths(&d),
            [AttributePath::root().attr("retry_mode").to_string()]
        );
    }
}
