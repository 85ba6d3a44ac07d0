"""Filter sets of the supervision, one module per workflow."""
