//! Ownership: which global cluster a create may take over, and the global
//! cluster's tags when the backend does not report them.
//!
//! The rule: what this apply created is this topology's, whatever its tags
//! say (a backend may drop or delay them). The ownership tag
//! ([`OWNERSHIP_TAG_KEY`]` = <global cluster id>`) decides adoption only for
//! a global cluster that already existed when the apply started, which is
//! what an earlier, interrupted create leaves behind.
//!
//! One exception, for backends that drop global-cluster tags: a create
//! killed right after CreateGlobalCluster leaves a global cluster that the
//! next create cannot tell apart from someone else's by its tags. Such a
//! global cluster is adopted when it is *blank* ([`is_blank`]): no member,
//! no tag at all, and the engine, engine version and encryption this
//! topology asks for. Adopting it cannot lose data (it holds none: an
//! Aurora global cluster stores data only in its member clusters) and
//! cannot take over anything another topology built (that would carry
//! members or our ownership tag with another value, or other tags); at
//! worst it reuses an empty shell made for the same name, which destroy
//! would remove as it removes any global cluster of the topology. A global
//! cluster with members, any tag, or other settings is never adopted this
//! way.
//!
//! Some backends return no `TagList` on global clusters (moto; accounts and
//! partitions without global-cluster tagging). Every object of a topology
//! gets the same tag set, so when the global cluster reports no tags at all
//! and its writer cluster carries this topology's ownership tag, the
//! writer's tags stand in for the global cluster's
//! ([`stand_in_global_tags`]). Without that, such a global cluster would be
//! re-tagged on every apply and its `tags` would always differ.

use crate::aws::{ObservedGlobal, ObservedTopology, RegionObservation, OWNERSHIP_TAG_KEY};

use super::desired::Desired;

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
/// * `blank`: the global cluster is [`is_blank`] for this topology.
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
    blank: bool,
    id: &str,
    source_is_writer: bool,
) -> bool {
    if !creating || created_here || source_is_writer {
        return true;
    }
    match at_start {
        // The first observation of this apply: it existed before.
        AtStart::Unknown | AtStart::Existed => owner_tag == Some(id) || blank,
        AtStart::Absent => true,
    }
}

/// Whether global cluster `g` is an empty shell this topology may adopt
/// without its ownership tag (see the module docs): not being deleted, no
/// member, no tag at all, and the engine, engine version (when configured)
/// and encryption `d` asks for.
pub(super) fn is_blank(g: &ObservedGlobal, d: &Desired) -> bool {
    let encrypted = d.storage_encrypted.unwrap_or(false);
    matches!(g.status.as_str(), "available" | "creating")
        && g.members.is_empty()
        && g.tags.is_empty()
        && g.engine.as_deref() == Some(d.engine.as_str())
        && d.engine_version
            .as_ref()
            .is_none_or(|v| g.engine_version.as_ref() == Some(v))
        && g.storage_encrypted.unwrap_or(false) == encrypted
}

