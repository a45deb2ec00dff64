# Three regions: a primary, a reading secondary and a headless secondary that
# only holds replicated storage. The headless region costs no instances; to
# use it after a disaster, give it instances first, then move the primary.
# Storage is encrypted, so every region names a KMS key of its own region.
#
# Production settings: Serverless v2 readers next to provisioned writers,
# I/O-Optimized storage, two weeks of backups in a window that does not
# meet the maintenance window, Performance Insights, Enhanced Monitoring,
# audit and error logs in CloudWatch, IAM database authentication, and no
# Extended Support charges. Changes wait for the maintenance window
# (apply_immediately = false); pending_changes shows what is waiting.
#
# Terraform and OpenTofu ignore misspelled names inside `regions` and
# `instances` without a word: compare each region in the plan with the
# settings below before applying.

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

variable "monitoring_role_arn" {
  description = "IAM role RDS uses to publish Enhanced Monitoring metrics."
  type        = string
}

resource "replication_topology" "ledger" {
  global_cluster_identifier = "ledger"
  engine                    = "aurora-mysql"
  engine_version            = "8.0.mysql_aurora.3.08.0"
  master_username           = "admin"
  master_password           = var.db_password
  storage_encrypted         = true
  deletion_protection       = true
  engine_lifecycle_support  = "open-source-rds-extended-support-disabled"
  apply_immediately         = false

  primary_region = var.primary_region
  failover_mode  = var.failover_mode

  regions = {
    "us-east-1" = {
      instance_class = "db.r6g.xlarge"
      kms_key_id     = var.kms_key_ids["us-east-1"]

      serverlessv2_scaling_configuration  = { min_capacity = 2, max_capacity = 32 }
      storage_type                        = "aurora-iopt1"
      backup_retention_period             = 14
      preferred_backup_window             = "03:00-04:00"
      preferred_maintenance_window        = "sun:05:00-sun:06:00"
      copy_tags_to_snapshot               = true
      iam_database_authentication_enabled = true
      enabled_cloudwatch_logs_exports     = ["audit", "error", "slowquery"]

      performance_insights_enabled          = true
      performance_insights_retention_period = 31
      monitoring_interval                   = 30
      monitoring_role_arn                   = var.monitoring_role_arn
      auto_minor_version_upgrade            = true
      ca_cert_identifier                    = "rds-ca-rsa2048-g1"

      instances = {
        a = { promotion_tier = 0, availability_zone = "us-east-1a" }
        b = { promotion_tier = 1, availability_zone = "us-east-1b" }
        # A Serverless v2 reader for reporting, out of the failover path.
        reports = { instance_class = "db.serverless", promotion_tier = 15 }
      }
    }
    "us-west-2" = {
      instance_class   = "db.serverless"
      kms_key_id       = var.kms_key_ids["us-west-2"]
      write_forwarding = true

      serverlessv2_scaling_configuration = { min_capacity = 2, max_capacity = 32 }
      storage_type                       = "aurora-iopt1"
      backup_retention_period            = 14
      preferred_backup_window            = "10:00-11:00"
      preferred_maintenance_window       = "sun:12:00-sun:13:00"
      enabled_cloudwatch_logs_exports    = ["audit", "error", "slowquery"]

      performance_insights_enabled = true
      monitoring_interval          = 30
      monitoring_role_arn          = var.monitoring_role_arn

      instances = {
        a = {}
      }
    }
    # Headless DR region: no instances, storage and backups only.
    "eu-central-1" = {
      kms_key_id              = var.kms_key_ids["eu-central-1"]
      storage_type            = "aurora-iopt1"
      backup_retention_period = 14
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

output "pending_changes" {
  description = "Changes waiting for each region's maintenance window."
  value       = { for region, r in replication_topology.ledger.regions : region => r.pending_changes }
}
