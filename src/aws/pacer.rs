//! Client-side pacing: one pacer per service and region of a provider
//! configuration, shared by every resource the provider process manages,
//! that sends calls no faster than the region has shown it accepts. AWS
//! limits each service's API separately (RDS's request rate is not
//! CloudWatch's), so each [`Service`] has its own pacer per region.
//!
//! The default when no `retry_mode` is chosen (neither in the provider block
//! nor through `AWS_RETRY_MODE`); choosing `standard` or `adaptive` gives the
//! SDK's own behaviour instead and no pacer (see [`super::retry`]).
//!
//! The algorithm ([`Pace`], pure over the instants it is given):
//!
//! * **Start fast.** A pacer sends without delay until the region first
//!   answers `Throttling`.
//! * **Back off to what was accepted.** On a throttling answer the rate
//!   becomes [`HEADROOM`] × the calls the region answered (anything but
//!   throttling) in the last [`WINDOW`]: a measure of the region's
//!   sustainable rate for this client, not a blind cut, so many throttling
//!   answers at once do not drive it to the floor ([`MIN_RATE`]). Throttling
//!   answers within a [`WINDOW`] of a cut were sent before it took effect
//!   and do not cut again.
//! * **No cold-start penalty.** A burst whose first throttling answer comes
//!   before the answers of its accepted calls measures too low; each later
//!   answer raises the rate to [`HEADROOM`] × the measured rate again, and
//!   the next slot moves in with it.
//! * **Recover as calls succeed.** Each answer raises the rate by a share of
//!   a per-second growth: [`FAST_GROWTH`] of the rate per second while the
//!   rate is far from the last measured limit (below 90 % or above 150 % of
//!   it), [`NEAR_GROWTH`] of that limit per second just below it (up to the
//!   limit), and, once [`PROBE_AFTER`] passed without throttling,
//!   [`PROBE_GROWTH`] above it, so a rate in use returns quickly after a cut
//!   and probes gently whether the limit went up. Past
//!   [`UNLIMITED_ABOVE`] the pacer stops pacing.
//! * **Fair to changes.** Calls are spaced `1 / rate` apart; a mutating call
//!   waits only for the next slot, and reads (Describe) let every waiting
//!   mutating call go first, so a create never queues behind a refresh of a
//!   hundred topologies.
//!
//! Throttled calls are sent again through the pacer (at most `max_retries`
//! times), not by the SDK's back-off.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The span over which answered calls are counted.
pub(crate) const WINDOW: Duration = Duration::from_secs(1);
/// Share of the measured rate a pacer keeps to after a throttling answer.
pub(crate) const HEADROOM: f64 = 0.95;
/// The slowest a pacer goes (calls per second).
pub(crate) const MIN_RATE: f64 = 0.5;
/// Growth of a rate in use far from the last measured limit: this share of
/// the rate per second.
pub(crate) const FAST_GROWTH: f64 = 0.25;
/// Growth of a rate in use just below the last measured limit: this share
/// of the limit per second.
pub(crate) const NEAR_GROWTH: f64 = 0.05;
/// Growth of a rate in use at or above the last measured limit (probing
/// whether the limit went up), once [`PROBE_AFTER`] passed without
/// throttling: this share of the limit per second.
pub(crate) const PROBE_GROWTH: f64 = 0.02;
/// How long a rate stays at the measured limit after a throttling answer
/// before it probes above it.
pub(crate) const PROBE_AFTER: Duration = Duration::from_secs(10);
/// Above this rate (calls per second) a pacer stops pacing.
pub(crate) const UNLIMITED_ABOVE: f64 = 1000.0;

/// The API a call goes to: each has its own limits, so its own pacer per
/// region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Service {
    /// Amazon RDS: every call of the provider but the lag read.
    Rds,
    /// Amazon CloudWatch: `GetMetricData` (replication lag).
    CloudWatch,
}

impl Service {
    /// The service of an action the provider sends: `GetMetricData` is its
    /// only CloudWatch action.
    pub(crate) fn of(operation: &str) -> Service {
        match operation {
            "GetMetricData" => Service::CloudWatch,
            _ => Service::Rds,
        }
    }
}

/// Who is asking for a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Describe and List calls: waits and refreshes.
    Read,
    /// Everything else: the calls that change something.
    Write,
}

