"""Online applications (网上申办, 办件): one per item or per 一件事 bundle, with a part per item.

Each part goes to its item's department as a loop task with the item's promised time limit; the
application is done when every part is decided (a bundle's parts run in parallel).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.loop.models import Task

from .catalogue import Bundle, MaterialKind, ServiceItem


class Application(models.Model):  # 办件
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")  # 已提交
        IN_PROGRESS = "in_progress", _("Being handled")  # 办理中
        GRANTED = "granted", pgettext_lazy("application state", "Granted")  # 已办结（准予）
        PARTLY_GRANTED = "partly_granted", _("Partly granted")  # 部分准予
        REFUSED = "refused", _("Refused")  # 不予许可
        WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回

    number = models.CharField(_("application number"), max_length=32, unique=True)  # 申办编号
    applicant = models.ForeignKey(
        User, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    # the enterprise applied for (法人办事); "" for a resident applying for themself
    credit_code = models.CharField(_("enterprise"), max_length=18, blank=True, db_index=True)
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bundle = models.ForeignKey(
        Bundle, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    facts = models.JSONField(_("form values"), default=dict)  # fact code → value
    reused = models.JSONField(_("reused from the platform"), default=list)  # fact/material codes
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False, bundle__isnull=True)
                | models.Q(item__isnull=True, bundle__isnull=False),
                name="services_application_item_xor_bundle",
            )
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationPart(models.Model):  # 子办件 (one item of the application)
    class State(models.TextChoices):
        PENDING = "pending", _("Being handled")
        GRANTED = "granted", pgettext_lazy("application state", "Granted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="parts")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opinion = models.TextField(_("opinion"), blank=True)  # 审批意见 / reason for refusal

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "item"], name="services_application_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.item_id}"


class ApplicationMaterial(models.Model):  # 申请材料
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    kind = models.ForeignKey(MaterialKind, on_delete=models.PROTECT, related_name="+")
    # an uploaded file, or empty when the platform supplied it (``reused_from`` says what)
    file = models.FileField(_("file"), upload_to="services/materials/%Y/%m/", blank=True)
    file_kind = models.CharField(_("file kind"), max_length=8, blank=True)  # sniffed
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    reused_from = models.CharField(_("reused from"), max_length=80, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"], name="services_application_material_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.kind_id}"
