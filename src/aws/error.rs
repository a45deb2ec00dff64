//! One classification of AWS SDK errors.
//!
//! Every failed SDK call becomes an [`AwsError`] whose [`ErrorKind`] is decided
//! here and nowhere else: from the service's error *code* for answered
//! requests, and from the SDK's error variant and error types for requests
//! that never got an answer (connection refused or reset, timeouts; a
//! credential-chain failure). Message text is carried for the user but never
//! inspected.

use std::error::Error as StdError;
use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_rds::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::retry::ErrorKind as SdkRetryKind;

/// What kind of failure an AWS call ended with; callers branch on this only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The object named in the call does not exist (cluster, instance, global
    /// cluster, snapshot).
    NotFound,
    /// An object with that identifier already exists.
    AlreadyExists,
    /// The object exists but its current status does not allow the action
    /// (e.g. deleting a cluster that is still `modifying`).
    InvalidState,
    /// The service kept throttling the request past the retry budget.
    Throttled,
    /// The request was rejected as malformed or inconsistent, including
    /// references to missing dependencies (subnet group, parameter group, KMS
    /// key).
    InvalidParameter,
    /// No answer: connection refused/reset/closed, connect or attempt timeout.
    /// The region is treated as unreachable.
    Unreachable,
    /// Credentials missing (the credential chain produced none), expired, or
    /// not allowed to perform the action.
    AccessDenied,
    /// Anything else (5xx after retries, quota faults, unknown codes).
    Other,
}

impl ErrorKind {
    /// Classifies an AWS error code (the `<Code>` of an `<ErrorResponse>`).
    /// Unknown codes are [`ErrorKind::Other`].
    pub fn from_code(code: &str) -> ErrorKind {
        match code {
            "DBClusterNotFoundFault"
            | "DBInstanceNotFound"
            | "DBInstanceNotFoundFault"
            | "GlobalClusterNotFoundFault"
            | "DBClusterSnapshotNotFoundFault"
            | "DBSnapshotNotFound"
            | "ResourceNotFoundFault" => ErrorKind::NotFound,

            "DBClusterAlreadyExistsFault"
            | "DBInstanceAlreadyExists"
            | "DBInstanceAlreadyExistsFault"
            | "GlobalClusterAlreadyExistsFault"
            | "DBClusterSnapshotAlreadyExistsFault"
            | "DBSnapshotAlreadyExists" => ErrorKind::AlreadyExists,

            "InvalidDBClusterStateFault"
            | "InvalidDBInstanceState"
            | "InvalidDBInstanceStateFault"
            | "InvalidGlobalClusterStateFault"
            | "InvalidDBClusterSnapshotStateFault"
            | "InvalidDBSnapshotState" => ErrorKind::InvalidState,

            "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestLimitExceeded"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "TooManyRequestsException"
            | "ProvisionedThroughputExceededException"
            | "TransactionInProgressException"
            | "PriorRequestNotComplete"
            | "SlowDown"
            | "BandwidthLimitExceeded"
            | "EC2ThrottledException" => ErrorKind::Throttled,

            "InvalidParameterValue"
            | "InvalidParameterCombination"
            | "InvalidParameter"
            | "MissingParameter"
            | "ValidationError"
            | "InvalidSubnet"
            | "InvalidVPCNetworkStateFault"
            | "DBSubnetGroupNotFoundFault"
            | "DBClusterParameterGroupNotFound"
            | "DBClusterParameterGroupNotFoundFault"
            | "DBParameterGroupNotFound"
            | "KMSKeyNotAccessibleFault"
            | "StorageTypeNotSupported"
            | "InvalidDBClusterCapacityFault" => ErrorKind::InvalidParameter,

            "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "NotAuthorized"
            | "InvalidClientTokenId"
            | "UnrecognizedClientException"
            | "SignatureDoesNotMatch"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "InvalidAccessKeyId"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "AuthFailure" => ErrorKind::AccessDenied,

            _ => ErrorKind::Other,
        }
    }
}

/// A failed AWS call, classified. `Display` reads
/// `"<operation> in <region>: <code>: <message>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The classification callers branch on.
    pub kind: ErrorKind,
    /// The AWS error code when the service answered (e.g.
    /// `InvalidDBClusterStateFault`); `None` for transport failures.
    pub code: Option<String>,
    /// Human-readable detail from AWS or the SDK. Never contains request
    /// parameters (and so never a password).
    pub message: String,
    /// The RDS action, e.g. `"CreateDBCluster"`.
    pub operation: &'static str,
    /// The region the request was sent to.
    pub region: String,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(
                f,
                "{} in {}: {}: {}",
                self.operation, self.region, code, self.message
            ),
            None => write!(f, "{} in {}: {}", self.operation, self.region, self.message),
        }
    }
}

impl StdError for AwsError {}

