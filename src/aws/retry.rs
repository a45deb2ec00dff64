//! The retry policy of every AWS call, decided here and only here.
//!
//! Two kinds of failure are retried differently:
//!
//! * **Throttling, by default**: when no `retry_mode` is chosen, a
//!   throttled call is not retried by the SDK ([`ThrottlingLeftToPacer`]);
//!   [`send`] sends it again through the region's pacer
//!   ([`super::pacer`]), at most `max_retries` times. Every other rule below
//!   holds in all modes.
//!
//! * **Answered failures** (throttling when a `retry_mode` is chosen, 5xx,
//!   transient service errors) are retried by the SDK's *standard* strategy: at most `max_retries + 1`
//!   attempts (default [`DEFAULT_MAX_RETRIES`] = 25 retries), exponential
//!   backoff with full jitter starting at [`INITIAL_BACKOFF`] (1 s) and capped
//!   at [`MAX_BACKOFF`] (20 s). Throttling never makes a region "unreachable",
//!   and throttled retries do not draw on the SDK's retry quota
//!   ([`retry_partition`]).
//!   With `retry_mode = "adaptive"` the same strategy also runs a client-side
//!   rate limiter: idle until the first `Throttling` answer, it then paces
//!   every request to that region (first attempts too) at a rate it lowers on
//!   each throttling answer and raises as calls succeed, so that many
//!   concurrent refreshes queue in the provider instead of bouncing off the
//!   region's limit. It lowers the rate whatever caused the throttling (other
//!   clients of the account included), down to 0.5 tokens per second, where
//!   a first attempt costs 1 token and a retry of a throttled call 10: a
//!   short burst that meets its first throttle cold takes several times
//!   longer than with standard retries (docs/benchmarks.md), which is why it
//!   is not the default. Each region of each configured provider has its
//!   own limiter and retry quota ([`retry_partition`]): AWS's limits are per
//!   account and region, and one throttled region must not slow the others.
//!
//! * **Transport failures** (connection refused/reset/closed without an
//!   answer, connect timeout, attempt timeout) are *not* retried by the SDK: a
//!   classifier ([`TransportFailuresNotRetriedBySdk`]) forbids it, because the
//!   standard strategy would keep an unreachable region busy for minutes.
//!   Instead [`send`] sends the whole call at most [`TRANSPORT_ATTEMPTS`]
//!   (3) times with a jittered pause of 0.5–1 s, then 1–2 s between them, and
//!   does not start another attempt once [`TRANSPORT_BUDGET`] (20 s) has
//!   passed since the call began; then it returns
//!   [`ErrorKind::Unreachable`].
//!
//! Timeouts: connect [`CONNECT_TIMEOUT`] (3 s), each attempt
//! [`ATTEMPT_TIMEOUT`] (10 s; RDS control-plane calls normally answer in well
//! under a second).
//!
//! Resulting bounds for one call to a region that does not answer:
//! * connections refused or closed: about 2–3 s (3 attempts + 2 pauses);
//! * packets dropped (connect timeout): at most 3 × 3 s + 3 s = 12 s;
//! * connection accepted but never answered: 10 s + 1 s + 10 s ≈ 21 s
//!   (the budget stops the third attempt); never more than
//!   `TRANSPORT_BUDGET + ATTEMPT_TIMEOUT` = 30 s.
//!
//! A transport failure after several throttled attempts inside one SDK call
//! counts as one transport attempt; three SDK calls in a row that end in a
//! transport failure make the region unreachable.

use std::error::Error as StdError;
use std::future::Future;
use std::time::Duration;

use aws_sdk_rds::config::retry::{ClientRateLimiter, RetryPartition, TokenBucket};
use aws_sdk_rds::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_types::retry::{RetryConfig, RetryMode};
use aws_smithy_types::timeout::TimeoutConfig;
use rand::Rng;

use super::config::Clients;
use super::error::{self, AwsError, ErrorKind};
use super::pacer::{Class, Service};

/// Retries of answered failures (throttling, 5xx) when the provider
/// configuration does not set `max_retries`.
pub const DEFAULT_MAX_RETRIES: u32 = 25;
/// First backoff of the SDK's standard strategy (jittered).
pub const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// Largest backoff of the SDK's standard strategy.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// TCP (and TLS) connect timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Timeout of one HTTP attempt, connect included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// No new transport attempt starts once this much time has passed since the
/// call began.
pub const TRANSPORT_BUDGET: Duration = Duration::from_secs(20);
/// Calls ending in a transport failure before the region is declared
/// unreachable.
pub const TRANSPORT_ATTEMPTS: u32 = 3;
/// Base pause between transport attempts; attempt `n` waits
/// `TRANSPORT_BACKOFF * 2^(n-1)` scaled by a random factor in `[0.5, 1]`.
pub const TRANSPORT_BACKOFF: Duration = Duration::from_secs(1);

