//! Shared polling: the waits of one provider configuration that watch
//! clusters (or instances) in the same region share one Describe call per
//! tick instead of each polling on its own.
//!
//! A wait asks for the object "no later than" its next poll time
//! ([`Pollers::cluster`], [`Pollers::instance`]). Per region and object kind
//! one driver task keeps the waiting requests; it sends one call when the
//! earliest of them is due, for every identifier then waiting (filter
//! `db-cluster-id` on DescribeDBClusters, `db-instance-id` on
//! DescribeDBInstances, both documented RDS filters that take several
//! values), and answers each request with its object or `None`. A request
//! whose own time is later is answered early: it never waits longer than it
//! asked, so no wait completes later than when polling alone, and the calls
//! of a region follow the fastest schedule among its waits instead of their
//! sum. The driver exits when nobody waits.
//!
//! Identifiers go [`MAX_IDS`] to a call, and `Marker` pages are followed
//! (each identifier matches at most one object, so one page normally holds
//! a whole chunk). A failed call answers every request of its tick with the
//! same error; the waits decide what to do with it as before (a throttled
//! poll is skipped, any other error ends the wait).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;

use super::config::Clients;
use super::error::AwsError;
use super::find::{describe_clusters_by_id, describe_instances_by_id};
use super::model::{ObservedCluster, ObservedInstance};

/// At most this many identifiers in one filter of one call.
pub(crate) const MAX_IDS: usize = 50;

type Answer<T> = Result<Option<T>, AwsError>;

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

/// The shared pollers of one provider configuration ([`Clients`]), per
/// region and object kind.
#[derive(Default)]
pub(crate) struct Pollers {
    clusters: Mutex<HashMap<String, Arc<Shared<ObservedCluster>>>>,
    instances: Mutex<HashMap<String, Arc<Shared<ObservedInstance>>>>,
}

fn entry<T>(map: &Mutex<HashMap<String, Arc<Shared<T>>>>, region: &str) -> Arc<Shared<T>> {
    let mut map = map
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Arc::clone(
        map.entry(region.to_string())
            .or_insert_with(|| Arc::new(Shared::new())),
    )
}

/// How a driver reads the objects of one tick.
trait Kind: Sized + Send + 'static {
    /// The identifier the object answers to.
    fn id(&self) -> &str;
    /// One tick's read: every object among `ids` that exists.
    fn fetch(
        clients: Clients,
        region: String,
        ids: Vec<String>,
    ) -> impl std::future::Future<Output = Result<Vec<Self>, AwsError>> + Send;
}

impl Kind for ObservedCluster {
    fn id(&self) -> &str {
        &self.id
    }
    async fn fetch(
        clients: Clients,
        region: String,
        ids: Vec<String>,
    ) -> Result<Vec<Self>, AwsError> {
        describe_clusters_by_id(&clients, &region, &ids).await
    }
}

impl Kind for ObservedInstance {
    fn id(&self) -> &str {
        &self.id
    }
    async fn fetch(
        clients: Clients,
        region: String,
        ids: Vec<String>,
    ) -> Result<Vec<Self>, AwsError> {
        describe_instances_by_id(&clients, &region, &ids).await
    }
}

impl Pollers {
    /// Cluster `id` in `region`, read no later than `due` (possibly earlier,
    /// with the other clusters waited for in that region).
    pub(crate) async fn cluster(
        &self,
        clients: &Clients,
        region: &str,
        id: &str,
        due: Instant,
    ) -> Answer<ObservedCluster> {
        let shared = entry(&self.clusters, region);
        ask(shared, clients, region, id, due).await
    }

    /// Instance `id` in `region`, read no later than `due` (possibly
    /// earlier, with the other instances waited for in that region).
    pub(crate) async fn instance(
        &self,
        clients: &Clients,
        region: &str,
        id: &str,
        due: Instant,
    ) -> Answer<ObservedInstance> {
        let shared = entry(&self.instances, region);
        ask(shared, clients, region, id, due).await
    }
}

async fn ask<T: Kind + Clone>(
    shared: Arc<Shared<T>>,
    clients: &Clients,
    region: &str,
    id: &str,
    due: Instant,
) -> Answer<T> {
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
            clients.clone(),
            region.to_string(),
        ));
    } else {
        // The driver may be sleeping until a later time.
        shared.wake.notify_one();
    }
    match answer.await {
        Ok(answer) => answer,
        // The driver went away without answering (its task was cancelled
        // at runtime shutdown): read on our own.
        Err(_closed) => T::fetch(clients.clone(), region.to_string(), vec![id.to_string()])
            .await
            .map(|found| found.into_iter().find(|o| o.id() == id)),
    }
}

/// One region's driver: sleeps until the earliest request is due, reads
/// every waiting identifier, answers, and repeats until nobody waits.
async fn drive<T: Kind + Clone>(shared: Arc<Shared<T>>, clients: Clients, region: String) {
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
        // Requests made in the same instant (waits started together) join
        // this tick.
        tokio::task::yield_now().await;
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
        let read = T::fetch(clients.clone(), region.clone(), ids).await;
        for request in batch {
            let answer = match &read {
                Ok(found) => Ok(found.iter().find(|o| o.id() == request.id).cloned()),
                Err(e) => Err(e.clone()),
            };
            // A wait that gave up in the meantime no longer listens.
            let _ = request.reply.send(answer);
        }
    }
}
