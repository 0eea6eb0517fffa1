"""(being written)"""

from __future__ import annotations

from typing import Any

ACTIONS: dict[str, Any] = {}
TASK_TYPES: tuple[Any, ...] = ()
