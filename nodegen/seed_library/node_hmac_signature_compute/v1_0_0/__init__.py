"""node_hmac_signature_compute version 1.0.0."""
