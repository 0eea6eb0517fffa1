"""Notifications (消息通知): the in-app inbox, e-mail and an SMS adapter."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "shuzhi.platform.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action

        register_action("notify.read", _("Message marked read"))
        register_action("notify.read_all", _("All messages marked read"))
