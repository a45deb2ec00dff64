//! The leftovers sweep: clusters that an interrupted removal left detached
//! from the global cluster (still carrying this topology's ownership tag)
//! are deleted once the topology converged, before the global cluster goes
//! on a destroy.

use crate::aws::{self as find, wait, FinalSnapshot, ObservedTopology, OWNERSHIP_TAG_KEY};

use super::error::StepError;
use super::run::{Deletions, Gone, Run};

impl Run<'_> {
    /// Deletes clusters an interrupted removal left detached (see
    /// [`Run::known_clusters`]); a former primary keeps its final snapshot
    /// when this is a destroy that asked for one.
    pub(super) async fn sweep(
        &self,
        obs: Option<&ObservedTopology>,
        deletions: &Deletions,
    ) -> Result<(), (String, StepError)> {
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
                        StepError::Aws(e),
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
                let instances =
                    find::find_instances_by_cluster(&t.clients, region, cluster_id).await?;
                let (deleting, live): (Vec<_>, Vec<_>) =
                    instances.into_iter().partition(|i| i.status == "deleting");
                let gone = Deletions::default();
                for i in &deleting {
                    gone.push(region, Gone::Instance(i.id.clone()));
                }
                let cluster_deleting = c.status == "deleting";
                if !cluster_deleting {
                    // A cluster just detached is still `promoting` (or
                    // `modifying`) for a while, and may still be listed.
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
                    .map_err(StepError::Wait)
            };
            Box::pin(r).await.map_err(|e| (step, e))?;
        }
        Ok(())
    }
}
