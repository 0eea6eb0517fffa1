"""Warehouse (数据仓库): ingestion, validation, quarantine, versions and quality, on DuckDB via Ibis."""