/// The SDK retry configuration for answered failures: `mode` is
/// [`RetryMode::Standard`] or [`RetryMode::Adaptive`].
pub fn retry_config(max_retries: Option<u32>, mode: RetryMode) -> RetryConfig {
    let retries = max_retries.unwrap_or(DEFAULT_MAX_RETRIES);
    let config = match mode {
        RetryMode::Adaptive => RetryConfig::adaptive(),
        _ => RetryConfig::standard(),
    };
    config
        .with_max_attempts(retries.saturating_add(1))
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF)
}

/// The retry partition of one region's client: its own adaptive rate
/// limiter and retry quota. A named partition would share both, process-wide,
/// with every client of the same name.
///
/// The quota (500 tokens; a retry of a 5xx answer takes 5, of a transient
/// failure 10) stops retry storms when a region fails, but retries of
/// `Throttling` answers take nothing from it: the SDK keeps only the last
/// retry's tokens of a call and drops the others for good, so with the SDK's
/// default cost of 5 a few hundred throttled retries emptied it, and then
/// every throttled call failed at its first answer, whatever `max_retries`
/// said (a refresh of 100 topologies at `-parallelism=100` failed that way).
/// Throttled calls are bounded by `max_retries` and the backoff instead.
pub fn retry_partition(region: &str) -> RetryPartition {
    RetryPartition::custom(format!("rds-{region}"))
        .client_rate_limiter(ClientRateLimiter::default())
        .token_bucket(TokenBucket::builder().throttling_retry_cost(0).build())
        .build()
}

/// The SDK timeout configuration.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build()
}

/// Retry classifier that forbids the SDK from retrying transport failures;
/// [`send`] owns that budget instead. Runs after the SDK's own classifiers
/// so it overrides their "transient error" verdict.
#[derive(Debug, Default, Clone, Copy)]
pub struct TransportFailuresNotRetriedBySdk;

impl ClassifyRetry for TransportFailuresNotRetriedBySdk {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(err)) if is_transport_failure(err) => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "TransportFailuresNotRetriedBySdk"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// Retry classifier of paced clients ([`super::pacer`]): forbids the SDK
/// from retrying `Throttling` answers, which [`send`] sends again through
/// the region's pacer instead. Recognises them by the error code of the
/// answer (`<Code>` of the Query protocol's `<ErrorResponse>`), classified
/// by [`ErrorKind::from_code`].
#[derive(Debug, Default, Clone, Copy)]
pub struct ThrottlingLeftToPacer;

