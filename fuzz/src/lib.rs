//! Shared pieces of the fuzz targets: a generator of well-typed Terraform
//! values from fuzzer bytes (so config validation and planning see configs
//! with the right shape, not just decode errors), and the types the targets
//! decode against.
//!
//! The generator leans on small dictionaries of values the provider treats
//! specially (region names, engines, versions, durations, identifiers at the
//! edge of AWS's rules) and mixes in arbitrary strings and numbers.

use std::collections::BTreeMap;

use arbitrary::{Result, Unstructured};
use terraform_provider_replication::tf::{Number, Type, Value};
use terraform_provider_replication::topology::schema;

/// Deepest nesting the generator builds (the schema is four levels deep).
const MAX_DEPTH: usize = 8;

/// Strings the provider's rules look at, and strings at their edges.
pub const STRINGS: &[&str] = &[
    "",
    "us-east-1",
    "eu-west-1",
    "ap-southeast-2",
    "us-gov-west-1",
    "cn-north-1",
    "us-east-",
    "US-EAST-1",
    "aurora-postgresql",
    "aurora-mysql",
    "aurora",
    "16.4",
    "16",
    "15.6",
    "9.6.22",
    "8.0.mysql_aurora.3.05.2",
    "5.7.mysql_aurora.2.11.2",
    "17.",
    ".",
    "switchover",
    "failover",
    "orders",
    "orders-us-east-1",
    "orders-",
    "orders--x",
    "1orders",
    "a",
    "b",
    "app",
    "admin",
    "rdsadmin",
    "correct-horse-battery",
    "pass\"word",
    "pass/word@",
    "db.r6g.large",
    "db.r6g.xlarge",
    "db.serverless",
    "sg-0123",
    "orders-final",
    "arn:aws:kms:us-east-1:123456789012:key/abc",
    "arn:aws:kms:eu-west-1:123456789012:key/abc",
    "120m",
    "1h30m",
    "0s",
    "-5s",
    "1.5h",
    "9999999999999999999h",
    "5",
    "m",
    "\u{0}",
    "é",
    "ü-east-1",
];

/// Numbers worth trying in a number slot.
const NUMBERS: &[&str] = &[
    "0", "1", "-1", "15", "16", "2", "0.5", "1e400", "-1e400", "9223372036854775808", "18446744073709551616", "1e-400",
];

fn string(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(3, 4)? {
        Ok((*u.choose(STRINGS)?).to_string())
    } else {
        u.arbitrary()
    }
}

fn number(u: &mut Unstructured<'_>) -> Result<Number> {
    Ok(match u.int_in_range(0..=3)? {
        0 => Number::from(u.int_in_range(-2i64..=20)?),
        1 => Number::from(u.arbitrary::<i64>()?),
        2 => Number::from_f64(u.arbitrary::<f64>()?).unwrap_or_default(),
        _ => Number::parse(u.choose(NUMBERS)?).unwrap_or_default(),
    })
}

/// A value of type `ty` whose root is known (as Terraform sends a config or
/// a proposed state: an object, never null or wholly unknown); nested values
/// are null or unknown now and then.
pub fn value(u: &mut Unstructured<'_>, ty: &Type) -> Result<Value> {
    known_at(u, ty, 0)
}

fn value_at(u: &mut Unstructured<'_>, ty: &Type, depth: usize) -> Result<Value> {
    match u.int_in_range(0u8..=15)? {
        0 | 1 => return Ok(Value::Null),
        2 => return Ok(Value::Unknown),
        _ => {}
    }
    known_at(u, ty, depth)
}

fn known_at(u: &mut Unstructured<'_>, ty: &Type, depth: usize) -> Result<Value> {
    if depth >= MAX_DEPTH {
        return Ok(Value::Null);
    }
    let d = depth + 1;
    Ok(match ty {
        Type::Bool => Value::Bool(u.arbitrary()?),
        Type::Number => Value::Number(number(u)?),
        Type::String => Value::String(string(u)?),
        Type::Dynamic => Value::dynamic(Type::String, Value::String(string(u)?)),
        Type::List(e) => Value::List(elements(u, e, d)?),
        Type::Set(e) => Value::set(elements(u, e, d)?),
        Type::Tuple(ts) => Value::Tuple(ts.iter().map(|t| value_at(u, t, d)).collect::<Result<_>>()?),
        Type::Map(e) => {
            let mut m = BTreeMap::new();
            for _ in 0..u.int_in_range(0..=4)? {
                m.insert(string(u)?, value_at(u, e, d)?);
            }
            Value::Map(m)
        }
        Type::Object(attrs) => {
            let mut o = BTreeMap::new();
            for (name, t) in attrs {
                o.insert(name.clone(), value_at(u, t, d)?);
            }
            Value::Object(o)
        }
    })
}

fn elements(u: &mut Unstructured<'_>, ty: &Type, depth: usize) -> Result<Vec<Value>> {
    let n = u.int_in_range(0..=4)?;
    (0..n).map(|_| value_at(u, ty, depth)).collect()
}

/// The value type of the `replication_topology` resource.
pub fn resource_type() -> Type {
    schema::resource().block.value_type()
}

/// The value type of the provider configuration.
pub fn provider_type() -> Type {
    schema::provider().block.value_type()
}

/// The value type of the `replication_topology` data source.
pub fn data_source_type() -> Type {
    schema::data_source().block.value_type()
}
