# all.tfquery.hcl: every aurora-postgresql global database tagged team = "orders".
list "replication_topology" "orders" {
  provider         = replication
  include_resource = true

  config {
    engine = "aurora-postgresql"
    tags   = { team = "orders" }
  }
}
