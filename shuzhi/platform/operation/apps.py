from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationConfig(AppConfig):
    name = "shuzhi.platform.operation"
    label = "operation"
    verbose_name = _("Authorised operation")

    def ready(self) -> None:
        from shuzhi.platform.audit.actions import register_action

        register_action("operation.operator_apply", _("Operator application"))
        register_action("operation.operator_register", _("Operator registered"))
        register_action("operation.operator_account", _("Account added to an operator"))
        register_action("operation.operator_vet", _("Operator vetted"))
        register_action("operation.operator_suspend", _("Operator suspended"))
        register_action("operation.grant", _("Dataset authorised to an operator"))
        register_action("operation.revoke", _("Operator's authorisation revoked"))
        register_action("operation.submit", _("Analysis submitted"))
        register_action("operation.run", _("Analysis run in the sandbox"))
        register_action("operation.release", _("Analysis result released"))
        register_action("operation.reject", _("Analysis result rejected"))
