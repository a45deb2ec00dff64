//! Waiters: poll an object until its status reaches a target set, under the
//! one deadline of the apply.
//!
//! [`wait_until`] is the one waiter: a finder for a [`Watched`] object
//! (cluster, instance, global cluster) and what ends the wait ([`Until`]: a
//! status set, settled with a condition, or gone); the `wait_*` functions
//! are its uses for each object. [`wait_for`] is the polling loop under it
//! (and under [`wait_writer`]). Rules shared by all of them:
//!
//! * The deadline is passed in (one per apply); each sleep is
//!   `min(interval, remaining)`, and a poll still in flight at the deadline
//!   is abandoned, so a wait never runs past the deadline.
//! * The poll interval starts at [`PollInterval::initial`] and grows by half
//!   each poll up to [`PollInterval::max`].
//! * A status in `target` ends the wait; a status in `pending` continues it;
//!   any other status fails with [`WaitError::UnexpectedStatus`]. An empty
//!   `pending` set means "any status is pending" (used by deletion waits).
//! * An object that disappears fails with [`WaitError::Gone`], unless the
//!   wait is for its disappearance (`target` empty).
//! * A poll that ends `Throttled` is skipped (the next poll tries again);
//!   any other AWS error, including `Unreachable`, ends the wait.
//! * Each status change is logged at INFO with the region, object and status,
//!   and again every [`PROGRESS_EVERY`] while it does not change.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use super::config::Clients;
use super::error::{AwsError, ErrorKind};
use super::find::find_global_cluster;
use super::model::{ObservedCluster, ObservedGlobal, ObservedInstance};
use super::poll::Kind;

/// Transitional cluster statuses (AWS `DBCluster.Status` values that resolve
/// by themselves).
pub const CLUSTER_PENDING: &[&str] = &[
    "creating",
    "backing-up",
    "modifying",
    "renaming",
    "resetting-master-credentials",
    "upgrading",
    "maintenance",
    "migrating",
    "preparing-data-migration",
    "promoting",
    "rebooting",
    "starting",
    "storage-optimization",
    "update-iam-db-auth",
    "configuring-iam-database-auth",
    "configuring-log-exports",
    "configuring-activity-stream",
    "switching-over",
    "failing-over",
];

/// Transitional instance statuses.
pub const INSTANCE_PENDING: &[&str] = &[
    "creating",
    "backing-up",
    "modifying",
    "renaming",
    "rebooting",
    "resetting-master-credentials",
    "upgrading",
    "maintenance",
    "starting",
    "storage-optimization",
    "configuring-enhanced-monitoring",
    "configuring-iam-database-auth",
    "configuring-log-exports",
    "converting-to-vpc",
    "moving-to-vpc",
];

/// Transitional global cluster statuses, including the synthetic
/// `failover-<status>` the global waiters report while a `FailoverState` is
/// present, and `awaiting-writer`, reported by [`wait_writer`] while the
/// global cluster is settled but the expected writer does not show yet.
pub const GLOBAL_PENDING: &[&str] = &[
    "creating",
    "modifying",
    "upgrading",
    "switching-over",
    "failing-over",
    "awaiting-writer",
    "failover-pending",
    "failover-failing-over",
    "failover-switching-over",
    "failover-cancelling",
];

/// While a status does not change, progress is logged again this often.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(60);

/// The usual target.
pub const AVAILABLE: &[&str] = &["available"];

/// Poll interval policy: starts at `initial`, grows ×1.5 per poll, capped at
/// `max`. Use small values against the emulator (e.g. 200 ms .. 2 s) and
/// larger ones against AWS (e.g. 5 s .. 30 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollInterval {
    pub initial: Duration,
    pub max: Duration,
}

impl PollInterval {
    /// Intervals for real AWS, whose transitions take minutes.
    pub const AWS: PollInterval = PollInterval {
        initial: Duration::from_secs(5),
        max: Duration::from_secs(30),
    };

    /// Intervals for fast backends such as the emulator.
    pub const FAST: PollInterval = PollInterval {
        initial: Duration::from_millis(200),
        max: Duration::from_secs(2),
    };

