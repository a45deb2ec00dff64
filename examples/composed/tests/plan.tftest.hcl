# Unit tests of the composed root module with a mocked provider: no emulator,
# no credentials, no AWS. They check the module's own wiring (the regional
# network's outputs feed `regions`, each regional app gets the endpoints it
# should). Needs Terraform 1.7 or later (mock_provider).
#
#   terraform test -filter=tests/plan.tftest.hcl

mock_provider "replication" {
  mock_resource "replication_topology" {
    defaults = {
      global_endpoint = "shoptest.global-mock.global.rds.amazonaws.com"
    }
  }
}

variables {
  name           = "shoptest"
  primary_region = "us-east-1"
  db_password    = "not-a-real-password"
}

run "plan_wires_the_network_into_regions" {
  command = plan

  assert {
    condition = alltrue([
      for region, r in replication_topology.db.regions :
      r.db_subnet_group_name == "shoptest-${region}-db"
    ])
    error_message = "Each region should use its own regional network's subnet group."
  }

  assert {
    condition     = join(",", keys(replication_topology.db.regions["us-east-1"].instances)) == "a,b" && length(replication_topology.db.regions["ca-central-1"].instances) == 0
    error_message = "Instance keys should come from local.regions; ca-central-1 is headless."
  }

  assert {
    condition     = replication_topology.db.primary_region == "us-east-1"
    error_message = "primary_region should follow the variable."
  }
}

run "apps_write_through_the_global_endpoint" {
  assert {
    condition = alltrue([
      for region, app in output.apps :
      app.writer == "postgres://shoptest.global-mock.global.rds.amazonaws.com:5432/shoptest"
    ])
    error_message = "Every regional app should write through the global writer endpoint."
  }
}
