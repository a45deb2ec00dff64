//! [`StepError`]: why a step, or the run as a whole, stopped. AWS failures
//! keep their [`AwsError`] (kind, code, operation, region) up to the
//! diagnostic; the other variants are the executor's own reasons.

use crate::aws::{AwsError, WaitError};

/// Why a step or the run stopped. `Display` is the text the diagnostic
/// shows after the failed step's description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// An RDS call failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// Waiting for the effect of a call failed (timeout, unexpected status,
    /// object gone, or a failed poll).
    #[error(transparent)]
    Wait(#[from] WaitError),
    /// CreateDBInstance of the desired instance `key` failed.
    #[error("create instance {key:?} in {}: {source}", source.region)]
    CreateInstance {
        /// The instance's key in `regions[...].instances`.
        key: String,
        /// What AWS answered (its region is the instance's).
        source: AwsError,
    },
    /// Reading the whole topology failed.
    #[error("Reading the topology failed: {0}")]
    Observe(AwsError),
    /// The step waited for another step of its phase, which failed.
    #[error("not started: a secondary region of the same phase could not leave")]
    SiblingFailed,
    /// StopProvider arrived while a step was running or waiting.
    #[error("cancelled while waiting (the host asked the provider to stop)")]
    CancelledInStep,
    /// StopProvider arrived between phases.
    #[error("The operation was cancelled (the host asked the provider to stop).")]
    Cancelled,
    /// The apply's deadline passed between phases or while observing.
    #[error("The operation ran past its timeout (see the timeouts block).")]
    DeadlinePassed,
    /// The step planner kept asking for steps past the phase limit.
    #[error("The topology did not converge within {0} phases; AWS keeps reporting differences.")]
    NotConverged(usize),
    /// The same phase came back three times in a row.
    #[error("AWS still differs from the configuration after this step was carried out three times; something outside this provider keeps undoing it.")]
    KeptUndone,
    /// The step planner cannot reach the desired topology from here.
    #[error("{0}")]
    Blocked(String),
    /// A create found a global cluster of that name that this topology did
    /// not create.
    #[error("A global cluster named {id} already exists and was not created by this topology (it lacks the {tag} tag), so it is not adopted. To manage it, import it: terraform import <address> {id}")]
    NotOurs {
        /// The global cluster identifier.
        id: String,
        /// The ownership tag key.
        tag: &'static str,
    },
    /// The cluster the topology grows from (`source_db_cluster_identifier`)
    /// does not exist.
    #[error("The source cluster {cluster_id} was not found in {region}. source_db_cluster_identifier must name an existing cluster in primary_region.")]
    SourceMissing {
        /// The source's region (the primary region).
        region: String,
        /// The source cluster's identifier.
        cluster_id: String,
    },
    /// A cluster named like the one a snapshot restore would create exists
    /// and was not created by this topology.
    #[error("A cluster named {cluster_id} already exists in {region} and was not restored by this topology (it lacks the {tag} tag), so it is not used. Choose another regions[\"{region}\"].cluster_identifier, or grow the existing cluster with source_db_cluster_identifier instead of snapshot_identifier.")]
    RestoredNotOurs {
        /// The primary region.
        region: String,
        /// The cluster identifier.
        cluster_id: String,
        /// The ownership tag key.
        tag: &'static str,
    },
    /// Instances of the source cluster that the configuration does not
    /// declare: the create stops instead of deleting them.
    #[error("The source cluster {cluster_id} in {region} has instances the configuration does not declare: {}. Nothing was deleted. Declare each of them in regions[\"{region}\"].instances (with identifier = \"<instance id>\"), or remove them yourself, then apply again.", .ids.join(", "))]
    UndeclaredSourceInstances {
        /// The primary region.
        region: String,
        /// The source cluster.
        cluster_id: String,
        /// The undeclared instances.
        ids: Vec<String>,
    },
    /// A create or modify step was scheduled during a destroy (a bug).
    #[error("internal error: a create or modify step during destroy")]
    NoDesiredState,
    /// A step named a region or instance the desired state lacks (a bug).
    #[error("internal error: {0} is not desired")]
    NotDesired(String),
    /// `max_data_loss` refused the failover when it was checked again just
    /// before FailoverGlobalCluster (the detail says why and what to do).
    #[error("{0}")]
    DataLossBound(String),
    /// Creating the primary needs the master password, which is not stored.
    #[error("no master password is available (master_password_wo is not stored: set it in the configuration for the apply that creates the primary)")]
    NoMasterPassword,
}

impl StepError {
    /// The AWS error behind this one, if AWS answered (or failed to).
    pub fn aws(&self) -> Option<&AwsError> {
        match self {
            StepError::Aws(e)
            | StepError::Observe(e)
            | StepError::CreateInstance { source: e, .. } => Some(e),
            StepError::Wait(WaitError::Aws(e)) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ErrorKind;

    fn throttled() -> AwsError {
        AwsError::from_code(
            "CreateDBInstance",
            "eu-west-1",
            "Throttling",
            "Rate exceeded",
        )
    }

    #[test]
    fn the_aws_kind_and_code_reach_the_diagnostic() {
        for e in [
            StepError::Aws(throttled()),
            StepError::Wait(WaitError::Aws(throttled())),
            StepError::Observe(throttled()),
            StepError::CreateInstance {
                key: "a".into(),
                source: throttled(),
            },
        ] {
            let aws = e.aws().unwrap();
            assert_eq!(aws.kind, ErrorKind::Throttled);
            assert_eq!(aws.code.as_deref(), Some("Throttling"));
            assert!(e.to_string().contains("Throttling: Rate exceeded"), "{e}");
        }
        assert_eq!(StepError::Cancelled.aws(), None);
    }

    #[test]
    fn texts_stay_as_users_know_them() {
        let e = StepError::CreateInstance {
            key: "a".into(),
            source: throttled(),
        };
        assert_eq!(
            e.to_string(),
            "create instance \"a\" in eu-west-1: CreateDBInstance in eu-west-1: Throttling: Rate exceeded"
        );
        assert_eq!(
            StepError::Observe(throttled()).to_string(),
            "Reading the topology failed: CreateDBInstance in eu-west-1: Throttling: Rate exceeded"
        );
    }
}
