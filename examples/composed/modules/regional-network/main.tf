# Stand-in for a regional network stack. A real one would create the DB
# subnet group and security groups and output their names and IDs.

variable "name" {
  type = string
}

variable "region" {
  type = string
}

locals {
  prefix = "${var.name}-${var.region}"
}

output "db_subnet_group_name" {
  description = "DB subnet group for this region's cluster."
  value       = "${local.prefix}-db"
}

output "security_group_ids" {
  description = "Security groups for this region's cluster."
  value       = ["sg-${substr(sha1(local.prefix), 0, 17)}"]
}
