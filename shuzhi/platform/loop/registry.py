"""Task types (任务类型): filled by apps in ``AppConfig.ready()``, read by the loop.

A module that opens tasks declares its type once::

    register_task_type(TaskType("warning", _("Warning response"), category="warning",
                                deadline_days=3))

and then calls ``loop.services.task_open(type_code="warning", ...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class TaskType:  # 任务类型
    code: str
    name: Promise | str  # lazy translated
    category: str = ""  # default category for routing when the task gives none
    deadline_days: int = 5  # working days from opening
    supervision_levels: int = 2  # 督办 levels above the handling department

    @property
    def max_extension_days(self) -> int:
        """The most working days a task of this type may be extended in total."""
        return self.deadline_days


TASK_TYPES: dict[str, TaskType] = {}


class UnknownTaskType(LookupError):
    pass


def register_task_type(task_type: TaskType) -> TaskType:
    """Declare a task type (call from ``AppConfig.ready()``); re-registering replaces it."""
    if not task_type.code or task_type.deadline_days < 1 or task_type.supervision_levels < 1:
        raise ValueError(f"invalid task type {task_type!r}")
    TASK_TYPES[task_type.code] = task_type
    return task_type


def task_type(code: str) -> TaskType:
    """The registered type ``code``; ``UnknownTaskType`` when no app registered it."""
    try:
        return TASK_TYPES[code]
    except KeyError:
        raise UnknownTaskType(code) from None


def task_types() -> list[TaskType]:
    return sorted(TASK_TYPES.values(), key=lambda t: t.code)


# Step listeners: a module that follows tasks it opened (e.g. the brain closing a warning when
# its task is closed) registers a function here in ``AppConfig.ready()``. Each is called inside
# the step's transaction, after its audit entry, as ``listener(task=..., action=...,
# from_state=..., by=...)``; one that raises undoes the step, so listeners keep to their own
# small updates. (A registry, not a Django signal: the house rule for business logic.)
StepListener = Callable[..., Any]
STEP_LISTENERS: dict[str, StepListener] = {}


def register_step_listener(name: str, listener: StepListener) -> None:
    """Call ``listener`` after every step on every task; re-registering ``name`` replaces it."""
    STEP_LISTENERS[name] = listener


def step_taken(**step: Any) -> None:
    for listener in list(STEP_LISTENERS.values()):
        listener(**step)
