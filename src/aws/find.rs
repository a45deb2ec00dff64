//! Finders and the read path.
//!
//! Every finder returns `Ok(None)` when the object does not exist (whether AWS
//! says `...NotFound` or returns an empty list) and checks that the object it
//! got back carries the identifier it asked for.
//!
//! [`observe`] reads a whole topology with a fixed number of calls: one
//! DescribeGlobalClusters, then per member region (in parallel) one
//! DescribeDBClusters and one DescribeDBInstances filtered by cluster, so
//! `1 + 2R` calls whatever the number of instances. The regional calls go
//! through the shared pollers ([`super::poll`]): topologies read at the same
//! time share them, filtered by several cluster identifiers. A member region that does
//! not answer becomes [`RegionObservation::Unreachable`]; it is not an error.

use std::collections::BTreeMap;

use std::error::Error as StdError;
use std::future::Future;

use aws_sdk_rds::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_rds::operation::describe_db_clusters::DescribeDbClustersOutput;
use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
use aws_sdk_rds::operation::describe_global_clusters::DescribeGlobalClustersOutput;
use aws_sdk_rds::types::Filter;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::config::Clients;
use super::error::{AwsError, ErrorKind};
use super::model::{
    ObservedCluster, ObservedGlobal, ObservedInstance, ObservedSnapshot, ObservedTopology,
    RegionObservation,
};
use super::retry::send;

