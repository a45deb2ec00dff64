//! The only room that talks to AWS: every `aws-sdk-rds` call of the provider
//! lives under this module.
//!
//! What it owns:
//! - `config`: provider settings ([`AwsSettings`]) and [`Clients`], one lazily
//!   built RDS client per region sharing one credential chain.
//! - [`retry`]: the single retry policy (SDK standard retries for throttling and
//!   5xx, a short bounded budget for transport failures so an unreachable region
//!   is recognised in seconds, not minutes).
//! - `error`: one classification of SDK errors into [`ErrorKind`], by error
//!   code only, never by message text.
//! - `model`: plain observed types; no SDK type leaves this module.
//! - `find`: finders returning `Result<Option<T>, AwsError>` and [`observe`],
//!   the read path (one DescribeGlobalClusters, then per member region one
//!   DescribeDBClusters and one DescribeDBInstances).
//! - `list`: [`list_global_clusters`], every global cluster of the account.
//! - `ops`: one typed function per mutating RDS action the provider uses,
//!   by object (global cluster, cluster, instance, tags), and the recognition
//!   of effects of attempts whose answer was lost.
//! - `metrics`: replication lag of secondaries from CloudWatch
//!   ([`read_lag`], one `GetMetricData` per region; the only
//!   `aws-sdk-cloudwatch` call).
//! - `pacer`: client-side pacing per region (the default when no
//!   `retry_mode` is chosen): finds the region's sustainable rate from its
//!   answers, mutating calls first.
//! - `poll`: shared polling; waits on clusters (instances, global
//!   clusters) of one region share one Describe call per tick.
//! - [`wait`]: one generic waiter ([`wait::wait_until`]) with typed
//!   pending/target status sets under one deadline, and its uses per object.
//!
//! The submodules are private behind the curated re-exports below, except
//! `retry` and `wait`, whose module paths tests still name
//! (`aws::retry::TRANSPORT_ATTEMPTS`, `aws::wait::CLUSTER_PENDING`, ...).
//!
//! What it must not do: build user diagnostics. Failures are typed errors
//! ([`AwsError`], [`WaitError`]) that the topology module turns into
//! diagnostics. Secrets travel as [`Secret`] and are never logged or formatted.

mod config;
mod error;
mod find;
mod list;
mod metrics;
mod model;
mod ops;
mod pacer;
mod poll;
pub mod retry;
mod settings;
// `pub(crate)` while `topology::desired` still names it by its module path.
pub(crate) mod secret;
pub mod wait;

pub use config::{AssumeRole, AwsSettings, Clients, RetryMode, WebIdentity, WebIdentityToken};
pub use error::{AwsError, ErrorKind};
pub use find::{
    find_cluster, find_global_cluster, find_global_cluster_with_region, find_instance,
    find_instances_by_cluster, find_snapshot, observe, observe_region,
};
pub use list::list_global_clusters;
pub use metrics::{read_lag, ClusterLag, LagPoint, LAG_WINDOW};
pub use model::{
    arn_account, arn_region, arn_resource_id, FailoverState, GlobalMember, ObservedCluster,
    ObservedClusterMember, ObservedGlobal, ObservedInstance, ObservedSnapshot, ObservedTopology,
    RegionObservation,
};
pub use ops::{
    add_tags, create_db_cluster, create_db_instance, create_global_cluster, delete_db_cluster,
    delete_db_instance, delete_global_cluster, failover_global_cluster, modify_db_cluster,
    modify_db_instance, modify_global_cluster, ownership_tags, remove_from_global_cluster,
    remove_tags, restore_db_cluster_from_snapshot, switchover_global_cluster, ClusterRole,
    FinalSnapshot, ModifyCluster, ModifyGlobal, ModifyInstance, NewCluster, NewGlobalCluster,
    NewInstance, RestoredCluster, OWNERSHIP_TAG_KEY,
};
pub use retry::TRANSPORT_ATTEMPTS;
pub use secret::Secret;
pub use settings::{Acu, ClusterSettings, InstanceSettings, Scaling};
pub use wait::{
    wait_cluster_created, wait_cluster_deleted, wait_cluster_settled, wait_cluster_status,
    wait_for, wait_global_available, wait_global_created, wait_global_deleted, wait_global_settled,
    wait_instance_created, wait_instance_deleted, wait_instance_settled, wait_instance_status,
    wait_writer, PollInterval, WaitError,
};

/// The status sets the waiters use, for callers that wait on their own terms.
pub mod status {
    pub use super::wait::{AVAILABLE, CLUSTER_PENDING, GLOBAL_PENDING, INSTANCE_PENDING, SETTLING};
}
