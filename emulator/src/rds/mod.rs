//! The RDS operations: one handler per Query API action, each validating its
//! parameters and the service's ordering rules against the shared [`State`].

mod cluster;
mod global;
mod grow;
mod instance;
mod limits;
pub(crate) mod settings;
mod snapshot;
mod tags;
// Starting from what exists: a restore from a cluster snapshot.
mod restore;

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::{self, State};
use crate::query::{Filter, Params};
use std::cmp::Ordering;

/// Every action this emulator answers.
pub(crate) const ACTIONS: &[&str] = &[
    "CreateGlobalCluster",
    "DescribeGlobalClusters",
    "ModifyGlobalCluster",
    "DeleteGlobalCluster",
    "RemoveFromGlobalCluster",
    "SwitchoverGlobalCluster",
    "FailoverGlobalCluster",
    "CreateDBCluster",
    "DescribeDBClusters",
    "ModifyDBCluster",
    "DeleteDBCluster",
    "CreateDBInstance",
    "DescribeDBInstances",
    "ModifyDBInstance",
    "DeleteDBInstance",
    "CreateDBClusterSnapshot",
    "DescribeDBClusterSnapshots",
    "DeleteDBClusterSnapshot",
    "RestoreDBClusterFromSnapshot",
    "AddTagsToResource",
    "RemoveTagsFromResource",
    "ListTagsForResource",
];

/// Everything a handler needs for one request.
pub(crate) struct Ctx<'a> {
    /// The state, already settled to `now`.
    pub st: &'a mut State,
    /// Region from the request's credential scope.
    pub region: String,
    /// Current time, epoch ms.
    pub now: u64,
    /// Duration multiplier.
    pub scale: f64,
    /// Request parameters.
    pub p: &'a Params,
}

/// Runs one action; `Ok(Some(xml))` is the body of `<{Action}Result>`,
/// `Ok(None)` an action without a result element. The switchable AWS
/// behaviours of [`crate::model::Realism`] that act on whole calls are
/// applied here: Describe calls read a view without the objects still in
/// their read-after-write lag; creates start that lag; global clusters lose
/// their tags when they are set to.
pub(crate) fn dispatch(action: &str, ctx: &mut Ctx<'_>) -> ApiResult<Option<String>> {
    if matches!(
        action,
        "DescribeGlobalClusters" | "DescribeDBClusters" | "DescribeDBInstances"
    ) {
        if let Some(mut view) = ctx.st.describe_view(ctx.now) {
            let mut seen = Ctx {
                st: &mut view,
                region: ctx.region.clone(),
                now: ctx.now,
                scale: ctx.scale,
                p: ctx.p,
            };
            return run(action, &mut seen);
        }
    }
    let out = run(action, ctx)?;
    let created = |param: &str| ctx.p.get(param).map(str::to_lowercase);
    let what = match action {
        "CreateGlobalCluster" => {
            created("GlobalClusterIdentifier").map(|id| format!("global/{id}"))
        }
        "CreateDBCluster" | "RestoreDBClusterFromSnapshot" => created("DBClusterIdentifier")
            .map(|id| format!("cluster/{}", model::key(&ctx.region, &id))),
        "CreateDBInstance" => created("DBInstanceIdentifier")
            .map(|id| format!("instance/{}", model::key(&ctx.region, &id))),
        _ => None,
    };
    if let Some(what) = what {
        ctx.st.created(what, ctx.now);
    }
    ctx.st.drop_global_tags();
    Ok(out)
}

/// Runs one action's handler.
fn run(action: &str, ctx: &mut Ctx<'_>) -> ApiResult<Option<String>> {
    let xml = match action {
        "CreateGlobalCluster" => global::create(ctx)?,
        "DescribeGlobalClusters" => global::describe(ctx)?,
        "ModifyGlobalCluster" => global::modify(ctx)?,
        "DeleteGlobalCluster" => global::delete(ctx)?,
        "RemoveFromGlobalCluster" => global::remove_member(ctx)?,
        "SwitchoverGlobalCluster" => global::switchover(ctx, false)?,
        "FailoverGlobalCluster" => global::failover(ctx)?,
        "CreateDBCluster" => cluster::create(ctx)?,
        "DescribeDBClusters" => cluster::describe(ctx)?,
        "ModifyDBCluster" => cluster::modify(ctx)?,
        "DeleteDBCluster" => cluster::delete(ctx)?,
        "CreateDBInstance" => instance::create(ctx)?,
        "DescribeDBInstances" => instance::describe(ctx)?,
        "ModifyDBInstance" => instance::modify(ctx)?,
        "DeleteDBInstance" => instance::delete(ctx)?,
        "CreateDBClusterSnapshot" => snapshot::create(ctx)?,
        "DescribeDBClusterSnapshots" => snapshot::describe(ctx)?,
        "DeleteDBClusterSnapshot" => snapshot::delete(ctx)?,
        "RestoreDBClusterFromSnapshot" => restore::restore(ctx)?,
        "AddTagsToResource" => return tags::add(ctx).map(|()| None),
        "RemoveTagsFromResource" => return tags::remove(ctx).map(|()| None),
        "ListTagsForResource" => tags::list(ctx)?,
        other => {
            return Err(ApiError::invalid_action(format!(
                "Could not find operation {other} for version 2014-10-31"
            )))
        }
    };
    Ok(Some(xml))
}

