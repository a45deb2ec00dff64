//! Value limits, quotas and cross-object rules that several actions share.
//!
//! Each rule names its source; docs/emulator.md ("Rules enforced") gives the
//! verdict for each one (matches AWS, stricter, or unverified).

use crate::error::{ApiError, ApiResult};
use crate::model::{key, Cluster, GlobalCluster, State};

/// Secondary clusters one global database may have (Aurora User Guide,
/// "Configuration requirements of an Amazon Aurora global database": up to
/// 10 secondary Regions).
pub(crate) const MAX_SECONDARIES: usize = 10;

/// Readers in the primary cluster plus secondary clusters (same page: the
/// primary may have `15 - s` read-only instances, `s` being the number of
/// secondary Regions).
pub(crate) const MAX_READERS_AND_SECONDARIES: usize = 15;

/// Longest master password per engine. The CreateDBCluster/ModifyDBCluster
/// reference states 8 to 41 characters for Aurora clusters; the Aurora User
/// Guide's naming constraints allow Aurora PostgreSQL up to 99, which is
/// kept so that the emulator refuses nothing AWS documents as valid.
fn max_password(engine: &str) -> usize {
    if engine == "aurora-postgresql" {
        99
    } else {
        41
    }
}

/// `MasterUserPassword`: 8 characters at least, at most [`max_password`],
/// printable ASCII without '/', '"', '@' or a space. The character message is
/// the text AWS answers (quoted in crossplane #88 and terraform-aws-rds
/// #243); the length messages follow the same pattern. No message repeats
/// the password or its length.
pub(crate) fn master_password(pw: &str, engine: &str) -> ApiResult<()> {
    let n = pw.chars().count();
    if n < 8 {
        return Err(ApiError::invalid_value(
            "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.",
        ));
    }
    let max = max_password(engine);
    if n > max {
        return Err(ApiError::invalid_value(format!(
            "The parameter MasterUserPassword is not a valid password because it is longer than {max} characters."
        )));
    }
    if pw
        .chars()
        .any(|c| matches!(c, '/' | '"' | '@' | ' ') || !c.is_ascii_graphic())
    {
        return Err(ApiError::invalid_value(
            "The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.",
        ));
    }
    Ok(())
}

/// `EnableGlobalWriteForwarding=true` on a cluster outside any global
/// database. AWS's answer to CreateDBCluster (terraform-provider-aws #37259);
/// ModifyDBCluster on a standalone cluster is given the same answer
/// (unverified).
pub(crate) fn write_forwarding_needs_global(
    requested: Option<bool>,
    in_global: bool,
) -> ApiResult<()> {
    if requested == Some(true) && !in_global {
        return Err(ApiError::invalid_combination(
            "Requested global functionality, but global cluster identifier is not specified",
        ));
    }
    Ok(())
}

/// A cluster's `StorageEncrypted` must be the global cluster's. AWS answers
/// InvalidParameterValue with this text (quoted for a secondary in public
/// crossplane notes; the same rule is applied to the first member).
pub(crate) fn storage_encrypted_matches(
    given: Option<bool>,
    global_encrypted: bool,
    global_id: &str,
) -> ApiResult<()> {
    if given.is_some_and(|e| e != global_encrypted) {
        return Err(ApiError::invalid_value(format!(
            "Value for storageEncrypted should match setting for global cluster {global_id}"
        )));
    }
    Ok(())
}

/// A cluster joining global cluster `g` as `id` in `region`: its name must
/// differ from every member's in the other regions (User Guide naming
/// requirement; the code AWS answers is unverified), and a secondary must
/// fit the quotas.
pub(crate) fn check_join(
    st: &State,
    g: &GlobalCluster,
    region: &str,
    id: &str,
    as_secondary: bool,
) -> ApiResult<()> {
    if let Some(m) = g
        .members
        .iter()
        .find(|m| m.cluster_id == id && m.region != region)
    {
        return Err(ApiError::cluster_exists(format!(
            "Global cluster {} already has a member cluster named {id} (in {}); cluster names must be unique across the Regions of a global database.",
            g.id, m.region
        )));
    }
    if !as_secondary {
        return Ok(());
    }
    let secondaries = g.members.iter().filter(|m| !m.is_writer).count();
    if secondaries >= MAX_SECONDARIES {
        return Err(ApiError::invalid_value(format!(
            "Global cluster {} already has {secondaries} secondary clusters, the most a global database can have.",
            g.id
        )));
    }
    let readers = primary_readers(st, g);
    if readers + secondaries + 1 > MAX_READERS_AND_SECONDARIES {
        return Err(ApiError::invalid_value(format!(
            "Global cluster {} can't take another secondary cluster: its primary has {readers} reader instances and {secondaries} secondary clusters, and readers plus secondaries may not exceed {MAX_READERS_AND_SECONDARIES}.",
            g.id
        )));
    }
    Ok(())
}

