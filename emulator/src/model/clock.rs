//! The virtual-clock state machine: the lazy transitions that move objects
//! from transitional statuses (`creating`, `deleting`, `upgrading`,
//! `switching-over`, ...) to their next status when their due time passes,
//! and the invariants every transition keeps (one writer per primary
//! cluster, resynchronisation after a failover with data loss).

use super::objects::{key, Instance, Next, Pending, Role, Snapshot, State};
use crate::timing::Op;

/// Something whose pending transition can fall due.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Global(String),
    GlobalOp(String),
    Resync(String, usize),
    Cluster(String),
    Instance(String),
    Snapshot(String),
    /// A cluster's maintenance window applies its pending modified values.
    ClusterMaintenance(String),
    /// An instance's maintenance window applies its pending modified values.
    InstanceMaintenance(String),
    Leave(String),
}

impl State {
    /// Advances every pending transition due at or before `now`, earliest first.
    pub(crate) fn settle(&mut self, now: u64, scale: f64) {
        loop {
            // The event is only built (its key cloned) for a due time that
            // beats the best so far: a request scans every object.
            let mut best: Option<(u64, Event)> = None;
            let mut consider = |due: Option<u64>, ev: &dyn Fn() -> Event| {
                if let Some(d) = due {
                    if d <= now && best.as_ref().is_none_or(|(b, _)| d < *b) {
                        best = Some((d, ev()));
                    }
                }
            };
            for (id, g) in &self.globals {
                consider(g.pending.due, &|| Event::Global(id.clone()));
                consider(g.op.as_ref().map(|o| o.due), &|| {
                    Event::GlobalOp(id.clone())
                });
                for (n, m) in g.members.iter().enumerate() {
                    consider(m.resync_due, &|| Event::Resync(id.clone(), n));
                }
            }
            for (k, c) in &self.clusters {
                consider(c.pending.due, &|| Event::Cluster(k.clone()));
                consider(c.settings.pending.due, &|| {
                    Event::ClusterMaintenance(k.clone())
                });
            }
            for (k, i) in &self.instances {
                consider(i.pending.due, &|| Event::Instance(k.clone()));
                consider(i.settings.pending.due, &|| {
                    Event::InstanceMaintenance(k.clone())
                });
            }
            for (k, s) in &self.snapshots {
                consider(s.pending.due, &|| Event::Snapshot(k.clone()));
            }
            for (k, l) in &self.leaving {
                consider(Some(l.due), &|| Event::Leave(k.clone()));
            }
            let Some((due, ev)) = best else { break };
            self.apply(due, ev, scale);
        }
    }

    fn apply(&mut self, due: u64, ev: Event, scale: f64) {
        match ev {
            Event::Leave(k) => self.finish_leaving(&k),
            Event::Global(id) => {
                let Some(g) = self.globals.get_mut(&id) else {
                    return;
                };
                match std::mem::take(&mut g.pending).next {
                    Next::Gone => {
                        self.globals.remove(&id);
                    }
                    Next::Upgraded(v) => {
                        g.engine_version = v;
                        g.status = "available".into();
                    }
                    Next::Available | Next::Nothing => g.status = "available".into(),
                }
            }
            Event::GlobalOp(id) => {
                let outages = self.outages.clone();
                let Some(g) = self.globals.get_mut(&id) else {
                    return;
                };
                let Some(op) = g.op.take() else { return };
                g.status = "available".into();
                for m in &mut g.members {
                    let is_target = (m.region.as_str(), m.cluster_id.as_str())
                        == (op.to.0.as_str(), op.to.1.as_str());
                    let was_writer = m.is_writer;
                    m.is_writer = is_target;
                    if was_writer && !is_target && op.data_loss {
                        m.sync = "pending-resync".into();
                        m.resync_due = if outages.contains(&m.region) {
                            None
                        } else {
                            Some(due.saturating_add(Op::Resync.millis(scale)))
                        };
                    }
                }
                let keys = [key(&op.from.0, &op.from.1), key(&op.to.0, &op.to.1)];
                for k in keys {
                    self.fix_writer(&k);
                }
                if op.data_loss && !outages.contains(&op.from.0) {
                    self.rejoin_snapshot(&op.from.0, &op.from.1, due, scale);
                }
            }
            Event::Resync(id, n) => {
                if let Some(m) = self.globals.get_mut(&id).and_then(|g| g.members.get_mut(n)) {
                    m.sync = "connected".into();
                    m.resync_due = None;
                }
            }
            Event::Cluster(k) => {
                let Some(c) = self.clusters.get_mut(&k) else {
                    return;
                };
                match std::mem::take(&mut c.pending).next {
                    Next::Gone => {
                        self.clusters.remove(&k);
                    }
                    Next::Upgraded(v) => {
                        c.engine_version = v;
                        c.status = "available".into();
                        c.write_forwarding_changing = false;
                    }
                    Next::Available | Next::Nothing => {
                        c.status = "available".into();
                        c.write_forwarding_changing = false;
                    }
                }
                self.fix_writer(&k);
            }
            Event::Instance(k) => {
                let Some(i) = self.instances.get_mut(&k) else {
                    return;
                };
                let ck = key(&i.region, &i.cluster_id);
                match std::mem::take(&mut i.pending).next {
                    Next::Gone => {
                        self.instances.remove(&k);
                    }
                    _ => i.status = "available".into(),
                }
                self.fix_writer(&ck);
            }
            Event::ClusterMaintenance(k) => {
                let Some(c) = self.clusters.get_mut(&k) else {
                    return;
                };
                c.settings.apply_pending();
                if c.status == "available" {
                    c.status = "modifying".into();
                    c.pending = Pending::after(due, Op::Modify, scale, Next::Available);
                }
            }
            Event::InstanceMaintenance(k) => {
                let Some(i) = self.instances.get_mut(&k) else {
                    return;
                };
                let pending = std::mem::take(&mut i.settings.pending);
                if let Some(class) = pending.class {
                    i.class = class;
                }
                if let Some(ca) = pending.ca {
                    i.settings.ca = ca;
                }
                if i.status == "available" {
                    i.status = "modifying".into();
                    i.pending = Pending::after(due, Op::ModifyInstance, scale, Next::Available);
                }
            }
            Event::Snapshot(k) => {
                let Some(s) = self.snapshots.get_mut(&k) else {
                    return;
                };
                match std::mem::take(&mut s.pending).next {
                    Next::Gone => {
                        self.snapshots.remove(&k);
                    }
                    _ => s.status = "available".into(),
                }
            }
        }
    }

