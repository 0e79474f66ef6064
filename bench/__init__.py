"""Benchmarks (speed lives here, never in tests). Run them through the Makefile's bench targets."""
