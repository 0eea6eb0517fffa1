"""Who may do what in the loop, until these permissions join ``security.permissions``.

Roles map to loop permissions here; a role already granting the permission through
``ROLE_PERMISSIONS`` counts too, so moving the lines there changes nothing.
Department rules come on top: only the assigned department handles a task.
"""

from __future__ import annotations

from typing import Any

from shuzhi.platform.accounts.roles import Role
from shuzhi.platform.security.permissions import has_perm

from .models import Task

# loop.report: report a problem (every signed-in person);
# loop.dispatch: route tasks, split joint tasks, review closures, decide extensions (分拨员);
# loop.handle: accept, handle and close the own department's tasks;
# loop.supervise: urge and escalate any task, see all tasks (督查).
LOOP_PERMISSIONS: dict[str, frozenset[str]] = {
    "loop.report": frozenset(Role.values),
    "loop.dispatch": frozenset({Role.SUPERVISOR}),
    "loop.handle": frozenset({Role.CLERK, Role.APPROVER, Role.DATA_STEWARD}),
    "loop.supervise": frozenset({Role.SUPERVISOR, Role.LEADER}),
}


def loop_allowed(user: Any, perm: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if has_perm(user, perm):
        return True
    return bool(set(user.role_codes) & LOOP_PERMISSIONS.get(perm, frozenset()))


def is_handler(user: Any, task: Task) -> bool:
    """A handler of the task's assigned department."""
    return (
        loop_allowed(user, "loop.handle")
        and task.department_id is not None
        and user.department_id == task.department_id
    )


def can_view(user: Any, task: Task) -> bool:
    """The reporter, dispatchers, supervisors, and staff of a department that works on it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if task.reporter_id is not None and task.reporter_id == user.pk:
        return True
    if loop_allowed(user, "loop.dispatch") or loop_allowed(user, "loop.supervise"):
        return True
    department_id = getattr(user, "department_id", None)
    if department_id is None:
        return False
    if department_id == task.department_id:
        return True
    if task.parent is not None and task.parent.department_id == department_id:
        return True
    return task.children.filter(department_id=department_id).exists()
