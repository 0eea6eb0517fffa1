"""Audit (审计日志): an append-only log whose entries are chained by SM3."""
