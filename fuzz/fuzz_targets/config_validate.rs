//! Config validation and planning: well-typed configurations, prior states
//! and proposed states built from fuzzer bytes go through everything the
//! provider does with a configuration before it calls AWS: the resource,
//! provider and data source validators, `plan`, and for a plan without
//! errors the apply side's pure steps (desired model, timeouts, the first
//! create phase). None of it may panic, and when the proposed state is the
//! configuration, the planned state must still be a value of the resource's
//! type (the host encodes it with the schema).
//!
//! Input: bytes for `arbitrary::Unstructured` (structure, not text).

#![no_main]

use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use replication_fuzz::{data_source_type, provider_type, resource_type, value, STRINGS};
use terraform_provider_replication::engine::ClientCapabilities;
use terraform_provider_replication::tf::{msgpack, Type, Value};
use terraform_provider_replication::topology::desired::{self, Operation};
use terraform_provider_replication::topology::reconcile::{self, Desired};
use terraform_provider_replication::topology::{plan, validate};

struct Types {
    resource: Type,
    provider: Type,
    data_source: Type,
}

fn types() -> &'static Types {
    static TYPES: OnceLock<Types> = OnceLock::new();
    TYPES.get_or_init(|| Types { resource: resource_type(), provider: provider_type(), data_source: data_source_type() })
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let t = types();
    match u.int_in_range(0u8..=7)? {
        0 => {
            let _ = validate::provider(&value(u, &t.provider)?);
            return Ok(());
        }
        1 => {
            let _ = validate::data_source(&value(u, &t.data_source)?);
            return Ok(());
        }
        _ => {}
    }
    let config = value(u, &t.resource)?;
    let caps = ClientCapabilities { deferral_allowed: u.arbitrary()?, write_only_attributes_allowed: u.arbitrary()? };
    let _ = validate::resource(&config, caps);

    // Terraform's proposed state is mostly the config (create) or the config
    // merged over the prior state; an unrelated one exercises the rest.
    let prior = if u.arbitrary()? { Value::Null } else { value(u, &t.resource)? };
    let from_config = u.ratio(3, 4)?;
    let proposed = if from_config { config.clone() } else { value(u, &t.resource)? };
    let config = if u.ratio(1, 16)? { Value::Null } else { config };
    let provider_region = if u.arbitrary()? { Some(*u.choose(STRINGS)?) } else { None };
    let mut leftovers = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        leftovers.push((u.choose(STRINGS)?.to_string(), u.choose(STRINGS)?.to_string(), u.arbitrary()?));
    }
    let out = plan::plan_resource_change(plan::PlanInput::without_lag(&prior, &proposed, &config, provider_region, &leftovers));
    // Only for a proposed state Terraform could send (the config itself).
    if from_config && !out.planned.is_null() {
        if let Err(e) = msgpack::encode(&out.planned, &t.resource) {
            panic!("planned state is not a value of the resource type: {e}\n{:?}", out.planned);
        }
    }
    for op in [Operation::Create, Operation::Update, Operation::Delete] {
        let _ = desired::timeout(&config, op);
    }
    if out.diagnostics.has_errors() {
        return Ok(());
    }
    if let Some(d) = Desired::from_planned(&out.planned, &config) {
        let _ = reconcile::next_phase(Some(&d), None, &reconcile::Context::default());
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
