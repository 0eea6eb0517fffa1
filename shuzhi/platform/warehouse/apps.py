from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehouseConfig(AppConfig):
    name = "shuzhi.platform.warehouse"
    label = "warehouse"
    verbose_name = _("Data warehouse")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action
        from shuzhi.platform.catalog.panels import (
            ListColumn,
            Panel,
            register_list_column,
            register_panel,
        )

        from . import views

        register_panel(Panel("versions", _("Versions and quality"), views.versions_panel))
        register_panel(Panel("sample", _("Sample rows"), views.sample_panel))
        register_list_column(ListColumn("quality", _("Quality"), views.quality_cells))
        register_action("warehouse.ingest", _("Data ingested"))
        register_action("warehouse.restore", _("Version restored"))
        register_action("warehouse.read", _("Graded data read"))
