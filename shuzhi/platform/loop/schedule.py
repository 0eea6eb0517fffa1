"""Recurring background work (定时任务) that ``shuzhi worker`` starts, filled by apps.

Each app that keeps a chain of self-re-enqueuing tasks registers a *starter* in its
``AppConfig.ready()`` (the registry pattern of ARCHITECTURE.md): a function that enqueues the
first run unless one is already waiting. The worker command calls every starter when it starts,
so a restarted worker neither loses a schedule nor doubles it.

>>> calls = []
>>> register_recurring("example", lambda: calls.append("queued"))
>>> start_recurring()
['example']
>>> calls
['queued']
>>> _STARTERS.pop("example") and None
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["register_recurring", "start_recurring", "task_waiting"]

_STARTERS: dict[str, Callable[[], object]] = {}


def register_recurring(name: str, start: Callable[[], object]) -> None:
    """Register ``start`` under ``name`` (a later registration under the same name replaces it)."""
    _STARTERS[name] = start


def start_recurring() -> list[str]:
    """Call every registered starter; return their names in registration order."""
    for start in _STARTERS.values():
        start()
    return list(_STARTERS)


def task_waiting(path: str) -> bool:
    """True when a task of ``path`` (its module path) waits in the database queue."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: cannot tell, so assume none waits
        return False
    return DBTaskResult.objects.filter(task_path=path, status="READY").exists()
