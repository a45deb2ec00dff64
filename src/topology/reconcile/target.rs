//! [`Target`]: where and how to reach AWS for one topology (clients, the
//! region asked first for global-cluster calls and its fallbacks, the global
//! cluster identifier, poll intervals). Built by the resource from its
//! state; used by the executor and by read / import.

use super::ownership::stand_in_global_tags;
use crate::aws::{self, AwsError, Clients, ObservedTopology, PollInterval};

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
    /// One observation of the whole topology (1 + 2R calls). A global
    /// cluster that reports no tags shows its writer's when the writer is
    /// this topology's (see [`super::ownership`]).
    pub async fn observe(&self) -> Result<Option<ObservedTopology>, AwsError> {
        let mut observed = aws::observe(
            &self.clients,
            &self.home_region,
            &self.fallback_regions,
            &self.id,
        )
        .await?;
        if let Some(o) = observed.as_mut() {
            stand_in_global_tags(o, &self.id);
        }
        Ok(observed)
    }
}
