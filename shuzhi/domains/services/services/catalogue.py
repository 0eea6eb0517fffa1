"""The service catalogue (政务服务事项目录) is kept as data (the demo loads it; stewards keep it in
the admin); reading it is public (``selectors.catalogue``), so this module declares no writes of
its own yet. Applications against it live in ``services.applications``."""

from __future__ import annotations

from typing import Any

# audit action code → label; registered by apps.py
ACTIONS: dict[str, Any] = {}
# loop task types this module opens; registered by apps.py
TASK_TYPES: list[Any] = []
