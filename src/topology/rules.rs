//! AWS naming and value rules, checked at plan time before any API call.
//!
//! Each function returns `None` when the value is acceptable, or the reason
//! it is not, phrased to complete "… is invalid: <reason>". Sources: the RDS
//! API reference for CreateGlobalCluster, CreateDBCluster, CreateDBInstance
//! and DeleteDBCluster parameter constraints.

/// Engines a global database can use.
pub(crate) const ENGINES: [&str; 2] = ["aurora-postgresql", "aurora-mysql"];
/// Values of `failover_mode`.
pub(crate) const FAILOVER_MODES: [&str; 2] = ["switchover", "failover"];
/// Aurora allows up to 10 secondary regions besides the primary.
pub(crate) const MAX_REGIONS: usize = 11;
/// The primary's readers plus the secondary regions: at most 15 (Aurora
/// User Guide, configuration requirements of a global database).
pub(crate) const MAX_READERS_AND_SECONDARIES: usize = 15;

/// Global cluster, DB cluster and DB instance identifiers: 1–63 letters,
/// digits or hyphens; a letter first; no trailing hyphen, no two in a row.
pub(crate) fn identifier(s: &str) -> Option<String> {
    identifier_with_max(s, 63)
}

/// Final snapshot identifiers: like [`identifier`], up to 255 characters.
pub(crate) fn snapshot_identifier(s: &str) -> Option<String> {
    identifier_with_max(s, 255)
}

fn identifier_with_max(s: &str, max: usize) -> Option<String> {
    if s.is_empty() || s.len() > max {
        return Some(format!(
            "must be 1 to {max} characters long (it has {})",
            s.len()
        ));
    }
    if !s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
        return Some("must start with a letter".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Some(format!(
            "may contain only ASCII letters, digits and hyphens (found {c:?})"
        ));
    }
    if s.ends_with('-') {
        return Some("must not end with a hyphen".into());
    }
    if s.contains("--") {
        return Some("must not contain two consecutive hyphens".into());
    }
    None
}

/// AWS region names such as `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-5`.
pub(crate) fn region(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('-').collect();
    let lower = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let ok = match parts.as_slice() {
        [country, middle @ .., number] if !middle.is_empty() => {
            country.len() == 2
                && lower(country)
                && middle.iter().all(|p| lower(p))
                && !number.is_empty()
                && number.len() <= 2
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    };
    if ok {
        None
    } else {
        Some("is not an AWS region name (expected something like \"us-east-1\")".into())
    }
}

/// DB instance classes such as `db.r6g.large` or `db.serverless`.
pub(crate) fn instance_class(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('.').collect();
    let part_ok = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let ok = match parts.as_slice() {
        ["db", "serverless"] => true,
        ["db", family, size] => part_ok(family) && part_ok(size),
        _ => false,
    };
    if ok {
        None
    } else {
        Some("is not a DB instance class (expected something like \"db.r6g.large\")".into())
    }
}

/// Master user names: a letter first, then letters, digits or underscores;
/// at most 16 characters for Aurora MySQL and 63 for Aurora PostgreSQL.
pub(crate) fn master_username(s: &str, engine: &str) -> Option<String> {
    sql_name(s, engine, if engine == "aurora-mysql" { 16 } else { 63 })
}

/// Initial database names: a letter first, then letters, digits or
/// underscores; at most 64 characters (MySQL) or 63 (PostgreSQL).
pub(crate) fn database_name(s: &str, engine: &str) -> Option<String> {
    sql_name(s, engine, if engine == "aurora-mysql" { 64 } else { 63 })
}

fn sql_name(s: &str, engine: &str, max: usize) -> Option<String> {
    if s.is_empty() || s.len() > max {
        return Some(format!("must be 1 to {max} characters long for {engine}"));
    }
    if !s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
        return Some("must start with a letter".into());
    }
    if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Some("may contain only ASCII letters, digits and underscores".into());
    }
    None
}

/// Master passwords: 8–41 printable ASCII characters for Aurora MySQL, 8–99
/// for Aurora PostgreSQL, none of `/`, `"`, `@` or a space. The reason states
/// the rule only: never the password, its length or anything else about it.
pub(crate) fn master_password(s: &str, engine: &str) -> Option<String> {
    let max = if engine == "aurora-mysql" { 41 } else { 99 };
    let n = s.chars().count();
    if n < 8 || n > max {
        return Some(format!("must be 8 to {max} characters long for {engine}"));
    }
    if s.chars()
        .any(|c| !c.is_ascii_graphic() || matches!(c, '/' | '"' | '@'))
    {
        return Some(
            "may contain only printable ASCII characters other than '/', '\"', '@' and space"
                .into(),
        );
    }
    None
}

/// The host of a URL (`scheme://[userinfo@]host[:port]/...`; a URL without
/// a scheme is read as starting with its authority), IPv6 brackets removed.
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    }
}

