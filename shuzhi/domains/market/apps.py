from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "shuzhi.domains.market"
    label = "market"
    verbose_name = _("Market supervision")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action
        from shuzhi.platform.loop.schedule import register_recurring

        from .tasks import start_schedule

        register_action("market.credit_run", _("Credit-risk classification run"))
        register_action("market.credit_view", _("Enterprise credit class viewed"))
        register_recurring("market.credit", start_schedule)
