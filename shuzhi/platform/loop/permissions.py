"""Who may do what in the loop, until these permissions join ``security.permissions``.

Roles map to loop permissions here; a role already granting the permission through
``ROLE_PERMISSIONS`` counts too, so moving the lines there changes nothing.
Department rules come on top: only the assigned department handles a task.
"""

from __future__ import annotations

from typing import Any

from shuzhi.platform.accounts.models import Division
from shuzhi.platform.accounts.roles import Role
from shuzhi.platform.security.permissions import has_perm

from .models import Task

# loop.report: report a problem (every signed-in person);
# loop.dispatch: route tasks, split joint tasks, review closures, decide extensions (分拨员);
# loop.handle: accept, handle and close the own department's tasks;
# loop.supervise: urge and escalate any task, see all tasks (督查).
# Dispatchers and supervisors of a county's department act within that county only
# (``oversight_county``).
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


def oversight_county(user: Any) -> str | None:
    """The county (区县) a dispatcher or supervisor oversees, or None for the whole city.

    It follows the person's department: a county's command centre (e.g. 柯城区人民政府办公室)
    dispatches and supervises that county's tasks only; a city-level department the whole city.
    """
    department = getattr(user, "department", None)
    division = getattr(department, "division", None)
    if division is None or division.level in (Division.Level.PROVINCE, Division.Level.CITY):
        return None
    return str(division.county_code)


def oversees(user: Any, perm: str, task: Task) -> bool:
    """``perm`` (loop.dispatch or loop.supervise) held for a task inside the person's county."""
    if not loop_allowed(user, perm):
        return False
    county = oversight_county(user)
    return county is None or task.county_code == county


def rule_in_reach(user: Any, rule: Any) -> bool:
    """A dispatcher may change this dispatch rule: any for the city's, the own county's for a
    county's."""
    if not loop_allowed(user, "loop.dispatch"):
        return False
    county = oversight_county(user)
    return county is None or (rule.division_id is not None and rule.division_id.startswith(county))


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
    if oversees(user, "loop.dispatch", task) or oversees(user, "loop.supervise", task):
        return True
    department_id = getattr(user, "department_id", None)
    if department_id is None:
        return False
    if department_id == task.department_id:
        return True
    if task.parent is not None and task.parent.department_id == department_id:
        return True
    return task.children.filter(department_id=department_id).exists()


def actions_for(user: Any, task: Task) -> list[str]:
    """The steps this person may take on the task now (the buttons of the task page)."""
    from .models import OPEN_STATES, State

    found: list[str] = []
    state = task.state
    dispatcher = oversees(user, "loop.dispatch", task)
    supervisor = oversees(user, "loop.supervise", task)
    handler = is_handler(user, task)
    reporter = task.reporter_id is not None and task.reporter_id == getattr(user, "pk", None)
    if dispatcher and state == State.PENDING_DISPATCH:
        found += ["dispatch", "split"]
    if handler and state == State.PENDING_ACCEPTANCE:
        found.append("accept")
    if handler and state == State.IN_PROGRESS and not task.is_joint:
        found.append("submit")
    if (
        handler
        and task.parent_id is None
        and state in (State.PENDING_ACCEPTANCE, State.IN_PROGRESS)
    ):
        found.append("return")
    if (
        handler
        and state in (State.PENDING_ACCEPTANCE, State.IN_PROGRESS)
        and not task.extension_requested_days
    ):
        found.append("extension_request")
    if dispatcher and task.extension_requested_days and state in OPEN_STATES:
        found.append("extension_decide")
    if dispatcher and state == State.PENDING_REVIEW:
        found.append("review")
    if dispatcher and state in (State.PENDING_ACCEPTANCE, State.IN_PROGRESS) and not task.is_joint:
        found.append("reassign")
    if reporter and state == State.CLOSED:
        found.append("rate")
    if (
        (dispatcher or reporter)
        and state in (State.CLOSED, State.RATED)
        and not task.is_joint
        and task.department_id
    ):
        found.append("reopen")
    if dispatcher and state in (
        State.PENDING_DISPATCH,
        State.PENDING_ACCEPTANCE,
        State.IN_PROGRESS,
    ):
        found.append("suspend")
    if dispatcher and state == State.SUSPENDED:
        found.append("resume")
    if (dispatcher or supervisor) and state in OPEN_STATES and task.department_id:
        found.append("urge")
    if supervisor and state in OPEN_STATES:
        found.append("escalate")
    return found
