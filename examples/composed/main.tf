# A root module composing per-region stacks around one topology:
#
#   modules/regional-network  one per region; outputs the DB subnet group and
#                             security groups the region's cluster uses
#   replication_topology      consumes those outputs in `regions`
#   modules/regional-app      one per region; consumes that region's endpoints
#
# The regional modules here only derive names from their inputs so the example
# runs anywhere; in a real stack they would hold aws_db_subnet_group,
# aws_security_group and the application's resources.

terraform {
  required_providers {
    replication = {
      source = "registry.terraform.io/replication/replication"
    }
  }
}

provider "replication" {
  region = var.primary_region
}

variable "name" {
  type    = string
  default = "shop"
}

variable "primary_region" {
  type    = string
  default = "us-east-1"
}

variable "db_password" {
  type      = string
  sensitive = true
}

locals {
  # Region => instance keys. An empty list makes a headless secondary.
  regions = {
    "us-east-1"    = ["a", "b"]
    "eu-west-1"    = ["a"]
    "ca-central-1" = []
  }
}

module "network" {
  source   = "./modules/regional-network"
  for_each = local.regions

  name   = var.name
  region = each.key
}

resource "replication_topology" "db" {
  global_cluster_identifier = var.name
  engine                    = "aurora-postgresql"
  engine_version            = "16.4"
  master_username           = "app"
  master_password           = var.db_password
  primary_region            = var.primary_region
  final_snapshot_identifier = "${var.name}-final"

  regions = {
    for region, instances in local.regions : region => {
      instance_class         = "db.r6g.large"
      db_subnet_group_name   = module.network[region].db_subnet_group_name
      vpc_security_group_ids = module.network[region].security_group_ids
      instances              = { for key in instances : key => {} }
    }
  }
}

module "app" {
  source   = "./modules/regional-app"
  for_each = local.regions

  name            = var.name
  region          = each.key
  writer_endpoint = replication_topology.db.global_endpoint
  reader_endpoint = replication_topology.db.regions[each.key].reader_endpoint
  is_primary      = replication_topology.db.regions[each.key].role == "primary"
}

output "apps" {
  value = { for region, app in module.app : region => app.database_urls }
}
