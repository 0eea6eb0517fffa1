"""What each role may do (access policy). Services call :func:`require`; views never decide.

Role codes are the values of ``accounts.roles.Role``; a test keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

# sharing.request: ask another department for data (department staff);
# sharing.approve: decide requests for the own department's data, and see its consumers;
# opendata.apply: apply for a restricted-open dataset (registered users);
# opendata.approve: decide those applications for the own department's data;
# operation.submit: run analyses as a vetted operator (授权运营); operation.review: vet
# operators and review their results (staff of the big-data bureau, BUREAU_DEPARTMENT).
# loop.report: report a problem; loop.handle: accept, handle and close the own department's
# tasks; loop.dispatch: route tasks, split joint tasks, review closures, decide extensions;
# loop.supervise: urge and escalate any task (督查). brain.view / brain.edit: indicators and
# warning rules (editing also needs the dataset's owner department). cockpit.view: the
# leadership cockpit (驾驶舱). carbon.view: the carbon-account dashboards and enterprise pages;
# carbon.own: an enterprise's own carbon account and its bank authorisations; carbon.finance: a
# bank's carbon pages (the rows themselves still need a sharing grant and the enterprise's
# authorisation). market.view: the credit-risk classes and their distribution (regulators).
# market.regulate: market regulation casework (life-cycle events, deregistration decisions,
# inspection plans, cases, credit repair, recalls) — the department itself is checked by the
# market domain (the market department of the city or of a county); market.inspect: record the
# results of the inspections one is drawn for; market.own: an enterprise's own code, self-checks,
# repair and deregistration applications.
# services.apply: apply online for service items and bundles, follow one's applications, confirm
# one's 免申即享 benefits (residents and enterprise users); services.handle: decide the parts of
# applications routed to the own department, and review its 免申即享 findings; services.manage:
# keep the own department's service items, e-seal and benefit rules (draft, dry-run, go live).
# policy.publish: import, edit and repeal the policy documents of the publishers the own
# department publishes for (政务公开); reading public documents needs no permission.
# environment.view: the ecology-and-environment dashboards (生态环境感知; county staff see their
# county); environment.manage: monitoring stations, their push keys, readings imports and the
# rejected readings (data stewards of an ecology-and-environment bureau, EEB).
_STAFF = frozenset({"apikeys.issue", "catalog.view", "sharing.request", "loop.report"})
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "system_admin": frozenset(
        {"accounts.manage", "admin.access", "apikeys.issue", "catalog.view", "loop.report"}
    ),
    "auditor": frozenset(
        {"audit.view", "apikeys.issue", "catalog.view", "loop.report", "brain.view"}
    ),
    "data_steward": _STAFF
    | {"catalog.edit", "warehouse.ingest", "operation.review", "loop.handle"}
    | {"brain.view", "brain.edit", "carbon.view", "market.view", "services.manage"}
    | {"policy.publish", "environment.view", "environment.manage"},
    "clerk": _STAFF
    | {"loop.handle", "carbon.view", "market.view", "market.regulate", "market.inspect"}
    | {"services.handle", "environment.view"},
    "approver": _STAFF
    | {"sharing.approve", "opendata.approve", "operation.review", "loop.handle"}
    | {"brain.view", "brain.edit", "carbon.view", "market.view", "services.handle"}
    | {"policy.publish", "environment.view"},
    "supervisor": _STAFF
    | {"loop.dispatch", "loop.supervise", "brain.view", "cockpit.view", "carbon.view"}
    | {"market.view", "environment.view"},
    "leader": _STAFF
    | {"loop.supervise", "brain.view", "cockpit.view", "carbon.view", "market.view"}
    | {"environment.view"},
    "enterprise": frozenset(
        {"apikeys.issue", "opendata.apply", "operation.submit", "loop.report", "carbon.own"}
        | {"market.own", "services.apply"}
    ),
    "bank": frozenset({"apikeys.issue", "sharing.request", "carbon.finance"}),
    "public": frozenset({"opendata.apply", "loop.report", "services.apply"}),
}


def has_perm(user: Any, perm: str) -> bool:
    """True when one of the user's roles grants ``perm``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(perm in ROLE_PERMISSIONS.get(role, frozenset()) for role in user.role_codes)


def require(user: Any, perm: str) -> None:
    """Raise ``PermissionDenied`` unless the user holds ``perm``."""
    if not has_perm(user, perm):
        raise PermissionDenied(perm)
