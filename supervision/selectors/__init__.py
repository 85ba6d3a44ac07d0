"""Reads of the supervision, one module per workflow; the dashboard and 台账 call these."""