    /// Brings every pending modification (of `region`, or everywhere) due
    /// now, as if each maintenance window had just started; returns how
    /// many clusters and instances had some. `settle` then applies them.
    pub(crate) fn maintenance_now(&mut self, region: Option<&str>, now: u64) -> usize {
        let mut n = 0;
        let in_region = |r: &str| region.is_none_or(|want| want == r);
        for c in self.clusters.values_mut().filter(|c| in_region(&c.region)) {
            if c.settings.pending.due.is_some() {
                c.settings.pending.due = Some(now);
                n += 1;
            }
        }
        for i in self.instances.values_mut().filter(|i| in_region(&i.region)) {
            if i.settings.pending.due.is_some() {
                i.settings.pending.due = Some(now);
                n += 1;
            }
        }
        n
    }

    /// Keeps a cluster's writer consistent with its role and live instances:
    /// secondaries have none; others keep a live writer or promote the live
    /// instance with the lowest promotion tier (then identifier).
    pub(crate) fn fix_writer(&mut self, cluster_key: &str) {
        let Some(c) = self.clusters.get(cluster_key) else {
            return;
        };
        let role = self.role(c);
        let live: Vec<&Instance> = self.live_instances(&c.region, &c.id);
        let new_writer = if role == Role::Secondary {
            None
        } else if c
            .writer
            .as_ref()
            .is_some_and(|w| live.iter().any(|i| &i.id == w))
        {
            c.writer.clone()
        } else {
            live.iter()
                .min_by_key(|i| (i.promotion_tier, i.id.clone()))
                .map(|i| i.id.clone())
        };
        if let Some(c) = self.clusters.get_mut(cluster_key) {
            c.writer = new_writer;
        }
    }

    /// Marks members in `region` for resynchronisation once its outage ends.
    pub(crate) fn region_restored(&mut self, region: &str, now: u64, scale: f64) {
        let mut rejoining = Vec::new();
        for g in self.globals.values_mut() {
            for m in &mut g.members {
                if m.region == region && m.sync == "pending-resync" && m.resync_due.is_none() {
                    m.resync_due = Some(now.saturating_add(Op::Resync.millis(scale)));
                    rejoining.push(m.cluster_id.clone());
                }
            }
        }
        for cluster_id in rejoining {
            self.rejoin_snapshot(region, &cluster_id, now, scale);
        }
    }

