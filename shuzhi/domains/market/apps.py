from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# the service modules that declare ACTIONS (audit action → label) and TASK_TYPES (loop)
CAPABILITIES = ("lifecycle", "cases", "inspections", "codes", "trace", "ip")


class MarketConfig(AppConfig):
    name = "shuzhi.domains.market"
    label = "market"
    verbose_name = _("Market supervision")

    def ready(self) -> None:
        from importlib import import_module

        from shuzhi.platform.audit.actions import register_action
        from shuzhi.platform.loop.registry import register_task_type
        from shuzhi.platform.loop.schedule import register_recurring

        from .tasks import start_schedule

        register_action("market.credit_run", _("Credit-risk classification run"))
        register_action("market.credit_view", _("Enterprise credit class viewed"))
        register_recurring("market.credit", start_schedule)
        for name in CAPABILITIES:
            module = import_module(f"{self.name}.services.{name}")
            for code, label in module.ACTIONS.items():
                register_action(code, label)
            for kind in module.TASK_TYPES:
                register_task_type(kind)
        # 政企通 (the enterprise portal): "credit" and "cases"
        import_module(f"{self.name}.portal").register()