    fn next(&self, current: Duration) -> Duration {
        current
            .saturating_add(current / 2)
            .min(self.max)
            .max(self.initial)
    }
}

impl Default for PollInterval {
    fn default() -> Self {
        PollInterval::AWS
    }
}

/// Why a wait ended without reaching its target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaitError {
    /// The deadline passed; `last_status` is the last status seen (`None`
    /// when nothing was observed yet).
    #[error("timed out waiting for {what} in {region} (last status: {})", .last_status.as_deref().unwrap_or("unknown"))]
    Timeout {
        what: String,
        region: String,
        last_status: Option<String>,
    },
    /// The object disappeared while waiting for a status.
    #[error("{what} in {region} no longer exists")]
    Gone { what: String, region: String },
    /// The object reached a status outside the pending and target sets.
    #[error("{what} in {region} reached unexpected status {status:?}")]
    UnexpectedStatus {
        what: String,
        region: String,
        status: String,
    },
    /// Polling failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// Polls `refresh` until the status it reports is in `target` (or, with an
/// empty `target`, until the object is gone). `refresh` returns the object
/// and its status, or `None` when the object does not exist. Returns the
/// object in its target status (`None` for a completed disappearance wait).
pub async fn wait_for<T, F, Fut>(
    what: &str,
    region: &str,
    deadline: Instant,
    poll: PollInterval,
    mut refresh: F,
    pending: &[&str],
    target: &[&str],
) -> Result<Option<T>, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<(T, String)>, AwsError>>,
{
    let refresh = |due| at(due, refresh());
    wait_due(what, region, deadline, poll, refresh, pending, target).await
}

/// `read` once `due` has come: a poll of its own, at its own time.
async fn at<F: Future>(due: Instant, read: F) -> F::Output {
    tokio::time::sleep_until(due).await;
    read.await
}

/// [`wait_for`] for reads that may come early: `refresh(due)` answers no
/// later than `due` (at `due` when it polls alone, earlier when it shares a
/// call with other waits, see [`super::poll`]); the next poll is due one
/// interval after the answer.
async fn wait_due<T, F, Fut>(
    what: &str,
    region: &str,
    deadline: Instant,
    poll: PollInterval,
    mut refresh: F,
    pending: &[&str],
    target: &[&str],
) -> Result<Option<T>, WaitError>
where
    F: FnMut(Instant) -> Fut,
    Fut: Future<Output = Result<Option<(T, String)>, AwsError>>,
{
    let mut interval = poll.initial;
    let mut due = Instant::now();
    let mut last_status: Option<String> = None;
    let started = Instant::now();
    let mut last_report = started;
    loop {
        let polled = match tokio::time::timeout_at(deadline, refresh(due)).await {
            Ok(polled) => polled,
            Err(_elapsed) => {
                return Err(WaitError::Timeout {
                    what: what.to_string(),
                    region: region.to_string(),
                    last_status,
                })
            }
        };
        match polled {
            Ok(Some((object, status))) => {
                let changed = last_status.as_deref() != Some(status.as_str());
                if changed || last_report.elapsed() >= PROGRESS_EVERY {
                    tracing::info!(
                        region,
                        object = what,
                        status = %status,
                        elapsed_s = started.elapsed().as_secs(),
                        "{}",
                        if changed { "status" } else { "still waiting" }
                    );
                    last_status = Some(status.clone());
                    last_report = Instant::now();
                }
                if target.contains(&status.as_str()) {
                    return Ok(Some(object));
                }
                if !pending.is_empty() && !pending.contains(&status.as_str()) {
                    return Err(WaitError::UnexpectedStatus {
                        what: what.to_string(),
                        region: region.to_string(),
                        status,
                    });
                }
            }
            Ok(None) => {
                if target.is_empty() {
                    tracing::info!(
                        region,
                        object = what,
                        elapsed_s = started.elapsed().as_secs(),
                        "gone"
                    );
                    return Ok(None);
                }
                return Err(WaitError::Gone {
                    what: what.to_string(),
                    region: region.to_string(),
                });
            }
            Err(e) if e.kind == ErrorKind::Throttled => {
                tracing::debug!(region, object = what, error = %e, "poll throttled; trying again");
            }
            Err(e) => return Err(WaitError::Aws(e)),
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::Timeout {
                what: what.to_string(),
                region: region.to_string(),
                last_status,
            });
        }
        due = now.checked_add(interval).unwrap_or(deadline).min(deadline);
        interval = poll.next(interval);
    }
}

