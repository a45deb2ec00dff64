//! Plan-time validation of a `replication_topology` configuration: every
//! check that needs neither AWS nor the prior state. Unknown values are
//! skipped (they are checked again when known). Every error carries the path
//! of the attribute it is about.

use crate::engine::ClientCapabilities;
use crate::tf::{AttributePath, Diagnostic, Diagnostics, Value};

use std::collections::BTreeMap;

use super::model::{path, Field, Instance, ProviderBlock, Region, Topology};
use super::rules;
use super::schema::name;

fn invalid(path: AttributePath, what: &str, reason: &str) -> Diagnostic {
    Diagnostic::error(format!("Invalid {what}"), format!("The {what} {reason}.")).with_path(path)
}

/// Checks a known string field with `rule`; an error at `path` when it fails.
fn check_str(
    d: &mut Diagnostics,
    field: &Field<String>,
    path: AttributePath,
    what: &str,
    rule: impl Fn(&str) -> Option<String>,
) {
    if let Some(reason) = field.as_str().and_then(rule) {
        d.push(invalid(path, what, &reason));
    }
}

/// Validates a resource configuration.
pub fn resource(config: &Value, caps: ClientCapabilities) -> Diagnostics {
    let mut d = Diagnostics::default();
    if config.is_null() || config.is_unknown() {
        return d;
    }
    let c = Topology::from_value(config);
    let top = path::top;
    let engine = c.engine.as_str().unwrap_or(rules::ENGINES[0]);

    check_str(
        &mut d,
        &c.global_cluster_identifier,
        top(name::GLOBAL_CLUSTER_IDENTIFIER),
        "global cluster identifier",
        rules::identifier,
    );
    check_str(&mut d, &c.engine, top(name::ENGINE), "engine", |s| {
        (!rules::ENGINES.contains(&s))
            .then(|| format!("must be one of {}, not {s:?}", rules::ENGINES.join(", ")))
    });
    check_str(
        &mut d,
        &c.master_username,
        top(name::MASTER_USERNAME),
        "master user name",
        |s| rules::master_username(s, engine),
    );
    check_str(
        &mut d,
        &c.database_name,
        top(name::DATABASE_NAME),
        "database name",
        |s| rules::database_name(s, engine),
    );
    check_str(
        &mut d,
        &c.master_password,
        top(name::MASTER_PASSWORD),
        "master password",
        |s| rules::master_password(s, engine),
    );
    check_str(
        &mut d,
        &c.master_password_wo,
        top(name::MASTER_PASSWORD_WO),
        "master password",
        |s| rules::master_password(s, engine),
    );
    check_str(
        &mut d,
        &c.final_snapshot_identifier,
        top(name::FINAL_SNAPSHOT_IDENTIFIER),
        "final snapshot identifier",
        rules::snapshot_identifier,
    );
    check_str(
        &mut d,
        &c.failover_mode,
        top(name::FAILOVER_MODE),
        "failover mode",
        |s| {
            (!rules::FAILOVER_MODES.contains(&s))
                .then(|| "must be \"switchover\" or \"failover\"".to_string())
        },
    );

    // Replication health.
    check_str(
        &mut d,
        &c.max_data_loss,
        top(name::MAX_DATA_LOSS),
        "max_data_loss",
        |s| {
            rules::parse_duration(s)
                .err()
                .map(|e| e.replacen(&format!("{s:?} is"), "is", 1))
        },
    );

    let pw = !c.master_password.is_null();
    let wo = !c.master_password_wo.is_null();
    if pw && wo {
        d.push(
            Diagnostic::error(
                "Conflicting Master Passwords",
                "Set either master_password (stored in state) or master_password_wo (write-only, never stored), not both.",
            )
            .with_path(top(name::MASTER_PASSWORD_WO)),
        );
    }
    if wo && !caps.write_only_attributes_allowed {
        d.push(
            Diagnostic::error(
                "Write-Only Attribute Not Supported By This Host",
                "master_password_wo is a write-only attribute, which needs Terraform 1.11 or later. This host would store it in state; use master_password instead, or upgrade Terraform.",
            )
            .with_path(top(name::MASTER_PASSWORD_WO)),
        );
    }
    if c.master_password_wo_version.known().is_some() && !wo {
        d.push(
            Diagnostic::warning(
                "Password Version Without Write-Only Password",
                "master_password_wo_version only has an effect together with master_password_wo.",
            )
            .with_path(top(name::MASTER_PASSWORD_WO_VERSION)),
        );
    }

    if let Some(t) = c.timeouts.known() {
        for (op, field) in [
            (name::CREATE, &t.create),
            (name::UPDATE, &t.update),
            (name::DELETE, &t.delete),
        ] {
            if let Some(s) = field.as_str() {
                if let Err(e) = rules::timeout(s) {
                    d.push(invalid(
                        path::timeout(op),
                        "timeout",
                        &e.replacen(&format!("{s:?} is"), "is", 1),
                    ));
                }
            }
        }
    }

    regions(&mut d, &c);
    super::origin::validate(&mut d, &c);
    super::settings::validate_top(&mut d, &c.engine_lifecycle_support);
    if let Some(regions) = c.regions.known() {
        let mut settings = Diagnostics::default();
        for (key, region) in regions {
            if let Some(region) = region.known() {
                super::settings::validate_region(&mut settings, key, engine, region);
            }
        }
        // Hosts point at the `regions` argument as a whole, not inside its
        // map: the detail names the attribute.
        d.extend(settings.into_vec().into_iter().map(|mut x| {
            if let Some(p) = &x.path {
                x.detail = format!("{p}: {}", x.detail);
            }
            x
        }));
    }
    d
}