/// True for a failure to get an answer from the endpoint: I/O errors
/// (refused, reset, closed), timeouts, and the transient errors the HTTP
/// client reports for connections closed mid-exchange. False for user
/// errors and for unclassified failures, which include errors raised before
/// transmission (credentials, signing, endpoint resolution) that the SDK
/// also reports as dispatch failures.
pub(super) fn is_transport_failure(err: &ConnectorError) -> bool {
    err.is_io() || err.is_timeout() || err.as_other() == Some(SdkRetryKind::TransientError)
}

/// True when `T` appears in the source chain of `err` (a type test, not a
/// message match).
fn source_chain_has<T: StdError + 'static>(err: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if e.is::<T>() {
            return true;
        }
        next = e.source();
    }
    false
}

impl AwsError {
    /// Builds an error from an AWS error code, classifying it.
    pub fn from_code(
        operation: &'static str,
        region: &str,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        AwsError {
            kind: ErrorKind::from_code(code),
            code: Some(code.to_string()),
            message: message.into(),
            operation,
            region: region.to_string(),
        }
    }

    /// An error raised by this module itself rather than by AWS (e.g. an
    /// answer that lacks a required field).
    pub fn local(
        operation: &'static str,
        region: &str,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        AwsError {
            kind,
            code: None,
            message: message.into(),
            operation,
            region: region.to_string(),
        }
    }