/// An object a wait polls: its transitional statuses and the status a
/// wait reads from it.
pub trait Watched {
    /// Statuses that resolve by themselves.
    const PENDING: &'static [&'static str];
    /// The status a wait compares with its sets.
    fn wait_status(&self) -> String;
}

impl Watched for ObservedCluster {
    const PENDING: &'static [&'static str] = CLUSTER_PENDING;
    fn wait_status(&self) -> String {
        self.status.clone()
    }
}

impl Watched for ObservedInstance {
    const PENDING: &'static [&'static str] = INSTANCE_PENDING;
    fn wait_status(&self) -> String {
        self.status.clone()
    }
}

impl Watched for ObservedGlobal {
    const PENDING: &'static [&'static str] = GLOBAL_PENDING;
    /// Its `Status`, or `failover-<FailoverState.Status>` while a failover
    /// state is present (an `available` global cluster with a failover
    /// state is not done).
    fn wait_status(&self) -> String {
        match &self.failover_state {
            Some(f) => format!("failover-{}", f.status.as_deref().unwrap_or("pending")),
            None => self.status.clone(),
        }
    }
}

fn global_wait_status(g: &ObservedGlobal) -> String {
    g.wait_status()
}

/// The condition of [`Until::Settled`].
pub type Done<'a, T> = &'a (dyn Fn(&T) -> bool + Sync);

/// What ends a wait.
pub enum Until<'a, T> {
    /// A status in `target`; a status in `pending` continues the wait.
    Status {
        pending: &'a [&'a str],
        target: &'a [&'a str],
    },
    /// `available` and `done` holds (e.g. the new engine version shows),
    /// for changes whose status may still read `available` right after the
    /// call; the object's pending statuses and [`SETTLING`] continue it.
    Settled(Done<'a, T>),
    /// The object no longer exists (any status continues the wait).
    Gone,
    /// Like [`Until::Settled`], for an object whose create AWS just
    /// accepted: until it is first seen, not finding it counts as the
    /// pending pseudo-status [`NOT_YET_VISIBLE`] (AWS's reads are eventually
    /// consistent), for at most [`VISIBILITY_GRACE`].
    Created(Done<'a, T>),
}

/// Pseudo-status of an object whose create was accepted but that Describe
/// does not show yet (see [`Until::Created`]).
pub const NOT_YET_VISIBLE: &str = "not-yet-visible";

/// How long a just-created object may stay invisible to Describe calls
/// before the wait reports it gone. AWS's read-after-write lag is usually
/// seconds; this bounds a create that was accepted and then vanished.
pub const VISIBILITY_GRACE: Duration = Duration::from_secs(300);

/// The one generic waiter: polls `find` (the object or `None` when it does
/// not exist) under the rules of [`wait_for`] until `until` holds. `find(due)`
/// answers no later than `due`: the waits below read through the shared
/// pollers ([`super::poll`]). Returns the object (`None` for a completed [`Until::Gone`]).
pub async fn wait_until<T, F, Fut>(
    what: &str,
    region: &str,
    deadline: Instant,
    poll: PollInterval,
    mut find: F,
    until: Until<'_, T>,
) -> Result<Option<T>, WaitError>
where
    T: Watched,
    F: FnMut(Instant) -> Fut,
    Fut: Future<Output = Result<Option<T>, AwsError>>,
{
    let settling: Vec<&str>;
    let created = matches!(until, Until::Created(_));
    let (pending, target, done): (&[&str], &[&str], Option<Done<'_, T>>) = match until {
        Until::Status { pending, target } => (pending, target, None),
        Until::Settled(done) | Until::Created(done) => {
            settling = T::PENDING
                .iter()
                .copied()
                .chain([SETTLING, NOT_YET_VISIBLE])
                .collect();
            (&settling, AVAILABLE, Some(done))
        }
        Until::Gone => (&[], &[], None),
    };
    // Until the object is first seen (only for `Created`): its absence is
    // read-after-write lag, within the grace.
    let invisible_until = created.then(|| Instant::now() + VISIBILITY_GRACE);
    let seen = std::sync::atomic::AtomicBool::new(false);
    let refresh = |due| {
        let found = find(due);
        let seen = &seen;
        async move {
            let found = found.await?;
            if found.is_some() {
                seen.store(true, Ordering::Relaxed);
            }
            Ok(match found {
                Some(o) => {
                    let status = o.wait_status();
                    let status = match done {
                        Some(done) if status == "available" && !done(&o) => SETTLING.to_string(),
                        _ => status,
                    };
                    Some((Some(o), status))
                }
                None if !seen.load(Ordering::Relaxed)
                    && invisible_until.is_some_and(|t| Instant::now() < t) =>
                {
                    Some((None, NOT_YET_VISIBLE.to_string()))
                }
                None => None,
            })
        }
    };
    Ok(
        wait_due(what, region, deadline, poll, refresh, pending, target)
            .await?
            .flatten(),
    )
}

/// The object of a wait for a status or settling, which must exist.
fn present<T>(found: Option<T>, what: &str, region: &str) -> Result<T, WaitError> {
    found.ok_or_else(|| WaitError::Gone {
        what: what.to_string(),
        region: region.to_string(),
    })
}

/// Where a wait reads its object: the region asked and, for global
/// clusters, the regions asked when that one does not answer.
#[derive(Clone, Copy)]
struct Place<'a> {
    clients: &'a Clients,
    region: &'a str,
    fallbacks: &'a [String],
}

