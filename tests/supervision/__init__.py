"""Tests of the supervision app."""
