# Bring an existing Aurora global database under management.
#
#   terraform plan     # "1 to import, 0 to change" when this file matches AWS
#   terraform apply
#
# Or, without the import block:
#   terraform import replication_topology.orders orders

terraform {
  required_providers {
    replication = {
      source = "registry.terraform.io/replication/replication"
    }
  }
}

provider "replication" {
  region = "us-east-1"
}

import {
  to = replication_topology.orders
  id = "orders"
}

# Region keys are region names. Instance keys are instance identifiers with
# the "<cluster_identifier>-" prefix removed: the instance "orders-us-east-1-a"
# of cluster "orders-us-east-1" has the key "a".
resource "replication_topology" "orders" {
  global_cluster_identifier = "orders"
  engine                    = "aurora-postgresql"
  master_username           = "app"
  primary_region            = "us-east-1"

  regions = {
    "us-east-1" = {
      instance_class = "db.r6g.large"
      instances = {
        a = {}
        b = {}
      }
    }
    "eu-west-1" = {
      instance_class = "db.r6g.large"
      instances = {
        a = {}
      }
    }
  }

  # Passwords and final_snapshot_identifier cannot be read from AWS. Add them
  # after the import; each then shows as an in-place update of the state.
}