impl<'a> Place<'a> {
    fn regional(clients: &'a Clients, region: &'a str) -> Self {
        Place {
            clients,
            region,
            fallbacks: &[],
        }
    }
}

/// An object a wait reads through the shared pollers ([`super::poll`]).
trait Read: Watched + Kind {
    /// What the object is called in messages.
    const NOUN: &'static str;
    /// The object `id`, read no later than `due`.
    fn read<'a>(
        place: Place<'a>,
        id: &'a str,
        due: Instant,
    ) -> impl Future<Output = Result<Option<Self>, AwsError>> + 'a {
        let clients = place.clients;
        clients.polls().read(clients, place.region, id, due)
    }
}

impl Read for ObservedCluster {
    const NOUN: &'static str = "cluster";
}

impl Read for ObservedInstance {
    const NOUN: &'static str = "instance";
}

impl Read for ObservedGlobal {
    const NOUN: &'static str = "global cluster";
    /// Through the home region's shared poller; when the home region does
    /// not answer (or recently did not), with [`find_global_cluster`], which
    /// falls back to the other regions.
    fn read<'a>(
        place: Place<'a>,
        id: &'a str,
        due: Instant,
    ) -> impl Future<Output = Result<Option<Self>, AwsError>> + 'a {
        let Place {
            clients,
            region,
            fallbacks,
        } = place;
        let others = fallbacks.iter().any(|r| r != region);
        async move {
            if others && clients.recently_unreachable(region) {
                return at(due, find_global_cluster(clients, region, fallbacks, id)).await;
            }
            match clients.polls().read(clients, region, id, due).await {
                Err(e) if others && e.is_unreachable() => {
                    find_global_cluster(clients, region, fallbacks, id).await
                }
                answer => answer,
            }
        }
    }
}

/// [`wait_until`] for object `id` read at `place`.
async fn wait_object<T: Read>(
    place: Place<'_>,
    id: &str,
    deadline: Instant,
    poll: PollInterval,
    until: Until<'_, T>,
) -> Result<Option<T>, WaitError> {
    let what = format!("{} {id}", T::NOUN);
    let find = |due| T::read(place, id, due);
    wait_until(&what, place.region, deadline, poll, find, until).await
}

/// [`wait_object`] for a wait that ends with the object present.
async fn wait_present<T: Read>(
    place: Place<'_>,
    id: &str,
    deadline: Instant,
    poll: PollInterval,
    until: Until<'_, T>,
) -> Result<T, WaitError> {
    let found = wait_object(place, id, deadline, poll, until).await?;
    present(found, &format!("{} {id}", T::NOUN), place.region)
}

