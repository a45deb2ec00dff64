# Quickstart: a two-region Aurora Global Database.
#
# Against the local emulator (the default endpoint_url):
#   terraform apply
#   terraform apply -var primary_region=eu-west-1   # switchover
#   terraform destroy
#
# Against AWS: set endpoint_url = null and a real db_password.

terraform {
  required_providers {
    replication = {
      source = "registry.terraform.io/replication/replication"
    }
  }
}

variable "endpoint_url" {
  description = "RDS endpoint for every region; null for AWS itself."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "primary_region" {
  description = "Region holding the writer. Change it to move the primary."
  type        = string
  default     = "us-east-1"
}

variable "failover_mode" {
  description = "\"switchover\" (no data loss) or \"failover\" (for a lost primary region)."
  type        = string
  default     = "switchover"
}

variable "db_password" {
  description = "Master password of the primary."
  type        = string
  sensitive   = true
  default     = "quickstart-password"
}

provider "replication" {
  endpoint_url = var.endpoint_url
}

resource "replication_topology" "quickstart" {
  global_cluster_identifier = "quickstart"
  engine                    = "aurora-postgresql"
  engine_version            = "16.4"
  database_name             = "app"
  master_username           = "app"
  master_password           = var.db_password
  skip_final_snapshot       = true

  primary_region = var.primary_region
  failover_mode  = var.failover_mode

  regions = {
    "us-east-1" = {
      instance_class = "db.r6g.large"
      instances = {
        a = { promotion_tier = 0 }
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
}

output "primary_region" {
  value = replication_topology.quickstart.primary_region
}

output "global_endpoint" {
  description = "Always resolves to the current primary's writer."
  value       = replication_topology.quickstart.global_endpoint
}

output "endpoints" {
  description = "Cluster endpoint of each region."
  value       = { for region, r in replication_topology.quickstart.regions : region => r.endpoint }
}

output "reader_endpoints" {
  description = "Reader endpoint of each region."
  value       = { for region, r in replication_topology.quickstart.regions : region => r.reader_endpoint }
}

output "roles" {
  description = "primary or secondary, per region."
  value       = { for region, r in replication_topology.quickstart.regions : region => r.role }
}
