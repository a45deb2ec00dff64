//! Finders and the read path.
//!
//! Every finder returns `Ok(None)` when the object does not exist (whether AWS
//! says `...NotFound` or returns an empty list) and checks that the object it
//! got back carries the identifier it asked for.
//!
//! [`observe`] reads a whole topology with a fixed number of calls: one
//! DescribeGlobalClusters, then per member region (in parallel) one
//! DescribeDBClusters and one DescribeDBInstances filtered by cluster, so
//! `1 + 2R` calls whatever the number of instances. A member region that does
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
    for region in clients.prefer_reachable(&candidates) {
        match describe_global_in(clients, region, id).await {
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
    let mut instances = describe_instances(clients, region, "db-cluster-id", &ids, |i| {
        i.db_cluster_identifier()
    })
    .await?;
    instances.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(instances)
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

/// Every global cluster among `ids` that exists, asked in `region`. One
/// identifier: DescribeGlobalClusters for it. Several: the account's list
/// (DescribeGlobalClusters takes no identifier filter), 100 to a page, read
/// while its pages find what is asked (each page found at least as many as
/// the pages read so far); identifiers still missing when it stops early
/// are asked one by one, so a tick costs at most about one call per
/// identifier however many global clusters the account has. Used by shared
/// polling; notes the region's reachability.
pub(crate) async fn describe_globals_by_id(
    clients: &Clients,
    region: &str,
    ids: &[String],
) -> Result<Vec<ObservedGlobal>, AwsError> {
    let read = async {
        if let [id] = ids {
            return Ok(describe_global_in(clients, region, id)
                .await?
                .into_iter()
                .collect());
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
        if stopped {
            for id in ids {
                if !found.iter().any(|g| g.id == *id) {
                    found.extend(describe_global_in(clients, region, id).await?);
                }
            }
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
/// DescribeDBClusters and one DescribeDBInstances sent concurrently. A region
/// that does not answer yields [`RegionObservation::Unreachable`]; any other
/// failure is an error.
pub async fn observe_region(
    clients: &Clients,
    region: &str,
    cluster_id: &str,
) -> Result<RegionObservation, AwsError> {
    let (cluster, instances) = tokio::join!(
        find_cluster(clients, region, cluster_id),
        find_instances_by_cluster(clients, region, cluster_id),
    );
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
