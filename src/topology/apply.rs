//! The executor: observe, ask [`super::diff`] for the next phase, run its
//! steps in parallel (each step sends its RDS calls and waits on the
//! observed result where the next phase depends on it), and repeat until the
//! diff says done — all under one deadline and the host's stop signal.
//! Deletions are the exception: once AWS accepted them nothing else waits on
//! them, so they are waited for together at the end.
//!
//! On a failure it stops scheduling, lets the steps already running finish,
//! observes again and reports the failed step with the AWS error, so the
//! caller can return the observed state.

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::aws::{
    self, find, wait, AwsError, Clients, ClusterRole, FinalSnapshot, ModifyCluster, ModifyGlobal,
    ModifyInstance, NewCluster, NewGlobalCluster, NewInstance, ObservedTopology, PollInterval,
    Secret, WaitError, OWNERSHIP_TAG_KEY,
};

use super::desired::Desired;
use super::diff::{self, Next, Step};

/// At most this many phases of steps per apply (waits for objects in
/// transition do not count; the deadline bounds them); a topology of 11
/// regions converges in far fewer.
const MAX_PHASES: usize = 200;

/// Where and how to reach AWS for one topology.
#[derive(Clone)]
pub struct Target {
    /// Lazily built clients.
    pub clients: Clients,
    /// Region asked first for global-cluster calls.
    pub home_region: String,
    /// Other member regions, asked when the home region does not answer.
    pub fallback_regions: Vec<String>,
    /// Global cluster identifier.
    pub id: String,
    /// Poll intervals for waits.
    pub poll: PollInterval,
}

impl Target {
    /// One observation of the whole topology (1 + 2R calls).
    pub async fn observe(&self) -> Result<Option<ObservedTopology>, AwsError> {
        find::observe(
            &self.clients,
            &self.home_region,
            &self.fallback_regions,
            &self.id,
        )
        .await
    }
}

/// Why an apply stopped short.
#[derive(Debug)]
pub struct Failure {
    /// The step that failed, if one did.
    pub step: Option<String>,
    /// What went wrong, with the AWS error.
    pub error: String,
    /// What exists now (None when it could not be read, or nothing exists).
    pub observed: Option<ObservedTopology>,
    /// Whether observing after the failure worked (if not, `observed` is
    /// the last observation before it).
    pub observed_fresh: bool,
}

/// Options of one reconcile run.
pub struct Run<'a> {
    /// The topology.
    pub target: &'a Target,
    /// Desired state (None = destroy).
    pub desired: Option<&'a Desired>,
    /// Tags and final snapshot.
    pub ctx: diff::Context,
    /// The one deadline of this apply.
    pub deadline: Instant,
    /// Cancelled by StopProvider.
    pub stop: CancellationToken,
    /// This run creates the topology: an existing global cluster must carry
    /// our ownership tag to be adopted.
    pub creating: bool,
    /// Send this master password to the primary once the topology converged.
    pub rotate_password: Option<Secret>,
    /// Clusters the prior state knew: (region, cluster id, was primary).
    /// One that is no longer a member of the global cluster but still exists,
    /// detached and carrying our ownership tag, is what an interrupted
    /// removal leaves behind; it is deleted once the topology converged.
    pub known_clusters: Vec<(String, String, bool)>,
}

fn wait_err(e: WaitError) -> String {
    e.to_string()
}

/// Deletions accepted by AWS that the apply waits for at its end rather
/// than inside the step that sent them, so that the next phase can start.
#[derive(Default)]
struct Deletions(std::sync::Mutex<Vec<(String, Gone)>>);

#[derive(Clone)]
enum Gone {
    Cluster(String),
    Instance(String),
}

