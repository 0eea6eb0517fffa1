"""Number and date formats per language (UX.md: 1,234 and 2026-11-25 everywhere)."""
