//! The executor: runs the reconcile loop of Terraform's apply. Observe, ask
//! the step planner ([`super::steps::next_phase`]) for the next phase, run
//! its steps in parallel (each step sends its RDS calls and waits on the
//! observed result where the next phase depends on it), and repeat until the
//! planner says done — all under one deadline and the host's stop signal.
//! Deletions are the exception: once AWS accepted them nothing else waits on
//! them, so they are waited for together at the end. Leftovers of an
//! interrupted removal are swept once the topology converged
//! ([`super::sweep`]).
//!
//! On a failure it stops scheduling, lets the steps already running finish,
//! observes again and reports the failed step with its [`StepError`], so the
//! caller can return the observed state.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::desired::Desired;
use crate::aws::{
    self, wait, ClusterRole, ErrorKind, FinalSnapshot, ModifyCluster, ModifyGlobal, ModifyInstance,
    NewCluster, NewGlobalCluster, NewInstance, ObservedTopology, RestoredCluster, Secret,
    OWNERSHIP_TAG_KEY,
};
use crate::topology::lag;

use super::desired::Origin;
use super::error::StepError;
use super::ownership::{is_blank, may_adopt, writer_not_visible_yet, AtStart};
use super::steps::{deletes_from_source, next_phase, Context, Next, Step};
use super::target::Target;

/// At most this many phases of steps per apply (waits for objects in
/// transition do not count; the deadline bounds them); a topology of 11
/// regions converges in far fewer.
const MAX_PHASES: usize = 200;
/// How long a create keeps observing an untagged global cluster whose
/// writer cluster is not visible yet before it judges ownership without it
/// (read-after-write lag lasts seconds).
const OWNERSHIP_UNDECIDED_MAX: Duration = Duration::from_secs(30);

/// How long the observation for a failure report may take. It runs after
/// the failure, so past the deadline when that was the failure; healthy
/// regions answer it in a second or two.
const REPORT_GRACE: Duration = Duration::from_secs(10);

/// Why an apply stopped short.
#[derive(Debug)]
pub struct Failure {
    /// The step that failed, if one did.
    pub step: Option<String>,
    /// What went wrong, with the AWS error when AWS answered.
    pub error: StepError,
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
    pub ctx: Context,
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

/// Deletions accepted by AWS that the apply waits for at its end rather
/// than inside the step that sent them, so that the next phase can start.
#[derive(Default)]
pub(super) struct Deletions(std::sync::Mutex<Vec<(String, Gone)>>);

#[derive(Clone)]
pub(super) enum Gone {
    Cluster(String),
    Instance(String),
}

impl Deletions {
    pub(super) fn push(&self, region: &str, what: Gone) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((region.to_string(), what));
    }