/// Sends one Describe call for a single object and picks it out of the
/// answer; `NotFound` answers and answers without a match are `None`.
async fn describe_one<O, E, F, Fut, T>(
    clients: &Clients,
    operation: &'static str,
    region: &str,
    call: F,
    pick: impl FnOnce(&O) -> Option<T>,
) -> Result<Option<T>, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match send(clients, operation, region, call).await {
        Ok(out) => Ok(pick(&out)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The global cluster `id`, asked in `region` only.
async fn describe_global_in(
    clients: &Clients,
    region: &str,
    id: &str,
) -> Result<Option<ObservedGlobal>, AwsError> {
    let client = clients.rds(region).await?;
    describe_one(
        clients,
        "DescribeGlobalClusters",
        region,
        || {
            client
                .describe_global_clusters()
                .global_cluster_identifier(id)
                .send()
        },
        |out| {
            out.global_clusters()
                .iter()
                .find(|g| g.global_cluster_identifier() == Some(id))
                .map(ObservedGlobal::from)
        },
    )
    .await
}

/// The global cluster `id` and the region that answered. Global clusters are
/// partition-wide, so any region can answer: `home_region` is asked first;
/// only when it is unreachable are `fallback_regions` asked, in order.
/// Regions that recently did not answer are asked last (see
/// [`Clients::prefer_reachable`]). When every region is unreachable the home
/// region's error is returned.
pub async fn find_global_cluster_with_region(
    clients: &Clients,
    home_region: &str,
    fallback_regions: &[String],
    id: &str,
) -> Result<Option<(ObservedGlobal, String)>, AwsError> {
    let mut first_unreachable: Option<AwsError> = None;
    let mut candidates: Vec<&str> = Vec::new();
    for region in std::iter::once(home_region).chain(fallback_regions.iter().map(String::as_str)) {
        if !region.is_empty() && !candidates.contains(&region) {
            candidates.push(region);
        }
    }
    let now = tokio::time::Instant::now();
    for region in clients.prefer_reachable(&candidates) {
        let read = clients
            .polls()
            .read::<ObservedGlobal>(clients, region, id, now);
        match read.await {
            Ok(found) => {
                clients.note_reachability(region, true);
                if first_unreachable.is_some() {
                    tracing::info!(
                        home_region,
                        region,
                        global_cluster = id,
                        "global cluster read through another region"
                    );
                } else if region != home_region {
                    tracing::debug!(
                        home_region,
                        region,
                        global_cluster = id,
                        "global cluster read through another region (home region recently unreachable)"
                    );
                }
                return Ok(found.map(|g| (g, region.to_string())));
            }
            Err(e) if e.is_unreachable() => {
                clients.note_reachability(region, false);
                tracing::warn!(
                    region,
                    global_cluster = id,
                    "region unreachable while reading the global cluster"
                );
                if region == home_region || first_unreachable.is_none() {
                    first_unreachable = Some(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(first_unreachable.unwrap_or_else(|| {
        AwsError::local(
            "DescribeGlobalClusters",
            home_region,
            ErrorKind::InvalidParameter,
            "no region to ask",
        )
    }))
}

/// The global cluster `id`, with fallback to other regions when the home
/// region is unreachable (see [`find_global_cluster_with_region`]).
pub async fn find_global_cluster(
    clients: &Clients,
    home_region: &str,
    fallback_regions: &[String],
    id: &str,
) -> Result<Option<ObservedGlobal>, AwsError> {
    Ok(
        find_global_cluster_with_region(clients, home_region, fallback_regions, id)
            .await?
            .map(|(g, _)| g),
    )
}

/// The cluster `id` in `region`.
pub async fn find_cluster(
    clients: &Clients,
    region: &str,
    id: &str,
) -> Result<Option<ObservedCluster>, AwsError> {
    let client = clients.rds(region).await?;
    describe_one(
        clients,
        "DescribeDBClusters",
        region,
        || {
            client
                .describe_db_clusters()
                .db_cluster_identifier(id)
                .send()
        },
        |out| {
            out.db_clusters()
                .iter()
                .find(|c| c.db_cluster_identifier() == Some(id))
                .map(|c| ObservedCluster::from_sdk(c, region))
        },
    )
    .await
}

/// The instance `id` in `region`.
pub async fn find_instance(
    clients: &Clients,
    region: &str,
    id: &str,
) -> Result<Option<ObservedInstance>, AwsError> {
    let client = clients.rds(region).await?;
    describe_one(
        clients,
        "DescribeDBInstances",
        region,
        || {
            client
                .describe_db_instances()
                .db_instance_identifier(id)
                .send()
        },
        |out| {
            out.db_instances()
                .iter()
                .find(|i| i.db_instance_identifier() == Some(id))
                .map(|i| ObservedInstance::from_sdk(i, region))
        },
    )
    .await
}

/// At most this many pages are read for one listing: far more than a
/// cluster's instances fill (an Aurora cluster has at most 16), so only an
/// answer that keeps sending new markers reaches it.
const MAX_PAGES: usize = 50;

/// The markers of one paginated listing: the next page is asked for only
/// with a marker never seen before in this listing, and never past
/// [`MAX_PAGES`] pages, so an answer that cycles through markers (A, B, A,
/// ...) cannot keep the listing going.
#[derive(Debug, Default)]
pub(super) struct Pages {
    seen: std::collections::HashSet<String>,
    read: usize,
}

impl Pages {
    /// Called after each page with the marker it returned: the marker to
    /// ask the next page with, or `None` when the listing is complete (no
    /// marker, an empty one, a repeat of any earlier one, or the page cap).
    pub(super) fn next_marker(&mut self, marker: Option<&str>) -> Option<String> {
        self.read = self.read.saturating_add(1);
        let m = marker.filter(|m| !m.is_empty())?;
        if self.read >= MAX_PAGES {
            tracing::warn!(pages = self.read, "listing stopped at the page cap");
            return None;
        }
        if !self.seen.insert(m.to_string()) {
            tracing::warn!(marker = m, "listing stopped at a repeated marker");
            return None;
        }
        Some(m.to_string())
    }
}

/// Sends a paginated Describe call (`call(marker)`) until the last page,
/// following `Marker` pages (see [`Pages`]); `take` keeps what a page holds
/// and returns its marker, or `None` to stop early. A `NotFound` answer ends
/// the listing with what was read (the filter forms answer an empty list;
/// the other form is tolerated too).
async fn describe_pages<O, E, F, Fut, T>(
    clients: &Clients,
    operation: &'static str,
    region: &str,
    mut call: F,
    mut take: impl FnMut(&O, &mut Vec<T>) -> Option<String>,
) -> Result<Vec<T>, AwsError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let mut found = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = Pages::default();
    loop {
        let out = match send(clients, operation, region, || call(marker.clone())).await {
            Ok(out) => out,
            Err(e) if e.kind == ErrorKind::NotFound => break,
            Err(e) => return Err(e),
        };
        let next = take(&out, &mut found);
        match pages.next_marker(next.as_deref()) {
            Some(m) => marker = Some(m),
            None => break,
        }
    }
    Ok(found)
}

/// `key` is one of `values`.
fn among(values: &[String], key: Option<&str>) -> bool {
    key.is_some_and(|k| values.iter().any(|v| v == k))
}

/// A filter of one name and several values.
fn filter(name: &str, values: &[String]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.to_vec()))
        .build()
}

/// Every instance of cluster `cluster_id` in `region` (filter `db-cluster-id`,
/// following `Marker` pages, see [`Pages`]; one call for up to 100
/// instances). Instances that report another cluster are dropped.
pub async fn find_instances_by_cluster(
    clients: &Clients,
    region: &str,
    cluster_id: &str,
) -> Result<Vec<ObservedInstance>, AwsError> {
    let ids = [cluster_id.to_string()];
    let found = describe_instances_by_cluster(clients, region, &ids).await?;
    Ok(found
        .into_iter()
        .find(|c| c.id == cluster_id)
        .map_or_else(Vec::new, |c| c.instances))
}

/// The instances in `region` whose `key` is among `values`, read with
/// DescribeDBInstances filtered by `filter_name`.
async fn describe_instances(
    clients: &Clients,
    region: &str,
    filter_name: &str,
    values: &[String],
    key: fn(&aws_sdk_rds::types::DbInstance) -> Option<&str>,
) -> Result<Vec<ObservedInstance>, AwsError> {
    let client = clients.rds(region).await?;
    let filter = filter(filter_name, values);
    let call = |marker| {
        client
            .describe_db_instances()
            .filters(filter.clone())
            .set_marker(marker)
            .send()
    };
    let take = |out: &DescribeDbInstancesOutput, found: &mut Vec<ObservedInstance>| {
        found.extend(
            out.db_instances()
                .iter()
                .filter(|i| among(values, key(i)))
                .map(|i| ObservedInstance::from_sdk(i, region)),
        );
        out.marker().map(str::to_string)
    };
    describe_pages(clients, "DescribeDBInstances", region, call, take).await
}

/// Every cluster among `ids` (at most
/// [`poll::MAX_IDS`](super::poll::MAX_IDS)) that exists in `region`:
/// DescribeDBClusters filtered by `db-cluster-id`, following `Marker` pages.
/// Used by shared polling.
pub(crate) async fn describe_clusters_by_id(
    clients: &Clients,
    region: &str,
    ids: &[String],
) -> Result<Vec<ObservedCluster>, AwsError> {
    let client = clients.rds(region).await?;
    let filter = filter("db-cluster-id", ids);
    let call = |marker| {
        client
            .describe_db_clusters()
            .filters(filter.clone())
            .set_marker(marker)
            .send()
    };
    let take = |out: &DescribeDbClustersOutput, found: &mut Vec<ObservedCluster>| {
        found.extend(
            out.db_clusters()
                .iter()
                .filter(|c| among(ids, c.db_cluster_identifier()))
                .map(|c| ObservedCluster::from_sdk(c, region)),
        );
        out.marker().map(str::to_string)
    };
    describe_pages(clients, "DescribeDBClusters", region, call, take).await
}

/// Every instance among `ids` (at most
/// [`poll::MAX_IDS`](super::poll::MAX_IDS)) that exists in `region`:
/// DescribeDBInstances filtered by `db-instance-id`, following `Marker`
/// pages. Used by shared polling.
pub(crate) async fn describe_instances_by_id(
    clients: &Clients,
    region: &str,
    ids: &[String],
) -> Result<Vec<ObservedInstance>, AwsError> {
    describe_instances(clients, region, "db-instance-id", ids, |i| {
        i.db_instance_identifier()
    })
    .await
}

/// The instances of one cluster, as one answer of the shared pollers
/// ([`super::poll`]): `id` is the cluster's identifier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ClusterInstances {
    pub(crate) id: String,
    /// Sorted by identifier.
    pub(crate) instances: Vec<ObservedInstance>,
}

/// The instances of every cluster among `cluster_ids` (at most
/// [`poll::MAX_IDS`](super::poll::MAX_IDS)) in `region`, grouped per
/// cluster: DescribeDBInstances filtered by `db-cluster-id`, following
/// `Marker` pages. A cluster without instances has no entry. Used by the
/// read path through the shared pollers, so the reads of topologies
/// refreshed at the same time share one call per region.
pub(crate) async fn describe_instances_by_cluster(
    clients: &Clients,
    region: &str,
    cluster_ids: &[String],
) -> Result<Vec<ClusterInstances>, AwsError> {
    let instances = describe_instances(clients, region, "db-cluster-id", cluster_ids, |i| {
        i.db_cluster_identifier()
    })
    .await?;
    let mut groups: BTreeMap<String, Vec<ObservedInstance>> = BTreeMap::new();
    for instance in instances {
        if let Some(cluster) = instance.cluster_id.clone() {
            groups.entry(cluster).or_default().push(instance);
        }
    }
    Ok(groups
        .into_iter()
        .map(|(id, mut instances)| {
            instances.sort_by(|a, b| a.id.cmp(&b.id));
            ClusterInstances { id, instances }
        })
        .collect())
}

/// A page of the account's global cluster list counts as this many single
/// calls: it answers with up to 100 global clusters to parse where a single
/// call answers with one, so a listing is chosen only where it saves calls
/// by a clear margin (a small account, many waits in one tick).
const PAGE_WEIGHT: usize = 4;

/// Every global cluster among `ids` that exists, asked in `region`.
/// DescribeGlobalClusters takes no identifier filter, so a tick either asks
/// for each identifier (concurrently, one call each) or reads the account's
/// list, 100 to a page: the list when its known length in pages, weighted by
/// [`PAGE_WEIGHT`], is at most the number of identifiers, or when its
/// length is not known yet. A listing stops early once a page finds fewer of the
/// identifiers than pages read so far; those still missing are then asked
/// one by one, so a tick costs at most about one call per identifier
/// however many global clusters the account has. The length of the last
/// listing is remembered (estimated from the share of the identifiers found
/// when it stopped early), see
/// [`Pollers::global_listing_pages`](super::poll::Pollers::global_listing_pages).
/// Used by the shared pollers; notes the region's reachability.
pub(crate) async fn describe_globals_by_id(
    clients: &Clients,
    region: &str,
    ids: &[String],
) -> Result<Vec<ObservedGlobal>, AwsError> {
    let read = async {
        let known = clients.polls().global_listing_pages();
        if !list_globals(known, ids.len()) {
            return describe_globals_one_by_one(clients, region, ids, &[]).await;
        }
        let client = clients.rds(region).await?;
        let (mut pages, mut stopped) = (0usize, false);
        let call = |marker| client.describe_global_clusters().set_marker(marker).send();
        let take = |out: &DescribeGlobalClustersOutput, found: &mut Vec<ObservedGlobal>| {
            pages += 1;
            found.extend(
                out.global_clusters()
                    .iter()
                    .filter(|g| among(ids, g.global_cluster_identifier()))
                    .map(ObservedGlobal::from),
            );
            let marker = out.marker().map(str::to_string);
            let missing = ids.len().saturating_sub(found.len());
            if missing == 0 || (marker.is_some() && found.len() < pages) {
                stopped = marker.is_some();
                return None;
            }
            marker
        };
        let mut found =
            describe_pages(clients, "DescribeGlobalClusters", region, call, take).await?;
        // A listing that ran to its end gives the account's length; one
        // that stopped early, an estimate from the share of the
        // identifiers its pages found (none found counts as one).
        let length = listing_length(pages, stopped, ids.len(), found.len());
        clients.polls().note_global_listing(length);
        if stopped {
            let more = describe_globals_one_by_one(clients, region, ids, &found).await?;
            found.extend(more);
        }
        Ok(found)
    };
    let found: Result<Vec<ObservedGlobal>, AwsError> = read.await;
    match &found {
        Err(e) if e.is_unreachable() => clients.note_reachability(region, false),
        Err(_) => {}
        Ok(_) => clients.note_reachability(region, true),
    }
    found
}

/// Whether a tick asking for `ids` global clusters lists the account (whose
/// list took `known` pages when last read) rather than asking each.
fn list_globals(known: Option<usize>, ids: usize) -> bool {
    ids > 1 && known.is_none_or(|pages| pages.saturating_mul(PAGE_WEIGHT) <= ids)
}

/// The account's list length in pages after a listing of `pages` pages that
/// found `found` of `ids` identifiers: the pages read when it ran to its
/// end; when it `stopped` early, an estimate from the share found (none
/// found counts as one), at least one page more than read.
fn listing_length(pages: usize, stopped: bool, ids: usize, found: usize) -> usize {
    if stopped {
        (pages.saturating_mul(ids))
            .div_ceil(found.max(1))
            .max(pages + 1)
    } else {
        pages
    }
}

/// The global clusters among `ids` not already in `found`, one
/// DescribeGlobalClusters each, sent concurrently (the region's pacer
/// spaces them). The first failed call is the answer.
async fn describe_globals_one_by_one(
    clients: &Clients,
    region: &str,
    ids: &[String],
    found: &[ObservedGlobal],
) -> Result<Vec<ObservedGlobal>, AwsError> {
    let asks = ids
        .iter()
        .filter(|id| !found.iter().any(|g| g.id == **id))
        .map(|id| describe_global_in(clients, region, id));
    let answers = futures::future::try_join_all(asks).await?;
    Ok(answers.into_iter().flatten().collect())
}

/// The cluster snapshot `id` in `region`.
pub async fn find_snapshot(
    clients: &Clients,
    region: &str,
    id: &str,
) -> Result<Option<ObservedSnapshot>, AwsError> {
    let client = clients.rds(region).await?;
    describe_one(
        clients,
        "DescribeDBClusterSnapshots",
        region,
        || {
            client
                .describe_db_cluster_snapshots()
                .db_cluster_snapshot_identifier(id)
                .send()
        },
        |out| {
            out.db_cluster_snapshots()
                .iter()
                .find(|s| s.db_cluster_snapshot_identifier() == Some(id))
                .map(ObservedSnapshot::from)
        },
    )
    .await
}

/// Reads one region: the cluster `cluster_id` and its instances, with one
/// DescribeDBClusters and one DescribeDBInstances sent concurrently. Both go
/// through the shared pollers ([`super::poll`]) due at once: the reads of
/// every topology refreshed at the same time (and the waits polling the
/// region then) share those two calls, filtered by cluster identifier. A
/// region that does not answer yields [`RegionObservation::Unreachable`];
/// any other failure is an error.
pub async fn observe_region(
    clients: &Clients,
    region: &str,
    cluster_id: &str,
) -> Result<RegionObservation, AwsError> {
    let polls = clients.polls();
    let now = tokio::time::Instant::now();
    let (cluster, instances) = tokio::join!(
        polls.read::<ObservedCluster>(clients, region, cluster_id, now),
        polls.read::<ClusterInstances>(clients, region, cluster_id, now),
    );
    let instances = instances.map(|found| found.map_or_else(Vec::new, |c| c.instances));
    match (cluster, instances) {
        (Ok(cluster), Ok(instances)) => {
            clients.note_reachability(region, true);
            Ok(RegionObservation::Reached { cluster, instances })
        }
        (Err(e), _) | (_, Err(e)) if e.is_unreachable() => {
            clients.note_reachability(region, false);
            Ok(RegionObservation::Unreachable { error: e })
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Reads the whole topology of global cluster `global_id`: one
/// DescribeGlobalClusters (home region, falling back to `fallback_regions`
/// when it is unreachable), then every member region in parallel with
/// [`observe_region`]. `Ok(None)` when the global cluster does not exist.
pub async fn observe(
    clients: &Clients,
    home_region: &str,
    fallback_regions: &[String],
    global_id: &str,
) -> Result<Option<ObservedTopology>, AwsError> {
    let Some((global, global_region)) =
        find_global_cluster_with_region(clients, home_region, fallback_regions, global_id).await?
    else {
        return Ok(None);
    };
    let reads = global.members.iter().map(|m| async move {
        let obs = observe_region(clients, &m.region, &m.cluster_id).await;
        (m.region.clone(), obs)
    });
    let mut regions = BTreeMap::new();
    for (region, obs) in futures::future::join_all(reads).await {
        let obs = obs?;
        if let RegionObservation::Unreachable { error } = &obs {
            tracing::warn!(region = %region, error = %error, "member region could not be read");
        }
        regions.insert(region, obs);
    }
    Ok(Some(ObservedTopology {
        global,
        global_region,
        regions,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::config::AwsSettings;

    /// Pages read for a sequence of answered markers.
    fn pages_read(answers: &[Option<&str>]) -> usize {
        let mut pages = Pages::default();
        for (n, m) in answers.iter().enumerate() {
            if pages.next_marker(*m).is_none() {
                return n + 1;
            }
        }
        usize::MAX
    }

    #[test]
    fn pagination_stops_at_any_repeated_marker() {
        assert_eq!(pages_read(&[None]), 1);
        assert_eq!(pages_read(&[Some(""), Some("x")]), 1);
        assert_eq!(pages_read(&[Some("a"), Some("b"), None]), 3);
        // An immediate repeat and a repeat of an older marker both end it.
        assert_eq!(pages_read(&[Some("a"), Some("a"), Some("b")]), 2);
        assert_eq!(
            pages_read(&[Some("a"), Some("b"), Some("a"), Some("b"), Some("c")]),
            3
        );
    }

    #[test]
    fn global_ticks_list_the_account_only_when_it_saves_calls() {
        // One identifier is always asked alone.
        assert!(!list_globals(None, 1));
        assert!(!list_globals(Some(1), 1));
        // An account of unknown length is listed (the listing's own stop
        // rule bounds it).
        assert!(list_globals(None, 2));
        // One page against four single calls or more.
        assert!(!list_globals(Some(1), 3));
        assert!(list_globals(Some(1), 4));
        // Ten pages (1000 global clusters) against ten waits: ask each.
        assert!(!list_globals(Some(10), 10));
        assert!(list_globals(Some(10), 40));
    }

    #[test]
    fn a_listing_that_stops_early_estimates_the_account_length() {
        // Ran to its end: its pages.
        assert_eq!(listing_length(3, false, 10, 10), 3);
        // One page found none of ten: at least ten pages.
        assert_eq!(listing_length(1, true, 10, 0), 10);
        // Two pages found one of ten: twenty.
        assert_eq!(listing_length(2, true, 10, 1), 20);
        // Never less than one page more than read.
        assert_eq!(listing_length(2, true, 4, 3), 3);
    }

    #[test]
    fn pagination_stops_at_the_page_cap() {
        let markers: Vec<String> = (0..MAX_PAGES * 2).map(|n| format!("m{n}")).collect();
        let answers: Vec<Option<&str>> = markers.iter().map(|m| Some(m.as_str())).collect();
        assert_eq!(pages_read(&answers), MAX_PAGES);
    }

    /// Regression: composed read futures grew past a test thread's 2 MiB
    /// stack in debug builds. SDK calls and configuration loading are boxed;
    /// keep the composed futures small.
    #[test]
    fn read_futures_stay_small() {
        let clients = Clients::new(AwsSettings::default());
        let fallbacks = vec!["us-west-2".to_string()];
        let sizes = [
            ("rds", std::mem::size_of_val(&clients.rds("us-east-1"))),
            (
                "find_cluster",
                std::mem::size_of_val(&find_cluster(&clients, "us-east-1", "x")),
            ),
            (
                "observe_region",
                std::mem::size_of_val(&observe_region(&clients, "us-east-1", "x")),
            ),
            (
                "observe",
                std::mem::size_of_val(&observe(&clients, "us-east-1", &fallbacks, "x")),
            ),
        ];
        for (name, size) in sizes {
            eprintln!("{name}: {size} bytes");
            assert!(size < 16 * 1024, "{name} future is {size} bytes");
        }
    }
}
