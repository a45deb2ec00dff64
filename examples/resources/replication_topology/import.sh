# The ID is the global cluster identifier.
terraform import replication_topology.orders orders