impl Class {
    /// The class of an RDS action.
    pub(crate) fn of(operation: &str) -> Class {
        if operation.starts_with("Describe") || operation.starts_with("List") {
            Class::Read
        } else {
            Class::Write
        }
    }
}

/// The pacing state of one region.
#[derive(Debug, Default)]
pub(crate) struct Pace {
    /// Calls per second; `None` = not pacing.
    rate: Option<f64>,
    /// The answered rate measured at the last throttling answer.
    limit: f64,
    /// When the last throttling answer came.
    last_throttled: Option<Instant>,
    /// When a throttling answer last set the rate.
    last_cut: Option<Instant>,
    /// The earliest time the next call may go.
    next: Option<Instant>,
    /// When the last call went.
    last_sent: Option<Instant>,
    /// Answers (other than throttling) within the last [`WINDOW`].
    answered: VecDeque<Instant>,
    /// Mutating calls waiting for a slot.
    writes_waiting: usize,
}

impl Pace {
    /// The current rate (calls per second), `None` when not pacing.
    pub(crate) fn rate(&self) -> Option<f64> {
        self.rate
    }

    fn interval(rate: f64) -> Duration {
        Duration::from_secs_f64(1.0 / rate.max(MIN_RATE))
    }

    /// Takes a slot at `now` for a call of `class`, or says when to ask
    /// again.
    pub(crate) fn try_send(&mut self, now: Instant, class: Class) -> Result<(), Instant> {
        let Some(rate) = self.rate else {
            self.last_sent = Some(now);
            return Ok(());
        };
        let interval = Self::interval(rate);
        let next = self.next.unwrap_or(now);
        if class == Class::Read && self.writes_waiting > 0 {
            return Err(next.max(now) + interval);
        }
        if now < next {
            return Err(next);
        }
        // A caller woken a little late keeps the schedule (up to half a slot);
        // a pacer that sat idle does not save up a burst.
        let from = next.max(now.checked_sub(interval / 2).unwrap_or(now));
        self.next = Some(from + interval);
        self.last_sent = Some(now);
        Ok(())
    }

    fn trim(&mut self, now: Instant) {
        while self
            .answered
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            self.answered.pop_front();
        }
    }

    fn measured(&self) -> f64 {
        self.answered.len() as f64 / WINDOW.as_secs_f64()
    }

    /// Sets the rate and moves the next slot to one interval after the last
    /// call at that rate.
    fn set_rate(&mut self, rate: f64, now: Instant) {
        if rate > UNLIMITED_ABOVE {
            self.rate = None;
            self.next = None;
            return;
        }
        self.rate = Some(rate);
        let due = self.last_sent.unwrap_or(now) + Self::interval(rate);
        self.next = Some(match self.next {
            Some(next) => next.min(due),
            None => due,
        });
    }

    /// The region answered a call (anything but throttling).
    pub(crate) fn answered(&mut self, now: Instant) {
        self.answered.push_back(now);
        self.trim(now);
        if let Some(rate) = self.rate {
            let rate = rate.max(self.measured() * HEADROOM).max(MIN_RATE);
            let per_second = if rate < 0.9 * self.limit || rate > 1.5 * self.limit {
                FAST_GROWTH * rate
            } else if rate < self.limit {
                NEAR_GROWTH * self.limit
            } else if self
                .last_throttled
                .is_some_and(|t| now.saturating_duration_since(t) < PROBE_AFTER)
            {
                0.0
            } else {
                PROBE_GROWTH * self.limit
            };
            let mut next = rate + per_second / rate;
            if rate < self.limit {
                // Up to the limit, not past it, in one answer.
                next = next.min(self.limit);
            }
            self.set_rate(next, now);
        }
    }

    /// The region answered a call with `Throttling`.
    pub(crate) fn throttled(&mut self, now: Instant) {
        self.trim(now);
        let rate = match (self.rate, self.last_cut) {
            // Throttling answers within a window of the last cut were sent
            // at the rate before it: the cut stands.
            (Some(rate), Some(cut)) if now.saturating_duration_since(cut) < WINDOW => rate,
            (rate, _) => {
                self.limit = self.measured();
                self.last_cut = Some(now);
                let fit = (self.limit * HEADROOM).max(MIN_RATE);
                rate.map_or(fit, |rate| rate.min(fit))
            }
        };
        self.last_throttled = Some(now);
        self.rate = Some(rate);
        // The region is full for now: no call before one interval from here.
        let after = now + Self::interval(rate);
        self.next = Some(self.next.map_or(after, |next| next.max(after)));
    }
}