/// Whether the URL's host is a loopback address (127.0.0.0/8, `localhost`,
/// `[::1]`).
pub(crate) fn is_loopback_url(url: &str) -> bool {
    let host = url_host(url);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of a plain `http://` URL when it is not a loopback address
/// (127.0.0.0/8, `localhost`, `[::1]`): requests to it, credentials and
/// signatures included, cross the network unencrypted. `None` for `https://`
/// URLs, loopback hosts and anything that is not an `http://` URL.
pub(crate) fn cleartext_remote_host(url: &str) -> Option<&str> {
    url.strip_prefix("http://")?;
    (!is_loopback_url(url)).then(|| url_host(url))
}

/// The provider's `retry_mode`: `standard` or `adaptive`, as AWS's SDKs
/// spell them (`legacy` exists in some SDKs, not in the one the provider
/// uses).
pub(crate) fn retry_mode(s: &str) -> Result<crate::aws::RetryMode, String> {
    use crate::aws::RetryMode;
    match s {
        "standard" => Ok(RetryMode::Standard),
        "adaptive" => Ok(RetryMode::Adaptive),
        other => Err(format!(
            "must be \"standard\" or \"adaptive\", not {other:?}"
        )),
    }
}

/// The longest `timeouts` value accepted: 7 days. Longer ones are refused at
/// plan time (an apply that long is a mistake, and a deadline far enough away
/// does not fit in a clock instant).
pub(crate) const MAX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// A `timeouts` value: a duration ([`parse_duration`]) of at most
/// [`MAX_TIMEOUT`].
pub(crate) fn timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(s)?;
    if d > MAX_TIMEOUT {
        return Err(format!(
            "{s:?} is longer than the longest timeout allowed, 168h (7 days)"
        ));
    }
    Ok(d)
}

/// Go-style durations as Terraform writes timeouts: "90m", "1h30m", "45s", "2h".
pub(crate) fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let bad = || {
        format!("{s:?} is not a duration (expected something like \"90m\", \"1h30m\" or \"45s\")")
    };
    if s.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return Err(bad()),
        };
        total += n * unit;
        rest = &rest[unit_len..];
    }
    std::time::Duration::try_from_secs_f64(total)
        .map_err(|_| format!("{s:?} is too long a duration"))
}

