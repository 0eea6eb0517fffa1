"""Reads of public services, one module per capability (``residents``, ``catalogue``,
``applications``, ``licences``, ``benefits``, ``portal``)."""

from .residents import AGE_BANDS, resident_age_bands, resident_count, resident_count_by_county

__all__ = ["AGE_BANDS", "resident_age_bands", "resident_count", "resident_count_by_county"]
