//! Replication lag in plans and in the data source: which lag a move of the
//! primary depends on, reading it (through `aws::read_lag`), the sentences
//! that state it, and the `max_data_loss` guard.
//!
//! The decisions are pure functions of what was read ([`TargetLag`]) so
//! that they can be tested without AWS; the reads are the only async parts.

use std::time::{Duration, SystemTime};

use crate::aws::{self, Clients, ClusterLag, LagPoint, LAG_WINDOW};
use crate::tf::Value;

use super::resource::model::Topology;
use super::resource::schema::{default, name};
use super::rules;

/// A planned move of the primary: from, to, and the target's cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrimaryMove {
    pub(crate) from: String,
    pub(crate) to: String,
    /// The target region's cluster identifier (prior state, else config).
    pub(crate) target_cluster: String,
    /// `failover_mode = "failover"`.
    pub(crate) failover: bool,
}

/// The move of the primary a plan would carry out, if any: the prior
/// state's primary differs from the configured one and the target is a
/// known region. Decided from the prior state and the configuration only,
/// so the lag can be read before the (pure) plan runs.
pub(crate) fn primary_move(prior: &Topology, config: &Topology) -> Option<PrimaryMove> {
    let from = prior.primary_region.as_str()?;
    let to = config.primary_region.as_str()?;
    if from == to {
        return None;
    }
    let target_cluster = prior
        .region(to)
        .and_then(|r| r.cluster_identifier.as_str())
        .or_else(|| {
            config
                .region(to)
                .and_then(|r| r.cluster_identifier.as_str())
        })
        .map(str::to_string)
        .or_else(|| {
            let gid = config.global_cluster_identifier.as_str()?;
            Some(format!("{gid}-{to}"))
        })?;
    let mode = config
        .failover_mode
        .as_str()
        .unwrap_or(default::FAILOVER_MODE);
    Some(PrimaryMove {
        from: from.to_string(),
        to: to.to_string(),
        target_cluster,
        failover: mode == "failover",
    })
}

/// What could be learnt about a cluster's lag.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TargetLag {
    /// CloudWatch answered (datapoints may still be missing).
    Read(ClusterLag),
    /// CloudWatch could not be asked or did not answer; the reason.
    Unreadable(String),
}

impl TargetLag {
    /// The figure of data loss on a failover: RPO lag, else replication lag.
    fn data_loss(&self) -> Option<LagPoint> {
        match self {
            TargetLag::Read(l) => l.data_loss(),
            TargetLag::Unreadable(_) => None,
        }
    }

    /// Why there is no figure (for messages), when there is none.
    pub(crate) fn why_missing(&self, region: &str) -> String {
        match self {
            TargetLag::Read(_) => format!(
                "CloudWatch has no AuroraGlobalDBRPOLag or AuroraGlobalDBReplicationLag datapoint for {region} from the last {} minutes",
                LAG_WINDOW.as_secs() / 60
            ),
            TargetLag::Unreadable(reason) => {
                format!("CloudWatch in {region} could not be read ({reason})")
            }
        }
    }
}

/// Reads the lag of `cluster` in `region` (one GetMetricData call).
pub(crate) async fn read_cluster_lag(clients: &Clients, region: &str, cluster: &str) -> TargetLag {
    let clusters = [cluster.to_string()];
    match aws::read_lag(clients, region, &clusters).await {
        Ok(mut by_cluster) => TargetLag::Read(by_cluster.remove(cluster).unwrap_or_default()),
        Err(e) => TargetLag::Unreadable(e.to_string()),
    }
}

/// `1500.0` → "1.5 s", `850.0` → "850 ms".
pub(crate) fn millis_text(ms: f64) -> String {
    if ms >= 1000.0 {
        let s = format!("{:.1}", ms / 1000.0);
        format!("{} s", s.strip_suffix(".0").unwrap_or(&s))
    } else {
        format!("{ms:.0} ms")
    }
}

/// `HH:MM:SS UTC` of an instant.
pub(crate) fn clock_text(at: SystemTime) -> String {
    let t = time::OffsetDateTime::from(at);
    format!("{:02}:{:02}:{:02} UTC", t.hour(), t.minute(), t.second())
}

/// RFC 3339 (UTC, whole seconds) of an instant.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    let t = time::OffsetDateTime::from(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The sentence a failover warning carries about the data it loses.
pub(crate) fn failover_sentence(region: &str, lag: &TargetLag) -> String {
    match lag.data_loss() {
        Some(p) => format!(
            "{region} was {} behind at {}: writes committed in that window are lost.",
            millis_text(p.millis),
            clock_text(p.at)
        ),
        None => format!(
            "How much would be lost is not known: {}.",
            lag.why_missing(region)
        ),
    }
}

