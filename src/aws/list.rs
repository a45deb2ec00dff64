//! Listing: every global cluster the account has, for the list resource.

use super::config::Clients;
use super::error::AwsError;
use super::find::Pages;
use super::model::ObservedGlobal;
use super::retry::send;

/// Every global cluster visible from `region` (global clusters are
/// partition-wide, so one region sees them all), following `Marker` pages
/// (100 per page), sorted by identifier.
pub async fn list_global_clusters(
    clients: &Clients,
    region: &str,
) -> Result<Vec<ObservedGlobal>, AwsError> {
    let client = clients.rds(region).await?;
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = Pages::default();
    loop {
        let page = send(clients, "DescribeGlobalClusters", region, || {
            client
                .describe_global_clusters()
                .set_marker(marker.clone())
                .send()
        })
        .await?;
        out.extend(page.global_clusters().iter().map(ObservedGlobal::from));
        match pages.next_marker(page.marker()) {
            Some(m) => marker = Some(m),
            None => break,
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}
