"""Forms of the supervision, one module per workflow."""
