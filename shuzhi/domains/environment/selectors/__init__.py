"""Read-only queries of the environment domain."""
