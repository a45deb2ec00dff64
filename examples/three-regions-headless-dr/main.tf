# Three regions: a primary, a reading secondary and a headless secondary that
# only holds replicated storage. The headless region costs no instances; to
# use it after a disaster, give it instances first, then move the primary.
# Storage is encrypted, so every region names a KMS key of its own region.

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

variable "db_password" {
  type      = string
  sensitive = true
}

variable "kms_key_ids" {
  description = "KMS key ARN per region."
  type        = map(string)
}

variable "primary_region" {
  type    = string
  default = "us-east-1"
}

variable "failover_mode" {
  type    = string
  default = "switchover"
}

resource "replication_topology" "ledger" {
  global_cluster_identifier = "ledger"
  engine                    = "aurora-mysql"
  engine_version            = "8.0.mysql_aurora.3.08.0"
  master_username           = "admin"
  master_password           = var.db_password
  storage_encrypted         = true
  deletion_protection       = true

  primary_region = var.primary_region
  failover_mode  = var.failover_mode

  regions = {
    "us-east-1" = {
      instance_class = "db.r6g.xlarge"
      kms_key_id     = var.kms_key_ids["us-east-1"]
      instances = {
        a = { promotion_tier = 0 }
        b = { promotion_tier = 1 }
      }
    }
    "us-west-2" = {
      instance_class   = "db.r6g.large"
      kms_key_id       = var.kms_key_ids["us-west-2"]
      write_forwarding = true
      instances = {
        a = {}
      }
    }
    # Headless DR region: no instances.
    "eu-central-1" = {
      kms_key_id = var.kms_key_ids["eu-central-1"]
    }
  }

  final_snapshot_identifier = "ledger-final"

  tags = {
    service = "ledger"
  }
}

output "global_endpoint" {
  value = replication_topology.ledger.global_endpoint
}

output "roles" {
  value = { for region, r in replication_topology.ledger.regions : region => r.role }
}