impl ClassifyRetry for ThrottlingLeftToPacer {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(response) = ctx.response() else {
            return RetryAction::NoActionIndicated;
        };
        if !response.status().is_client_error() {
            return RetryAction::NoActionIndicated;
        }
        match response.body().bytes().and_then(error_code) {
            Some(code) if ErrorKind::from_code(code) == ErrorKind::Throttled => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "ThrottlingLeftToPacer"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// The `<Code>` of a Query-protocol error answer.
fn error_code(body: &[u8]) -> Option<&str> {
    let body = std::str::from_utf8(body).ok()?;
    let start = body.find("<Code>")? + "<Code>".len();
    let len = body.get(start..)?.find("</Code>")?;
    body.get(start..start + len).map(str::trim)
}

fn is_transport_failure<E>(err: &OrchestratorError<E>) -> bool {
    err.is_timeout_error()
        || err
            .as_connector_error()
            .is_some_and(error::is_transport_failure)
}

fn transport_pause(attempt: u32) -> Duration {
    let factor: f64 = rand::thread_rng().gen_range(0.5..=1.0);
    TRANSPORT_BACKOFF
        .mul_f64(2f64.powi(attempt.saturating_sub(1).min(8) as i32))
        .mul_f64(factor)
}

/// Sends one RDS call under the transport budget and classifies its error.
///
/// `call` builds and sends the request; it is invoked again (at most
/// [`TRANSPORT_ATTEMPTS`] times in all) only when the previous invocation
/// ended in a transport failure. A mutating call may have reached AWS on an
/// attempt whose answer was lost, so that the re-sent call fails with
/// `AlreadyExists`, `NotFound` or `InvalidState`: mutating calls use
/// [`send_tracked`] to tell.
pub async fn send<O, E, F, Fut>(
    clients: &Clients,
    operation: &'static str,
    region: &str,
    call: F,
) -> Result<O, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    send_tracked(clients, operation, region, call)
        .await
        .map_err(|failed| failed.error)
}

/// A failed [`send_tracked`] call.
#[derive(Debug)]
pub struct Failed {
    /// The classified error of the last attempt.
    pub error: AwsError,
    /// The call was sent again after a transport failure, so an earlier
    /// attempt may have reached AWS and taken effect: a create answered
    /// `AlreadyExists` or a delete answered `NotFound` may be our own doing.
    pub resent: bool,
}

/// [`send`], also telling whether the call was re-sent; mutating calls use it
/// to recognise the effect of an attempt whose answer was lost.
pub async fn send_tracked<O, E, F, Fut>(
    clients: &Clients,
    operation: &'static str,
    region: &str,
    mut call: F,
) -> Result<O, Failed>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let started = tokio::time::Instant::now();
    let mut attempt = 1;
    let pacer = clients.pacer(Service::of(operation), region);
    let class = Class::of(operation);
    let mut throttled: u32 = 0;
    loop {
        if let Some(pacer) = &pacer {
            pacer.acquire(class).await;
        }
        // Boxed: SDK operation futures are large, and callers compose many
        // of them (observe joins two per region); keeping them off the stack
        // avoids stack overflows in unoptimised builds.
        let sent = Box::pin(call()).await;
        if let Some(pacer) = &pacer {
            match &sent {
                Err(SdkError::ServiceError(e))
                    if e.err().code().map(ErrorKind::from_code) == Some(ErrorKind::Throttled) =>
                {
                    pacer.throttled();
                    if throttled < clients.max_retries() {
                        throttled = throttled.saturating_add(1);
                        continue;
                    }
                }
                Ok(_) | Err(SdkError::ServiceError(_)) => pacer.answered(),
                Err(_) => {}
            }
        }
        match sent {
            Ok(output) => return Ok(output),
            Err(sdk_err) => {
                let err = AwsError::from_sdk(operation, region, sdk_err);
                let pause = transport_pause(attempt);
                let out_of_budget = attempt >= TRANSPORT_ATTEMPTS
                    || started.elapsed().saturating_add(pause) >= TRANSPORT_BUDGET;
                if err.kind != ErrorKind::Unreachable || out_of_budget {
                    if err.kind == ErrorKind::Unreachable {
                        tracing::warn!(
                            region,
                            operation,
                            attempts = attempt,
                            "region did not answer; treating it as unreachable"
                        );
                    }
                    return Err(Failed {
                        error: err,
                        resent: attempt > 1,
                    });
                }
                tracing::debug!(
                    region,
                    operation,
                    attempt,
                    pause_ms = pause.as_millis() as u64,
                    error = %err,
                    "transport failure, re-sending"
                );
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_pauses_are_bounded_and_growing() {
        for _ in 0..100 {
            let p1 = transport_pause(1);
            let p2 = transport_pause(2);
            assert!(p1 >= Duration::from_millis(500) && p1 <= Duration::from_secs(1));
            assert!(p2 >= Duration::from_secs(1) && p2 <= Duration::from_secs(2));
        }
    }

    #[test]
    fn worst_case_budget_is_tens_of_seconds() {
        let pauses: Duration = (1..TRANSPORT_ATTEMPTS)
            .map(|n| TRANSPORT_BACKOFF * 2u32.pow(n - 1))
            .sum();
        let hanging = TRANSPORT_BUDGET + ATTEMPT_TIMEOUT;
        let dropped = CONNECT_TIMEOUT * TRANSPORT_ATTEMPTS + pauses;
        assert!(hanging <= Duration::from_secs(30), "{hanging:?}");
        assert!(dropped <= Duration::from_secs(15), "{dropped:?}");
    }

    #[test]
    fn max_retries_maps_to_attempts() {
        let standard = RetryMode::Standard;
        assert_eq!(
            retry_config(None, standard).max_attempts(),
            DEFAULT_MAX_RETRIES + 1
        );
        assert_eq!(retry_config(Some(0), standard).max_attempts(), 1);
        assert_eq!(
            retry_config(Some(u32::MAX), standard).max_attempts(),
            u32::MAX
        );
    }

    #[test]
    fn retry_mode_is_kept() {
        assert_eq!(
            retry_config(None, RetryMode::Standard).mode(),
            RetryMode::Standard
        );
        let adaptive = retry_config(Some(3), RetryMode::Adaptive);
        assert_eq!(adaptive.mode(), RetryMode::Adaptive);
        assert_eq!(adaptive.max_attempts(), 4);
        assert_eq!(adaptive.initial_backoff(), INITIAL_BACKOFF);
    }
}