/// Waits until the global cluster is `available` with no `FailoverState`.
/// Reads through `home_region`, falling back to `fallback_regions` when it is
/// unreachable.
pub async fn wait_global_available(
    clients: &Clients,
    home_region: &str,
    fallback_regions: &[String],
    id: &str,
    deadline: Instant,
    poll: PollInterval,
) -> Result<ObservedGlobal, WaitError> {
    let place = Place {
        clients,
        region: home_region,
        fallbacks: fallback_regions,
    };
    let until = Until::Status {
        pending: GLOBAL_PENDING,
        target: AVAILABLE,
    };
    wait_present(place, id, deadline, poll, until).await
}

/// Polls without a writer change before [`wait_writer`] gives up on a global
/// cluster that is settled with another writer.
pub const WRONG_WRITER_POLLS: u32 = 20;

/// Waits until a switchover or failover has completed: the global cluster is
/// `available`, has no `FailoverState`, and `expected_writer_arn` is the
/// writer. A settled global cluster with another writer is given
/// [`WRONG_WRITER_POLLS`] polls (AWS may not yet show the operation) before
/// the wait fails with status `settled-with-other-writer`.
pub async fn wait_writer(
    clients: &Clients,
    home_region: &str,
    fallback_regions: &[String],
    id: &str,
    expected_writer_arn: &str,
    deadline: Instant,
    poll: PollInterval,
) -> Result<ObservedGlobal, WaitError> {
    let what = format!("global cluster {id} writer");
    let place = Place {
        clients,
        region: home_region,
        fallbacks: fallback_regions,
    };
    let wrong_writer_polls = AtomicU32::new(0);
    let found = wait_due(
        &what,
        home_region,
        deadline,
        poll,
        |due| {
            let wrong_writer_polls = &wrong_writer_polls;
            async move {
                let Some(g) = ObservedGlobal::read(place, id, due).await? else {
                    return Ok(None);
                };
                let status = if !g.is_settled() {
                    wrong_writer_polls.store(0, Ordering::Relaxed);
                    global_wait_status(&g)
                } else if g.writer().map(|w| w.cluster_arn.as_str()) == Some(expected_writer_arn) {
                    "writer-switched".to_string()
                } else if wrong_writer_polls.fetch_add(1, Ordering::Relaxed) + 1
                    > WRONG_WRITER_POLLS
                {
                    "settled-with-other-writer".to_string()
                } else {
                    "awaiting-writer".to_string()
                };
                Ok(Some((g, status)))
            }
        },
        GLOBAL_PENDING,
        &["writer-switched"],
    )
    .await?;
    present(found, &what, home_region)
}

/// The waits on an object of one region (cluster, instance): `$noun` in
/// the docs, the functions' names, and the observed type.
macro_rules! regional_waits {
    ($noun:literal, $object:ty, $status:ident, $deleted:ident, $settled:ident, $created:ident) => {
        #[doc = concat!("Waits until ", $noun, " `id` reaches a status in `target`.")]
        pub async fn $status(
            clients: &Clients,
            region: &str,
            id: &str,
            deadline: Instant,
            poll: PollInterval,
            pending: &[&str],
            target: &[&str],
        ) -> Result<$object, WaitError> {
            let until = Until::Status { pending, target };
            wait_present(Place::regional(clients, region), id, deadline, poll, until).await
        }

        #[doc = concat!("Waits until ", $noun, " `id` no longer exists (any status counts as pending).")]
        pub async fn $deleted(
            clients: &Clients,
            region: &str,
            id: &str,
            deadline: Instant,
            poll: PollInterval,
        ) -> Result<(), WaitError> {
            let place = Place::regional(clients, region);
            wait_object::<$object>(place, id, deadline, poll, Until::Gone).await?;
            Ok(())
        }

        #[doc = concat!("Waits until ", $noun, " `id` is `available` and `done` holds (e.g. a new")]
        /// setting shows).
        pub async fn $settled(
            clients: &Clients,
            region: &str,
            id: &str,
            deadline: Instant,
            poll: PollInterval,
            done: impl Fn(&$object) -> bool + Sync,
        ) -> Result<$object, WaitError> {
            let until = Until::Settled(&done);
            wait_present(Place::regional(clients, region), id, deadline, poll, until).await
        }

        #[doc = concat!("Waits until the just-created ", $noun, " `id` is `available`; until it")]
        /// is first seen, its absence is read-after-write lag (see
        /// [`Until::Created`]).
        pub async fn $created(
            clients: &Clients,
            region: &str,
            id: &str,
            deadline: Instant,
            poll: PollInterval,
        ) -> Result<$object, WaitError> {
            let until = Until::Created(&|_| true);
            wait_present(Place::regional(clients, region), id, deadline, poll, until).await
        }
    };
}