/// Whether ownership cannot be judged yet: the global cluster reports no
/// tags and lists a writer whose region answered without that cluster.
/// That is what read-after-write lag looks like right after a create (the
/// member is listed before DescribeDBClusters shows the cluster whose tags
/// would stand in): the caller observes again for a bounded time before it
/// decides.
pub(super) fn writer_not_visible_yet(obs: &ObservedTopology) -> bool {
    if !obs.global.tags.is_empty() {
        return false;
    }
    let Some(writer) = obs.global.writer() else {
        return false;
    };
    matches!(
        obs.regions.get(&writer.region),
        Some(RegionObservation::Reached { cluster: None, .. })
    )
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
            // (creating, at start, created here, tag, blank, adopt)
            (true, AtStart::Unknown, false, Some(ID), false, true),
            (true, AtStart::Unknown, false, None, false, false),
            (true, AtStart::Existed, false, Some(ID), false, true),
            (true, AtStart::Existed, false, None, false, false),
            (true, AtStart::Existed, false, Some("other"), false, false),
            // An empty, untagged shell with our settings.
            (true, AtStart::Existed, false, None, true, true),
            (true, AtStart::Unknown, false, None, true, true),
            // Created by this apply: ours whatever the tags say.
            (true, AtStart::Absent, true, None, false, true),
            (true, AtStart::Absent, true, Some("other"), false, true),
            (true, AtStart::Absent, false, None, false, true),
            (true, AtStart::Existed, true, None, false, true),
            // Updates and destroys act on what the state holds.
            (false, AtStart::Existed, false, None, false, true),
            (false, AtStart::Unknown, false, Some("other"), false, true),
        ];
        for (creating, at_start, created_here, tag, blank, want) in cases {
            assert_eq!(
                may_adopt(creating, at_start, created_here, tag, blank, ID, false),
                want,
                "creating={creating} at_start={at_start:?} created_here={created_here} tag={tag:?} blank={blank}"
            );
        }
    }

    #[test]
    fn a_create_adopts_the_global_cluster_of_the_cluster_it_grows() {
        // Grown by an interrupted run: no ownership tag anywhere.
        assert!(may_adopt(
            true,
            AtStart::Existed,
            false,
            None,
            false,
            ID,
            true
        ));
        assert!(may_adopt(
            true,
            AtStart::Unknown,
            false,
            Some("other"),
            false,
            ID,
            true
        ));
        // Someone else's global cluster of that name, with another writer.
        assert!(!may_adopt(
            true,
            AtStart::Existed,
            false,
            None,
            false,
            ID,
            false
        ));
    }

    fn desired() -> Desired {
        Desired {
            id: ID.into(),
            engine: "aurora-postgresql".into(),
            engine_version: Some("16.4".into()),
            allow_major_version_upgrade: false,
            database_name: None,
            master_username: "app".into(),
            master_password: None,
            storage_encrypted: Some(true),
            deletion_protection: false,
            primary_region: "us-east-1".into(),
            failover_mode: "switchover".into(),
            regions: BTreeMap::new(),
            tags: BTreeMap::new(),
            engine_lifecycle_support: None,
            apply_immediately: true,
            max_data_loss: None,
            origin: None,
        }
    }

    fn shell() -> ObservedGlobal {
        ObservedGlobal {
            id: ID.into(),
            status: "available".into(),
            engine: Some("aurora-postgresql".into()),
            engine_version: Some("16.4".into()),
            storage_encrypted: Some(true),
            ..Default::default()
        }
    }

    #[test]
    fn only_an_empty_untagged_shell_with_our_settings_is_blank() {
        let d = desired();
        assert!(is_blank(&shell(), &d));
        let no_version = Desired {
            engine_version: None,
            ..desired()
        };
        assert!(
            is_blank(&shell(), &no_version),
            "any version when none is configured"
        );
        type Change = fn(&mut ObservedGlobal);
        let changes: [(&str, Change); 8] = [
            ("a member", |g| {
                g.members.push(GlobalMember {
                    region: "us-east-1".into(),
                    cluster_id: "theirs".into(),
                    is_writer: true,
                    ..Default::default()
                })
            }),
            ("a foreign ownership tag", |g| {
                g.tags.insert(OWNERSHIP_TAG_KEY.into(), "other".into());
            }),
            ("any other tag", |g| {
                g.tags.insert("team".into(), "x".into());
            }),
            ("another engine", |g| g.engine = Some("aurora-mysql".into())),
            ("another version", |g| {
                g.engine_version = Some("15.4".into())
            }),
            ("unencrypted", |g| g.storage_encrypted = Some(false)),
            ("being deleted", |g| g.status = "deleting".into()),
            ("no engine reported", |g| g.engine = None),
        ];
        for (what, change) in changes {
            let mut g = shell();
            change(&mut g);
            assert!(!is_blank(&g, &d), "{what}");
        }
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
    fn an_untagged_global_whose_writer_is_not_visible_is_undecided() {
        let mut o = topology(&[], &[(OWNERSHIP_TAG_KEY, ID)]);
        assert!(!writer_not_visible_yet(&o), "writer visible");
        if let Some(RegionObservation::Reached { cluster, .. }) = o.regions.get_mut("us-east-1") {
            *cluster = None;
        }
        assert!(writer_not_visible_yet(&o));
        let mut tagged = o.clone();
        tagged.global.tags.insert("team".into(), "a".into());
        assert!(!writer_not_visible_yet(&tagged), "tags reported: decided");
        let mut no_writer = o.clone();
        no_writer.global.members.clear();
        assert!(!writer_not_visible_yet(&no_writer));
        let mut unreachable = o;
        unreachable.regions.clear();
        assert!(!writer_not_visible_yet(&unreachable), "region not observed");
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