/// Supported engines.
pub(crate) const ENGINES: &[&str] = &["aurora-postgresql", "aurora-mysql"];

/// Checks an engine name.
pub(crate) fn validate_engine(engine: &str) -> ApiResult<()> {
    if ENGINES.contains(&engine) {
        Ok(())
    } else {
        Err(ApiError::invalid_value(format!(
            "Invalid DB engine: {engine}"
        )))
    }
}

/// The default engine version of an engine.
pub(crate) fn default_version(engine: &str) -> &'static str {
    if engine == "aurora-mysql" {
        "8.0.mysql_aurora.3.05.2"
    } else {
        "15.4"
    }
}

/// Checks the shape of an engine version: `15.4` for aurora-postgresql,
/// `8.0.mysql_aurora.3.05.2` for aurora-mysql.
pub(crate) fn validate_version(engine: &str, version: &str) -> ApiResult<()> {
    let numeric = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    let ok = if engine == "aurora-mysql" {
        version
            .split_once(".mysql_aurora.")
            .is_some_and(|(a, b)| numeric(a) && numeric(b))
    } else {
        numeric(version) && version.contains('.')
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_value(format!(
            "Cannot find version {version} for {engine}"
        )))
    }
}

/// Major version: `15` for `15.4`, `3` for `8.0.mysql_aurora.3.05.2`.
pub(crate) fn major_version(version: &str) -> String {
    match version.split_once(".mysql_aurora.") {
        Some((_, aurora)) => aurora.split('.').next().unwrap_or("").to_string(),
        None => version.split('.').next().unwrap_or("").to_string(),
    }
}

/// Orders two versions by their numeric components.
pub(crate) fn compare_versions(a: &str, b: &str) -> Ordering {
    let nums = |v: &str| -> Vec<u64> {
        v.split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect()
    };
    nums(a).cmp(&nums(b))
}

/// Checks tag keys and values the way the service does.
pub(crate) fn validate_tags(tags: &[(String, String)]) -> ApiResult<()> {
    for (k, v) in tags {
        if k.is_empty() || k.len() > 128 {
            return Err(ApiError::invalid_value(
                "Tag keys must be between 1 and 128 characters",
            ));
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Err(ApiError::invalid_value("Tag keys can't start with 'aws:'"));
        }
        if v.len() > 256 {
            return Err(ApiError::invalid_value(
                "Tag values must be at most 256 characters",
            ));
        }
    }
    if tags.len() > 50 {
        return Err(ApiError::new(
            "TagQuotaExceeded",
            400,
            "A resource can have at most 50 tags",
        ));
    }
    Ok(())
}

/// Adds or replaces tags.
pub(crate) fn upsert_tags(target: &mut Vec<(String, String)>, tags: &[(String, String)]) {
    for (k, v) in tags {
        match target.iter_mut().find(|(tk, _)| tk == k) {
            Some(t) => t.1 = v.clone(),
            None => target.push((k.clone(), v.clone())),
        }
    }
}

/// Applies `MaxRecords` (20..=100, default 100) and `Marker` to items sorted
/// by key. The marker is the key of the first item not yet returned.
pub(crate) fn paginate<T>(
    p: &Params,
    mut items: Vec<(String, T)>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let max = match p.int("MaxRecords")? {
        None => 100,
        Some(n) if (20..=100).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::invalid_value(format!(
                "Invalid value {n} for MaxRecords. Must be between 20 and 100"
            )))
        }
    };
    items.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(marker) = p.get("Marker") {
        items.retain(|(k, _)| k.as_str() >= marker);
    }
    let next = items.get(max).map(|(k, _)| k.clone());
    items.truncate(max);
    Ok((items.into_iter().map(|(_, t)| t).collect(), next))
}

/// Checks filter names against the supported set.
pub(crate) fn check_filters(filters: &[Filter], supported: &[&str]) -> ApiResult<()> {
    for f in filters {
        if !supported.contains(&f.name.as_str()) {
            return Err(ApiError::invalid_value(format!(
                "Unrecognized filter name: {}",
                f.name
            )));
        }
    }
    Ok(())
}

/// One filterable field of an object: its filter name, and whether a
/// filter value matches the object.
pub(crate) type Field<'a> = (&'a str, &'a dyn Fn(&str) -> bool);

