from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarbonConfig(AppConfig):  # 碳账户
    name = "shuzhi.domains.carbon"
    label = "carbon"
    verbose_name = _("Carbon accounts")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action
        from shuzhi.platform.loop.registry import TaskType, register_task_type

        for code, label in (
            ("carbon.factors_save", _("Emission factor set saved")),
            ("carbon.factors_activate", _("Emission factor set activated")),
            ("carbon.run", _("Carbon accounting run")),
            ("carbon.authorise", _("Bank authorised to read a carbon account")),
            ("carbon.authorise_revoke", _("Bank authorisation revoked")),
            ("carbon.report", _("Carbon credit report read")),
            ("carbon.loan_product_save", _("Green-loan product saved")),
        ):
            register_action(code, label)
        # Red grades and rising county intensity open tasks for the economy bureau (经信局).
        register_task_type(
            TaskType("carbon", _("Carbon account warning"), category="carbon", deadline_days=10)
        )
        # 政企通 (the enterprise portal): "carbon"
        from .portal import register as register_portal

        register_portal()