/// The sentence a switchover warning carries about the target's lag.
pub(crate) fn switchover_sentence(region: &str, lag: &TargetLag) -> String {
    let replication = match lag {
        TargetLag::Read(l) => l.replication,
        TargetLag::Unreadable(_) => None,
    };
    match replication {
        Some(p) => format!(
            "{region} was {} behind at {}; the switchover waits until it has caught up (lag zero) before the writer moves.",
            millis_text(p.millis),
            clock_text(p.at)
        ),
        None => format!(
            "Its current lag is not known ({}); the switchover waits until {region} has caught up (lag zero) before the writer moves.",
            lag.why_missing(region)
        ),
    }
}

/// `max_data_loss` as a duration; `None` when unset or not known yet.
/// Validation reports a malformed value.
pub(crate) fn max_data_loss(config: &Topology) -> Option<Duration> {
    config
        .max_data_loss
        .as_str()
        .and_then(|s| rules::parse_duration(s).ok())
}

/// The guard's decision on a failover to `region`: `Err` with the detail of
/// the refusal when the data loss figure is above `max`, or when there is
/// no figure and a bound is set.
pub(crate) fn guard(max: Option<Duration>, region: &str, lag: &TargetLag) -> Result<(), String> {
    let Some(max) = max else {
        return Ok(());
    };
    let max_ms = max.as_secs_f64() * 1000.0;
    let bound = millis_text(max_ms);
    match lag.data_loss() {
        Some(p) if p.millis > max_ms => Err(format!(
            "A failover to {region} would lose about {} of committed writes ({region} was {} behind at {}), more than {} = \"{}\" allows. Wait until {region} catches up, switch over instead if the primary region is healthy (failover_mode = \"switchover\"), or raise {}.",
            millis_text(p.millis),
            millis_text(p.millis),
            clock_text(p.at),
            name::MAX_DATA_LOSS,
            bound,
            name::MAX_DATA_LOSS,
        )),
        Some(_) => Ok(()),
        None => Err(format!(
            "{} = \"{}\" bounds the data a failover may lose, but {}, so the bound cannot be checked. If the failover must happen anyway, remove {} from the configuration (the failover then proceeds with whatever {region} has received); otherwise retry once CloudWatch answers.",
            name::MAX_DATA_LOSS,
            bound,
            lag.why_missing(region),
            name::MAX_DATA_LOSS,
        )),
    }
}

