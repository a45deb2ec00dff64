//! Shared polling: the waits and reads of one provider configuration that
//! watch objects of the same kind in the same region share one Describe call
//! per tick instead of each polling on its own.
//!
//! A wait asks for the object "no later than" its next poll time
//! ([`Pollers::read`]). Per
//! region and object kind one driver task keeps the waiting requests; it
//! reads, when the earliest of them is due, every identifier then waiting
//! through a [`Describer`], and answers each request with its object or
//! `None`. A request whose own time is later is answered early: it never
//! waits longer than it asked, so no wait completes later than when polling
//! alone, and the calls of a region follow the fastest schedule among its
//! waits instead of their sum. The driver exits when nobody waits.
//!
//! How a tick reads, per kind ([`Aws`]):
//!
//! * clusters and instances: DescribeDBClusters (DescribeDBInstances)
//!   filtered by `db-cluster-id` (`db-instance-id`), documented RDS filters
//!   that take several values, [`MAX_IDS`] identifiers to a call;
//! * the instances of a cluster: DescribeDBInstances filtered by
//!   `db-cluster-id`, [`MAX_IDS`] clusters to a call. The read path
//!   ([`observe_region`](super::find::observe_region)) asks for a region's
//!   cluster and its instances due at once, so topologies refreshed at the
//!   same time share the region's calls too;
//! * global clusters: DescribeGlobalClusters takes no identifier filter
//!   (its only documented filter is `region`), so a tick asks for each
//!   identifier by `GlobalClusterIdentifier`, or reads the account's list
//!   (100 to a page; global clusters are partition-wide, so one region sees
//!   them all) when that takes fewer calls, see
//!   [`describe_globals_by_id`](super::find::describe_globals_by_id). The
//!   read path asks for the global cluster through here too.
//!
//! A `NotFound` answer means none of the identifiers asked exists (`None`
//! for each). A failed call answers every request of its tick with the same
//! error; the waits decide what to do with it as before (a throttled poll is
//! skipped, any other error ends the wait).

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;

use super::config::Clients;
use super::error::{AwsError, ErrorKind};
use super::find::{
    describe_clusters_by_id, describe_globals_by_id, describe_instances_by_cluster,
    describe_instances_by_id, ClusterInstances,
};
use super::model::{ObservedCluster, ObservedGlobal, ObservedInstance};

/// At most this many identifiers in one filter of one call.
pub(crate) const MAX_IDS: usize = 50;

/// How long a tick waits, once due, for requests made at about the same
/// time. Terraform starts its reads (up to `-parallelism` at once) a few
/// milliseconds apart, so a tick that waited 1 ms shared a region's call
/// between 2.3 reads on average in a 300-topology refresh; at 5 ms, 3.0
/// (about 1100 → 900 calls; docs/benchmarks.md, *Read coalescing*). 5 ms is
/// small against an RDS call (tens to hundreds of ms) and against a wait's
/// poll interval.
const COALESCE: std::time::Duration = std::time::Duration::from_millis(5);

type Answer<T> = Result<Option<T>, AwsError>;

/// An object the pollers read: it answers to an identifier.
pub(crate) trait Polled: Clone + Send + 'static {
    fn id(&self) -> &str;
}

/// How a driver reads the objects of one tick.
pub(crate) trait Describer<T>: Clone + Send + Sync + 'static {
    /// Identifiers per call; a tick with more makes one call per chunk.
    const CHUNK: usize;
    /// Every object among `ids` (at most [`Describer::CHUNK`]) that exists
    /// in `region`.
    fn describe(
        &self,
        region: &str,
        ids: &[String],
    ) -> impl Future<Output = Result<Vec<T>, AwsError>> + Send;
}

/// The describer of the provider: RDS through `Clients`.
#[derive(Clone)]
pub(crate) struct Aws(pub(crate) Clients);