/// Readers (instances besides the writer) of `g`'s primary cluster.
fn primary_readers(st: &State, g: &GlobalCluster) -> usize {
    g.primary()
        .map(|m| {
            st.live_instances(&m.region, &m.cluster_id)
                .len()
                .saturating_sub(1)
        })
        .unwrap_or(0)
}

/// A new DB instance in cluster `c`: when `c` is the primary of a global
/// database and already has a writer, the new reader must fit the
/// readers-plus-secondaries quota (code unverified).
pub(crate) fn check_new_instance(st: &State, c: &Cluster) -> ApiResult<()> {
    let Some(g) = c.global.as_ref().and_then(|g| st.globals.get(g)) else {
        return Ok(());
    };
    if !g.member(&c.region, &c.id).is_some_and(|m| m.is_writer) {
        return Ok(());
    }
    let live = st.live_instances(&c.region, &c.id).len();
    if live == 0 {
        return Ok(());
    }
    let secondaries = g.members.iter().filter(|m| !m.is_writer).count();
    if live + secondaries > MAX_READERS_AND_SECONDARIES {
        return Err(ApiError::invalid_value(format!(
            "DB cluster {} is the primary of global cluster {} with {} reader instances and {secondaries} secondary clusters; readers plus secondaries may not exceed {MAX_READERS_AND_SECONDARIES}.",
            c.id,
            g.id,
            live - 1
        )));
    }
    Ok(())
}

/// ModifyDBCluster `EngineVersion` on cluster `c` (minor upgrade):
/// * a cluster without an available DB instance can't be upgraded
///   (InvalidDBClusterStateFault, terraform-provider-aws #30131 quotes
///   AWS's text; the User Guide says a secondary needs at least one DB
///   instance for a minor upgrade);
/// * while another member of its global database is upgrading, AWS answers
///   InvalidGlobalClusterStateFault "... is upgrading" (terraform-provider-aws
///   retries on that text).
pub(crate) fn check_member_upgrade(st: &State, c: &Cluster) -> ApiResult<()> {
    if !st
        .live_instances(&c.region, &c.id)
        .iter()
        .any(|i| i.status == "available")
    {
        return Err(ApiError::invalid_cluster_state(format!(
            "Cannot modify engine version without a healthy primary instance in DB cluster: {}",
            c.id
        )));
    }
    let Some(g) = c.global.as_ref().and_then(|g| st.globals.get(g)) else {
        return Ok(());
    };
    let busy = g.members.iter().find(|m| {
        !(m.region == c.region && m.cluster_id == c.id)
            && st
                .clusters
                .get(&key(&m.region, &m.cluster_id))
                .is_some_and(|o| o.status == "upgrading")
    });
    if let Some(m) = busy {
        return Err(ApiError::invalid_global_state(format!(
            "Global cluster {} is upgrading: member {} in {} has an engine upgrade in progress.",
            g.id, m.cluster_id, m.region
        )));
    }
    Ok(())
}

/// ModifyGlobalCluster `EngineVersion` within a major version: Aurora MySQL
/// refuses it with this text (terraform-provider-aws branches on it);
/// Aurora PostgreSQL has accepted managed minor upgrades since 2026.
pub(crate) fn global_minor_upgrade(engine: &str) -> ApiResult<()> {
    if engine == "aurora-mysql" {
        return Err(ApiError::invalid_value(
            "ModifyGlobalCluster only supports Major Version Upgrades. To patch the members of your global cluster to a newer minor version you need to call ModifyDbCluster in each one of them.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_the_length_and_character_rules() {
        assert!(master_password("abcdefgh", "aurora-mysql").is_ok());
        assert!(master_password(&"a".repeat(41), "aurora-mysql").is_ok());
        assert!(master_password(&"a".repeat(42), "aurora-mysql").is_err());
        assert!(master_password(&"a".repeat(99), "aurora-postgresql").is_ok());
        assert!(master_password(&"a".repeat(100), "aurora-postgresql").is_err());
        assert!(master_password("abcdefg", "aurora-postgresql").is_err());
        for bad in ["abcdefg/", "abcdefg\"", "abcdefg@", "abcd efg", "abcdefgé"] {
            let e = master_password(bad, "aurora-mysql").unwrap_err();
            assert_eq!(e.code, "InvalidParameterValue", "{bad}");
            assert!(!e.message.contains(bad));
        }
    }

    #[test]
    fn write_forwarding_and_encryption() {
        assert!(write_forwarding_needs_global(Some(true), false).is_err());
        assert!(write_forwarding_needs_global(Some(false), false).is_ok());
        assert!(write_forwarding_needs_global(Some(true), true).is_ok());
        assert!(storage_encrypted_matches(Some(false), true, "g").is_err());
        assert!(storage_encrypted_matches(Some(true), false, "g").is_err());
        assert!(storage_encrypted_matches(None, true, "g").is_ok());
        assert!(global_minor_upgrade("aurora-mysql").is_err());
        assert!(global_minor_upgrade("aurora-postgresql").is_ok());
    }
}
