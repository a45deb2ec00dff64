//! Ownership: which global cluster a create may take over, and the global
//! cluster's tags when the backend does not report them.
//!
//! The rule: what this apply created is this topology's, whatever its tags
//! say (a backend may drop or delay them). The ownership tag
//! ([`OWNERSHIP_TAG_KEY`]` = <global cluster id>`) decides adoption only for
//! a global cluster that already existed when the apply started, which is
//! what an earlier, interrupted create leaves behind.
//!
//! Some backends return no `TagList` on global clusters (moto; accounts and
//! partitions without global-cluster tagging). Every object of a topology
//! gets the same tag set, so when the global cluster reports no tags at all
//! and its writer cluster carries this topology's ownership tag, the
//! writer's tags stand in for the global cluster's
//! ([`stand_in_global_tags`]). Without that, such a global cluster would be
//! re-tagged on every apply and its `tags` would always differ.

use crate::aws::{ObservedTopology, RegionObservation, OWNERSHIP_TAG_KEY};

/// What the first observation of an apply showed of the global cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AtStart {
    /// Not observed yet (the apply's first observation is still to come).
    Unknown,
    /// It did not exist: anything found later was created by this apply
    /// (a create that finds it taken by someone else fails in AWS).
    Absent,
    /// It existed before this apply sent anything.
    Existed,
}

/// Whether a create may carry on with the global cluster it observes.
///
/// * `creating`: the apply creates the topology (no prior state); updates and
///   destroys act on what the state says is theirs.
/// * `at_start`: what the apply's first observation showed.
/// * `created_here`: this apply's CreateGlobalCluster was accepted.
/// * `owner_tag`: the value of the ownership tag the global cluster reports.
/// * `source_is_writer`: the global cluster's writer is the existing cluster
///   this configuration grows (`source_db_cluster_identifier`). That
///   cluster was never created by the provider, so it carries no ownership
///   tag, and neither does the global cluster on backends that report no
///   global-cluster tags: once it is the writer of the global cluster of
///   this name, an earlier, interrupted run of this create grew it, and the
///   topology is this one's.
pub(super) fn may_adopt(
    creating: bool,
    at_start: AtStart,
    created_here: bool,
    owner_tag: Option<&str>,
    id: &str,
    source_is_writer: bool,
) -> bool {
    if !creating || created_here || source_is_writer {
        return true;
    }
    match at_start {
        // The first observation of this apply: it existed before.
        AtStart::Unknown | AtStart::Existed => owner_tag == Some(id),
        AtStart::Absent => true,
    }
}

/// Fills in the global cluster's tags from its writer cluster when the
/// global cluster reports none and the writer carries this topology's
/// ownership tag (see the module docs).
pub(super) fn stand_in_global_tags(obs: &mut ObservedTopology, id: &str) {
    if !obs.global.tags.is_empty() {
        return;
    }
    let Some(writer) = obs.global.writer() else {
        return;
    };
    let Some(RegionObservation::Reached {
        cluster: Some(cluster),
        ..
    }) = obs.regions.get(&writer.region)
    else {
        return;
    };
    if cluster.tags.get(OWNERSHIP_TAG_KEY).map(String::as_str) == Some(id) {
        obs.global.tags = cluster.tags.clone();
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::aws::{GlobalMember, ObservedCluster, ObservedGlobal};

    const ID: &str = "orders";

    #[test]
    fn a_create_adopts_by_tag_only_what_existed_before_it() {
        let cases = [
            // (creating, at start, created here, tag, adopt)
            (true, AtStart::Unknown, false, Some(ID), true),
            (true, AtStart::Unknown, false, None, false),
            (true, AtStart::Existed, false, Some(ID), true),
            (true, AtStart::Existed, false, None, false),
            (true, AtStart::Existed, false, Some("other"), false),
            // Created by this apply: ours whatever the tags say.
            (true, AtStart::Absent, true, None, true),
            (true, AtStart::Absent, true, Some("other"), true),
            (true, AtStart::Absent, false, None, true),
            (true, AtStart::Existed, true, None, true),
            // Updates and destroys act on what the state holds.
            (false, AtStart::Existed, false, None, true),
            (false, AtStart::Unknown, false, Some("other"), true),
        ];
        for (creating, at_start, created_here, tag, want) in cases {
            assert_eq!(
                may_adopt(creating, at_start, created_here, tag, ID, false),
                want,
                "creating={creating} at_start={at_start:?} created_here={created_here} tag={tag:?}"
            );
        }
    }

    #[test]
    fn a_create_adopts_the_global_cluster_of_the_cluster_it_grows() {
        // Grown by an interrupted run: no ownership tag anywhere.
        assert!(may_adopt(true, AtStart::Existed, false, None, ID, true));
        assert!(may_adopt(
            true,
            AtStart::Unknown,
            false,
            Some("other"),
            ID,
            true
        ));
        // Someone else's global cluster of that name, with another writer.
        assert!(!may_adopt(true, AtStart::Existed, false, None, ID, false));
    }

    fn topology(global_tags: &[(&str, &str)], writer_tags: &[(&str, &str)]) -> ObservedTopology {
        let tags = |t: &[(&str, &str)]| -> BTreeMap<String, String> {
            t.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let mut regions = BTreeMap::new();
        regions.insert(
            "us-east-1".to_string(),
            RegionObservation::Reached {
                cluster: Some(ObservedCluster {
                    id: "orders-us-east-1".into(),
                    global_cluster_id: Some(ID.into()),
                    tags: tags(writer_tags),
                    ..Default::default()
                }),
                instances: vec![],
            },
        );
        ObservedTopology {
            global: ObservedGlobal {
                id: ID.into(),
                members: vec![GlobalMember {
                    region: "us-east-1".into(),
                    cluster_id: "orders-us-east-1".into(),
                    is_writer: true,
                    ..Default::default()
                }],
                tags: tags(global_tags),
                ..Default::default()
            },
            global_region: "us-east-1".into(),
            regions,
        }
    }

    #[test]
    fn unreported_global_tags_come_from_an_owned_writer() {
        let mut o = topology(&[], &[(OWNERSHIP_TAG_KEY, ID), ("team", "a")]);
        stand_in_global_tags(&mut o, ID);
        assert_eq!(o.global.tags.get("team").map(String::as_str), Some("a"));
        assert_eq!(
            o.global.tags.get(OWNERSHIP_TAG_KEY).map(String::as_str),
            Some(ID)
        );
    }

    #[test]
    fn reported_global_tags_and_foreign_writers_are_left_alone() {
        // The global cluster reports tags: they are what counts.
        let mut o = topology(&[("team", "g")], &[(OWNERSHIP_TAG_KEY, ID), ("team", "a")]);
        stand_in_global_tags(&mut o, ID);
        assert_eq!(o.global.tags.get("team").map(String::as_str), Some("g"));
        assert_eq!(o.global.tags.get(OWNERSHIP_TAG_KEY), None);
        // A writer without our ownership tag lends nothing.
        for writer in [&[("team", "a")][..], &[(OWNERSHIP_TAG_KEY, "other")][..]] {
            let mut o = topology(&[], writer);
            stand_in_global_tags(&mut o, ID);
            assert!(o.global.tags.is_empty(), "{writer:?}");
        }
    }
}
