//! Mutating RDS calls, one typed function per action the provider uses.
//!
//! Each function sends exactly one action (under the retry policy of
//! [`super::retry`]) and returns what AWS answered, converted to the
//! observed model. None of them waits: pair them with [`super::wait`].
//!
//! Ownership: every object created here carries the tag
//! [`OWNERSHIP_TAG_KEY`]` = <global cluster id>` on top of the provider's
//! `default_tags` and the topology's tags, so an interrupted apply can adopt
//! what it created.
//!
//! Lost answers: a call re-sent after a transport failure (see
//! [`super::retry`]) may find the effect of the attempt whose answer was
//! lost. Creates, deletes, switchover and failover recognise it (a created
//! object carrying this topology's ownership tag, a deleted or `deleting`
//! object, a global cluster moving to the target) and report success; the
//! same answers to a call sent once are returned as errors, for the caller
//! to decide (e.g. adopt a tagged object).
//!
//! Credentials: [`ClusterRole`] makes it impossible to send a master user,
//! password or database name with a secondary cluster; passwords are
//! [`Secret`]s and never appear in logs or errors.

mod cluster;
mod global;
mod instance;
mod tags;

use std::collections::BTreeMap;
use std::future::Future;

use super::error::{AwsError, ErrorKind};
use super::model::{ObservedCluster, ObservedGlobal};
use super::retry::Failed;

pub use cluster::{
    create_db_cluster, delete_db_cluster, modify_db_cluster, restore_db_cluster_from_snapshot,
    ClusterRole, FinalSnapshot, ModifyCluster, NewCluster, RestoredCluster,
};
pub use global::{
    create_global_cluster, delete_global_cluster, failover_global_cluster, modify_global_cluster,
    remove_from_global_cluster, switchover_global_cluster, ModifyGlobal, NewGlobalCluster,
};
pub use instance::{
    create_db_instance, delete_db_instance, modify_db_instance, ModifyInstance, NewInstance,
};
pub use tags::{add_tags, ownership_tags, remove_tags, OWNERSHIP_TAG_KEY};

/// The object an action's answer must carry (`what` names it for the error).
fn answered<T>(
    operation: &'static str,
    region: &str,
    what: &str,
    object: Option<T>,
) -> Result<T, AwsError> {
    object.ok_or_else(|| {
        AwsError::local(
            operation,
            region,
            ErrorKind::Other,
            format!("the answer carries no {what}"),
        )
    })
}

/// A create re-sent after a transport failure that answers `AlreadyExists`
/// may have been carried out by the attempt whose answer was lost: the
/// object `find` returns is ours when it carries this topology's ownership
/// tag. Any other failure is returned as is.
async fn created_by_lost_attempt<T>(
    failed: Failed,
    global_id: &str,
    find: impl Future<Output = Result<Option<T>, AwsError>>,
    tags: fn(&T) -> &BTreeMap<String, String>,
) -> Result<T, AwsError> {
    if !(failed.resent && failed.error.kind == ErrorKind::AlreadyExists) {
        return Err(failed.error);
    }
    match find.await? {
        Some(object)
            if tags(&object).get(OWNERSHIP_TAG_KEY).map(String::as_str) == Some(global_id) =>
        {
            tracing::info!(
                region = %failed.error.region,
                operation = failed.error.operation,
                "created by an earlier attempt whose answer was lost"
            );
            Ok(object)
        }
        _ => Err(failed.error),
    }
}

/// A delete re-sent after a transport failure that answers `NotFound`, or
/// `InvalidState` while the object is `deleting`, was carried out by the
/// attempt whose answer was lost. `status` reads the object's status (`None`
/// when it is gone).
async fn deleted_by_lost_attempt(
    failed: Failed,
    status: impl Future<Output = Result<Option<String>, AwsError>>,
) -> Result<(), AwsError> {
    if !failed.resent {
        return Err(failed.error);
    }
    let done = match failed.error.kind {
        ErrorKind::NotFound => true,
        ErrorKind::InvalidState => matches!(status.await?.as_deref(), None | Some("deleting")),
        _ => false,
    };
    if done {
        tracing::info!(
            region = %failed.error.region,
            operation = failed.error.operation,
            "deleted by an earlier attempt whose answer was lost"
        );
        Ok(())
    } else {
        Err(failed.error)
    }
}

