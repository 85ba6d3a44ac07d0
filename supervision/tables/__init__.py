"""Tables of the supervision, one module per workflow."""