impl<T: Kind> Describer<T> for Aws {
    const CHUNK: usize = T::CHUNK;
    fn describe(
        &self,
        region: &str,
        ids: &[String],
    ) -> impl Future<Output = Result<Vec<T>, AwsError>> + Send {
        T::fetch(&self.0, region, ids)
    }
}

struct Request<T> {
    id: String,
    due: Instant,
    reply: oneshot::Sender<Answer<T>>,
}

struct State<T> {
    waiting: Vec<Request<T>>,
    driving: bool,
}

/// The waiting requests of one region and object kind.
struct Shared<T> {
    state: Mutex<State<T>>,
    wake: Notify,
}

impl<T> Shared<T> {
    fn new() -> Self {
        Shared {
            state: Mutex::new(State {
                waiting: Vec::new(),
                driving: false,
            }),
            wake: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The pollers of one kind, per region.
pub(crate) struct Regions<T>(Mutex<HashMap<String, Arc<Shared<T>>>>);

impl<T> Default for Regions<T> {
    fn default() -> Self {
        Regions(Mutex::new(HashMap::new()))
    }
}

impl<T: Polled> Regions<T> {
    fn entry(&self, region: &str) -> Arc<Shared<T>> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(
            map.entry(region.to_string())
                .or_insert_with(|| Arc::new(Shared::new())),
        )
    }

    /// Object `id` in `region`, read through `describer` no later than
    /// `due` (possibly earlier, with the other objects waited for there).
    async fn ask<D: Describer<T>>(
        &self,
        describer: &D,
        region: &str,
        id: &str,
        due: Instant,
    ) -> Answer<T> {
        let shared = self.entry(region);
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut state = shared.lock();
            state.waiting.push(Request {
                id: id.to_string(),
                due,
                reply,
            });
            !std::mem::replace(&mut state.driving, true)
        };
        if start {
            tokio::spawn(drive(
                Arc::clone(&shared),
                describer.clone(),
                region.to_string(),
            ));
        } else {
            // The driver may be sleeping until a later time.
            shared.wake.notify_one();
        }
        match answer.await {
            Ok(answer) => answer,
            // The driver went away without answering (its task was
            // cancelled at runtime shutdown): read on our own.
            Err(_closed) => {
                let ids = [id.to_string()];
                let found = read(describer, region, &ids).await?;
                Ok(found.into_iter().find(|o| o.id() == id))
            }
        }
    }
}

/// The shared pollers of one provider configuration ([`Clients`]), per
/// region and object kind.
#[derive(Default)]
pub(crate) struct Pollers {
    clusters: Regions<ObservedCluster>,
    instances: Regions<ObservedInstance>,
    cluster_instances: Regions<ClusterInstances>,
    globals: Regions<ObservedGlobal>,
    /// Pages of the account's last global cluster listing (0: none yet).
    global_pages: std::sync::atomic::AtomicUsize,
}

/// An object kind with pollers of its own, read through [`Aws`].
pub(crate) trait Kind: Polled {
    /// Identifiers per call.
    const CHUNK: usize;
    fn regions(pollers: &Pollers) -> &Regions<Self>;
    /// Every object among `ids` that exists in `region`.
    fn fetch(
        clients: &Clients,
        region: &str,
        ids: &[String],
    ) -> impl Future<Output = Result<Vec<Self>, AwsError>> + Send;
}

/// `Polled` and `Kind` of an observed type: its pollers' field, the
/// identifiers per call and the read.
macro_rules! kind {
    ($object:ty, $field:ident, $chunk:expr, $fetch:path) => {
        impl Polled for $object {
            fn id(&self) -> &str {
                &self.id
            }
        }

        impl Kind for $object {
            const CHUNK: usize = $chunk;
            fn regions(pollers: &Pollers) -> &Regions<Self> {
                &pollers.$field
            }
            fn fetch(
                clients: &Clients,
                region: &str,
                ids: &[String],
            ) -> impl Future<Output = Result<Vec<Self>, AwsError>> + Send {
                $fetch(clients, region, ids)
            }
        }
    };
}

kind!(ObservedCluster, clusters, MAX_IDS, describe_clusters_by_id);
kind!(
    ObservedInstance,
    instances,
    MAX_IDS,
    describe_instances_by_id
);
kind!(
    ClusterInstances,
    cluster_instances,
    MAX_IDS,
    describe_instances_by_cluster
);
// One listing answers any number of identifiers.
kind!(ObservedGlobal, globals, usize::MAX, describe_globals_by_id);

impl Pollers {
    /// How many pages the account's list of global clusters took when last
    /// read to its end (an estimate when the last listing stopped early,
    /// see [`describe_globals_by_id`]); `None` before the first listing.
    pub(crate) fn global_listing_pages(&self) -> Option<usize> {
        match self.global_pages.load(std::sync::atomic::Ordering::Relaxed) {
            0 => None,
            pages => Some(pages),
        }
    }

