"""Market supervision (市场监管): the enterprise registry and what grows on it."""