/// A switchover or failover re-sent after a transport failure that answers
/// `InvalidState` was started by the attempt whose answer was lost when the
/// global cluster is moving to (or already has) the target writer.
async fn moved_by_lost_attempt(
    failed: Failed,
    global: impl Future<Output = Result<Option<ObservedGlobal>, AwsError>>,
    target_cluster_arn: &str,
) -> Result<ObservedGlobal, AwsError> {
    if !(failed.resent && failed.error.kind == ErrorKind::InvalidState) {
        return Err(failed.error);
    }
    match global.await? {
        Some(g)
            if g.failover_state.as_ref().and_then(|f| f.to_arn.as_deref())
                == Some(target_cluster_arn)
                || g.writer().map(|w| w.cluster_arn.as_str()) == Some(target_cluster_arn) =>
        {
            tracing::info!(
                region = %failed.error.region,
                operation = failed.error.operation,
                "started by an earlier attempt whose answer was lost"
            );
            Ok(g)
        }
        _ => Err(failed.error),
    }
}

/// A RemoveFromGlobalCluster re-sent after a transport failure was carried
/// out by the attempt whose answer was lost when the re-sent call answers
/// that the cluster is not a member (`InvalidParameter`), not found
/// (`NotFound`) or that the global cluster is busy (`InvalidState`, the
/// detach in progress), and the cluster `cluster` reads either no longer
/// names global cluster `global_id` or is gone.
async fn detached_by_lost_attempt(
    failed: Failed,
    global_id: &str,
    cluster: impl Future<Output = Result<Option<ObservedCluster>, AwsError>>,
) -> Result<(), AwsError> {
    let kinds = [
        ErrorKind::InvalidParameter,
        ErrorKind::NotFound,
        ErrorKind::InvalidState,
    ];
    if !(failed.resent && kinds.contains(&failed.error.kind)) {
        return Err(failed.error);
    }
    let detached = match cluster.await? {
        Some(c) => c.global_cluster_id.as_deref() != Some(global_id),
        None => failed.error.kind == ErrorKind::NotFound,
    };
    if detached {
        tracing::info!(
            region = %failed.error.region,
            operation = failed.error.operation,
            "detached by an earlier attempt whose answer was lost"
        );
        Ok(())
    } else {
        Err(failed.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(code: &str, resent: bool) -> Failed {
        Failed {
            error: AwsError::from_code("RemoveFromGlobalCluster", "eu-west-1", code, "x"),
            resent,
        }
    }

    fn cluster(global: Option<&str>) -> ObservedCluster {
        ObservedCluster {
            id: "orders-eu-west-1".into(),
            global_cluster_id: global.map(str::to_string),
            status: "modifying".into(),
            ..ObservedCluster::default()
        }
    }

    async fn detach(f: Failed, found: Option<ObservedCluster>) -> Result<(), AwsError> {
        detached_by_lost_attempt(f, "orders", async { Ok(found) }).await
    }

    #[tokio::test]
    async fn a_lost_detach_is_recognised_on_the_resend() {
        // "not a member" after a re-send, and the cluster is standalone: done.
        assert!(
            detach(failed("InvalidParameterValue", true), Some(cluster(None)))
                .await
                .is_ok()
        );
        assert!(detach(failed("DBClusterNotFoundFault", true), None)
            .await
            .is_ok());
        assert!(detach(
            failed("InvalidGlobalClusterStateFault", true),
            Some(cluster(Some("other")))
        )
        .await
        .is_ok());
    }

    #[tokio::test]
    async fn other_detach_failures_are_returned() {
        // Sent once: the caller decides.
        let e = detach(failed("InvalidParameterValue", false), Some(cluster(None)))
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        // Still a member: the lost attempt did not detach it.
        let e = detach(
            failed("InvalidParameterValue", true),
            Some(cluster(Some("orders"))),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code.as_deref(), Some("InvalidParameterValue"));
        // Another kind of failure.
        let e = detach(failed("AccessDenied", true), Some(cluster(None)))
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::AccessDenied);
    }
}