    /// Remembers the length of a listing of the account's global clusters.
    pub(crate) fn note_global_listing(&self, pages: usize) {
        self.global_pages
            .store(pages.max(1), std::sync::atomic::Ordering::Relaxed);
    }

    /// Object `id` in `region` (for a global cluster: asked in `region`, no
    /// fallback to other regions), read no later than `due`, possibly
    /// earlier, with the other objects of its kind waited for there.
    pub(crate) async fn read<T: Kind>(
        &self,
        clients: &Clients,
        region: &str,
        id: &str,
        due: Instant,
    ) -> Answer<T> {
        let aws = Aws(clients.clone());
        T::regions(self).ask(&aws, region, id, due).await
    }
}

/// Every object among `ids` that exists, [`Describer::CHUNK`] identifiers to
/// a call; a `NotFound` answer means none of a chunk's identifiers exists.
/// The first failed call ends the read with its error.
async fn read<T: Polled, D: Describer<T>>(
    describer: &D,
    region: &str,
    ids: &[String],
) -> Result<Vec<T>, AwsError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(D::CHUNK.max(1)) {
        match describer.describe(region, chunk).await {
            Ok(objects) => found.extend(objects),
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

/// One region's driver: sleeps until the earliest request is due, reads
/// every waiting identifier, answers, and repeats until nobody waits.
async fn drive<T: Polled, D: Describer<T>>(shared: Arc<Shared<T>>, describer: D, region: String) {
    loop {
        let due = {
            let mut state = shared.lock();
            state.waiting.retain(|r| !r.reply.is_closed());
            match state.waiting.iter().map(|r| r.due).min() {
                Some(due) => due,
                None => {
                    state.driving = false;
                    return;
                }
            }
        };
        tokio::select! {
            () = tokio::time::sleep_until(due) => {}
            // A new request may be due earlier: look again.
            () = shared.wake.notified() => continue,
        }
        // Requests made at nearly the same time (waits started together,
        // registering one after the other while this task already runs on
        // another thread) join this tick.
        tokio::time::sleep(COALESCE).await;
        let batch: Vec<Request<T>> = {
            let mut state = shared.lock();
            std::mem::take(&mut state.waiting)
                .into_iter()
                .filter(|r| !r.reply.is_closed())
                .collect()
        };
        if batch.is_empty() {
            continue;
        }
        let ids: Vec<String> = batch
            .iter()
            .map(|r| r.id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let found = read(&describer, &region, &ids).await;
        for request in batch {
            let answer = match &found {
                Ok(found) => Ok(found.iter().find(|o| o.id() == request.id).cloned()),
                Err(e) => Err(e.clone()),
            };
            // A wait that gave up in the meantime no longer listens.
            let _ = request.reply.send(answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// One call to the fake: when (after its start) and for which ids.
    type Asked = (Duration, Vec<String>);

    /// A fake region: the clusters that exist, the id lists it was asked
    /// (with the fake time of each call), and an optional error to answer.
    #[derive(Clone, Default)]
    struct Fake {
        existing: Arc<Mutex<Vec<String>>>,
        asked: Arc<Mutex<Vec<Asked>>>,
        error: Arc<Mutex<Option<ErrorKind>>>,
        started: Arc<Mutex<Option<Instant>>>,
    }

    impl Fake {
        fn with(ids: &[&str]) -> Self {
            let fake = Fake::default();
            *fake.existing.lock().unwrap() = ids.iter().map(|s| s.to_string()).collect();
            *fake.started.lock().unwrap() = Some(Instant::now());
            fake
        }
        fn asked(&self) -> Vec<Asked> {
            self.asked.lock().unwrap().clone()
        }
    }

    impl Describer<ObservedCluster> for Fake {
        const CHUNK: usize = MAX_IDS;
        async fn describe(
            &self,
            region: &str,
            ids: &[String],
        ) -> Result<Vec<ObservedCluster>, AwsError> {
            let at = self.started.lock().unwrap().unwrap().elapsed();
            self.asked.lock().unwrap().push((at, ids.to_vec()));
            // A call takes a little time.
            tokio::time::sleep(Duration::from_millis(1)).await;
            if let Some(kind) = *self.error.lock().unwrap() {
                return Err(AwsError::local("DescribeDBClusters", region, kind, "fake"));
            }
            let existing = self.existing.lock().unwrap().clone();
            Ok(ids
                .iter()
                .filter(|id| existing.contains(id))
                .map(|id| ObservedCluster {
                    id: id.clone(),
                    status: "available".into(),
                    ..Default::default()
                })
                .collect())
        }
    }

    /// `n` waits on `ids[k % len]`, each polling every `every` (its own
    /// schedule, as `wait_due` does) `polls` times; the answers each got.
    async fn waits(
        pollers: Arc<Regions<ObservedCluster>>,
        fake: &Fake,
        ids: Vec<String>,
        every: Vec<Duration>,
        polls: usize,
    ) -> Vec<Vec<Answer<ObservedCluster>>> {
        let tasks = ids.into_iter().zip(every).map(|(id, every)| {
            let pollers = Arc::clone(&pollers);
            let fake = fake.clone();
            tokio::spawn(async move {
                let mut due = Instant::now();
                let mut answers = Vec::new();
                for _ in 0..polls {
                    answers.push(pollers.ask(&fake, "us-east-1", &id, due).await);
                    due = Instant::now() + every;
                }
                answers
            })
        });
        futures::future::join_all(tasks)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect()
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|k| format!("c{k:03}")).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn reads_asked_a_few_milliseconds_apart_share_one_call() {
        // As Terraform starts its reads: each due at once, 2 ms after the
        // previous one. All fall within one coalescing window.
        let ids = names(3);
        let fake = Fake::with(&ids.iter().map(String::as_str).collect::<Vec<_>>());
        let pollers = Arc::new(Regions::<ObservedCluster>::default());
        let tasks = ids.iter().enumerate().map(|(k, id)| {
            let (pollers, fake, id) = (Arc::clone(&pollers), fake.clone(), id.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(2 * k as u64)).await;
                pollers.ask(&fake, "us-east-1", &id, Instant::now()).await
            })
        });
        for (id, answer) in ids.iter().zip(futures::future::join_all(tasks).await) {
            assert_eq!(answer.unwrap().unwrap().unwrap().id, *id);
        }
        let asked = fake.asked();
        assert_eq!(asked.len(), 1, "{asked:?}");
        assert_eq!(asked[0].1, ids);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waits_share_one_call_per_tick() {
        let ids = names(8);
        let fake = Fake::with(&ids.iter().map(String::as_str).collect::<Vec<_>>());
        let pollers = Arc::new(Regions::default());
        let every = vec![Duration::from_secs(1); 8];
        let answers = waits(pollers, &fake, ids.clone(), every, 5).await;
        // 8 waits × 5 polls, 5 calls: one per tick, each for all eight.
        let asked = fake.asked();
        assert_eq!(asked.len(), 5, "{asked:?}");
        for (_, asked_ids) in &asked {
            assert_eq!(asked_ids, &ids);
        }
        for (id, answers) in ids.iter().zip(&answers) {
            assert_eq!(answers.len(), 5);
            for a in answers {
                assert_eq!(a.as_ref().unwrap().as_ref().unwrap().id, *id);
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_fastest_schedule_sets_the_ticks_and_nobody_waits_longer() {
        let ids = names(2);
        let fake = Fake::with(&["c000", "c001"]);
        let pollers = Arc::new(Regions::default());
        // One wait polls every second, the other every 3 s: the calls
        // follow the fast one (answered early), not the sum of both.
        let every = vec![Duration::from_secs(1), Duration::from_secs(3)];
        waits(pollers, &fake, ids, every, 4).await;
        let times: Vec<u64> = fake.asked().iter().map(|(t, _)| t.as_secs()).collect();
        // Ticks at 0, 1, 2, 3 s (the fast wait's schedule; the slow wait's
        // later polls join them); never a call of its own.
        assert_eq!(times, [0, 1, 2, 3], "{:?}", fake.asked());
    }

    #[tokio::test(start_paused = true)]
    async fn identifiers_go_fifty_to_a_call() {
        let ids = names(120);
        let fake = Fake::with(&["c000", "c119"]);
        let pollers = Arc::new(Regions::default());
        let every = vec![Duration::from_secs(1); 120];
        let answers = waits(pollers, &fake, ids.clone(), every, 1).await;
        let asked = fake.asked();
        let sizes: Vec<usize> = asked.iter().map(|(_, ids)| ids.len()).collect();
        assert_eq!(sizes, [50, 50, 20], "{asked:?}");
        let all: Vec<String> = asked.into_iter().flat_map(|(_, ids)| ids).collect();
        assert_eq!(all, ids);
        // Objects missing from a filtered answer are `None`.
        let found: Vec<&str> = answers
            .iter()
            .filter_map(|a| a[0].as_ref().unwrap().as_ref().map(|c| c.id.as_str()))
            .collect();
        assert_eq!(found, ["c000", "c119"]);
    }

    #[tokio::test(start_paused = true)]
    async fn not_found_is_none_for_every_wait() {
        let fake = Fake::with(&["c000"]);
        *fake.error.lock().unwrap() = Some(ErrorKind::NotFound);
        let pollers = Arc::new(Regions::default());
        let answers = waits(pollers, &fake, names(3), vec![Duration::from_secs(1); 3], 1).await;
        for a in answers {
            assert!(matches!(a[0], Ok(None)), "{:?}", a[0]);
        }
        assert_eq!(fake.asked().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_reaches_every_wait_of_the_tick() {
        let fake = Fake::with(&["c000", "c001", "c002"]);
        *fake.error.lock().unwrap() = Some(ErrorKind::Throttled);
        let pollers = Arc::new(Regions::default());
        // 60 waits: two chunks, but the first failed call ends the tick.
        let answers = waits(
            pollers,
            &fake,
            names(60),
            vec![Duration::from_secs(1); 60],
            1,
        )
        .await;
        for a in &answers {
            assert!(
                matches!(&a[0], Err(e) if e.kind == ErrorKind::Throttled),
                "{:?}",
                a[0]
            );
        }
        assert_eq!(fake.asked().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_driver_exits_when_nobody_waits_and_restarts_on_demand() {
        let fake = Fake::with(&["c000"]);
        let pollers = Arc::new(Regions::default());
        // Two rounds of one wait polling twice, ten seconds apart.
        for round in 1..=2 {
            let every = vec![Duration::from_secs(1)];
            waits(Arc::clone(&pollers), &fake, names(1), every, 2).await;
            assert_eq!(fake.asked().len(), 2 * round);
            tokio::time::sleep(Duration::from_secs(10)).await;
            assert!(!pollers.entry("us-east-1").lock().driving);
        }
    }
}