impl Deletions {
    fn push(&self, region: &str, what: Gone) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((region.to_string(), what));
    }

    /// Whether this run sent the deletion of that cluster.
    fn has_cluster(&self, region: &str, id: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|(r, g)| r == region && matches!(g, Gone::Cluster(c) if c == id))
    }

    fn take(&self) -> Vec<(String, Gone)> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Run<'_> {
    /// Reconciles until done; returns the final observation.
    pub async fn reconcile(&self) -> Result<Option<ObservedTopology>, Failure> {
        let mut last: Option<ObservedTopology> = None;
        let mut previous: Option<Vec<Step>> = None;
        let mut repeats = 0;
        let mut settle = self.target.poll.initial;
        let mut phases = 0;
        let mut done = false;
        let mut swept = false;
        let deletions = Deletions::default();
        while !done {
            if phases >= MAX_PHASES {
                return Err(self.fail(None, format!("The topology did not converge within {MAX_PHASES} phases; AWS keeps reporting differences."), last).await);
            }
            if self.stop.is_cancelled() {
                return Err(self
                    .fail(
                        None,
                        "The operation was cancelled (the host asked the provider to stop).".into(),
                        last,
                    )
                    .await);
            }
            if Instant::now() >= self.deadline {
                return Err(self
                    .fail(
                        None,
                        "The operation ran past its timeout (see the timeouts block).".into(),
                        last,
                    )
                    .await);
            }
            let obs = match self.target.observe().await {
                Ok(o) => o,
                Err(e) => {
                    return Err(self
                        .fail(None, format!("Reading the topology failed: {e}"), last)
                        .await);
                }
            };
            if self.creating {
                if let Some(o) = &obs {
                    if o.global.tags.get(OWNERSHIP_TAG_KEY).map(String::as_str)
                        != Some(self.target.id.as_str())
                    {
                        return Err(Failure {
                            step: None,
                            error: format!(
                                "A global cluster named {} already exists and was not created by this topology (it lacks the {OWNERSHIP_TAG_KEY} tag), so it is not adopted. To manage it, import it: terraform import <address> {}",
                                self.target.id, self.target.id
                            ),
                            observed: None,
                            observed_fresh: true,
                        });
                    }
                }
            }
            let next = diff::next(self.desired, obs.as_ref(), &self.ctx);
            // Leftover detached clusters go before the global cluster does:
            // without it the state could no longer lead back to them.
            if !swept
                && (next == Next::Done
                    || (self.desired.is_none() && next == Next::Phase(vec![Step::DeleteGlobal])))
            {
                swept = true;
                if let Err((step, e)) = self.sweep(obs.as_ref(), &deletions).await {
                    return Err(self.fail(Some(step), e, obs).await);
                }
            }
            let phase = match next {
                Next::Done => {
                    last = obs;
                    done = true;
                    continue;
                }
                Next::Blocked(why) => {
                    return Err(Failure {
                        step: None,
                        error: why,
                        observed: obs,
                        observed_fresh: true,
                    });
                }
                Next::Phase(steps) => steps,
            };
            let settling = matches!(phase.first(), Some(Step::Settle { .. }));
            if !settling {
                // Waiting is bounded by the deadline; only real steps count.
                phases += 1;
                if previous.as_ref() == Some(&phase) {
                    repeats += 1;
                    if repeats >= 3 {
                        let what = phase
                            .iter()
                            .map(Step::describe)
                            .collect::<Vec<_>>()
                            .join("; ");
                        return Err(Failure {
                            step: Some(what),
                            error: "AWS still differs from the configuration after this step was carried out three times; something outside this provider keeps undoing it.".into(),
                            observed: obs,
                            observed_fresh: true,
                        });
                    }
                } else {
                    repeats = 0;
                }
                previous = Some(phase.clone());
                settle = self.target.poll.initial;
            }
            last = obs;
            for s in &phase {
                tracing::info!(step = %s.describe(), global_cluster = %self.target.id, "step");
            }
            // A step that waits for another step's effect gives up when a
            // step of its phase failed (see `Step::DeletePrimaryCluster`).
            let failed = CancellationToken::new();
            let results = futures::future::join_all(phase.iter().map(|s| async {
                let r = self.run_step(s, &deletions, &settle, &failed).await;
                if r.is_err() {
                    failed.cancel();
                }
                r
            }))
            .await;
            if settling {
                settle = (settle * 2).min(self.target.poll.max);
            }
            if let Some((step, err)) = phase
                .iter()
                .zip(results)
                .find_map(|(s, r)| r.err().map(|e| (s, e)))
            {
                return Err(self.fail(Some(step.describe()), err, last).await);
            }
        }
        if let Err(e) = self.wait_deletions(&deletions).await {
            return Err(self
                .fail(Some("wait for the deletions to finish".into()), e, last)
                .await);
        }
        if let Some(password) = &self.rotate_password {
            if let Some(o) = &last {
                if let Some(w) = o.global.writer() {
                    let r = self.rotate(&w.region, &w.cluster_id, password).await;
                    if let Err(e) = r {
                        return Err(self
                            .fail(Some("set the master password".into()), e, last)
                            .await);
                    }
                }
            }
        }
        Ok(last)
    }

    async fn fail(
        &self,
        step: Option<String>,
        error: String,
        last: Option<ObservedTopology>,
    ) -> Failure {
        match self.target.observe().await {
            Ok(o) => Failure {
                step,
                error,
                observed: o,
                observed_fresh: true,
            },
            Err(e) => {
                tracing::warn!(error = %e, "could not observe the topology after a failure");
                Failure {
                    step,
                    error,
                    observed: last,
                    observed_fresh: false,
                }
            }
        }
    }

    async fn rotate(
        &self,
        region: &str,
        cluster_id: &str,
        password: &Secret,
    ) -> Result<(), String> {
        let t = self.target;
        aws::modify_db_cluster(
            &t.clients,
            region,
            &ModifyCluster {
                id: cluster_id.to_string(),
                master_password: Some(password.clone()),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        self.wait_cluster(region, cluster_id, |_| true).await
    }

    async fn run_step(
        &self,
        step: &Step,
        deletions: &Deletions,
        settle: &Duration,
        failed: &CancellationToken,
    ) -> Result<(), String> {
        let fut = Box::pin(self.step(step, deletions, *settle, failed));
        tokio::select! {
            r = fut => r,
            () = self.stop.cancelled() => Err("cancelled while waiting (the host asked the provider to stop)".into()),
        }
    }

    fn desired(&self) -> Result<&Desired, String> {
        self.desired
            .ok_or_else(|| "internal error: a create or modify step during destroy".to_string())
    }

    /// Waits (in parallel) until everything `deletions` holds is gone.
    async fn wait_deletions(&self, deletions: &Deletions) -> Result<(), String> {
        let t = self.target;
        let pending = deletions.take();
        let waits = pending.iter().map(|(region, what)| async move {
            let r = match what {
                Gone::Cluster(id) => {
                    wait::wait_cluster_deleted(&t.clients, region, id, self.deadline, t.poll).await
                }
                Gone::Instance(id) => {
                    wait::wait_instance_deleted(&t.clients, region, id, self.deadline, t.poll).await
                }
            };
            r.map_err(wait_err)
        });
        let all = futures::future::try_join_all(waits);
        tokio::select! {
            r = all => r.map(|_| ()),
            () = self.stop.cancelled() => Err("cancelled while waiting (the host asked the provider to stop)".into()),
        }
    }

    async fn step(
        &self,
        step: &Step,
        deletions: &Deletions,
        settle: Duration,
        failed: &CancellationToken,
    ) -> Result<(), String> {
        let t = self.target;
        let c = &t.clients;
        let e = |e: AwsError| e.to_string();
        match step {
            Step::Settle { what } => {
                tracing::info!(object = %what, "waiting for an object in transition");
                let left = self.deadline.saturating_duration_since(Instant::now());
                tokio::time::sleep(settle.min(left)).await;
                Ok(())
            }
            Step::CreateGlobal => {
                let d = self.desired()?;
                aws::create_global_cluster(
                    c,
                    &t.home_region,
                    &NewGlobalCluster {
                        id: d.id.clone(),
                        engine: d.engine.clone(),
                        engine_version: d.engine_version.clone(),
                        database_name: None,
                        storage_encrypted: d.storage_encrypted,
                        deletion_protection: d.deletion_protection,
                        tags: d.tags.clone(),
                    },
                )
                .await
                .map_err(e)?;
                wait::wait_global_available(
                    c,
                    &t.home_region,
                    &t.fallback_regions,
                    &t.id,
                    self.deadline,
                    t.poll,
                )
                .await
                .map(|_| ())
                .map_err(wait_err)
            }
            Step::CreatePrimaryCluster { region, instances }
            | Step::CreateSecondaryCluster { region, instances } => {
                let d = self.desired()?;
                let r = d
                    .regions
                    .get(region)
                    .ok_or_else(|| format!("internal error: {region} is not desired"))?;
                let role = if matches!(step, Step::CreatePrimaryCluster { .. }) {
                    let password = d.master_password.clone().ok_or_else(|| {
                        "no master password is available (master_password_wo is not stored: set it in the configuration for the apply that creates the primary)".to_string()
                    })?;
                    ClusterRole::Primary {
                        master_username: d.master_username.clone(),
                        master_password: password,
                        database_name: d.database_name.clone(),
                    }
                } else {
                    ClusterRole::Secondary
                };
                aws::create_db_cluster(
                    c,
                    region,
                    &NewCluster {
                        id: r.cluster_id.clone(),
                        global_cluster_id: d.id.clone(),
                        engine: d.engine.clone(),
                        engine_version: d.engine_version.clone(),
                        role,
                        db_subnet_group_name: r.subnet_group.clone(),
                        vpc_security_group_ids: r.security_groups.clone().unwrap_or_default(),
                        kms_key_id: r.kms_key_id.clone(),
                        storage_encrypted: d.storage_encrypted,
                        parameter_group: r.parameter_group.clone(),
                        write_forwarding: r.write_forwarding
                            && matches!(step, Step::CreateSecondaryCluster { .. }),
                        deletion_protection: false,
                        tags: d.tags.clone(),
                    },
                )
                .await
                .map_err(e)?;
                // The instances go in while the cluster is still creating;
                // the step is done when all of them are available.
                let cluster = self.wait_cluster(region, &r.cluster_id, |_| true);
                let instances = futures::future::try_join_all(
                    instances
                        .iter()
                        .map(|key| self.create_instance(region, key)),
                );
                futures::future::try_join(cluster, instances)
                    .await
                    .map(|_| ())
            }
            Step::CreateInstance { region, key } => self.create_instance(region, key).await,
            Step::ModifyInstance {
                region,
                id,
                class,
                tier,
            } => {
                aws::modify_db_instance(
                    c,
                    region,
                    &ModifyInstance {
                        id: id.clone(),
                        class: class.clone(),
                        promotion_tier: *tier,
                    },
                )
                .await
                .map_err(e)?;
                let (class, tier) = (class.clone(), *tier);
                self.wait_instance(region, id, move |i| {
                    class.as_ref().is_none_or(|c| i.class.as_ref() == Some(c))
                        && tier.is_none_or(|t| i.promotion_tier == Some(t))
                })
                .await
            }
            Step::ModifyCluster {
                region,
                id,
                write_forwarding,
                security_groups,
                parameter_group,
            } => {
                aws::modify_db_cluster(
                    c,
                    region,
                    &ModifyCluster {
                        id: id.clone(),
                        write_forwarding: *write_forwarding,
                        vpc_security_group_ids: security_groups.clone(),
                        parameter_group: parameter_group.clone(),
                        ..Default::default()
                    },
                )
                .await
                .map_err(e)?;
                let wf = *write_forwarding;
                self.wait_cluster(region, id, move |cl| {
                    wf.is_none_or(|w| cl.write_forwarding == w)
                })
                .await
            }
            Step::UpgradeCluster {
                region,
                id,
                version,
            } => {
                aws::modify_db_cluster(
                    c,
                    region,
                    &ModifyCluster {
                        id: id.clone(),
                        engine_version: Some(version.clone()),
                        ..Default::default()
                    },
                )
                .await
                .map_err(e)?;
                let v = version.clone();
                self.wait_cluster(region, id, move |cl| {
                    cl.engine_version.as_deref() == Some(v.as_str())
                })
                .await
            }
            Step::UpgradeGlobal { version } => {
                aws::modify_global_cluster(
                    c,
                    &t.home_region,
                    &ModifyGlobal {
                        id: t.id.clone(),
                        engine_version: Some(version.clone()),
                        allow_major_version_upgrade: true,
                        ..Default::default()
                    },
                )
                .await
                .map_err(e)?;
                let v = version.clone();
                self.wait_global(move |g| g.engine_version.as_deref() == Some(v.as_str()))
                    .await
            }
            Step::SetDeletionProtection { enabled } => {
                aws::modify_global_cluster(
                    c,
                    &t.home_region,
                    &ModifyGlobal {
                        id: t.id.clone(),
                        deletion_protection: Some(*enabled),
                        ..Default::default()
                    },
                )
                .await
                .map_err(e)?;
                let en = *enabled;
                self.wait_global(move |g| g.deletion_protection == Some(en))
                    .await
            }
            Step::DeleteInstance { region, id } => {
                match aws::delete_db_instance(c, region, id).await {
                    Ok(()) => {}
                    Err(err) if err.is_not_found() => return Ok(()),
                    Err(err) => return Err(err.to_string()),
                }
                wait::wait_instance_deleted(c, region, id, self.deadline, t.poll)
                    .await
                    .map_err(wait_err)
            }
            Step::RemoveRegion {
                region,
                cluster_id,
                cluster_arn,
                instances,
            } => {
                self.delete_instances(region, instances, deletions).await?;
                self.detach_and_delete(
                    region,
                    cluster_id,
                    cluster_arn,
                    FinalSnapshot::Skip,
                    deletions,
                )
                .await
            }
            Step::DeletePrimaryCluster {
                region,
                cluster_id,
                cluster_arn,
                instances,
                final_snapshot,
            } => {
                // Its last instance and its membership can only go once the
                // secondaries (leaving in the same phase) are detached.
                let id = cluster_id.clone();
                tokio::select! {
                    r = self.wait_global(move |g| g.members.iter().all(|m| m.cluster_id == id)) => r?,
                    () = failed.cancelled() => return Err("not started: a secondary region of the same phase could not leave".into()),
                }
                self.delete_instances(region, instances, deletions).await?;
                let fs = match final_snapshot {
                    Some(s) => FinalSnapshot::Take(s.clone()),
                    None => FinalSnapshot::Skip,
                };
                self.detach_and_delete(region, cluster_id, cluster_arn, fs, deletions)
                    .await
            }
            Step::DeleteGlobal => {
                match aws::delete_global_cluster(c, &t.home_region, &t.id).await {
                    Ok(()) => {}
                    Err(err) if err.is_not_found() => return Ok(()),
                    Err(err) => return Err(err.to_string()),
                }
                wait::wait_global_deleted(
                    c,
                    &t.home_region,
                    &t.fallback_regions,
                    &t.id,
                    self.deadline,
                    t.poll,
                )
                .await
                .map_err(wait_err)
            }
            Step::Switchover {
                from,
                to,
                target_arn,
            }
            | Step::Failover {
                from,
                to,
                target_arn,
            } => {
                let failover = matches!(step, Step::Failover { .. });
                if failover {
                    aws::failover_global_cluster(c, to, &t.id, target_arn)
                        .await
                        .map_err(e)?;
                } else {
                    aws::switchover_global_cluster(c, from, &t.id, target_arn)
                        .await
                        .map_err(e)?;
                }
                // Ask the target region first: the old primary's may be the one that is down.
                let mut fallback = vec![to.clone()];
                fallback.extend(t.fallback_regions.iter().filter(|r| *r != to).cloned());
                wait::wait_writer(c, to, &fallback, &t.id, target_arn, self.deadline, t.poll)
                    .await
                    .map_err(wait_err)?;
                wait::wait_global_available(c, to, &fallback, &t.id, self.deadline, t.poll)
                    .await
                    .map(|_| ())
                    .map_err(wait_err)
            }
            Step::Retag {
                region,
                arn,
                add,
                remove,
            } => {
                aws::add_tags(c, region, arn, add).await.map_err(e)?;
                aws::remove_tags(c, region, arn, remove).await.map_err(e)
            }
        }
    }

    /// Deletes clusters an interrupted removal left detached (see
    /// [`Run::known_clusters`]); a former primary keeps its final snapshot
    /// when this is a destroy that asked for one.
    async fn sweep(
        &self,
        obs: Option<&ObservedTopology>,
        deletions: &Deletions,
    ) -> Result<(), (String, String)> {
        let t = self.target;
        for (region, cluster_id, was_primary) in &self.known_clusters {
            let member = obs.is_some_and(|o| {
                o.global
                    .members
                    .iter()
                    .any(|m| &m.region == region && &m.cluster_id == cluster_id)
            });
            let wanted = self.desired.is_some_and(|d| {
                d.regions
                    .get(region)
                    .is_some_and(|r| &r.cluster_id == cluster_id)
            });
            // Deleted by this run: awaited with the run's other deletions.
            if member || wanted || deletions.has_cluster(region, cluster_id) {
                continue;
            }
            let found = match find::find_cluster(&t.clients, region, cluster_id).await {
                Ok(f) => f,
                Err(e) if e.is_unreachable() => continue,
                Err(e) => {
                    return Err((
                        format!("look for a leftover cluster {cluster_id} in {region}"),
                        e.to_string(),
                    ));
                }
            };
            let Some(c) = found else { continue };
            let ours = c.tags.get(OWNERSHIP_TAG_KEY).map(String::as_str) == Some(t.id.as_str());
            if !ours || c.global_cluster_id.is_some() {
                continue;
            }
            let step = format!("delete the leftover detached cluster {cluster_id} in {region}");
            tracing::info!(region = %region, cluster = %cluster_id, "deleting a cluster an interrupted removal left detached");
            let fs = match (
                &self.ctx.final_snapshot,
                was_primary,
                self.desired.is_none(),
            ) {
                (Some(s), true, true) => FinalSnapshot::Take(s.clone()),
                _ => FinalSnapshot::Skip,
            };
            let r = async {
                // An interrupted removal may have sent some deletions
                // already: those are only waited for.
                let instances = find::find_instances_by_cluster(&t.clients, region, cluster_id)
                    .await
                    .map_err(|e| e.to_string())?;
                let (deleting, live): (Vec<_>, Vec<_>) =
                    instances.into_iter().partition(|i| i.status == "deleting");
                let gone = Deletions::default();
                for i in &deleting {
                    gone.push(region, Gone::Instance(i.id.clone()));
                }
                let cluster_deleting = c.status == "deleting";
                if !cluster_deleting {
                    // A cluster just detached is still `modifying` for a while.
                    self.wait_cluster(region, cluster_id, |cl| cl.global_cluster_id.is_none())
                        .await?;
                }
                let live: Vec<String> = live.into_iter().map(|i| i.id).collect();
                self.delete_instances(region, &live, &gone).await?;
                self.wait_deletions(&gone).await?;
                if !cluster_deleting && !self.delete_cluster(region, cluster_id, &fs).await? {
                    return Ok(());
                }
                wait::wait_cluster_deleted(&t.clients, region, cluster_id, self.deadline, t.poll)
                    .await
                    .map_err(wait_err)
            };
            Box::pin(r).await.map_err(|e| (step, e))?;
        }
        Ok(())
    }

    /// CreateDBInstance of the desired instance `key` in `region`, then waits
    /// until it is available.
    async fn create_instance(&self, region: &str, key: &str) -> Result<(), String> {
        let d = self.desired()?;
        let r = d
            .regions
            .get(region)
            .ok_or_else(|| format!("internal error: {region} is not desired"))?;
        let i = r
            .instances
            .get(key)
            .ok_or_else(|| format!("internal error: instance {key} is not desired"))?;
        aws::create_db_instance(
            &self.target.clients,
            region,
            &NewInstance {
                id: i.id.clone(),
                cluster_id: r.cluster_id.clone(),
                class: i.class.clone(),
                engine: d.engine.clone(),
                promotion_tier: Some(i.tier),
                global_cluster_id: d.id.clone(),
                tags: d.tags.clone(),
            },
        )
        .await
        .map_err(|e| format!("create instance {key:?} in {region}: {e}"))?;
        self.wait_instance(region, &i.id, |_| true).await
    }

    /// DeleteDBInstance of each (in parallel); the deletions are waited for
    /// at the end of the apply.
    async fn delete_instances(
        &self,
        region: &str,
        ids: &[String],
        deletions: &Deletions,
    ) -> Result<(), String> {
        let c = &self.target.clients;
        let sends = ids.iter().map(|id| async move {
            match aws::delete_db_instance(c, region, id).await {
                Ok(()) => {
                    deletions.push(region, Gone::Instance(id.clone()));
                    Ok(())
                }
                Err(err) if err.is_not_found() => Ok(()),
                Err(err) => Err(err.to_string()),
            }
        });
        futures::future::try_join_all(sends).await.map(|_| ())
    }

    /// RemoveFromGlobalCluster, wait until detached, DeleteDBCluster (its
    /// end is waited for at the end of the apply). Each part is skipped when
    /// already done.
    async fn detach_and_delete(
        &self,
        region: &str,
        cluster_id: &str,
        cluster_arn: &str,
        fs: FinalSnapshot,
        deletions: &Deletions,
    ) -> Result<(), String> {
        let t = self.target;
        let c = &t.clients;
        match aws::remove_from_global_cluster(c, region, &t.id, cluster_arn).await {
            Ok(()) => {}
            Err(err) if err.is_not_found() => {}
            Err(err) => return Err(err.to_string()),
        }
        let gid = t.id.clone();
        self.wait_cluster(region, cluster_id, move |cl| {
            cl.global_cluster_id.as_deref() != Some(gid.as_str())
        })
        .await?;
        if self.delete_cluster(region, cluster_id, &fs).await? {
            deletions.push(region, Gone::Cluster(cluster_id.to_string()));
        }
        Ok(())
    }

    /// DeleteDBCluster; false when the cluster was already gone.
    async fn delete_cluster(
        &self,
        region: &str,
        cluster_id: &str,
        fs: &FinalSnapshot,
    ) -> Result<bool, String> {
        match aws::delete_db_cluster(&self.target.clients, region, cluster_id, fs).await {
            Ok(()) => Ok(true),
            Err(err) if err.is_not_found() => Ok(false),
            Err(err) => Err(err.to_string()),
        }
    }

    /// Waits until the cluster is `available` and `done` holds.
    async fn wait_cluster(
        &self,
        region: &str,
        id: &str,
        done: impl Fn(&aws::ObservedCluster) -> bool,
    ) -> Result<(), String> {
        let t = self.target;
        wait::wait_cluster_settled(&t.clients, region, id, self.deadline, t.poll, done)
            .await
            .map(|_| ())
            .map_err(wait_err)
    }

    /// Waits until the instance is `available` and `done` holds.
    async fn wait_instance(
        &self,
        region: &str,
        id: &str,
        done: impl Fn(&aws::ObservedInstance) -> bool,
    ) -> Result<(), String> {
        let t = self.target;
        wait::wait_instance_settled(&t.clients, region, id, self.deadline, t.poll, done)
            .await
            .map(|_| ())
            .map_err(wait_err)
    }

    /// Waits until the global cluster is settled and `done` holds.
    async fn wait_global(&self, done: impl Fn(&aws::ObservedGlobal) -> bool) -> Result<(), String> {
        let t = self.target;
        wait::wait_global_settled(
            &t.clients,
            &t.home_region,
            &t.fallback_regions,
            &t.id,
            self.deadline,
            t.poll,
            done,
        )
        .await
        .map(|_| ())
        .map_err(wait_err)
    }
}
