from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "shuzhi.platform.sharing"
    label = "sharing"
    verbose_name = _("Data sharing")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action
        from shuzhi.platform.catalog.panels import Panel, register_panel

        from . import views

        register_panel(Panel("sharing", _("Sharing"), views.sharing_panel))
        register_action("sharing.request", _("Shared data requested"))
        register_action("sharing.approve", _("Share request approved"))
        register_action("sharing.reject", _("Share request rejected"))
        register_action("sharing.grant", _("Sharing grant given"))
        register_action("sharing.revoke", _("Sharing grant revoked"))
        register_action("sharing.key_issue", _("Sharing app key issued"))
        register_action("sharing.key_reject", _("Sharing app key refused"))
        register_action("sharing.read", _("Shared data read"))