regional_waits!(
    "cluster",
    ObservedCluster,
    wait_cluster_status,
    wait_cluster_deleted,
    wait_cluster_settled,
    wait_cluster_created
);
regional_waits!(
    "instance",
    ObservedInstance,
    wait_instance_status,
    wait_instance_deleted,
    wait_instance_settled,
    wait_instance_created
);

/// Waits until the global cluster `id` no longer exists (any status counts
/// as pending). Reads through `home_region`, falling back to
/// `fallback_regions` when it is unreachable.
pub async fn wait_global_deleted(
    clients: &Clients,
    home_region: &str,
    fallback_regions: &[String],
    id: &str,
    deadline: Instant,
    poll: PollInterval,
) -> Result<(), WaitError> {
    let place = Place {
        clients,
        region: home_region,
        fallbacks: fallback_regions,
    };
    wait_object::<ObservedGlobal>(place, id, deadline, poll, Until::Gone).await?;
    Ok(())
}

/// Pseudo-status of an object that is `available` but does not yet show the
/// change being waited for (see [`Until::Settled`]).
pub const SETTLING: &str = "settling";

/// Waits until the global cluster is `available` with no `FailoverState`
/// and `done` holds (e.g. a member was added or removed, the engine version
/// or deletion protection shows).
pub async fn wait_global_settled(
    clients: &Clients,
    home_region: &str,
    fallback_regions: &[String],
    id: &str,
    deadline: Instant,
    poll: PollInterval,
    done: impl Fn(&ObservedGlobal) -> bool + Sync,
) -> Result<ObservedGlobal, WaitError> {
    let place = Place {
        clients,
        region: home_region,
        fallbacks: fallback_regions,
    };
    wait_present(place, id, deadline, poll, Until::Settled(&done)).await
}

