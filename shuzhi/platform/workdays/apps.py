"""The working-day calendar (工作日历): public holidays and adjusted working days, as data."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "shuzhi.platform.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action

        register_action("workdays.add", _("Holiday schedule day added"))
        register_action("workdays.change", _("Holiday schedule day changed"))
        register_action("workdays.delete", _("Holiday schedule day removed"))