/// True when the object passes every filter. `fields` says, for each filter
/// name, whether a value matches the object (under any of its spellings:
/// identifier, ARN, …); values are compared only for the filters given.
pub(crate) fn filters_match(filters: &[Filter], fields: &[Field<'_>]) -> bool {
    filters.iter().all(|f| {
        fields
            .iter()
            .filter(|(name, _)| *name == f.name)
            .all(|(_, matches)| f.values.iter().any(|v| matches(v)))
    })
}

/// Whether filter value `v` names the object `id`, or its ARN (`arn`, only
/// made for a value that is an ARN): Describe calls scan every object, so
/// matching allocates nothing for plain identifiers.
pub(crate) fn id_or_arn(v: &str, id: &str, arn: impl FnOnce() -> String) -> bool {
    let is_arn = v.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("arn:"));
    v.eq_ignore_ascii_case(id) || (is_arn && v.eq_ignore_ascii_case(&arn()))
}

/// `Marker` element when there is a next page.
pub(crate) fn marker(x: &mut crate::xml::Xml, next: Option<String>) {
    if let Some(m) = next {
        x.el("Marker", &m);
    }
}

/// A Describe page: `Marker` when there is a next page, then the list
/// element with one member element per item.
pub(crate) fn page_xml<T>(
    next: Option<String>,
    list: &str,
    member: &str,
    items: &[T],
    mut render: impl FnMut(&mut crate::xml::Xml, &T),
) -> String {
    let mut x = crate::xml::Xml::new();
    marker(&mut x, next);
    x.open(list);
    for item in items {
        x.open(member);
        render(&mut x, item);
        x.close(member);
    }
    x.close(list);
    x.finish()
}

/// One structure wrapped in its element, or nothing when absent.
pub(crate) fn one_xml<T>(
    name: &str,
    item: Option<&T>,
    render: impl FnOnce(&mut crate::xml::Xml, &T),
) -> String {
    let mut x = crate::xml::Xml::new();
    if let Some(item) = item {
        x.open(name);
        render(&mut x, item);
        x.close(name);
    }
    x.finish()
}

/// A KMS key usable in `region`: key ids and aliases are, ARNs must name that region.
pub(crate) fn check_kms_key(key: &str, region: &str) -> ApiResult<()> {
    if let Some(rest) = key.strip_prefix("arn:") {
        let key_region = rest.split(':').nth(2).unwrap_or("");
        if key_region != region {
            return Err(ApiError::kms_not_accessible(format!(
                "The specified KMS key [{key}] does not exist, is not enabled or you do not have permissions to access it in region {region}."
            )));
        }
    }
    Ok(())
}

/// The default KMS key ARN of a region.
pub(crate) fn default_kms_key(region: &str) -> String {
    format!("arn:aws:kms:{region}:{}:key/aws-rds-default", ids::ACCOUNT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Filter;

    #[test]
    fn a_filter_matches_an_identifier_or_its_arn_in_any_case() {
        let arn = || "arn:aws:rds:us-east-1:123456789012:cluster:orders".to_string();
        let by = |values: &[&str]| {
            vec![Filter {
                name: "db-cluster-id".into(),
                values: values.iter().map(|v| v.to_string()).collect(),
            }]
        };
        let fields = |id: &'static str| move |v: &str| id_or_arn(v, id, arn);
        let orders = fields("orders");
        let object: [Field<'_>; 2] = [
            ("db-cluster-id", &orders),
            ("engine", &|v: &str| {
                v.eq_ignore_ascii_case("aurora-postgresql")
            }),
        ];
        assert!(filters_match(&by(&["orders"]), &object));
        assert!(filters_match(&by(&["other", "ORDERS"]), &object));
        assert!(filters_match(&by(&[&arn()]), &object));
        assert!(filters_match(&by(&[&arn().to_uppercase()]), &object));
        assert!(!filters_match(&by(&["order"]), &object));
        assert!(!filters_match(
            &by(&["arn:aws:rds:us-east-1:123456789012:cluster:other"]),
            &object
        ));
        assert!(filters_match(&[], &object));
    }

    #[test]
    fn versions() {
        assert!(validate_version("aurora-postgresql", "15.4").is_ok());
        assert!(validate_version("aurora-postgresql", "15").is_err());
        assert!(validate_version("aurora-mysql", "8.0.mysql_aurora.3.05.2").is_ok());
        assert!(validate_version("aurora-mysql", "8.0").is_err());
        assert_eq!(major_version("15.4"), "15");
        assert_eq!(major_version("8.0.mysql_aurora.3.05.2"), "3");
        assert_eq!(compare_versions("15.10", "15.4"), Ordering::Greater);
        assert_eq!(
            compare_versions("8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.06.0"),
            Ordering::Less
        );
    }

    #[test]
    fn pagination() {
        let p = Params::parse(b"MaxRecords=20");
        let items: Vec<(String, u32)> = (0..45).map(|n| (format!("k{n:03}"), n)).collect();
        let (page, next) = paginate(&p, items.clone()).unwrap();
        assert_eq!(page.len(), 20);
        assert_eq!(next.as_deref(), Some("k020"));
        let p = Params::parse(b"MaxRecords=20&Marker=k040");
        let (page, next) = paginate(&p, items.clone()).unwrap();
        assert_eq!(page, vec![40, 41, 42, 43, 44]);
        assert!(next.is_none());
        assert!(paginate(&Params::parse(b"MaxRecords=5"), items).is_err());
    }
}
