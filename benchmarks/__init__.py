"""Ratio benchmarks: each runs alone (`python -m benchmarks.NAME`) and prints its ratio last."""
