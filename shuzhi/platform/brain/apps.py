from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrainConfig(AppConfig):
    name = "shuzhi.platform.brain"
    label = "brain"
    verbose_name = _("City brain")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action
        from shuzhi.platform.loop.registry import register_step_listener
        from shuzhi.platform.loop.schedule import register_recurring

        from .services import warnings_follow_task
        from .tasks import start_schedule

        register_step_listener("brain.warnings_follow_task", warnings_follow_task)
        register_recurring("brain.indicators", start_schedule)

        register_action("brain.indicator_save", _("Indicator saved"))
        register_action("brain.indicator_compute", _("Indicator computed"))
        register_action("brain.rule_save", _("Warning rule saved"))
        register_action("brain.rule_delete", _("Warning rule deleted"))
        register_action("brain.warning_raise", _("Warning raised"))
        register_action("brain.warning_close", _("Warning closed"))
        register_action("brain.warning_reopen", _("Warning reopened"))
        register_action("brain.graph_view", _("Enterprise knowledge graph viewed"))
