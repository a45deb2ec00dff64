# Bring an existing Aurora global database under management.
#
#   terraform plan     # shows the import and, when this file matches AWS, no changes
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

  final_snapshot_identifier = "orders-final"
}
