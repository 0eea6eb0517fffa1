"""Public data opening (数据开放): the portal, the CKAN-compatible API and the DCAT-AP export."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "shuzhi.platform.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action

        register_action("opendata.apply", _("Applied for restricted open data"))
        register_action("opendata.decide", _("Open-data application decided"))
        register_action("opendata.delivery", _("De-identified open data delivered"))