fn regions(d: &mut Diagnostics, config: &Topology) {
    let Some(regions) = config.regions.known() else {
        return;
    };
    if regions.is_empty() {
        d.push(
            Diagnostic::error(
                "No Regions",
                "A topology needs at least one region: the primary.",
            )
            .with_path(path::regions()),
        );
    }
    if regions.len() > rules::MAX_REGIONS {
        d.push(
            Diagnostic::error(
                "Too Many Regions",
                format!("An Aurora global database has one primary and at most 10 secondary regions; this configuration lists {}.", regions.len()),
            )
            .with_path(path::regions()),
        );
    }
    for (key, region) in regions {
        let p = path::region(key);
        if let Some(reason) = rules::region(key) {
            d.push(invalid(
                p.clone(),
                "region",
                &format!("key {key:?} {reason}"),
            ));
        }
        if let Some(region) = region.known() {
            check_region(d, key, region);
        }
    }
    global_limits(d, config, regions);
    if let Some(primary) = config.primary_region.as_str() {
        match regions.get(primary) {
            None => d.push(
                Diagnostic::error(
                    "Primary Region Not In Regions",
                    format!(
                        "primary_region is {primary:?}, which is not a key of regions ({}). Add it to regions or pick one of them.",
                        regions.keys().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_path(path::top(name::PRIMARY_REGION)),
            ),
            Some(region) => {
                if is_headless(region) == Some(true) {
                    d.push(
                        Diagnostic::error(
                            "Primary Region Has No Instances",
                            format!("The primary region {primary} must have at least one instance to hold the writer. Add one under regions[\"{primary}\"].instances."),
                        )
                        .with_path(path::instances(primary)),
                    );
                }
            }
        }
    }
}

/// Rules RDS applies across the regions of one global database: cluster
/// names differ between regions (Aurora User Guide, configuration
/// requirements), and the primary's readers plus the secondary regions are
/// at most [`rules::MAX_READERS_AND_SECONDARIES`].
fn global_limits(
    d: &mut Diagnostics,
    config: &Topology,
    regions: &BTreeMap<String, Field<Region>>,
) {
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, region) in regions {
        let Some(id) = region.known().and_then(|r| r.cluster_identifier.as_str()) else {
            continue;
        };
        if let Some(other) = names.insert(id, key) {
            d.push(
                Diagnostic::error(
                    "Duplicate Cluster Identifier",
                    format!("Regions {other:?} and {key:?} both use the cluster identifier {id:?}; the clusters of a global database need distinct names in every region."),
                )
                .with_path(path::region(key).attr(name::CLUSTER_IDENTIFIER)),
            );
        }
    }
    let Some(primary) = config.primary_region.as_str() else {
        return;
    };
    let Some(instances) = regions
        .get(primary)
        .and_then(Field::known)
        .and_then(|r| r.instances.known())
    else {
        return;
    };
    let readers = instances.len().saturating_sub(1);
    let secondaries = regions.len().saturating_sub(1);
    if readers + secondaries > rules::MAX_READERS_AND_SECONDARIES {
        d.push(
            Diagnostic::error(
                "Too Many Readers And Secondaries",
                format!("The primary region {primary} has {readers} readers and the configuration {secondaries} secondary regions; Aurora allows at most {} of the two together (15 minus the number of secondary regions readers in the primary).", rules::MAX_READERS_AND_SECONDARIES),
            )
            .with_path(path::instances(primary)),
        );
    }
}

fn check_region(d: &mut Diagnostics, key: &str, region: &Region) {
    let p = path::region(key);
    check_str(
        d,
        &region.cluster_identifier,
        p.attr(name::CLUSTER_IDENTIFIER),
        "cluster identifier",
        rules::identifier,
    );
    check_str(
        d,
        &region.instance_class,
        p.attr(name::INSTANCE_CLASS),
        "instance class",
        rules::instance_class,
    );
    let mut seen = std::collections::BTreeMap::new();
    for (ik, inst) in region.instance_entries() {
        let Some(inst) = inst.known() else {
            continue;
        };
        let ip = path::instance(key, ik);
        check_instance(d, &ip, inst);
        if let Some(id) = inst.identifier.as_str() {
            if let Some(other) = seen.insert(id.to_string(), ik.clone()) {
                d.push(
                    Diagnostic::error(
                        "Duplicate Instance Identifier",
                        format!("Instances {other:?} and {ik:?} in {key} both use the identifier {id:?}; identifiers are unique per region."),
                    )
                    .with_path(ip.attr(name::IDENTIFIER)),
                );
            }
        }
    }
}

fn check_instance(d: &mut Diagnostics, ip: &AttributePath, inst: &Instance) {
    check_str(
        d,
        &inst.identifier,
        ip.attr(name::IDENTIFIER),
        "instance identifier",
        rules::identifier,
    );
    check_str(
        d,
        &inst.instance_class,
        ip.attr(name::INSTANCE_CLASS),
        "instance class",
        rules::instance_class,
    );
    if inst.promotion_tier.known().is_some() {
        let ok = inst
            .promotion_tier
            .as_i64()
            .is_some_and(|n| (0..=15).contains(&n));
        if !ok {
            d.push(invalid(
                ip.attr(name::PROMOTION_TIER),
                "promotion tier",
                "must be a whole number from 0 to 15",
            ));
        }
    }
}

/// Whether a configured region has no instances (None while its instances
/// are unknown). A null or unknown region has no instances to read.
pub(crate) fn is_headless(region: &Field<Region>) -> Option<bool> {
    match region {
        Field::Known(r) => r.is_headless(),
        Field::Null | Field::Unknown => Some(true),
    }
}

/// Validates the data source configuration.
pub fn data_source(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    check_str(
        &mut d,
        &Topology::from_value(config).global_cluster_identifier,
        path::top(name::GLOBAL_CLUSTER_IDENTIFIER),
        "global cluster identifier",
        rules::identifier,
    );
    d
}

/// Validates the provider block.
pub fn provider(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    let c = ProviderBlock::from_value(config);
    let top = path::top;
    check_str(
        &mut d,
        &c.region,
        top(name::REGION),
        "region",
        rules::region,
    );
    check_str(
        &mut d,
        &c.endpoint_url,
        top(name::ENDPOINT_URL),
        "endpoint URL",
        |s| {
            (!(s.starts_with("http://") || s.starts_with("https://")))
                .then(|| "must be an http:// or https:// URL".to_string())
        },
    );
    if let Some(host) = c
        .endpoint_url
        .as_str()
        .and_then(rules::cleartext_remote_host)
    {
        d.push(
            Diagnostic::warning(
                "Endpoint Without TLS",
                format!("endpoint_url sends every RDS request to {host} over plain http://: AWS credentials, request signatures and passwords cross the network unencrypted. Use an https:// endpoint; plain http:// is meant for a local emulator on a loopback address (127.0.0.1, localhost, [::1])."),
            )
            .with_path(path::top(name::ENDPOINT_URL)),
        );
    }
    if c.max_retries.known().is_some()
        && !c
            .max_retries
            .as_i64()
            .is_some_and(|n| (0..=100).contains(&n))
    {
        d.push(invalid(
            top(name::MAX_RETRIES),
            "retry count",
            "must be a whole number from 0 to 100",
        ));
    }
    check_str(
        &mut d,
        &c.retry_mode,
        top(name::RETRY_MODE),
        "retry mode",
        |s| rules::retry_mode(s).err(),
    );
    if let Some(a) = c.assume_role.known() {
        check_str(
            &mut d,
            &a.role_arn,
            top(name::ASSUME_ROLE).attr(name::ROLE_ARN),
            "role ARN",
            |s| {
                (!(s.starts_with("arn:") && s.contains(":role/"))).then(|| {
                    "must be an IAM role ARN like arn:aws:iam::123456789012:role/name".to_string()
                })
            },
        );
    }
    crate::topology::credentials::validate(config, &mut d);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region_cfg(cluster: Option<&str>, instances: usize) -> Value {
        let mut attrs = vec![(
            name::INSTANCES,
            block(
                &(0..instances)
                    .map(|i| {
                        (
                            [
                                "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
                                "n", "o", "p",
                            ][i],
                            block(&[]),
                        )
                    })
                    .collect::<Vec<_>>(),
            ),
        )];
        if let Some(c) = cluster {
            attrs.push((name::CLUSTER_IDENTIFIER, Value::string(c)));
        }
        block(&attrs)
    }

    fn topology_cfg(regions: &[(&str, Value)]) -> Value {
        block(&[
            (name::PRIMARY_REGION, Value::string("us-east-1")),
            (name::REGIONS, block(regions)),
        ])
    }

    #[test]
    fn cluster_names_differ_between_regions() {
        let caps = ClientCapabilities::default();
        let dup = topology_cfg(&[
            ("us-east-1", region_cfg(Some("orders"), 1)),
            ("eu-west-1", region_cfg(Some("orders"), 1)),
        ]);
        let d = resource(&dup, caps);
        assert!(
            d.iter()
                .any(|x| x.summary == "Duplicate Cluster Identifier"),
            "{:?}",
            d.iter().map(|x| &x.summary).collect::<Vec<_>>()
        );
        let ok = topology_cfg(&[
            ("us-east-1", region_cfg(Some("orders-e"), 1)),
            ("eu-west-1", region_cfg(Some("orders-w"), 1)),
        ]);
        assert!(!resource(&ok, caps)
            .iter()
            .any(|x| x.summary == "Duplicate Cluster Identifier"));
    }

    #[test]
    fn primary_readers_plus_secondaries_are_at_most_fifteen() {
        let caps = ClientCapabilities::default();
        let secondaries = [
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "eu-central-1",
            "ap-southeast-2",
        ];
        let with = |writer_and_readers: usize| {
            let mut r = vec![("us-east-1", region_cfg(None, writer_and_readers))];
            r.extend(secondaries.iter().map(|s| (*s, region_cfg(None, 0))));
            topology_cfg(&r)
        };
        let too_many = |v: &Value| {
            resource(v, caps)
                .iter()
                .any(|x| x.summary == "Too Many Readers And Secondaries")
        };
        // 5 secondaries: the primary may have 10 readers, 11 instances.
        assert!(!too_many(&with(11)));
        assert!(too_many(&with(12)));
    }

    /// `timeouts { create = "3000000000000000h" }` passed validation and
    /// panicked the provider at apply (deadline overflow).
    #[test]
    fn a_timeout_beyond_seven_days_is_a_plan_time_error_on_its_attribute() {
        let caps = ClientCapabilities::default();
        for (op, long) in [
            (name::CREATE, "3000000000000000h"),
            (name::UPDATE, "200h"),
            (name::DELETE, "100h10000m"),
        ] {
            let config = block(&[(name::TIMEOUTS, block(&[(op, Value::string(long))]))]);
            let d = resource(&config, caps);
            assert_eq!(d.len(), 1, "{op}: {:?}", paths(&d));
            let diag = d.iter().next().unwrap();
            assert!(diag.is_error());
            assert_eq!(diag.summary, "Invalid timeout");
            assert!(diag.detail.contains("168h (7 days)"), "{}", diag.detail);
            assert_eq!(paths(&d), [path::timeout(op).to_string()]);
        }
        let ok = block(&[(
            name::TIMEOUTS,
            block(&[(name::CREATE, Value::string("168h"))]),
        )]);
        assert!(resource(&ok, caps).is_empty());
    }

    #[test]
    fn max_data_loss_must_be_a_duration() {
        let caps = ClientCapabilities::default();
        let config = block(&[(name::MAX_DATA_LOSS, Value::string("2 seconds"))]);
        let d = resource(&config, caps);
        assert_eq!(paths(&d), [path::top(name::MAX_DATA_LOSS).to_string()]);
        let diag = d.iter().next().unwrap();
        assert!(diag.is_error());
        assert!(diag.detail.contains("is not a duration"), "{}", diag.detail);
        for ok in ["2s", "500ms", "1m30s"] {
            let config = block(&[(name::MAX_DATA_LOSS, Value::string(ok))]);
            assert!(resource(&config, caps).is_empty(), "{ok}");
        }
    }

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

    /// An `http://` endpoint_url to a remote host sent credentials in clear
    /// without a word.
    #[test]
    fn plain_http_endpoint_to_a_remote_host_warns_on_endpoint_url() {
        let url = |u: &str| block(&[(name::ENDPOINT_URL, Value::string(u))]);
        let d = provider(&url("http://rds.internal.example:8080"));
        assert_eq!(d.len(), 1);
        let diag = d.iter().next().unwrap();
        assert!(!diag.is_error());
        assert!(
            diag.detail.contains("rds.internal.example"),
            "{}",
            diag.detail
        );
        assert!(diag.detail.contains("unencrypted"), "{}", diag.detail);
        assert_eq!(paths(&d), [path::top(name::ENDPOINT_URL).to_string()]);
        for quiet in [
            "http://127.0.0.1:4566",
            "http://localhost:4566",
            "http://[::1]:4566",
            "https://rds.internal.example",
        ] {
            assert!(provider(&url(quiet)).is_empty(), "{quiet}");
        }
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
