//! Identifiers, ARNs, endpoints and request ids.

use crate::error::{ApiError, ApiResult};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The account every resource belongs to.
pub(crate) const ACCOUNT: &str = "123456789012";

static COUNTER: AtomicU64 = AtomicU64::new(0);
static BASE: OnceLock<u64> = OnceLock::new();

/// A pseudo-random 64-bit number (splitmix64 over a counter seeded from the clock).
pub(crate) fn random_u64() -> u64 {
    let base =
        *BASE.get_or_init(|| crate::timing::now_ms() ^ (u64::from(std::process::id()) << 40));
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut z = base.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A random v4-shaped UUID for request ids.
pub(crate) fn request_id() -> String {
    let a = random_u64();
    let b = random_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// `len` random characters from `alphabet`.
pub(crate) fn random_chars(alphabet: &[u8], len: usize) -> String {
    let n = alphabet.len() as u64;
    (0..len)
        .filter_map(|_| alphabet.get((random_u64() % n.max(1)) as usize))
        .map(|b| char::from(*b))
        .collect()
}

/// A resource id such as `cluster-ABC…` (26 upper-case alphanumerics).
pub(crate) fn resource_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        random_chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 26)
    )
}

/// The per-region DNS label of endpoints (stable per region, like an account's).
pub(crate) fn region_hash(region: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in region.bytes().chain(ACCOUNT.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::from("c");
    for _ in 0..11 {
        out.extend(alphabet.get((h % 36) as usize).map(|b| char::from(*b)));
        h /= 36;
        if h == 0 {
            h = 0x9E37_79B9;
        }
    }
    out
}

/// `arn:aws:rds:REGION:ACCOUNT:cluster:ID`.
pub(crate) fn cluster_arn(region: &str, id: &str) -> String {
    format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{id}")
}
/// `arn:aws:rds:REGION:ACCOUNT:db:ID`.
pub(crate) fn instance_arn(region: &str, id: &str) -> String {
    format!("arn:aws:rds:{region}:{ACCOUNT}:db:{id}")
}
/// `arn:aws:rds::ACCOUNT:global-cluster:ID` (global clusters have no region).
pub(crate) fn global_arn(id: &str) -> String {
    format!("arn:aws:rds::{ACCOUNT}:global-cluster:{id}")
}
/// `arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:ID`.
pub(crate) fn snapshot_arn(region: &str, id: &str) -> String {
    format!("arn:aws:rds:{region}:{ACCOUNT}:cluster-snapshot:{id}")
}

/// A parsed RDS ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arn {
    /// Region; empty for global clusters.
    pub region: String,
    /// Resource type: `cluster`, `db`, `global-cluster`, `cluster-snapshot`, …
    pub kind: String,
    /// Resource identifier.
    pub id: String,
}

/// Parses `arn:PARTITION:rds:REGION:ACCOUNT:KIND:ID`; `None` when not of that form.
pub(crate) fn parse_arn(s: &str) -> Option<Arn> {
    let parts: Vec<&str> = s.splitn(7, ':').collect();
    let ["arn", partition, "rds", region, _account, kind, id] = parts.as_slice() else {
        return None;
    };
    if partition.is_empty() || kind.is_empty() || id.is_empty() {
        return None;
    }
    Some(Arn {
        region: region.to_string(),
        kind: kind.to_string(),
        id: id.to_lowercase(),
    })
}

/// Resolves an identifier-or-ARN of `kind` to (region, lower-cased id).
pub(crate) fn resolve(
    param: &str,
    value: &str,
    kind: &str,
    default_region: &str,
) -> ApiResult<(String, String)> {
    if value.starts_with("arn:") {
        match parse_arn(value) {
            Some(a) if a.kind == kind && (kind == "global-cluster" || !a.region.is_empty()) => {
                Ok((
                    if a.region.is_empty() {
                        default_region.to_string()
                    } else {
                        a.region
                    },
                    a.id,
                ))
            }
            _ => Err(ApiError::invalid_value(format!(
                "The parameter {param} is not a valid identifier or ARN: {value}"
            ))),
        }
    } else {
        Ok((default_region.to_string(), value.to_lowercase()))
    }
}

/// Checks an RDS identifier: 1..=max letters, digits and hyphens, starting
/// with a letter, no trailing hyphen and no two consecutive hyphens.
pub(crate) fn validate_identifier(param: &str, id: &str, max: usize) -> ApiResult<()> {
    let ok = !id.is_empty()
        && id.len() <= max
        && id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !id.ends_with('-')
        && !id.contains("--");
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_value(format!(
            "The parameter {param} is not a valid identifier. Identifiers must begin with a letter; \
             must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen \
             or contain two consecutive hyphens."
        )))
    }
}

/// Plausible region name: `xx-xxxx-N` style, lower-case letters, digits and hyphens.
pub(crate) fn looks_like_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_round_trip() {
        let a = parse_arn(&cluster_arn("us-east-1", "app")).unwrap();
        assert_eq!(
            (a.region.as_str(), a.kind.as_str(), a.id.as_str()),
            ("us-east-1", "cluster", "app")
        );
        let g = parse_arn(&global_arn("g1")).unwrap();
        assert_eq!((g.region.as_str(), g.kind.as_str()), ("", "global-cluster"));
        assert!(parse_arn("arn:aws:s3:::bucket").is_none());
        assert_eq!(
            resolve(
                "X",
                "arn:aws:rds:eu-west-1:1:cluster:Ab",
                "cluster",
                "us-east-1"
            )
            .unwrap(),
            ("eu-west-1".to_string(), "ab".to_string())
        );
        assert!(resolve("X", "arn:aws:rds:eu-west-1:1:db:ab", "cluster", "us-east-1").is_err());
    }

    #[test]
    fn identifiers() {
        assert!(validate_identifier("P", "app-1", 63).is_ok());
        for bad in ["", "1app", "app-", "a--b", "a_b"] {
            assert!(validate_identifier("P", bad, 63).is_err(), "{bad}");
        }
        assert!(looks_like_region("us-east-1"));
        assert!(looks_like_region("us-gov-west-1"));
        assert!(!looks_like_region("garbage"));
        let id = request_id();
        assert_eq!(id.len(), 36);
        assert_ne!(id, request_id());
    }
}
