"""Thin views, one module per workflow; each module lists its own `urlpatterns`."""
