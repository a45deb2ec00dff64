data "replication_topology" "orders" {
  global_cluster_identifier = "orders"
}

output "primary_region" {
  value = data.replication_topology.orders.primary_region
}

output "reader_endpoints" {
  value = { for region, r in data.replication_topology.orders.regions : region => r.reader_endpoint }
}
