import {
  to = replication_topology.orders
  id = "orders"
}
