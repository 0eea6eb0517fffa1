"""Every service checks permission (STYLE.md 3, after CKAN's coding-standards test).

A public function of any ``services.py`` must call ``require(...)`` (or a ``require_…`` wrapper of
it) itself, or be listed here
with the reason it needs no permission. A new service fails this test until it does one or the
other.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "shuzhi"

EXEMPT = {
    "platform.accounts.services.login_attempt": "authentication itself: anyone may try",
    "platform.accounts.services.logout_record": "records the caller's own sign-out",
    "platform.accounts.services.api_key_authenticate": "authentication itself",
    "platform.audit.services.audit_record": "called by every service after its own check",
    "platform.audit.services.audit_anchor_write": "CLI only (`shuzhi audit verify`)",
    "platform.audit.services.audit_key": "helper: reads a setting",
    "platform.audit.services.client_ip": "helper: reads the request",
    "platform.audit.services.anchor_path": "helper: reads a setting",
    "platform.brain.services.warnings_follow_task": "loop step listener: the step was checked",
    "platform.loop.services.task_cancel": "system only: the module that opened the task",
    "domains.policy.services.documents.next_index_number": "helper: reads the next free 索引号",
    "domains.policy.services.documents.refresh_validity": "system only: the daily schedule",
    "domains.policy.services.indexing.to_indexed": "helper: a document as the engine sees it",
    "domains.policy.services.indexing.schedule_index": "called by services after their check",
    "domains.policy.services.indexing.index_differences": "read only: index against database",
    "domains.environment.services.readings.readings_push": "no user: the station's own push key",
    "domains.environment.services.results.compute_daily": "system only: the hourly schedule",
    "domains.environment.services.results.run_warnings": "system only: the hourly schedule",
    "domains.environment.services.results.results_catch_up": "system only: after a bulk import",
}


def _services() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    # services.py, or the modules of a services/ package (not the domain app named "services")
    package = [p for p in ROOT.glob("**/services/*.py") if not (p.parent / "apps.py").exists()]
    for path in sorted([*ROOT.glob("**/services.py"), *package]):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                found.append((f"{module}.{node.name}", node))
    return found


def _calls_require(node: ast.FunctionDef) -> bool:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name.lstrip("_").startswith(
                "require"
            ):  # require, or a wrapper such as require_steward
                return True
    return False


def test_every_service_checks_permission_or_says_why_not() -> None:
    services = _services()
    assert len(services) >= 10
    unchecked = [name for name, node in services if not _calls_require(node) and name not in EXEMPT]
    assert unchecked == []


def test_exemptions_name_existing_services() -> None:
    names = {name for name, _ in _services()}
    assert set(EXEMPT) <= names
