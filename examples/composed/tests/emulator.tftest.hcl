# Integration test of the composed root module against aurora-emulator, the
# local RDS API: real applies, real endpoints and roles, a switchover, and
# the destroy `terraform test` runs at the end. Needs no AWS account.
#
# The provider block stays as it is; the run's environment points the
# provider at the emulator (docs/guides/testing-modules.md):
#   AWS_ENDPOINT_URL_RDS=http://127.0.0.1:4566
#   AWS_ENDPOINT_URL_CLOUDWATCH=http://127.0.0.1:4566
#   AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
#   REPLICATION_POLL_INTERVAL=50ms
#
#   terraform test -filter=tests/emulator.tftest.hcl

variables {
  name           = "shoptest"
  primary_region = "us-east-1"
  db_password    = "correct-horse-battery"
}

run "create" {
  assert {
    condition     = replication_topology.db.regions["us-east-1"].role == "primary"
    error_message = "us-east-1 should hold the writer after create."
  }

  assert {
    condition = alltrue([
      for region in ["eu-west-1", "ca-central-1"] :
      replication_topology.db.regions[region].role == "secondary"
    ])
    error_message = "Every other region should be a secondary."
  }

  assert {
    condition     = length(replication_topology.db.regions["us-east-1"].instances) == 2 && length(replication_topology.db.regions["ca-central-1"].instances) == 0
    error_message = "us-east-1 should have two instances and ca-central-1 none (headless)."
  }

  assert {
    condition     = replication_topology.db.regions["us-east-1"].db_subnet_group_name == module.network["us-east-1"].db_subnet_group_name
    error_message = "The regional network's subnet group should reach the cluster."
  }

  assert {
    condition     = output.apps["eu-west-1"].writer == "postgres://${replication_topology.db.global_endpoint}:5432/shoptest"
    error_message = "Every app should write through the global writer endpoint."
  }

  assert {
    condition     = output.apps["eu-west-1"].reader == "postgres://${replication_topology.db.regions["eu-west-1"].reader_endpoint}:5432/shoptest"
    error_message = "Each app should read from its own region's reader endpoint."
  }

  assert {
    condition     = replication_topology.db.global_endpoint != "" && replication_topology.db.regions["eu-west-1"].reader_endpoint != ""
    error_message = "Endpoints should be known after apply."
  }
}

run "switch_over_to_eu_west_1" {
  variables {
    primary_region = "eu-west-1"
  }

  assert {
    condition     = replication_topology.db.regions["eu-west-1"].role == "primary" && replication_topology.db.regions["us-east-1"].role == "secondary"
    error_message = "The writer should have moved to eu-west-1."
  }

  assert {
    condition     = module.app["eu-west-1"].is_primary && !module.app["us-east-1"].is_primary
    error_message = "The regional apps should follow the new primary."
  }

  assert {
    condition     = output.apps["us-east-1"].writer == "postgres://${replication_topology.db.global_endpoint}:5432/shoptest"
    error_message = "The global writer endpoint should be unchanged by a switchover."
  }
}