    /// Whether this run sent the deletion of that cluster.
    pub(super) fn has_cluster(&self, region: &str, id: &str) -> bool {
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

/// Whether a step failed because what it creates exists already.
fn already_exists(e: &StepError) -> bool {
    match e {
        StepError::Aws(e) | StepError::CreateInstance { source: e, .. } => {
            e.kind == ErrorKind::AlreadyExists
        }
        _ => false,
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
        let mut at_start = AtStart::Unknown;
        let mut created_global = false;
        let mut owner_wait: Option<Instant> = None;
        let mut exists_wait: Option<Instant> = None;
        let deletions = Deletions::default();
        while !done {
            if phases >= MAX_PHASES {
                return Err(self
                    .fail(None, StepError::NotConverged(MAX_PHASES), last)
                    .await);
            }
            let obs = match self.bounded(self.target.observe()).await {
                Ok(Ok(o)) => o,
                Ok(Err(e)) => return Err(self.fail(None, StepError::Observe(e), last).await),
                Err(stopped) => return Err(self.fail(None, stopped, last).await),
            };
            if let Some(o) = &obs {
                let tag = o.global.tags.get(OWNERSHIP_TAG_KEY).map(String::as_str);
                let source_is_writer = match self.desired.and_then(|d| d.origin.as_ref()) {
                    Some(Origin::Source { cluster_id }) => o
                        .global
                        .writer()
                        .is_some_and(|w| &w.cluster_id == cluster_id),
                    _ => false,
                };
                let blank = self.desired.is_some_and(|d| is_blank(&o.global, d));
                if !may_adopt(
                    self.creating,
                    at_start,
                    created_global,
                    tag,
                    blank,
                    &self.target.id,
                    source_is_writer,
                ) {
                    // Read-after-write lag can hide the writer whose tags
                    // stand in for an untagged global cluster's: look again
                    // for a while before calling it someone else's.
                    let undecided_since = *owner_wait.get_or_insert_with(Instant::now);
                    if writer_not_visible_yet(o)
                        && undecided_since.elapsed() < OWNERSHIP_UNDECIDED_MAX
                    {
                        tracing::info!(
                            global_cluster = %self.target.id,
                            "the global cluster reports no tags and its writer cluster is not visible yet; observing again"
                        );
                        let left = self.deadline.saturating_duration_since(Instant::now());
                        tokio::time::sleep(settle.min(left)).await;
                        settle = settle.saturating_mul(2).min(self.target.poll.max);
                        continue;
                    }
                    let error = StepError::NotOurs {
                        id: self.target.id.clone(),
                        tag: OWNERSHIP_TAG_KEY,
                    };
                    return Err(self.fail(None, error, obs).await);
                }
            }
            // An adopted empty shell is this apply's from now on, as if it
            // had created it: its first member makes it non-blank before
            // that member's tags can stand in for the global cluster's.
            if self.creating
                && !created_global
                && obs
                    .as_ref()
                    .zip(self.desired)
                    .is_some_and(|(o, d)| is_blank(&o.global, d))
            {
                tracing::info!(
                    global_cluster = %self.target.id,
                    "adopting an empty, untagged global cluster with this topology's engine, version and encryption"
                );
                created_global = true;
            }
            if at_start == AtStart::Unknown {
                at_start = if obs.is_some() {
                    AtStart::Existed
                } else {
                    AtStart::Absent
                };
            }
            let next = next_phase(self.desired, obs.as_ref(), &self.ctx);
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
                        error: StepError::Blocked(why),
                        observed: obs,
                        observed_fresh: true,
                    });
                }
                Next::Phase(steps) => steps,
            };
            // A create grown from an existing cluster deletes none of its
            // instances: undeclared ones stop it (SPEC §8).
            if let (true, Some(d)) = (self.creating, self.desired) {
                let ids = deletes_from_source(d, &phase);
                if !ids.is_empty() {
                    let region = d.primary_region.clone();
                    let cluster_id = match &d.origin {
                        Some(Origin::Source { cluster_id }) => cluster_id.clone(),
                        _ => String::new(),
                    };
                    return Err(Failure {
                        step: None,
                        error: StepError::UndeclaredSourceInstances {
                            region,
                            cluster_id,
                            ids,
                        },
                        observed: obs,
                        observed_fresh: true,
                    });
                }
            }
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
                            error: StepError::KeptUndone,
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
                settle = settle.saturating_mul(2).min(self.target.poll.max);
            }
            created_global |= phase.iter().zip(&results).any(|(s, r)| {
                matches!(
                    s,
                    Step::CreateGlobal
                        | Step::CreateGlobalFromSource { .. }
                        | Step::RestorePrimary { .. }
                ) && r.is_ok()
            });
            // A create answered that the object exists although the
            // observation did not show it: read-after-write lag hid an
            // object sent before (by a create killed right after sending
            // it, say). Observe again until it shows, for a bounded time,
            // and let the usual rules decide; for the global cluster that
            // includes ownership, as for one found at start (it is not this
            // apply's).
            let exists: Vec<&Step> = phase
                .iter()
                .zip(&results)
                .filter(|(_, r)| r.as_ref().err().is_some_and(already_exists))
                .map(|(s, _)| s)
                .collect();
            if !exists.is_empty() {
                let since = *exists_wait.get_or_insert_with(Instant::now);
                if since.elapsed() < OWNERSHIP_UNDECIDED_MAX {
                    tracing::info!(
                        global_cluster = %self.target.id,
                        steps = %exists.iter().map(|s| s.describe()).collect::<Vec<_>>().join("; "),
                        "the object exists but is not visible yet; observing again"
                    );
                    if !created_global
                        && exists.iter().any(|s| {
                            matches!(s, Step::CreateGlobal | Step::CreateGlobalFromSource { .. })
                        })
                    {
                        at_start = AtStart::Existed;
                    }
                    previous = None;
                    let left = self.deadline.saturating_duration_since(Instant::now());
                    tokio::time::sleep(settle.min(left)).await;
                    settle = settle.saturating_mul(2).min(self.target.poll.max);
                    continue;
                }
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
                    let r = self
                        .bounded(self.rotate(&w.region, &w.cluster_id, password))
                        .await
                        .and_then(|r| r);
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

    /// Runs `fut` unless StopProvider arrives or the deadline passes first
    /// (both checked before it starts, too).
    async fn bounded<T>(&self, fut: impl Future<Output = T>) -> Result<T, StepError> {
        if self.stop.is_cancelled() {
            return Err(StepError::Cancelled);
        }
        if Instant::now() >= self.deadline {
            return Err(StepError::DeadlinePassed);
        }
        tokio::select! {
            r = tokio::time::timeout_at(self.deadline, fut) => r.map_err(|_| StepError::DeadlinePassed),
            () = self.stop.cancelled() => Err(StepError::Cancelled),
        }
    }

    /// An observation for a failure report. A member that the global
    /// cluster lists but DescribeDBClusters does not show yet (AWS's
    /// read-after-write lag right after its create) would be recorded from
    /// the planned state instead of what exists, so the observation is
    /// repeated while that is the case, for at most half the report grace.
    async fn observe_settled(&self) -> Result<Option<ObservedTopology>, crate::aws::AwsError> {
        let until = Instant::now() + REPORT_GRACE / 2;
        let mut pause = self.target.poll.initial;
        loop {
            let o = self.target.observe().await?;
            let lagging = o.as_ref().is_some_and(|o| {
                o.global.members.iter().any(|m| {
                    matches!(
                        o.regions.get(&m.region),
                        Some(crate::aws::RegionObservation::Reached { cluster: None, .. })
                    )
                })
            });
            if !lagging || Instant::now() >= until {
                return Ok(o);
            }
            tokio::time::sleep(pause).await;
            pause = pause.saturating_mul(2).min(self.target.poll.max);
        }
    }

    /// The failure report: `error`, with a fresh observation when one can
    /// be had within [`REPORT_GRACE`] (also after the deadline or a stop, so
    /// that the state records what exists), else the last one.
    pub(super) async fn fail(
        &self,
        step: Option<String>,
        error: StepError,
        last: Option<ObservedTopology>,
    ) -> Failure {
        let observed = tokio::time::timeout(REPORT_GRACE, self.observe_settled()).await;
        match observed {
            Ok(Ok(o)) => Failure {
                step,
                error,
                observed: o,
                observed_fresh: true,
            },
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not observe the topology after a failure");
                Failure {
                    step,
                    error,
                    observed: last,
                    observed_fresh: false,
                }
            }
            Err(_elapsed) => {
                tracing::warn!(
                    grace_s = REPORT_GRACE.as_secs(),
                    "no observation of the topology in time after a failure"
                );
                Failure {
                    step,
                    error,
                    observed: last,
                    observed_fresh: false,
                }
            }
        }
    }

    /// CreateGlobalCluster around the standalone cluster `source_arn` of
    /// `region` (sent there), then waits until the global cluster exists.
    async fn create_global_from(&self, region: &str, source_arn: &str) -> Result<(), StepError> {
        let d = self.desired()?;
        let t = self.target;
        aws::create_global_cluster(
            &t.clients,
            region,
            &NewGlobalCluster {
                id: d.id.clone(),
                engine: d.engine.clone(),
                deletion_protection: d.deletion_protection,
                tags: d.tags.clone(),
                source_cluster_arn: Some(source_arn.to_string()),
                ..Default::default()
            },
        )
        .await?;
        let mut fallback = vec![t.home_region.clone()];
        fallback.extend(t.fallback_regions.iter().filter(|r| *r != region).cloned());
        fallback.retain(|r| r != region);
        wait::wait_global_created(&t.clients, region, &fallback, &t.id, self.deadline, t.poll)
            .await
            .map(|_| ())
            .map_err(StepError::Wait)
    }

    async fn rotate(
        &self,
        region: &str,
        cluster_id: &str,
        password: &Secret,
    ) -> Result<(), StepError> {
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
        .await?;
        self.wait_cluster(region, cluster_id, |_| true).await
    }

    async fn run_step(
        &self,
        step: &Step,
        deletions: &Deletions,
        settle: &Duration,
        failed: &CancellationToken,
    ) -> Result<(), StepError> {
        let fut = Box::pin(self.step(step, deletions, *settle, failed));
        tokio::select! {
            r = fut => r,
            () = self.stop.cancelled() => Err(StepError::CancelledInStep),
        }
    }

    fn desired(&self) -> Result<&Desired, StepError> {
        self.desired.ok_or(StepError::NoDesiredState)
    }

    /// `max_data_loss`, checked again just before a failover to `to` is
    /// sent (lag moves between plan and apply): one CloudWatch read of the
    /// target's lag, refused as at plan time.
    async fn check_data_loss(&self, to: &str) -> Result<(), StepError> {
        let d = self.desired()?;
        let Some(max) = d.max_data_loss else {
            return Ok(());
        };
        let cluster = d
            .regions
            .get(to)
            .map(|r| r.cluster_id.clone())
            .ok_or_else(|| StepError::NotDesired(to.to_string()))?;
        let read = lag::read_cluster_lag(&self.target.clients, to, &cluster).await;
        lag::guard(Some(max), to, &read).map_err(StepError::DataLossBound)
    }

    /// Waits (in parallel) until everything `deletions` holds is gone.
    pub(super) async fn wait_deletions(&self, deletions: &Deletions) -> Result<(), StepError> {
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
            r.map_err(StepError::Wait)
        });
        let all = futures::future::try_join_all(waits);
        tokio::select! {
            r = all => r.map(|_| ()),
            () = self.stop.cancelled() => Err(StepError::CancelledInStep),
        }
    }

    async fn step(
        &self,
        step: &Step,
        deletions: &Deletions,
        settle: Duration,
        failed: &CancellationToken,
    ) -> Result<(), StepError> {
        let t = self.target;
        let c = &t.clients;
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
                        engine_lifecycle_support: d.engine_lifecycle_support.clone(),
                        source_cluster_arn: None,
                    },
                )
                .await?;
                wait::wait_global_created(
                    c,
                    &t.home_region,
                    &t.fallback_regions,
                    &t.id,
                    self.deadline,
                    t.poll,
                )
                .await
                .map(|_| ())
                .map_err(StepError::Wait)
            }
            Step::CreateGlobalFromSource { region, cluster_id } => {
                let source = aws::find_cluster(c, region, cluster_id)
                    .await?
                    .ok_or_else(|| StepError::SourceMissing {
                        region: region.clone(),
                        cluster_id: cluster_id.clone(),
                    })?;
                self.create_global_from(region, &source.arn).await
            }
            Step::RestorePrimary { region } => {
                let d = self.desired()?;
                let r = d
                    .regions
                    .get(region)
                    .ok_or_else(|| StepError::NotDesired(region.clone()))?;
                let Some(Origin::Snapshot { snapshot }) = &d.origin else {
                    return Err(StepError::NotDesired("a snapshot to restore".into()));
                };
                let restored = match aws::find_cluster(c, region, &r.cluster_id).await? {
                    // Restored by an earlier, interrupted run.
                    Some(found)
                        if found.tags.get(OWNERSHIP_TAG_KEY).map(String::as_str)
                            == Some(d.id.as_str()) =>
                    {
                        found
                    }
                    Some(_) => {
                        return Err(StepError::RestoredNotOurs {
                            region: region.clone(),
                            cluster_id: r.cluster_id.clone(),
                            tag: OWNERSHIP_TAG_KEY,
                        })
                    }
                    None => {
                        aws::restore_db_cluster_from_snapshot(
                            c,
                            region,
                            &RestoredCluster {
                                id: r.cluster_id.clone(),
                                snapshot: snapshot.clone(),
                                global_cluster_id: d.id.clone(),
                                engine: d.engine.clone(),
                                engine_version: d.engine_version.clone(),
                                database_name: d.database_name.clone(),
                                db_subnet_group_name: r.subnet_group.clone(),
                                vpc_security_group_ids: r
                                    .security_groups
                                    .clone()
                                    .unwrap_or_default(),
                                kms_key_id: r.kms_key_id.clone(),
                                parameter_group: r.parameter_group.clone(),
                                tags: d.tags.clone(),
                                settings: r.settings.clone(),
                            },
                        )
                        .await?
                    }
                };
                let ready =
                    wait::wait_cluster_created(c, region, &r.cluster_id, self.deadline, t.poll)
                        .await
                        .map_err(StepError::Wait)?;
                if ready.global_cluster_id.as_deref() == Some(d.id.as_str()) {
                    return Ok(());
                }
                let arn = if ready.arn.is_empty() {
                    restored.arn
                } else {
                    ready.arn
                };
                self.create_global_from(region, &arn).await
            }
            Step::CreatePrimaryCluster { region, instances }
            | Step::CreateSecondaryCluster { region, instances } => {
                let d = self.desired()?;
                let r = d
                    .regions
                    .get(region)
                    .ok_or_else(|| StepError::NotDesired(region.clone()))?;
                let role = if matches!(step, Step::CreatePrimaryCluster { .. }) {
                    let password = d
                        .master_password
                        .clone()
                        .ok_or(StepError::NoMasterPassword)?;
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
                        settings: r.settings.clone(),
                    },
                )
                .await?;
                // The instances go in while the cluster is still creating;
                // the step is done when all of them are available. RDS makes
                // the cluster available before its instances (and an
                // instance of a cluster that fails fails too), so the
                // cluster is looked at once they are: polling it alongside
                // would double the calls of the step for nothing. The
                // cluster wait tolerates read-after-write lag (a headless
                // region looks at it right after the create).
                futures::future::try_join_all(
                    instances
                        .iter()
                        .map(|key| self.create_instance(region, key)),
                )
                .await?;
                wait::wait_cluster_created(c, region, &r.cluster_id, self.deadline, t.poll)
                    .await
                    .map(|_| ())
                    .map_err(StepError::Wait)
            }
            Step::CreateInstance { region, key } => self.create_instance(region, key).await,
            Step::ModifyInstance {
                region,
                id,
                class,
                tier,
                settings,
            } => {
                aws::modify_db_instance(
                    c,
                    region,
                    &ModifyInstance {
                        id: id.clone(),
                        class: class.clone(),
                        promotion_tier: *tier,
                        settings: (**settings).clone(),
                        defer: !self.desired()?.apply_immediately,
                    },
                )
                .await?;
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
                settings,
                exports_before,
            } => {
                aws::modify_db_cluster(
                    c,
                    region,
                    &ModifyCluster {
                        id: id.clone(),
                        write_forwarding: *write_forwarding,
                        vpc_security_group_ids: security_groups.clone(),
                        parameter_group: parameter_group.clone(),
                        settings: (**settings).clone(),
                        before: aws::ClusterSettings {
                            enabled_cloudwatch_logs_exports: Some(exports_before.clone()),
                            ..Default::default()
                        },
                        defer: !self.desired()?.apply_immediately,
                        ..Default::default()
                    },
                )
                .await?;
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
                .await?;
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
                .await?;
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
                .await?;
                let en = *enabled;
                self.wait_global(move |g| g.deletion_protection == Some(en))
                    .await
            }
            Step::DeleteInstance { region, id } => {
                match aws::delete_db_instance(c, region, id).await {
                    Ok(()) => {}
                    Err(err) if err.is_not_found() => return Ok(()),
                    Err(err) => return Err(err.into()),
                }
                wait::wait_instance_deleted(c, region, id, self.deadline, t.poll)
                    .await
                    .map_err(StepError::Wait)
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
                    () = failed.cancelled() => return Err(StepError::SiblingFailed),
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
                // Members that left may still be listed for a while (AWS:
                // "is not empty"): retried under the deadline.
                let mut pause = t.poll.initial;
                loop {
                    match aws::delete_global_cluster(c, &t.home_region, &t.id).await {
                        Ok(()) => break,
                        Err(err) if err.is_not_found() => return Ok(()),
                        Err(err)
                            if err.kind == ErrorKind::InvalidState
                                && Instant::now() + pause < self.deadline =>
                        {
                            tracing::info!(
                                global_cluster = %t.id,
                                error = %err,
                                "the global cluster still lists members that left; trying again"
                            );
                            tokio::time::sleep(pause).await;
                            pause = pause.saturating_mul(2).min(t.poll.max);
                        }
                        Err(err) => return Err(err.into()),
                    }
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
                .map_err(StepError::Wait)
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
                    self.check_data_loss(to).await?;
                    aws::failover_global_cluster(c, to, &t.id, target_arn).await?;
                } else {
                    aws::switchover_global_cluster(c, from, &t.id, target_arn).await?;
                }
                // Ask the target region first: the old primary's may be the one that is down.
                let mut fallback = vec![to.clone()];
                fallback.extend(t.fallback_regions.iter().filter(|r| *r != to).cloned());
                // Settled (available, no FailoverState) with the target as
                // writer: nothing is left to wait for.
                wait::wait_writer(c, to, &fallback, &t.id, target_arn, self.deadline, t.poll)
                    .await
                    .map(|_| ())
                    .map_err(StepError::Wait)
            }
            Step::Retag {
                region,
                arn,
                add,
                remove,
            } => {
                aws::add_tags(c, region, arn, add)
                    .await
                    .map_err(StepError::Aws)?;
                aws::remove_tags(c, region, arn, remove)
                    .await
                    .map_err(StepError::Aws)
            }
        }
    }

    /// CreateDBInstance of the desired instance `key` in `region`, then waits
    /// until it is available.
    async fn create_instance(&self, region: &str, key: &str) -> Result<(), StepError> {
        let d = self.desired()?;
        let r = d
            .regions
            .get(region)
            .ok_or_else(|| StepError::NotDesired(region.to_string()))?;
        let i = r
            .instances
            .get(key)
            .ok_or_else(|| StepError::NotDesired(format!("instance {key}")))?;
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
                availability_zone: i.availability_zone.clone(),
                settings: i.settings.clone(),
            },
        )
        .await
        .map_err(|source| StepError::CreateInstance {
            key: key.to_string(),
            source,
        })?;
        let t = self.target;
        wait::wait_instance_created(&t.clients, region, &i.id, self.deadline, t.poll)
            .await
            .map(|_| ())
            .map_err(StepError::Wait)
    }

    /// DeleteDBInstance of each (in parallel); the deletions are waited for
    /// at the end of the apply.
    pub(super) async fn delete_instances(
        &self,
        region: &str,
        ids: &[String],
        deletions: &Deletions,
    ) -> Result<(), StepError> {
        let c = &self.target.clients;
        let sends = ids.iter().map(|id| async move {
            match aws::delete_db_instance(c, region, id).await {
                Ok(()) => {
                    deletions.push(region, Gone::Instance(id.clone()));
                    Ok(())
                }
                Err(err) if err.is_not_found() => Ok(()),
                Err(err) => Err(StepError::Aws(err)),
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
    ) -> Result<(), StepError> {
        let t = self.target;
        let c = &t.clients;
        match aws::remove_from_global_cluster(c, region, &t.id, cluster_arn).await {
            Ok(()) => {}
            Err(err) if err.is_not_found() => {}
            // Refused because an earlier call (an interrupted apply) already
            // started the removal: AWS detaches asynchronously.
            Err(err)
                if err.kind == ErrorKind::InvalidState
                    && self.leaving(region, cluster_id).await => {}
            Err(err) => return Err(err.into()),
        }
        // AWS answers RemoveFromGlobalCluster at once but keeps the cluster
        // a member (a secondary `promoting`) for minutes.
        tracing::info!(
            region = %region,
            cluster = %cluster_id,
            global_cluster = %t.id,
            "waiting for the cluster to leave the global cluster (detachment and promotion)"
        );
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

    /// Whether the cluster is on its way out of a global cluster (promoting).
    async fn leaving(&self, region: &str, cluster_id: &str) -> bool {
        matches!(
            aws::find_cluster(&self.target.clients, region, cluster_id).await,
            Ok(Some(c)) if c.status == "promoting"
        )
    }

    /// DeleteDBCluster; false when the cluster was already gone.
    pub(super) async fn delete_cluster(
        &self,
        region: &str,
        cluster_id: &str,
        fs: &FinalSnapshot,
    ) -> Result<bool, StepError> {
        match aws::delete_db_cluster(&self.target.clients, region, cluster_id, fs).await {
            Ok(()) => Ok(true),
            Err(err) if err.is_not_found() => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Waits until the cluster is `available` and `done` holds.
    pub(super) async fn wait_cluster(
        &self,
        region: &str,
        id: &str,
        done: impl Fn(&aws::ObservedCluster) -> bool + Sync,
    ) -> Result<(), StepError> {
        let t = self.target;
        wait::wait_cluster_settled(&t.clients, region, id, self.deadline, t.poll, done)
            .await
            .map(|_| ())
            .map_err(StepError::Wait)
    }

    /// Waits until the instance is `available` and `done` holds.
    async fn wait_instance(
        &self,
        region: &str,
        id: &str,
        done: impl Fn(&aws::ObservedInstance) -> bool + Sync,
    ) -> Result<(), StepError> {
        let t = self.target;
        wait::wait_instance_settled(&t.clients, region, id, self.deadline, t.poll, done)
            .await
            .map(|_| ())
            .map_err(StepError::Wait)
    }

    /// Waits until the global cluster is settled and `done` holds.
    async fn wait_global(
        &self,
        done: impl Fn(&aws::ObservedGlobal) -> bool + Sync,
    ) -> Result<(), StepError> {
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
        .map_err(StepError::Wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::AwsError;

    fn aws(code: &str) -> AwsError {
        AwsError {
            kind: ErrorKind::from_code(code),
            code: Some(code.into()),
            message: "m".into(),
            operation: "CreateDBInstance",
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn only_already_exists_answers_count_as_hidden_by_lag() {
        for code in [
            "GlobalClusterAlreadyExistsFault",
            "DBClusterAlreadyExistsFault",
            "DBInstanceAlreadyExists",
        ] {
            assert!(already_exists(&StepError::Aws(aws(code))), "{code}");
            assert!(already_exists(&StepError::CreateInstance {
                key: "a".into(),
                source: aws(code),
            }));
        }
        for code in ["InvalidParameterValue", "InvalidDBClusterStateFault"] {
            assert!(!already_exists(&StepError::Aws(aws(code))), "{code}");
        }
        assert!(!already_exists(&StepError::SiblingFailed));
    }
}
