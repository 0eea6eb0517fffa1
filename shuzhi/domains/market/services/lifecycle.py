"""(being built) — see the module owner's issue-7 work."""

from __future__ import annotations

from typing import Any

# audit action code → label; registered by apps.py
ACTIONS: dict[str, Any] = {}
# loop task types (shuzhi.platform.loop.registry.TaskType) this module opens; registered by apps.py
TASK_TYPES: list[Any] = []
