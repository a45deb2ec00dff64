//! The emulated control plane: `objects` holds the data (global clusters,
//! clusters, instances, snapshots and their fields), `clock` the lazy state
//! machine that advances their statuses on the virtual clock.

mod clock;
mod objects;
mod realism;
pub(crate) mod settings;

pub(crate) use objects::{
    key, Cluster, GlobalCluster, GlobalOp, Instance, Member, Next, Pending, Role, Snapshot, State,
    Tags,
};
pub(crate) use realism::Realism;