    /// The snapshot Aurora takes of a former primary before it rejoins as a
    /// secondary after a failover with data loss
    /// (`rds:unplanned-global-failover-CLUSTER-TIMESTAMP`); writes that never
    /// replicated can be recovered from it.
    pub(crate) fn rejoin_snapshot(&mut self, region: &str, cluster_id: &str, at: u64, scale: f64) {
        let Some(c) = self.clusters.get(&key(region, cluster_id)) else {
            return;
        };
        let stamp: String = crate::timing::iso8601(at)
            .chars()
            .take(16)
            .map(|ch| if ch.is_ascii_digit() { ch } else { '-' })
            .collect();
        let id = format!("rds:unplanned-global-failover-{cluster_id}-{stamp}");
        let snapshot = Snapshot {
            id: id.clone(),
            region: region.to_string(),
            cluster_id: cluster_id.to_string(),
            cluster_resource_id: c.resource_id.clone(),
            engine: c.engine.clone(),
            engine_version: c.engine_version.clone(),
            status: "creating".into(),
            pending: Pending::after(at, Op::Snapshot, scale, Next::Available),
            storage_encrypted: c.storage_encrypted,
            kms_key_id: c.kms_key_id.clone(),
            master_username: c.master_username.clone(),
            database_name: c.database_name.clone(),
            port: c.port,
            snapshot_type: "manual".into(),
            created_ms: at,
            cluster_created_ms: c.created_ms,
            tags: Vec::new(),
        };
        self.snapshots.insert(key(region, &id), snapshot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, GlobalCluster, GlobalOp, Member};

    fn cluster(region: &str, id: &str, global: Option<&str>) -> Cluster {
        Cluster {
            id: id.into(),
            region: region.into(),
            resource_id: "cluster-X".into(),
            engine: "aurora-postgresql".into(),
            engine_version: "15.4".into(),
            status: "available".into(),
            pending: Pending::default(),
            master_username: Some("app".into()),
            manage_master_password: false,
            database_name: None,
            port: 5432,
            storage_encrypted: false,
            kms_key_id: None,
            subnet_group: "default".into(),
            vpc_security_groups: vec![],
            parameter_group: "default.aurora-postgresql15".into(),
            deletion_protection: false,
            backup_retention: 1,
            global: global.map(str::to_string),
            write_forwarding: false,
            write_forwarding_changing: false,
            writer: None,
            tags: vec![],
            created_ms: 0,
            settings: Default::default(),
        }
    }

    fn instance(region: &str, id: &str, cluster: &str, tier: i64) -> Instance {
        Instance {
            id: id.into(),
            region: region.into(),
            cluster_id: cluster.into(),
            resource_id: "db-X".into(),
            class: "db.r6g.large".into(),
            engine: "aurora-postgresql".into(),
            status: "available".into(),
            pending: Pending::default(),
            promotion_tier: tier,
            deletion_protection: false,
            publicly_accessible: false,
            availability_zone: format!("{region}a"),
            tags: vec![],
            created_ms: 0,
            settings: Default::default(),
        }
    }

    fn member(region: &str, id: &str, is_writer: bool) -> Member {
        Member {
            region: region.into(),
            cluster_id: id.into(),
            is_writer,
            sync: "connected".into(),
            resync_due: None,
        }
    }

    /// A global cluster `g` with primary `p` (us-east-1, instances p1 tier 1
    /// and p0 tier 0) and secondary `s` (us-west-2, instance s1).
    fn two_region() -> State {
        let mut st = State::default();
        st.globals.insert(
            "g".into(),
            GlobalCluster {
                id: "g".into(),
                resource_id: "cluster-G".into(),
                engine: "aurora-postgresql".into(),
                engine_version: "15.4".into(),
                database_name: None,
                storage_encrypted: false,
                deletion_protection: false,
                status: "available".into(),
                pending: Pending::default(),
                members: vec![
                    member("us-east-1", "p", true),
                    member("us-west-2", "s", false),
                ],
                op: None,
                tags: vec![],
                endpoint_label: "x".into(),
                settings: Default::default(),
            },
        );
        st.clusters
            .insert(key("us-east-1", "p"), cluster("us-east-1", "p", Some("g")));
        st.clusters
            .insert(key("us-west-2", "s"), cluster("us-west-2", "s", Some("g")));
        st.instances
            .insert(key("us-east-1", "p1"), instance("us-east-1", "p1", "p", 1));
        st.instances
            .insert(key("us-east-1", "p0"), instance("us-east-1", "p0", "p", 0));
        st.instances
            .insert(key("us-west-2", "s1"), instance("us-west-2", "s1", "s", 1));
        for k in [key("us-east-1", "p"), key("us-west-2", "s")] {
            st.fix_writer(&k);
        }
        st
    }

    fn start_op(st: &mut State, data_loss: bool) {
        let g = st.globals.get_mut("g").unwrap();
        g.status = if data_loss {
            "failing-over"
        } else {
            "switching-over"
        }
        .into();
        g.op = Some(GlobalOp {
            data_loss,
            from: ("us-east-1".into(), "p".into()),
            to: ("us-west-2".into(), "s".into()),
            started: 100,
            due: 200,
        });
    }

    /// A state file written before the production settings existed has no
    /// `settings` objects: it loads with AWS's defaults.
    #[test]
    fn state_without_settings_loads_with_defaults() {
        let st = two_region();
        let mut v = serde_json::to_value(&st).unwrap();
        for kind in ["globals", "clusters", "instances"] {
            for o in v[kind].as_object_mut().unwrap().values_mut() {
                assert!(o.as_object_mut().unwrap().remove("settings").is_some());
            }
        }
        let back: State = serde_json::from_value(v).unwrap();
        let c = &back.clusters[&key("us-east-1", "p")];
        assert_eq!(c.settings.storage_type(), "aurora");
        assert!(c.settings.pending.due.is_none());
        let i = &back.instances[&key("us-east-1", "p1")];
        assert!(i.settings.auto_minor_version_upgrade);
        assert_eq!(i.settings.ca, "rds-ca-rsa2048-g1");
        assert_eq!(
            back.globals["g"].settings.lifecycle_support(),
            "open-source-rds-extended-support"
        );
    }

    #[test]
    fn writers_follow_roles_and_promotion_tiers() {
        let st = two_region();
        assert_eq!(
            st.clusters[&key("us-east-1", "p")].writer.as_deref(),
            Some("p0"),
            "lowest tier wins"
        );
        assert_eq!(
            st.clusters[&key("us-west-2", "s")].writer,
            None,
            "secondaries have no writer"
        );
    }

    #[test]
    fn global_operations_complete_at_their_due_time() {
        // (data loss, region of the old primary in outage, expected sync of the old primary, its resync due)
        let table = [
            (false, false, "connected", None),
            (
                true,
                false,
                "pending-resync",
                Some(200 + Op::Resync.millis(1.0)),
            ),
            (true, true, "pending-resync", None),
        ];
        for (data_loss, outage, sync, resync_due) in table {
            let mut st = two_region();
            if outage {
                st.outages.insert("us-east-1".into());
            }
            start_op(&mut st, data_loss);
            st.settle(199, 1.0);
            assert!(st.globals["g"].op.is_some(), "not due yet");
            st.settle(200, 1.0);
            let g = &st.globals["g"];
            assert_eq!(g.status, "available");
            assert!(g.op.is_none());
            let old = g.member("us-east-1", "p").unwrap();
            assert!(!old.is_writer && g.member("us-west-2", "s").unwrap().is_writer);
            assert_eq!(
                (old.sync.as_str(), old.resync_due),
                (sync, resync_due),
                "data_loss={data_loss} outage={outage}"
            );
            assert_eq!(
                st.clusters[&key("us-west-2", "s")].writer.as_deref(),
                Some("s1")
            );
            assert_eq!(st.clusters[&key("us-east-1", "p")].writer, None);
        }
    }

    #[test]
    fn resync_starts_when_the_region_returns() {
        let mut st = two_region();
        st.outages.insert("us-east-1".into());
        start_op(&mut st, true);
        st.settle(1_000, 1.0);
        st.settle(1_000_000, 1.0);
        assert_eq!(
            st.globals["g"].member("us-east-1", "p").unwrap().sync,
            "pending-resync"
        );
        st.outages.remove("us-east-1");
        st.region_restored("us-east-1", 2_000_000, 1.0);
        st.settle(2_000_000 + Op::Resync.millis(1.0), 1.0);
        assert_eq!(
            st.globals["g"].member("us-east-1", "p").unwrap().sync,
            "connected"
        );
        let snaps: Vec<&String> = st.snapshots.keys().collect();
        assert_eq!(snaps.len(), 1, "{snaps:?}");
        assert!(
            snaps[0].starts_with("us-east-1/rds:unplanned-global-failover-p-"),
            "{snaps:?}"
        );
    }

    #[test]
    fn transitions_apply_in_due_order() {
        let mut st = two_region();
        let ik = key("us-east-1", "p0");
        st.instances.get_mut(&ik).unwrap().status = "deleting".into();
        st.instances.get_mut(&ik).unwrap().pending = Pending {
            due: Some(50),
            next: Next::Gone,
        };
        let ck = key("us-west-2", "s");
        st.clusters.get_mut(&ck).unwrap().status = "upgrading".into();
        st.clusters.get_mut(&ck).unwrap().pending = Pending {
            due: Some(60),
            next: Next::Upgraded("15.5".into()),
        };
        st.settle(55, 1.0);
        assert!(!st.instances.contains_key(&ik));
        assert_eq!(
            st.clusters[&key("us-east-1", "p")].writer.as_deref(),
            Some("p1"),
            "the next instance takes over"
        );
        assert_eq!(st.clusters[&ck].status, "upgrading");
        st.settle(60, 1.0);
        assert_eq!(
            (
                st.clusters[&ck].status.as_str(),
                st.clusters[&ck].engine_version.as_str()
            ),
            ("available", "15.5")
        );
        assert_eq!(
            st.global_version(&st.globals["g"]),
            "15.4",
            "the global cluster follows its primary"
        );
    }
}
