//! End-to-end with real hosts: schema, validate (valid and invalid configs,
//! errors naming the attribute) and plan of a topology, against OpenTofu 1.6,
//! Terraform 1.15 and (when present) Terraform 1.11.

use crate::common;

use common::{header, hosts, text, Workdir};

fn topology(gci: &str, extra: &str) -> String {
    format!(
        r#"
resource "replication_topology" "orders" {{
  global_cluster_identifier = "{gci}"
  engine                    = "aurora-postgresql"
  engine_version            = "16.4"
  master_username           = "app"
  master_password           = "correct-horse-battery"
  primary_region            = "us-east-1"
  skip_final_snapshot       = true
{extra}
  regions = {{
    "us-east-1" = {{
      instance_class = "db.r6g.large"
      instances = {{
        a = {{ promotion_tier = 0 }}
        b = {{ instance_class = "db.r6g.xlarge" }}
      }}
    }}
    "eu-west-1"      = {{ instance_class = "db.r6g.large", instances = {{ a = {{}} }} }}
    "ap-southeast-2" = {{}}
  }}
}}

output "east_cluster" {{
  value = replication_topology.orders.regions["us-east-1"].cluster_identifier
}}
"#
    )
}

const PROVIDER: &str = "  region       = \"us-east-1\"\n  endpoint_url = \"http://127.0.0.1:1\"";

