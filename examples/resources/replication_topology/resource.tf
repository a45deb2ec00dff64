variable "db_password" {
  type      = string
  sensitive = true
}

# A primary in us-east-1, a reading secondary in eu-west-1 and a headless
# secondary (storage only, no instances) in ap-southeast-2 for disaster
# recovery. Changing primary_region to "eu-west-1" performs a switchover.
resource "replication_topology" "orders" {
  global_cluster_identifier = "orders"
  engine                    = "aurora-postgresql"
  engine_version            = "16.4"
  database_name             = "orders"
  master_username           = "app"
  master_password           = var.db_password

  primary_region = "us-east-1"
  failover_mode  = "switchover"

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
    "ap-southeast-2" = {}
  }

  final_snapshot_identifier = "orders-final"

  tags = {
    team = "payments"
  }

  timeouts {
    create = "120m"
    update = "120m"
  }
}

output "writer_endpoint" {
  value = replication_topology.orders.global_endpoint
}
