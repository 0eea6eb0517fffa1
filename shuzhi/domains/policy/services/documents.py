"""(being written)"""

from __future__ import annotations

ACTIONS: dict[str, str] = {}
