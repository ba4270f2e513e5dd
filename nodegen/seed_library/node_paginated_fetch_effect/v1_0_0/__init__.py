"""node_paginated_fetch_effect version 1.0.0."""