/// The three lag attributes of one data-source region: the figures of a
/// secondary, all null on the primary or without datapoints.
pub(crate) fn region_values(lag: Option<&ClusterLag>) -> [(&'static str, Value); 3] {
    let number = |p: Option<LagPoint>| {
        p.map_or(Value::Null, |p| {
            Value::Number(crate::tf::Number::from(p.millis.round() as i64))
        })
    };
    let (replication, rpo) = lag.map_or((None, None), |l| (l.replication, l.rpo));
    let observed = replication
        .into_iter()
        .chain(rpo)
        .map(|p| p.at)
        .max()
        .map_or(Value::Null, |at| Value::String(rfc3339(at)));
    [
        (name::REPLICATION_LAG_MS, number(replication)),
        (name::RPO_LAG_MS, number(rpo)),
        (name::LAG_OBSERVED_AT, observed),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// 2026-11-30 03:10:05 UTC.
    const T: u64 = 1_796_008_205;

    fn read(replication: Option<f64>, rpo: Option<f64>) -> TargetLag {
        let point = |ms: Option<f64>| ms.map(|millis| LagPoint { millis, at: at(T) });
        TargetLag::Read(ClusterLag {
            replication: point(replication),
            rpo: point(rpo),
        })
    }

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(millis_text(2500.0), "2.5 s");
        assert_eq!(millis_text(3000.0), "3 s");
        assert_eq!(millis_text(850.0), "850 ms");
        assert_eq!(millis_text(0.0), "0 ms");
        assert_eq!(clock_text(at(T)), "03:10:05 UTC");
        assert_eq!(rfc3339(at(T)), "2026-11-30T03:10:05Z");
    }

    #[test]
    fn the_failover_warning_states_the_loss_or_says_it_is_unknown() {
        assert_eq!(
            failover_sentence("eu-west-1", &read(Some(900.0), Some(2500.0))),
            "eu-west-1 was 2.5 s behind at 03:10:05 UTC: writes committed in that window are lost."
        );
        // aurora-mysql has no RPO lag: the replication lag stands in.
        assert!(failover_sentence("eu-west-1", &read(Some(900.0), None))
            .starts_with("eu-west-1 was 900 ms behind"));
        let none = failover_sentence("eu-west-1", &read(None, None));
        assert!(
            none.starts_with("How much would be lost is not known: CloudWatch has no"),
            "{none}"
        );
        let down = failover_sentence(
            "eu-west-1",
            &TargetLag::Unreadable("GetMetricData in eu-west-1: connection refused".into()),
        );
        assert!(
            down.contains("could not be read (GetMetricData in eu-west-1: connection refused)"),
            "{down}"
        );
    }

    #[test]
    fn the_switchover_warning_states_the_lag_and_the_wait() {
        let s = switchover_sentence("eu-west-1", &read(Some(1500.0), Some(2500.0)));
        assert!(
            s.starts_with("eu-west-1 was 1.5 s behind at 03:10:05 UTC"),
            "{s}"
        );
        assert!(s.contains("waits until it has caught up"), "{s}");
        let s = switchover_sentence("eu-west-1", &read(None, None));
        assert!(s.starts_with("Its current lag is not known"), "{s}");
    }

    #[test]
    fn the_guard_refuses_above_the_bound_and_without_a_figure() {
        let max = Some(Duration::from_secs(2));
        // Unset: never refuses, whatever was read.
        assert!(guard(None, "eu-west-1", &read(Some(9e6), Some(9e6))).is_ok());
        assert!(guard(None, "eu-west-1", &TargetLag::Unreadable("x".into())).is_ok());
        // RPO lag is the figure when there is one.
        assert!(guard(max, "eu-west-1", &read(Some(5000.0), Some(1500.0))).is_ok());
        let above = guard(max, "eu-west-1", &read(Some(100.0), Some(2500.0))).unwrap_err();
        assert!(above.contains("about 2.5 s"), "{above}");
        assert!(above.contains("max_data_loss = \"2 s\""), "{above}");
        // Exactly at the bound passes.
        assert!(guard(max, "eu-west-1", &read(None, Some(2000.0))).is_ok());
        // Without RPO lag, the replication lag decides.
        assert!(guard(max, "eu-west-1", &read(Some(2001.0), None)).is_err());
        assert!(guard(max, "eu-west-1", &read(Some(1999.0), None)).is_ok());
        // No figure: refused, saying how to proceed.
        for lag in [read(None, None), TargetLag::Unreadable("timeout".into())] {
            let e = guard(max, "eu-west-1", &lag).unwrap_err();
            assert!(e.contains("cannot be checked"), "{e}");
            assert!(e.contains("remove max_data_loss"), "{e}");
        }
    }

    #[test]
    fn a_move_is_found_from_prior_state_and_configuration() {
        let topo = |primary: &str, mode: Option<&str>| {
            let mut t = Topology::from_value(&Value::object([
                (name::GLOBAL_CLUSTER_IDENTIFIER, Value::string("orders")),
                (name::PRIMARY_REGION, Value::string(primary)),
            ]));
            if let Some(m) = mode {
                t.failover_mode = crate::topology::resource::model::Field::string(m);
            }
            t
        };
        assert_eq!(
            primary_move(&topo("us-east-1", None), &topo("us-east-1", None)),
            None
        );
        let mv = primary_move(
            &topo("us-east-1", None),
            &topo("eu-west-1", Some("failover")),
        )
        .unwrap();
        assert_eq!(
            mv,
            PrimaryMove {
                from: "us-east-1".into(),
                to: "eu-west-1".into(),
                target_cluster: "orders-eu-west-1".into(),
                failover: true,
            }
        );
        assert!(
            !primary_move(&topo("us-east-1", None), &topo("eu-west-1", None))
                .unwrap()
                .failover
        );
        // Unset primary_region in the configuration never moves the writer.
        assert_eq!(
            primary_move(&topo("us-east-1", None), &Topology::default()),
            None
        );
    }

    #[test]
    fn data_source_values_are_null_without_a_figure() {
        let [(_, r), (_, o), (_, t)] = region_values(None);
        assert!(r.is_null() && o.is_null() && t.is_null());
        let lag = ClusterLag {
            replication: Some(LagPoint {
                millis: 1500.4,
                at: at(T),
            }),
            rpo: None,
        };
        let [(n1, r), (n2, o), (n3, t)] = region_values(Some(&lag));
        assert_eq!(
            (n1, n2, n3),
            (
                name::REPLICATION_LAG_MS,
                name::RPO_LAG_MS,
                name::LAG_OBSERVED_AT
            )
        );
        assert_eq!(r, Value::Number(crate::tf::Number::from(1500)));
        assert!(o.is_null());
        assert_eq!(t, Value::string("2026-11-30T03:10:05Z"));
    }
}