#[test]
fn schema_is_served_with_descriptions() {
    for host in hosts() {
        let w = Workdir::new(&(header(PROVIDER) + &topology("orders", "")));
        let out = w.run(&host, &["providers", "schema", "-json"]);
        assert!(out.status.success(), "{}: {}", host.name, text(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let p = &json["provider_schemas"][common::SOURCE];
        let res = &p["resource_schemas"]["replication_topology"]["block"];
        assert!(
            res["attributes"]["global_cluster_identifier"]["required"]
                .as_bool()
                .unwrap(),
            "{}",
            host.name
        );
        assert_eq!(
            res["attributes"]["master_password"]["sensitive"], true,
            "{}",
            host.name
        );
        let regions = &res["attributes"]["regions"]["nested_type"];
        assert_eq!(regions["nesting_mode"], "map", "{}", host.name);
        assert!(
            regions["attributes"]["instances"]["nested_type"]["attributes"]["promotion_tier"]
                .is_object()
        );
        assert!(!res["attributes"]["primary_region"]["description"]
            .as_str()
            .unwrap()
            .is_empty());
        assert!(res["block_types"]["timeouts"].is_object());
        let ds = &p["data_source_schemas"]["replication_topology"]["block"];
        assert!(ds["attributes"]["global_endpoint"]["computed"]
            .as_bool()
            .unwrap());
        assert!(ds["attributes"].get("master_password").is_none());
        assert!(p["provider"]["block"]["attributes"]["endpoint_url"]["description"].is_string());
    }
}

#[test]
fn valid_config_validates() {
    for host in hosts() {
        let w = Workdir::new(&(header(PROVIDER) + &topology("orders", "")));
        let out = w.run(&host, &["validate", "-no-color"]);
        assert!(out.status.success(), "{}: {}", host.name, text(&out));
    }
}

#[test]
fn invalid_identifier_is_reported_on_the_attribute() {
    for host in hosts() {
        let w = Workdir::new(&(header(PROVIDER) + &topology("1orders--", "")));
        let out = w.run(&host, &["validate", "-json"]);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let diags = json["diagnostics"].as_array().unwrap();
        let d = diags
            .iter()
            .find(|d| d["summary"] == "Invalid global cluster identifier")
            .unwrap_or_else(|| panic!("{}: {}", host.name, text(&out)));
        assert_eq!(d["severity"], "error");
        assert!(d["detail"]
            .as_str()
            .unwrap()
            .contains("must start with a letter"));
        // The host resolved our attribute path to the line of the attribute.
        let snippet = d["snippet"]["code"].as_str().unwrap_or_default();
        assert!(
            snippet.contains("global_cluster_identifier"),
            "{}: {d}",
            host.name
        );
    }
}

#[test]
fn bad_region_key_and_missing_primary_are_reported_with_paths() {
    for host in hosts() {
        let cfg = header(PROVIDER)
            + r#"
resource "replication_topology" "x" {
  global_cluster_identifier = "orders"
  engine                    = "aurora-mysql"
  master_username           = "app"
  master_password           = "correct-horse-battery"
  primary_region            = "us-west-2"
  regions = {
    "US-EAST-1" = { instances = { a = { instance_class = "db.r6g.large", promotion_tier = 99 } } }
  }
}
"#;
        let w = Workdir::new(&cfg);
        let out = w.run(&host, &["validate", "-json"]);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let s = String::from_utf8_lossy(&out.stdout);
        for summary in [
            "Invalid region",
            "Invalid promotion tier",
            "Primary Region Not In Regions",
        ] {
            assert!(
                s.contains(summary),
                "{}: missing {summary}: {}",
                host.name,
                text(&out)
            );
        }
    }
}

#[test]
fn bad_retry_mode_is_reported_on_the_provider_attribute() {
    for host in hosts() {
        let provider = format!("{PROVIDER}\n  retry_mode   = \"legacy\"");
        let cfg = header(&provider) + &topology("orders", "");
        let w = Workdir::new(&cfg);
        let out = w.run(&host, &["validate", "-json"]);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let d = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["summary"] == "Invalid retry mode")
            .unwrap_or_else(|| panic!("{}: {}", host.name, text(&out)));
        assert!(
            d["detail"]
                .as_str()
                .unwrap()
                .contains("\"standard\" or \"adaptive\""),
            "{d}"
        );
        let snippet = d["snippet"]["code"].as_str().unwrap_or_default();
        assert!(snippet.contains("retry_mode"), "{}: {d}", host.name);
    }
}

#[test]
fn write_only_password_needs_a_host_that_supports_it() {
    for host in hosts() {
        let extra = "  master_password_wo = \"correct-horse-battery\"\n";
        let cfg = header(PROVIDER)
            + &topology("orders", extra).replace(
                "  master_password           = \"correct-horse-battery\"\n",
                "",
            );
        let w = Workdir::new(&cfg);
        let out = w.run(&host, &["validate", "-no-color"]);
        if host.write_only {
            assert!(out.status.success(), "{}: {}", host.name, text(&out));
        } else {
            // OpenTofu 1.6 does not know write-only attributes: either it
            // rejects the unknown flag itself or our diagnostic does.
            assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        }
    }
}

#[test]
fn plan_shows_derived_identifiers_and_unknown_computed_values() {
    for host in hosts() {
        let w = Workdir::new(&(header(PROVIDER) + &topology("orders", "")));
        let out = w.run(&host, &["plan", "-no-color", "-out=tfplan"]);
        assert!(out.status.success(), "{}: {}", host.name, text(&out));
        let shown = w.run(&host, &["show", "-json", "tfplan"]);
        assert!(shown.status.success(), "{}: {}", host.name, text(&shown));
        let json: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
        let rc = &json["resource_changes"][0];
        assert_eq!(
            rc["change"]["actions"],
            serde_json::json!(["create"]),
            "{}",
            host.name
        );
        let after = &rc["change"]["after"];
        let east = &after["regions"]["us-east-1"];
        assert_eq!(
            east["cluster_identifier"], "orders-us-east-1",
            "{}",
            host.name
        );
        assert_eq!(east["role"], "primary");
        assert_eq!(east["instances"]["a"]["identifier"], "orders-us-east-1-a");
        assert_eq!(east["instances"]["b"]["instance_class"], "db.r6g.xlarge");
        assert_eq!(east["instances"]["a"]["instance_class"], "db.r6g.large");
        assert_eq!(after["regions"]["eu-west-1"]["role"], "secondary");
        assert_eq!(
            after["regions"]["ap-southeast-2"]["instances"],
            serde_json::json!({})
        );
        assert_eq!(after["failover_mode"], "switchover");
        assert_eq!(after["id"], "orders");
        let unknown = &rc["change"]["after_unknown"];
        assert_eq!(unknown["arn"], true, "{}", host.name);
        assert_eq!(unknown["regions"]["us-east-1"]["endpoint"], true);
        assert_eq!(
            unknown["regions"]["us-east-1"]["instances"]["a"]["arn"],
            true
        );
        assert_eq!(
            json["planned_values"]["outputs"]["east_cluster"]["value"],
            "orders-us-east-1"
        );
    }
}

#[test]
fn plan_without_password_fails_on_the_attribute() {
    for host in hosts() {
        let cfg = header(PROVIDER)
            + &topology("orders", "").replace(
                "  master_password           = \"correct-horse-battery\"\n",
                "",
            );
        let w = Workdir::new(&cfg);
        let out = w.run(&host, &["plan", "-no-color"]);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Master Password Required"),
            "{}: {}",
            host.name,
            text(&out)
        );
    }
}

/// `init` with dev_overrides works on Terraform 1.15; OpenTofu 1.6 and
/// Terraform 1.11 still ask the registry for an overridden provider during
/// `init` (no network here), so their `init` is exercised through the
/// filesystem mirror of `make install` instead (tests/e2e_examples.rs).
#[test]
fn init_succeeds_with_the_development_override() {
    for host in hosts().into_iter().filter(|h| h.name == "terraform-1.15") {
        let w = Workdir::new(&(header(PROVIDER) + &topology("orders", "")));
        let out = w.run(&host, &["init", "-no-color", "-input=false"]);
        assert!(out.status.success(), "{}: {}", host.name, text(&out));
        let out = w.run(&host, &["validate", "-no-color"]);
        assert!(out.status.success(), "{}: {}", host.name, text(&out));
    }
}