/// The major version of an Aurora engine version string: "16" of "16.4",
/// "8.0" of "8.0.mysql_aurora.3.05.2".
pub(crate) fn major_version(engine: &str, version: &str) -> String {
    let parts: Vec<&str> = version.split('.').collect();
    let first_is_old_pg = engine == "aurora-postgresql"
        && parts
            .first()
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|n| n < 10);
    if engine == "aurora-mysql" || first_is_old_pg {
        parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
    } else {
        parts.first().copied().unwrap_or_default().to_string()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn loopback_urls() {
        for url in [
            "http://127.0.0.1:4566",
            "https://127.1.2.3/",
            "http://localhost:4566/path",
            "http://[::1]:4566",
            "http://user@localhost",
            "127.0.0.1:4566",
        ] {
            assert!(is_loopback_url(url), "{url}");
        }
        for url in [
            "http://10.0.0.1:4566",
            "https://rds.us-east-1.amazonaws.com",
            "http://localhost.example.com",
            "http://[2001:db8::1]:80",
        ] {
            assert!(!is_loopback_url(url), "{url}");
        }
    }
    use super::*;

    #[test]
    fn retry_modes() {
        use crate::aws::RetryMode;
        assert_eq!(retry_mode("standard"), Ok(RetryMode::Standard));
        assert_eq!(retry_mode("adaptive"), Ok(RetryMode::Adaptive));
        for bad in ["legacy", "Adaptive", ""] {
            assert!(
                retry_mode(bad)
                    .unwrap_err()
                    .contains("\"standard\" or \"adaptive\""),
                "{bad}"
            );
        }
    }

    #[test]
    fn cleartext_remote_hosts() {
        for local in [
            "http://127.0.0.1:4566",
            "http://127.8.9.10/",
            "http://localhost:4566/rds",
            "http://LOCALHOST",
            "http://[::1]:4566",
            "http://user@127.0.0.1:1",
            "https://rds.us-east-1.amazonaws.com",
            "https://10.0.0.5",
        ] {
            assert_eq!(cleartext_remote_host(local), None, "{local}");
        }
        for (remote, host) in [
            ("http://rds.example.com", "rds.example.com"),
            ("http://10.0.0.5:8080/x", "10.0.0.5"),
            ("http://localhost.example.com", "localhost.example.com"),
            ("http://127.0.0.1.example.com", "127.0.0.1.example.com"),
            ("http://[2001:db8::1]:80", "2001:db8::1"),
        ] {
            assert_eq!(cleartext_remote_host(remote), Some(host), "{remote}");
        }
    }

    #[test]
    fn identifiers() {
        let ok = ["orders", "a", "orders-us-east-1", "A1-b2"];
        for s in ok {
            assert_eq!(identifier(s), None, "{s}");
        }
        let bad = [
            ("", "1 to 63"),
            ("1orders", "start with a letter"),
            ("-orders", "start with a letter"),
            ("orders-", "end with a hyphen"),
            ("ord--ers", "two consecutive"),
            ("ord_ers", "only ASCII letters"),
            ("ordérs", "only ASCII letters"),
        ];
        for (s, why) in bad {
            let got = identifier(s).unwrap_or_default();
            assert!(got.contains(why), "{s}: {got}");
        }
        assert!(identifier(&"a".repeat(63)).is_none());
        assert!(identifier(&"a".repeat(64)).unwrap().contains("1 to 63"));
        assert!(snapshot_identifier(&"a".repeat(255)).is_none());
        assert!(snapshot_identifier(&"a".repeat(256)).is_some());
    }

    #[test]
    fn regions() {
        for s in [
            "us-east-1",
            "eu-west-2",
            "ap-southeast-2",
            "us-gov-west-1",
            "eu-central-2",
            "il-central-1",
        ] {
            assert_eq!(region(s), None, "{s}");
        }
        for s in [
            "",
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-x",
            "us--1",
            "u-east-1",
            "us-east-123",
        ] {
            assert!(region(s).is_some(), "{s}");
        }
    }

    #[test]
    fn instance_classes() {
        for s in [
            "db.r6g.large",
            "db.r7i.48xlarge",
            "db.t4g.medium",
            "db.serverless",
        ] {
            assert_eq!(instance_class(s), None, "{s}");
        }
        for s in [
            "r6g.large",
            "db.r6g",
            "db..large",
            "DB.R6G.LARGE",
            "db.r6g.large.x",
        ] {
            assert!(instance_class(s).is_some(), "{s}");
        }
    }

    #[test]
    fn usernames_databases_passwords() {
        assert!(master_username("app", "aurora-postgresql").is_none());
        assert!(master_username("a_really_long_user_name", "aurora-mysql").is_some());
        assert!(master_username("a_really_long_user_name", "aurora-postgresql").is_none());
        assert!(master_username("1app", "aurora-mysql").is_some());
        assert!(database_name("orders_db", "aurora-mysql").is_none());
        assert!(database_name("orders-db", "aurora-mysql").is_some());
        assert!(master_password("correct-horse", "aurora-postgresql").is_none());
        assert!(master_password("short", "aurora-postgresql")
            .unwrap()
            .contains("8 to 99"));
        assert!(master_password("has space in it", "aurora-mysql").is_some());
        assert!(master_password("has@at-sign", "aurora-mysql").is_some());
        assert!(master_password(&"x".repeat(42), "aurora-mysql").is_some());
        // The reason never echoes the secret.
        let reason = master_password("secret/with/slash", "aurora-mysql").unwrap();
        assert!(!reason.contains("secret"));
    }

    /// The length error said how long the rejected password was ("it has
    /// 5"), telling whoever reads the plan output something about a secret.
    #[test]
    fn password_reasons_state_the_rule_not_the_length() {
        for (pw, engine) in [
            ("short", "aurora-postgresql"),
            ("x".repeat(42).as_str(), "aurora-mysql"),
            ("x".repeat(100).as_str(), "aurora-postgresql"),
        ] {
            let reason = master_password(pw, engine).unwrap();
            let n = pw.chars().count().to_string();
            assert!(!reason.contains("it has"), "{reason}");
            assert!(
                !reason.split(|c: char| !c.is_ascii_digit()).any(|d| d == n),
                "{reason} gives away the length {n}"
            );
        }
    }

    /// Found by the `config_validate` fuzz target: a timeout beyond what
    /// `Duration` holds panicked in validation, taking the plugin down.
    #[test]
    fn huge_duration_is_an_error_not_a_panic() {
        for s in ["9999999999999999999h", &format!("{}s", "9".repeat(400))] {
            let e = parse_duration(s).unwrap_err();
            assert!(e.contains("too long"), "{s}: {e}");
        }
    }

    /// A timeout like "3000000000000000h" parsed, passed validation and
    /// overflowed the deadline (`Instant + Duration`) at apply, panicking the
    /// provider.
    #[test]
    fn timeouts_are_capped_at_seven_days() {
        use std::time::Duration;
        assert_eq!(timeout("168h").unwrap(), MAX_TIMEOUT);
        assert_eq!(timeout("90m").unwrap(), Duration::from_secs(5400));
        for long in ["3000000000000000h", "169h", "168h1s"] {
            let e = timeout(long).unwrap_err();
            assert!(e.contains("168h (7 days)"), "{long}: {e}");
        }
        assert!(timeout("soon").unwrap_err().contains("not a duration"));
    }

    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(parse_duration("90m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("45s").unwrap(), Duration::from_secs(45));
        assert_eq!(parse_duration("1.5h").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        for bad in ["", "90", "m", "ninety", "10d", "1h-5m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
