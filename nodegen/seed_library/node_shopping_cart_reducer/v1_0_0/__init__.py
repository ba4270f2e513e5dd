"""node_shopping_cart_reducer version 1.0.0."""
