"""Benchmarks against the limits of docs/performance.md, at 1× and 50× Hengzhou (`make bench`)."""
