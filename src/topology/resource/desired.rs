//! The desired topology (`reconcile::Desired`) read from a planned state,
//! plus the configuration for write-only values, and the `timeouts`
//! deadline of each operation.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::Secret;
use crate::tf::Value;

use super::model::{known_strings, Timeouts, Topology};
use super::schema::default;
use crate::topology::reconcile::{Desired, DesiredInstance, DesiredRegion};
use crate::topology::rules::{parse_duration, MAX_TIMEOUT};

impl Desired {
    /// Reads the desired topology from a planned state; the password comes
    /// from the configuration (write-only values exist only there).
    /// Returns `None` when the planned state lacks what a topology needs.
    pub fn from_planned(planned: &Value, config: &Value) -> Option<Desired> {
        Self::from_model(
            &Topology::from_value(planned),
            &Topology::from_value(config),
        )
    }

    /// [`Desired::from_planned`] on the model of the planned state and of the
    /// configuration.
    pub(crate) fn from_model(planned: &Topology, config: &Topology) -> Option<Desired> {
        let s = |f: &super::model::Field<String>| f.as_str().map(str::to_string);
        let mut regions = BTreeMap::new();
        for (name, r) in planned.regions.known()? {
            let r = r.known()?;
            let cluster_id = s(&r.cluster_identifier)?;
            let mut instances = BTreeMap::new();
            for (key, i) in r.instance_entries() {
                let i = i.known()?;
                instances.insert(
                    key.clone(),
                    DesiredInstance {
                        key: key.clone(),
                        id: s(&i.identifier)?,
                        class: s(&i.instance_class)?,
                        tier: i.promotion_tier.as_i64().unwrap_or(default::PROMOTION_TIER) as i32,
                        availability_zone: s(&i.availability_zone),
                        settings: i.settings.desired(),
                    },
                );
            }
            let security_groups = r.vpc_security_group_ids.known().map(|e| {
                let mut v: Vec<String> = e
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect();
                v.sort();
                v
            });
            regions.insert(
                name.clone(),
                DesiredRegion {
                    region: name.clone(),
                    cluster_id,
                    subnet_group: s(&r.db_subnet_group_name),
                    security_groups,
                    kms_key_id: s(&r.kms_key_id),
                    write_forwarding: r
                        .write_forwarding
                        .as_bool()
                        .unwrap_or(default::WRITE_FORWARDING),
                    parameter_group: s(&r.db_cluster_parameter_group_name),
                    instances,
                    settings: r.settings.desired(s(&planned.engine_lifecycle_support)),
                },
            );
        }
        let password = s(&config.master_password_wo)
            .or_else(|| s(&config.master_password))
            .or_else(|| s(&planned.master_password))
            .map(Secret::new);
        Some(Desired {
            id: s(&planned.global_cluster_identifier)?,
            engine: s(&planned.engine)?,
            engine_version: s(&planned.engine_version),
            allow_major_version_upgrade: planned
                .allow_major_version_upgrade
                .as_bool()
                .unwrap_or(default::ALLOW_MAJOR_VERSION_UPGRADE),
            database_name: s(&planned.database_name),
            master_username: s(&planned.master_username)?,
            master_password: password,
            storage_encrypted: planned.storage_encrypted.as_bool(),
            deletion_protection: planned
                .deletion_protection
                .as_bool()
                .unwrap_or(default::DELETION_PROTECTION),
            primary_region: s(&planned.primary_region)?,
            failover_mode: s(&planned.failover_mode)
                .unwrap_or_else(|| default::FAILOVER_MODE.into()),
            regions,
            tags: known_strings(&planned.tags),
            engine_lifecycle_support: s(&planned.engine_lifecycle_support),
            apply_immediately: planned
                .apply_immediately
                .as_bool()
                .unwrap_or(default::APPLY_IMMEDIATELY),
            max_data_loss: crate::topology::lag::max_data_loss(config),
            origin: super::origin::desired(planned),
        })
    }
}

/// Which deadline applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Create.
    Create,
    /// Update.
    Update,
    /// Destroy.
    Delete,
}

/// The `timeouts` deadline for an operation, from a state or config value.
pub fn timeout(v: &Value, op: Operation) -> Duration {
    timeout_of(&Topology::from_value(v), op)
}

/// The `timeouts` deadline for an operation of a topology model.
pub(crate) fn timeout_of(t: &Topology, op: Operation) -> Duration {
    let timeouts = t.timeouts.known();
    let pick =
        |f: fn(&Timeouts) -> &super::model::Field<String>| timeouts.and_then(|t| f(t).as_str());
    let (set, default) = match op {
        Operation::Create => (pick(|t| &t.create), default::CREATE_TIMEOUT),
        Operation::Update => (pick(|t| &t.update), default::UPDATE_TIMEOUT),
        Operation::Delete => (pick(|t| &t.delete), default::DELETE_TIMEOUT),
    };
    // Validation refuses longer ones at plan time; a state written before
    // that rule still gets a deadline that fits.
    set.and_then(|d| parse_duration(d).ok())
        .map_or(default, |d| d.min(MAX_TIMEOUT))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A timeout far beyond what a deadline can hold (accepted before the
    /// seven-day cap) is read as the cap, not as an overflowing duration.
    #[test]
    fn a_timeout_read_from_state_never_exceeds_the_cap() {
        let state = Value::object([(
            super::super::schema::name::TIMEOUTS,
            Value::object([(
                super::super::schema::name::CREATE,
                Value::string("3000000000000000h"),
            )]),
        )]);
        assert_eq!(timeout(&state, Operation::Create), MAX_TIMEOUT);
        assert_eq!(timeout(&state, Operation::Delete), default::DELETE_TIMEOUT);
    }
}
