from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# the service modules that declare ACTIONS (audit action → label) and TASK_TYPES (loop)
CAPABILITIES = ("readings", "results")


class EnvironmentConfig(AppConfig):  # 生态环境
    name = "shuzhi.domains.environment"
    label = "environment"
    verbose_name = _("Ecology and environment")

    def ready(self) -> None:
        from importlib import import_module

        from shuzhi.platform.audit.actions import register_action
        from shuzhi.platform.loop.registry import register_task_type

        for name in CAPABILITIES:
            module = import_module(f"{self.name}.services.{name}")
            for code, label in module.ACTIONS.items():
                register_action(code, label)
            for kind in module.TASK_TYPES:
                register_task_type(kind)
            hook = getattr(module, "register", None)  # schedules and the like
            if hook is not None:
                hook()
