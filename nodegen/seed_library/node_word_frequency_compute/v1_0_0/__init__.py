"""node_word_frequency_compute version 1.0.0."""
