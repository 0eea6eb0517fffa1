"""Recurring background work (定时任务) that ``shuzhi worker`` starts, filled by apps.

Each app that keeps a chain of self-re-enqueuing tasks registers a *starter* in its
``AppConfig.ready()`` (the registry pattern of ARCHITECTURE.md): a function that enqueues the
first run unless one is already waiting. The worker command calls every starter when it starts,
so a restarted worker neither loses a schedule nor doubles it.

>>> calls = []
>>> register_recurring("example", lambda: calls.append("queued"))
>>> "example" in start_recurring(only=["example"])
True
>>> calls
['queued']
>>> del _STARTERS["example"]
"""

from __future__ import annotations

from collections.abc import Callable, Collection

__all__ = ["register_recurring", "start_recurring", "task_waiting"]

_STARTERS: dict[str, Callable[[], object]] = {}


def register_recurring(name: str, start: Callable[[], object]) -> None:
    """Register ``start`` under ``name`` (a later registration under the same name replaces it)."""
    _STARTERS[name] = start


def start_recurring(only: Collection[str] | None = None) -> list[str]:
    """Call every registered starter (or those named in ``only``); return the names called."""
    called = [name for name in _STARTERS if only is None or name in only]
    for name in called:
        _STARTERS[name]()
    return called


def task_waiting(path: str) -> bool:
    """True when a task of ``path`` (its module path) waits in the database queue."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: cannot tell, so assume none waits
        return False
    return DBTaskResult.objects.filter(task_path=path, status="READY").exists()