/// One region's pacer, shared by every call to that region.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    pace: Mutex<Pace>,
}

/// Counts a mutating call as waiting while it exists.
struct Waiting<'a>(&'a Pacer);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut pace = self.0.lock();
        pace.writes_waiting = pace.writes_waiting.saturating_sub(1);
    }
}

impl Pacer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pace> {
        self.pace
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for a slot for a call of `class`.
    pub(crate) async fn acquire(&self, class: Class) {
        let _waiting = (class == Class::Write).then(|| {
            self.lock().writes_waiting += 1;
            Waiting(self)
        });
        loop {
            let at = match self.lock().try_send(Instant::now(), class) {
                Ok(()) => return,
                Err(at) => at,
            };
            tokio::time::sleep_until(at).await;
        }
    }

    /// See [`Pace::answered`].
    pub(crate) fn answered(&self) {
        self.lock().answered(Instant::now());
    }

    /// See [`Pace::throttled`].
    pub(crate) fn throttled(&self) {
        let mut pace = self.lock();
        pace.throttled(Instant::now());
        tracing::debug!(rate = pace.rate(), "throttled: pacing calls to the region");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// A region that accepts `limit` calls in any [`WINDOW`] (the
    /// emulator's rule) and a caller that always has `demand` calls queued:
    /// the calls the region accepted and throttled in `secs` seconds of
    /// fake time, stepped by 1 ms.
    fn simulate(limit: usize, secs: u64) -> (usize, usize, Pace) {
        let t0 = Instant::now();
        let mut pace = Pace::default();
        let mut accepted: VecDeque<Instant> = VecDeque::new();
        let (mut ok, mut throttled) = (0, 0);
        for step in 0..secs * 1000 {
            let now = t0 + ms(step);
            while pace.try_send(now, Class::Read).is_ok() {
                while accepted
                    .front()
                    .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
                {
                    accepted.pop_front();
                }
                if accepted.len() < limit {
                    accepted.push_back(now);
                    pace.answered(now);
                    ok += 1;
                } else {
                    pace.throttled(now);
                    throttled += 1;
                }
                if ok + throttled > 100_000 {
                    return (ok, throttled, pace);
                }
            }
        }
        (ok, throttled, pace)
    }

    #[test]
    fn sends_without_delay_until_the_first_throttling() {
        let t0 = Instant::now();
        let mut pace = Pace::default();
        for _ in 0..1000 {
            assert_eq!(pace.try_send(t0, Class::Read), Ok(()));
            pace.answered(t0);
        }
        assert_eq!(pace.rate(), None);
    }

    #[test]
    fn settles_near_the_limit_with_few_throttling_answers() {
        for limit in [5, 20, 100] {
            let secs = 60;
            let (ok, throttled, pace) = simulate(limit, secs);
            let floor = limit * secs as usize;
            eprintln!(
                "limit {limit}: ok {ok} throttled {throttled} rate {:?}",
                pace.rate()
            );
            // Within 5 % of everything the region would accept...
            assert!(ok * 100 >= floor * 95, "limit {limit}: {ok} of {floor}");
            // ...with throttling answers a small share of the calls.
            assert!(
                throttled * 10 <= ok,
                "limit {limit}: {throttled} throttled for {ok} accepted"
            );
            let rate = pace.rate().unwrap_or(f64::INFINITY);
            assert!(
                rate > limit as f64 * 0.8 && rate < limit as f64 * 1.3,
                "limit {limit}: rate {rate}"
            );
        }
    }

    #[test]
    fn a_burst_of_throttling_answers_does_not_fall_to_the_floor() {
        let t0 = Instant::now();
        let mut pace = Pace::default();
        // 20 calls answered, then 80 throttled at once.
        for _ in 0..20 {
            pace.answered(t0);
        }
        for _ in 0..80 {
            pace.throttled(t0 + ms(5));
        }
        let rate = pace.rate().unwrap_or(0.0);
        assert!((rate - 20.0 * HEADROOM).abs() < 1e-9, "rate {rate}");
    }

    #[test]
    fn answers_after_an_early_throttle_lift_the_rate_back() {
        let t0 = Instant::now();
        let mut pace = Pace::default();
        // The throttling answer comes first: nothing measured yet.
        pace.throttled(t0);
        assert_eq!(pace.rate(), Some(MIN_RATE));
        // Then the answers of the burst's accepted calls.
        for _ in 0..10 {
            pace.answered(t0 + ms(2));
        }
        let rate = pace.rate().unwrap_or(0.0);
        assert!(rate >= 10.0 * HEADROOM, "rate {rate}");
        // The next slot moved in with the rate: well before the floor's 2 s.
        let next = match pace.try_send(t0 + ms(3), Class::Read) {
            Ok(()) => t0 + ms(3),
            Err(at) => at,
        };
        assert!(next <= t0 + ms(150), "next slot {:?} after t0", next - t0);
    }

    #[test]
    fn recovers_as_calls_succeed() {
        let t0 = Instant::now();
        let mut pace = Pace::default();
        for _ in 0..10 {
            pace.answered(t0);
        }
        pace.throttled(t0);
        let mut now = t0;
        for _ in 0..60_000 {
            now += ms(1);
            if pace.try_send(now, Class::Read).is_ok() {
                pace.answered(now);
            }
            if pace.rate().is_none() {
                break;
            }
        }
        // Without further throttling it grows past any limit and stops pacing.
        assert_eq!(pace.rate(), None, "still pacing after {:?}", now - t0);
    }

    #[test]
    fn writes_go_before_waiting_reads() {
        let t0 = Instant::now();
        let mut pace = Pace::default();
        for _ in 0..10 {
            pace.answered(t0);
        }
        pace.throttled(t0);
        let next = match pace.try_send(t0, Class::Read) {
            Err(at) => at,
            Ok(()) => t0,
        };
        assert!(next > t0);
        pace.writes_waiting = 1;
        // At the slot, a read steps aside for the waiting write...
        assert!(pace.try_send(next, Class::Read).is_err());
        assert_eq!(pace.try_send(next, Class::Write), Ok(()));
        pace.writes_waiting = 0;
        // ...and takes the slot after it.
        let after = match pace.try_send(next, Class::Read) {
            Err(at) => at,
            Ok(()) => next,
        };
        assert!(after > next);
        assert_eq!(pace.try_send(after, Class::Read), Ok(()));
    }

    #[test]
    fn each_service_of_a_region_has_its_own_pacer() {
        use crate::aws::config::{AwsSettings, Clients};
        let shared = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let clients = Clients::with_sdk_config(AwsSettings::default(), shared);
        let pacer = |service, region| clients.pacer(service, region).expect("paced by default");
        let rds = pacer(Service::Rds, "us-east-1");
        // One pacer per (service, region), shared by every call to it.
        assert!(Arc::ptr_eq(&rds, &pacer(Service::Rds, "us-east-1")));
        assert!(!Arc::ptr_eq(&rds, &pacer(Service::Rds, "eu-west-1")));
        let cloudwatch = pacer(Service::CloudWatch, "us-east-1");
        assert!(!Arc::ptr_eq(&rds, &cloudwatch));
        // CloudWatch throttling slows CloudWatch only.
        cloudwatch.answered();
        cloudwatch.throttled();
        assert!(cloudwatch.lock().rate().is_some());
        assert_eq!(rds.lock().rate(), None);
        assert_eq!(rds.lock().try_send(Instant::now(), Class::Read), Ok(()));
    }

    #[test]
    fn classes_of_actions() {
        assert_eq!(Class::of("DescribeDBClusters"), Class::Read);
        assert_eq!(Class::of("ListTagsForResource"), Class::Read);
        assert_eq!(Class::of("CreateDBInstance"), Class::Write);
        assert_eq!(Class::of("RemoveFromGlobalCluster"), Class::Write);
        assert_eq!(Service::of("GetMetricData"), Service::CloudWatch);
        assert_eq!(Service::of("DescribeDBClusters"), Service::Rds);
    }
}
