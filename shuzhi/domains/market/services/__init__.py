"""Market supervision services, one module per capability (credit, lifecycle, inspections, ...)."""
