"""Writes of the supervision, one module per workflow: atomic, validated, audited."""
