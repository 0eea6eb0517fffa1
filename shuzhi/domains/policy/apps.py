from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# the service modules that declare ACTIONS (audit action → label); each may have register()
CAPABILITIES = ("documents", "importing", "indexing")


class PolicyConfig(AppConfig):
    name = "shuzhi.domains.policy"
    label = "policy"
    verbose_name = _("Policy library")

    def ready(self) -> None:
        from importlib import import_module

        from shuzhi.platform.audit.actions import register_action

        for name in CAPABILITIES:
            module = import_module(f"{self.name}.services.{name}")
            for code, label in module.ACTIONS.items():
                register_action(code, label)
            # a capability may register more (schedules, portal sections)
            hook = getattr(module, "register", None)
            if hook is not None:
                hook()
