"""Synthetic demo city (演示数据): deterministic generators for a fictional-but-plausible Quzhou."""
