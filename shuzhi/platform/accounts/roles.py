"""The roles people hold (角色). Kept apart from the models so settings-time code can use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):  # 角色
    SYSTEM_ADMIN = "system_admin", _("System administrator")  # 系统管理员
    AUDITOR = "auditor", _("Auditor")  # 审计员
    DATA_STEWARD = "data_steward", _("Data steward")  # 数据管理员
    CLERK = "clerk", _("Department clerk")  # 部门业务员
    APPROVER = "approver", _("Approver")  # 审批人
    SUPERVISOR = "supervisor", _("Supervisor")  # 督查员
    LEADER = "leader", _("Leader")  # 领导
    ENTERPRISE = "enterprise", _("Enterprise user")  # 企业用户
    BANK = "bank", _("Bank staff")  # 金融机构人员 (a data consumer outside government)
    PUBLIC = "public", _("Member of the public")  # 公众
