//! The RDS Query API error: a wire code, an HTTP status and a message.
//!
//! Codes and statuses follow the `error` traits of botocore's RDS service model
//! (several codes have no `Fault` suffix on the wire, e.g. `DBInstanceNotFound`).

/// An error answered as `<ErrorResponse>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} ({status}): {message}")]
pub(crate) struct ApiError {
    /// The wire code, e.g. `InvalidDBClusterStateFault`.
    pub code: String,
    /// The HTTP status.
    pub status: u16,
    /// Human-readable message in the style of the real service.
    pub message: String,
}

/// Result of an RDS operation handler.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Any code with any status.
    pub(crate) fn new(code: &str, status: u16, message: impl Into<String>) -> Self {
        ApiError {
            code: code.to_string(),
            status,
            message: message.into(),
        }
    }
    /// `Type` element of the error: `Receiver` for 5xx, else `Sender`.
    pub(crate) fn fault_type(&self) -> &'static str {
        if self.status >= 500 {
            "Receiver"
        } else {
            "Sender"
        }
    }
}

macro_rules! codes {
    ($($fn_name:ident => $code:literal, $status:literal;)*) => {
        impl ApiError {
            $(
                #[doc = concat!("`", $code, "` (HTTP ", stringify!($status), ").")]
                pub(crate) fn $fn_name(message: impl Into<String>) -> Self {
                    ApiError::new($code, $status, message)
                }
            )*
        }
    };
}

codes! {
    global_not_found => "GlobalClusterNotFoundFault", 404;
    global_exists => "GlobalClusterAlreadyExistsFault", 400;
    invalid_global_state => "InvalidGlobalClusterStateFault", 400;
    cluster_not_found => "DBClusterNotFoundFault", 404;
    cluster_exists => "DBClusterAlreadyExistsFault", 400;
    invalid_cluster_state => "InvalidDBClusterStateFault", 400;
    instance_not_found => "DBInstanceNotFound", 404;
    instance_exists => "DBInstanceAlreadyExists", 400;
    invalid_instance_state => "InvalidDBInstanceState", 400;
    snapshot_not_found => "DBClusterSnapshotNotFoundFault", 404;
    snapshot_exists => "DBClusterSnapshotAlreadyExistsFault", 400;
    invalid_snapshot_state => "InvalidDBClusterSnapshotStateFault", 400;
    invalid_value => "InvalidParameterValue", 400;
    invalid_combination => "InvalidParameterCombination", 400;
    missing_parameter => "MissingParameter", 400;
    missing_action => "MissingAction", 400;
    invalid_action => "InvalidAction", 400;
    throttling => "Throttling", 400;
    incomplete_signature => "IncompleteSignature", 400;
    missing_token => "MissingAuthenticationToken", 403;
    kms_not_accessible => "KMSKeyNotAccessibleFault", 400;
}
