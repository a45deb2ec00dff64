//! AWS behaviours that are timing or consistency effects rather than rules,
//! off by default and switched on through the admin API
//! (`POST /_emulator/behaviour`): asynchronous removal from a global
//! cluster, read-after-write lag of Describe calls, and global clusters
//! that keep no tags. Rules (refusals, codes) are always on and live with
//! their handlers.

use serde::{Deserialize, Serialize};

use super::objects::{key, Next, State};

/// The switchable behaviours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Realism {
    /// RemoveFromGlobalCluster returns while the cluster is still a member:
    /// it stays listed, a secondary shows `promoting`, and DeleteGlobalCluster
    /// / DeleteDBCluster keep refusing until it has left (after the
    /// `Detach` duration).
    pub async_detach: bool,
    /// For this many milliseconds after its create, an object is missing
    /// from Describe calls (AWS's eventual consistency).
    pub read_after_write_lag_ms: u64,
    /// Global clusters keep no tags: CreateGlobalCluster's `Tags` and
    /// AddTagsToResource on a global cluster are accepted and dropped, and
    /// DescribeGlobalClusters returns no `TagList` entries (what moto does,
    /// and what an account without global-cluster tagging shows).
    pub drop_global_tags: bool,
}

/// A cluster on its way out of a global cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Leaving {
    /// The global cluster it leaves.
    pub global: String,
    /// When it has left, epoch ms.
    pub due: u64,
}

impl State {
    /// Starts an asynchronous removal: the member stays listed until `due`;
    /// a secondary is `promoting` meanwhile.
    pub(crate) fn start_leaving(&mut self, global: &str, region: &str, cluster_id: &str, due: u64) {
        let k = key(region, cluster_id);
        let is_writer = self
            .globals
            .get(global)
            .and_then(|g| g.member(region, cluster_id))
            .is_some_and(|m| m.is_writer);
        if let Some(c) = self.clusters.get_mut(&k) {
            c.write_forwarding = false;
            c.write_forwarding_changing = false;
            if !is_writer {
                c.status = "promoting".into();
                c.pending = Default::default();
            }
        }
        self.leaving.insert(
            k,
            Leaving {
                global: global.to_string(),
                due,
            },
        );
    }

    /// Completes the removal of the cluster under `cluster_key`: it leaves
    /// the member list and is a standalone, available cluster.
    pub(crate) fn finish_leaving(&mut self, cluster_key: &str) {
        let Some(l) = self.leaving.remove(cluster_key) else {
            return;
        };
        let Some(c) = self.clusters.get(cluster_key) else {
            return;
        };
        let (region, id) = (c.region.clone(), c.id.clone());
        if let Some(g) = self.globals.get(&l.global).cloned() {
            let version = self.global_version(&g);
            if let Some(g) = self.globals.get_mut(&l.global) {
                g.engine_version = version;
                g.members
                    .retain(|m| !(m.region == region && m.cluster_id == id));
            }
        }
        if let Some(c) = self.clusters.get_mut(cluster_key) {
            c.global = None;
            if c.status == "promoting" {
                c.status = "available".into();
                c.pending.next = Next::Nothing;
            }
        }
        self.fix_writer(cluster_key);
    }

    /// Whether the cluster under `cluster_key` is leaving its global cluster.
    pub(crate) fn is_leaving(&self, cluster_key: &str) -> bool {
        self.leaving.contains_key(cluster_key)
    }

    /// Records a create at `now` for the read-after-write lag (`what` as in
    /// [`State::visible_from`]).
    pub(crate) fn created(&mut self, what: String, now: u64) {
        let lag = self.realism.read_after_write_lag_ms;
        if lag > 0 {
            self.visible_from.insert(what, now.saturating_add(lag));
        }
    }

    /// What Describe calls see at `now`: this state without the objects
    /// still inside their read-after-write lag. `None` when nothing is
    /// hidden (the common case: no copy is made).
    pub(crate) fn describe_view(&mut self, now: u64) -> Option<State> {
        self.visible_from.retain(|_, from| *from > now);
        if self.visible_from.is_empty() {
            return None;
        }
        let mut view = self.clone();
        for what in self.visible_from.keys() {
            if let Some(id) = what.strip_prefix("global/") {
                view.globals.remove(id);
            } else if let Some(k) = what.strip_prefix("cluster/") {
                view.clusters.remove(k);
            } else if let Some(k) = what.strip_prefix("instance/") {
                view.instances.remove(k);
            }
        }
        Some(view)
    }

    /// Drops every tag of every global cluster (see
    /// [`Realism::drop_global_tags`]).
    pub(crate) fn drop_global_tags(&mut self) {
        if self.realism.drop_global_tags {
            for g in self.globals.values_mut() {
                g.tags.clear();
            }
        }
    }
}