    /// Classifies a failed SDK call. This is the single place where SDK error
    /// variants are mapped to [`ErrorKind`].
    pub fn from_sdk<E>(
        operation: &'static str,
        region: &str,
        err: SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let region = region.to_string();
        match &err {
            SdkError::ServiceError(ctx) => {
                let service_err = ctx.err();
                let status = ctx.raw().status().as_u16();
                let message = service_err
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("HTTP {status}"));
                match service_err.code() {
                    Some(code) => AwsError {
                        kind: ErrorKind::from_code(code),
                        code: Some(code.to_string()),
                        message,
                        operation,
                        region,
                    },
                    None => AwsError {
                        kind: if status == 429 {
                            ErrorKind::Throttled
                        } else {
                            ErrorKind::Other
                        },
                        code: None,
                        message,
                        operation,
                        region,
                    },
                }
            }
            SdkError::TimeoutError(_) => AwsError {
                kind: ErrorKind::Unreachable,
                code: None,
                message: format!(
                    "no answer before the timeout ({})",
                    DisplayErrorContext(&err)
                ),
                operation,
                region,
            },
            SdkError::DispatchFailure(failure) => {
                let kind = if source_chain_has::<CredentialsError>(&err) {
                    ErrorKind::AccessDenied
                } else if failure
                    .as_connector_error()
                    .is_some_and(is_transport_failure)
                {
                    ErrorKind::Unreachable
                } else {
                    ErrorKind::Other
                };
                AwsError {
                    kind,
                    code: None,
                    message: format!("request not answered: {}", DisplayErrorContext(&err)),
                    operation,
                    region,
                }
            }
            // A response arrived but could not be read completely or parsed.
            SdkError::ResponseError(_) => AwsError {
                kind: ErrorKind::Other,
                code: None,
                message: format!("unreadable response: {}", DisplayErrorContext(&err)),
                operation,
                region,
            },
            // Construction failures include missing credentials and invalid
            // input; neither is a transport problem.
            _ => AwsError {
                kind: ErrorKind::Other,
                code: None,
                message: format!("{}", DisplayErrorContext(&err)),
                operation,
                region,
            },
        }
    }

    /// True when the object the call named does not exist.
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    /// True when the region did not answer (transport failure or timeout).
    pub fn is_unreachable(&self) -> bool {
        self.kind == ErrorKind::Unreachable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_rds::operation::describe_db_clusters::DescribeDBClustersError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    #[test]
    fn codes_classify_into_kinds() {
        let table: &[(&str, ErrorKind)] = &[
            ("DBClusterNotFoundFault", ErrorKind::NotFound),
            ("DBInstanceNotFound", ErrorKind::NotFound),
            ("DBInstanceNotFoundFault", ErrorKind::NotFound),
            ("GlobalClusterNotFoundFault", ErrorKind::NotFound),
            ("DBClusterSnapshotNotFoundFault", ErrorKind::NotFound),
            ("DBClusterAlreadyExistsFault", ErrorKind::AlreadyExists),
            ("DBInstanceAlreadyExists", ErrorKind::AlreadyExists),
            ("GlobalClusterAlreadyExistsFault", ErrorKind::AlreadyExists),
            ("InvalidDBClusterStateFault", ErrorKind::InvalidState),
            ("InvalidDBInstanceState", ErrorKind::InvalidState),
            ("InvalidGlobalClusterStateFault", ErrorKind::InvalidState),
            ("InvalidParameterValue", ErrorKind::InvalidParameter),
            ("InvalidParameterCombination", ErrorKind::InvalidParameter),
            ("DBSubnetGroupNotFoundFault", ErrorKind::InvalidParameter),
            ("KMSKeyNotAccessibleFault", ErrorKind::InvalidParameter),
            ("Throttling", ErrorKind::Throttled),
            ("ThrottlingException", ErrorKind::Throttled),
            ("RequestLimitExceeded", ErrorKind::Throttled),
            ("AccessDenied", ErrorKind::AccessDenied),
            ("ExpiredToken", ErrorKind::AccessDenied),
            ("InvalidClientTokenId", ErrorKind::AccessDenied),
            ("InternalFailure", ErrorKind::Other),
            ("StorageQuotaExceeded", ErrorKind::Other),
            ("", ErrorKind::Other),
            // case matters: AWS codes are exact
            ("dbclusternotfoundfault", ErrorKind::Other),
        ];
        for (code, kind) in table {
            assert_eq!(ErrorKind::from_code(code), *kind, "code {code:?}");
        }
    }

    fn response(status: u16) -> HttpResponse {
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty())
    }

    fn service_error(
        code: Option<&str>,
        message: &str,
        status: u16,
    ) -> SdkError<DescribeDBClustersError, HttpResponse> {
        let mut meta = ErrorMetadata::builder().message(message);
        if let Some(code) = code {
            meta = meta.code(code);
        }
        SdkError::service_error(
            DescribeDBClustersError::generic(meta.build()),
            response(status),
        )
    }

    #[test]
    fn service_errors_are_classified_by_code_not_message() {
        let e = AwsError::from_sdk(
            "DescribeDBClusters",
            "eu-west-1",
            service_error(
                Some("DBClusterNotFoundFault"),
                "DBCluster x not found.",
                404,
            ),
        );
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(e.code.as_deref(), Some("DBClusterNotFoundFault"));
        assert_eq!(
            e.to_string(),
            "DescribeDBClusters in eu-west-1: DBClusterNotFoundFault: DBCluster x not found."
        );

        // A message that *says* throttled but carries another code is not throttling.
        let e = AwsError::from_sdk(
            "DescribeDBClusters",
            "eu-west-1",
            service_error(
                Some("InvalidParameterValue"),
                "Rate exceeded / Throttling",
                400,
            ),
        );
        assert_eq!(e.kind, ErrorKind::InvalidParameter);

        let e = AwsError::from_sdk(
            "DescribeDBClusters",
            "eu-west-1",
            service_error(None, "busy", 429),
        );
        assert_eq!(e.kind, ErrorKind::Throttled);
        let e = AwsError::from_sdk(
            "DescribeDBClusters",
            "eu-west-1",
            service_error(None, "boom", 500),
        );
        assert_eq!(e.kind, ErrorKind::Other);
        assert_eq!(e.to_string(), "DescribeDBClusters in eu-west-1: boom");
    }

    #[test]
    fn transport_failures_are_unreachable() {
        let io: SdkError<DescribeDBClustersError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
        let e = AwsError::from_sdk("DescribeDBClusters", "us-east-1", io);
        assert_eq!(e.kind, ErrorKind::Unreachable);
        assert!(e.code.is_none());
        assert!(e.is_unreachable());

        let timeout: SdkError<DescribeDBClustersError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::timeout("connect timeout".into()));
        assert_eq!(
            AwsError::from_sdk("X", "us-east-1", timeout).kind,
            ErrorKind::Unreachable
        );

        let closed: SdkError<DescribeDBClustersError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other(
                "connection closed before message completed".into(),
                Some(SdkRetryKind::TransientError),
            ));
        assert_eq!(
            AwsError::from_sdk("X", "us-east-1", closed).kind,
            ErrorKind::Unreachable
        );

        // Failures before transmission are reported as unclassified dispatch
        // failures: not a transport problem.
        let unclassified: SdkError<DescribeDBClustersError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other("signing failed".into(), None));
        assert_eq!(
            AwsError::from_sdk("X", "us-east-1", unclassified).kind,
            ErrorKind::Other
        );
        let no_credentials: SdkError<DescribeDBClustersError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other(
                Box::new(CredentialsError::not_loaded("no providers in chain")),
                None,
            ));
        assert_eq!(
            AwsError::from_sdk("X", "us-east-1", no_credentials).kind,
            ErrorKind::AccessDenied
        );

        let op_timeout: SdkError<DescribeDBClustersError, HttpResponse> =
            SdkError::timeout_error("attempt timeout");
        assert_eq!(
            AwsError::from_sdk("X", "us-east-1", op_timeout).kind,
            ErrorKind::Unreachable
        );

        let user: SdkError<DescribeDBClustersError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::user("bad uri".into()));
        assert_eq!(
            AwsError::from_sdk("X", "us-east-1", user).kind,
            ErrorKind::Other
        );

        let construction: SdkError<DescribeDBClustersError, HttpResponse> =
            SdkError::construction_failure("no credentials");
        assert_eq!(
            AwsError::from_sdk("X", "us-east-1", construction).kind,
            ErrorKind::Other
        );
    }
}