/// Waits until the just-created global cluster `id` is `available` with no
/// `FailoverState` (see [`Until::Created`]).
pub async fn wait_global_created(
    clients: &Clients,
    home_region: &str,
    fallback_regions: &[String],
    id: &str,
    deadline: Instant,
    poll: PollInterval,
) -> Result<ObservedGlobal, WaitError> {
    let place = Place {
        clients,
        region: home_region,
        fallbacks: fallback_regions,
    };
    wait_present(place, id, deadline, poll, Until::Created(&|_| true)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn script(
        statuses: &'static [Option<&'static str>],
    ) -> (AtomicUsize, &'static [Option<&'static str>]) {
        (AtomicUsize::new(0), statuses)
    }

    async fn run(
        statuses: &'static [Option<&'static str>],
        pending: &[&str],
        target: &[&str],
        deadline_after: Duration,
    ) -> (Result<Option<&'static str>, WaitError>, usize) {
        let (calls, statuses) = script(statuses);
        let poll = PollInterval {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(4),
        };
        let result = wait_for(
            "cluster c",
            "us-east-1",
            Instant::now() + deadline_after,
            poll,
            || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                let s = statuses[n.min(statuses.len() - 1)];
                async move { Ok(s.map(|s| (s, s.to_string()))) }
            },
            pending,
            target,
        )
        .await;
        (result, calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn reaches_target_through_pending() {
        let (r, calls) = run(
            &[
                Some("creating"),
                Some("creating"),
                Some("backing-up"),
                Some("available"),
            ],
            CLUSTER_PENDING,
            AVAILABLE,
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(r.unwrap(), Some("available"));
        assert_eq!(calls, 4);
    }

    #[tokio::test]
    async fn unexpected_status_fails() {
        let (r, _) = run(
            &[
                Some("creating"),
                Some("inaccessible-encryption-credentials"),
            ],
            CLUSTER_PENDING,
            AVAILABLE,
            Duration::from_secs(5),
        )
        .await;
        assert!(
            matches!(r, Err(WaitError::UnexpectedStatus { status, .. }) if status == "inaccessible-encryption-credentials")
        );
    }

    /// Runs [`wait_until`] over clusters with the scripted statuses.
    async fn run_until(
        statuses: &'static [Option<&'static str>],
        created: bool,
    ) -> (Result<Option<ObservedCluster>, WaitError>, usize) {
        let calls = AtomicUsize::new(0);
        let poll = PollInterval {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(4),
        };
        let find = |_due| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let s = statuses[n.min(statuses.len() - 1)];
            async move {
                Ok(s.map(|s| ObservedCluster {
                    status: s.to_string(),
                    ..Default::default()
                }))
            }
        };
        let done = |_: &ObservedCluster| true;
        let until = if created {
            Until::Created(&done)
        } else {
            Until::Settled(&done)
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let r = wait_until("cluster c", "us-east-1", deadline, poll, find, until).await;
        (r, calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn a_just_created_object_may_be_invisible_until_first_seen() {
        // Read-after-write lag: not found, then creating, then available.
        let lagging: &[Option<&str>] = &[None, None, Some("creating"), Some("available")];
        let (r, calls) = run_until(lagging, true).await;
        assert_eq!(r.unwrap().map(|c| c.status).as_deref(), Some("available"));
        assert_eq!(calls, 4);
        // Without the create allowance the same lag is a vanished object.
        let (r, calls) = run_until(lagging, false).await;
        assert!(matches!(r, Err(WaitError::Gone { .. })), "{r:?}");
        assert_eq!(calls, 1);
        // Once seen, disappearing is gone even for a create.
        let vanished: &[Option<&str>] = &[None, Some("creating"), None];
        let (r, calls) = run_until(vanished, true).await;
        assert!(matches!(r, Err(WaitError::Gone { .. })), "{r:?}");
        assert_eq!(calls, 3);
    }

    #[tokio::test]
    async fn disappearance_is_gone_or_done() {
        let (r, _) = run(
            &[Some("creating"), None],
            CLUSTER_PENDING,
            AVAILABLE,
            Duration::from_secs(5),
        )
        .await;
        assert!(matches!(r, Err(WaitError::Gone { .. })));
        let (r, calls) = run(
            &[Some("deleting"), Some("whatever"), None],
            &[],
            &[],
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(r.unwrap(), None);
        assert_eq!(calls, 3);
    }

    #[tokio::test]
    async fn deadline_is_respected() {
        let started = Instant::now();
        let (r, _) = run(
            &[Some("creating")],
            CLUSTER_PENDING,
            AVAILABLE,
            Duration::from_millis(50),
        )
        .await;
        assert!(
            matches!(r, Err(WaitError::Timeout { last_status: Some(ref s), .. }) if s == "creating")
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn poll_interval_growth_saturates() {
        let p = PollInterval {
            initial: Duration::from_secs(1),
            max: Duration::MAX,
        };
        assert_eq!(p.next(Duration::MAX), Duration::MAX);
    }

    #[test]
    fn poll_interval_grows_and_is_bounded() {
        let p = PollInterval {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(2),
        };
        let mut i = p.initial;
        let mut seen = vec![i];
        for _ in 0..6 {
            i = p.next(i);
            seen.push(i);
        }
        assert_eq!(seen[1], Duration::from_millis(750));
        assert!(seen.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*seen.last().unwrap(), Duration::from_secs(2));
    }

    #[test]
    fn failover_state_keeps_global_pending() {
        let mut g = ObservedGlobal {
            status: "available".into(),
            ..ObservedGlobal::default()
        };
        assert_eq!(global_wait_status(&g), "available");
        g.failover_state = Some(super::super::model::FailoverState {
            status: Some("failing-over".into()),
            ..Default::default()
        });
        let s = global_wait_status(&g);
        assert_eq!(s, "failover-failing-over");
        assert!(GLOBAL_PENDING.contains(&s.as_str()));
    }
}
