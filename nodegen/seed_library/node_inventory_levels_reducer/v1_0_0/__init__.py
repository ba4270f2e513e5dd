"""node_inventory_levels_reducer version 1.0.0."""
