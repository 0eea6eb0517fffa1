from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# the service modules that declare ACTIONS (audit action → label) and TASK_TYPES (loop)
CAPABILITIES = ("catalogue", "applications", "licences", "benefits")


class ServicesConfig(AppConfig):
    name = "shuzhi.domains.services"
    label = "services"
    verbose_name = _("Public services")

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
            # a capability may register more (step listeners, schedules, portal sections)
            hook = getattr(module, "register", None)
            if hook is not None:
                hook()
        import_module(f"{self.name}.portal").register()
