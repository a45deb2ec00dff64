import {
  to = replication_topology.orders
  identity = {
    global_cluster_identifier = "orders"
  }
}
