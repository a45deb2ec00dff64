//! Writes the committed seed corpus of the `dynamic_value` target:
//! realistic configurations and states of `replication_topology` (and the
//! provider block, and a dynamic value) in both codecs, each prefixed with the
//! target's selector byte. Run from the repository root:
//! `cargo run --manifest-path fuzz/Cargo.toml --example make-seeds`.

use std::fs;
use std::path::Path;

use replication_fuzz::{provider_type, resource_type};
use terraform_provider_replication::tf::{json, msgpack, Type};

const CONFIG: &str = r#"{
  "global_cluster_identifier": "orders", "engine": "aurora-postgresql", "engine_version": "16.4",
  "master_username": "app", "master_password": "correct-horse-battery", "primary_region": "us-east-1",
  "failover_mode": "switchover", "skip_final_snapshot": true, "tags": {"team": "payments"},
  "regions": {
    "us-east-1": {"instance_class": "db.r6g.large", "vpc_security_group_ids": ["sg-0123"],
                  "instances": {"a": {"promotion_tier": 0}, "b": {"instance_class": "db.r6g.xlarge"}}},
    "eu-west-1": {"instance_class": "db.r6g.large", "instances": {"a": {}}},
    "ap-southeast-2": {}
  },
  "timeouts": {"create": "120m", "update": "1h30m", "delete": "90m"}
}"#;

const STATE: &str = r#"{
  "id": "orders", "arn": "arn:aws:rds::123456789012:global-cluster:orders", "status": "available",
  "global_cluster_identifier": "orders", "engine": "aurora-mysql", "engine_version": "8.0.mysql_aurora.3.05.2",
  "allow_major_version_upgrade": false, "deletion_protection": false, "storage_encrypted": true,
  "master_username": "admin", "master_password_wo_version": 1, "primary_region": "eu-west-1",
  "regions": {
    "eu-west-1": {"cluster_identifier": "orders-eu-west-1", "role": "primary", "status": "available",
                  "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/abc", "write_forwarding": false,
                  "instances": {"a": {"identifier": "orders-eu-west-1-a", "instance_class": "db.r6g.large",
                                      "promotion_tier": 1, "status": "available"}}}
  }
}"#;

const PROVIDER: &str = r#"{"region": "us-east-1", "endpoint_url": "http://127.0.0.1:4566", "max_retries": 25,
  "default_tags": {"owner": "platform"}}"#;

fn write(dir: &Path, name: &str, selector: u8, bytes: &[u8]) {
    let mut data = vec![selector];
    data.extend_from_slice(bytes);
    fs::write(dir.join(name), data).expect("write seed");
}

/// Selector of the target: codec in the low two bits, type index above them.
fn selector(codec: u8, type_index: u8) -> u8 {
    (type_index << 2) | codec
}

fn main() {
    let dir = Path::new("fuzz/seeds/dynamic_value");
    fs::create_dir_all(dir).expect("seed directory");
    let resource = resource_type();
    for (name, text) in [("config", CONFIG), ("state", STATE)] {
        let v = json::decode(text.as_bytes(), &resource).expect("seed JSON decodes");
        write(dir, &format!("{name}.msgpack"), selector(0, 0), &msgpack::encode(&v, &resource).expect("msgpack"));
        write(dir, &format!("{name}.json"), selector(1, 0), &json::encode(&v, &resource).expect("json"));
        write(dir, &format!("{name}-sparse.json"), selector(2, 0), text.as_bytes());
    }
    let provider = provider_type();
    let p = json::decode(PROVIDER.as_bytes(), &provider).expect("provider JSON decodes");
    write(dir, "provider.msgpack", selector(0, 1), &msgpack::encode(&p, &provider).expect("msgpack"));
    write(dir, "provider.json", selector(1, 1), PROVIDER.as_bytes());
    let dynamic = r#"{"value": {"a": [1, 2.5, "x"], "b": null}, "type": ["object", {"a": ["tuple", ["number", "number", "string"]], "b": ["set", "bool"]}]}"#;
    let d = json::decode(dynamic.as_bytes(), &Type::Dynamic).expect("dynamic JSON decodes");
    write(dir, "dynamic.msgpack", selector(0, 3), &msgpack::encode(&d, &Type::Dynamic).expect("msgpack"));
    write(dir, "dynamic.json", selector(1, 3), dynamic.as_bytes());
    // An unknown value (fixext1 type 0) and a refined unknown (ext 12) in msgpack.
    write(dir, "unknown.msgpack", selector(0, 0), &[0xd4, 0x00, 0x00]);
    write(dir, "refined-unknown.msgpack", selector(0, 2), &[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2]);
}
