from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

AUDIT_ACTIONS = {
    "loop.open": _("Task opened"),
    "loop.dispatch": _("Task dispatched"),
    "loop.split": _("Task split into a joint task"),
    "loop.accept": _("Task accepted"),
    "loop.return": _("Task returned to dispatch"),
    "loop.reassign": _("Task reassigned"),
    "loop.submit": _("Task submitted for closure"),
    "loop.close": _("Task closed"),
    "loop.reject": _("Task closure sent back"),
    "loop.rate": _("Task rated"),
    "loop.reopen": _("Task reopened"),
    "loop.suspend": _("Task suspended"),
    "loop.cancel": _("Task cancelled"),
    "loop.resume": _("Task resumed"),
    "loop.extension_request": _("Task extension requested"),
    "loop.extension_decide": _("Task extension decided"),
    "loop.urge": _("Task urged"),
    "loop.escalate": _("Task escalated"),
    "loop.rule": _("Dispatch rule added"),
    "loop.rule_remove": _("Dispatch rule removed"),
    "loop.scan": _("Task deadlines scanned"),
    "loop.evidence": _("Task evidence read"),
    "loop.export": _("Ranking scorecard exported"),
}


class LoopConfig(AppConfig):
    name = "shuzhi.platform.loop"
    label = "loop"
    verbose_name = _("Closed loop")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action

        from .registry import TaskType, register_task_type

        for code, label in AUDIT_ACTIONS.items():
            register_action(code, label)
        # Generic task types; modules register their own the same way.
        register_task_type(
            TaskType("report", _("Public report"), "report", deadline_days=5)
        )  # 群众反映
        register_task_type(
            TaskType("inspection", _("Inspection finding"), "inspection", deadline_days=5)
        )  # 巡查发现
        register_task_type(
            TaskType("warning", _("Warning response"), "warning", deadline_days=3)
        )  # 预警处置
        register_task_type(
            TaskType("petition", _("Petition"), "petition", deadline_days=15, supervision_levels=3)
        )  # 信访件
