"""The service catalogue (政务服务事项目录): items, the materials and facts they need, 一件事 bundles.

A service item (事项) carries the standard fields of the national catalogue. What an applicant
must supply is declared as data: **materials** (申请材料, files) and **facts** (表单要素, form
values). Both are shared kinds (``MaterialKind``, ``FormFact``) so that a bundle's combined form
is the union of its items' needs without repetition, and so that what the platform already holds
(一人一档 / 一企一档: the resident base, the enterprise registry, licences already issued) can be
filled in instead of asked for again — ``source`` says where each comes from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Department


class Audience(models.TextChoices):  # 服务对象
    CITIZEN = "citizen", _("Citizens")  # 自然人
    ENTERPRISE = "enterprise", _("Enterprises")  # 法人
    BOTH = "both", _("Citizens and enterprises")


class Channel(models.TextChoices):  # 办理渠道
    ONLINE = "online", _("Online (一网通办)")
    HALL = "hall", _("Service hall")  # 政务服务大厅
    BANK = "bank", _("Government-bank outlet")  # 政银合作网点
    MOBILE = "mobile", _("Mobile (浙里办)")


class ServiceItem(models.Model):  # 政务服务事项
    class ItemType(models.TextChoices):  # 事项类型
        LICENSING = "licensing", _("Administrative licensing")  # 行政许可
        PAYMENT = "payment", _("Administrative payment")  # 行政给付
        CONFIRMATION = "confirmation", _("Administrative confirmation")  # 行政确认
        REGISTRATION = "registration", _("Registration")  # 行政登记
        PUBLIC_SERVICE = "public_service", _("Public service")  # 公共服务
        OTHER = "other", _("Other administrative power")  # 其他行政权力

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    code = models.CharField(_("item code"), max_length=40, unique=True)  # 事项编码
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    item_type = models.CharField(_("item type"), max_length=16, choices=ItemType.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience.choices, default=Audience.BOTH
    )
    legal_basis = models.TextField(_("legal basis"))  # 设定依据
    time_limit_days = models.PositiveSmallIntegerField(
        _("promised time limit (working days)")  # 承诺时限
    )
    statutory_limit_days = models.PositiveSmallIntegerField(
        _("statutory time limit (working days)"),
        null=True,
        blank=True,  # 法定时限
    )
    conditions = models.TextField(_("conditions"), blank=True)  # 受理条件
    fee = models.DecimalField(_("fee (yuan)"), max_digits=10, decimal_places=2, default=0)
    fee_note = models.CharField(_("fee basis"), max_length=200, blank=True)  # 收费依据
    channels = models.JSONField(_("channels"), default=list)  # Channel values
    cross_province = models.BooleanField(_("cross-province (跨省通办)"), default=False)
    # 一业一证: the industry comprehensive licence this item is folded into ("" = none)
    industry_licence = models.CharField(_("industry licence (一业一证)"), max_length=60, blank=True)
    # the e-licence type a granted application issues ("" = none), e.g. "food_operation"
    licence_type = models.CharField(_("licence issued"), max_length=40, blank=True)
    licence_valid_years = models.PositiveSmallIntegerField(_("licence valid (years)"), default=5)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    # preconditions (前置条件) checked at submission: "enterprise_registered" (the applicant's
    # enterprise is in the registry and not deregistered), "holds_licence:<type>" and
    # "no_valid_licence:<type>" (a valid e-licence of that type is / is not held)
    preconditions = models.JSONField(_("preconditions"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MaterialKind(models.Model):  # 材料类型
    """A kind of material; ``source`` names where the platform may already hold it.

    Sources: ``""`` (always uploaded), ``identity`` (the signed-in resident's real-name identity),
    ``registry`` (the enterprise's registration, 一企一档), ``licence:<type>`` (a valid e-licence
    of that type held by the applicant).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    source = models.CharField(_("held by the platform as"), max_length=60, blank=True)
    # accepted file kinds, as sniffed from the content: "pdf", "png", "jpeg"
    accepted = models.JSONField(_("accepted file kinds"), default=list)

    class Meta:
        ordering = ["code"]
        verbose_name = _("material kind")
        verbose_name_plural = _("material kinds")

    def __str__(self) -> str:
        return self.name


class FormFact(models.Model):  # 表单要素
    """One value a form asks for; ``source`` names the platform field that already holds it.

    Sources: ``resident.<field>`` (name, id_number, mobile, address, county), ``enterprise.<field>``
    (the registry: name, credit_code, legal_representative, address, county, industry_code,
    enterprise_type, mobile), or ``""`` (always asked).
    """

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        BOOLEAN = "boolean", _("Yes / no")

    code = models.CharField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=120)
    label_en = models.CharField(_("English label"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)  # for CHOICE
    source = models.CharField(_("held by the platform as"), max_length=60, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("form fact")
        verbose_name_plural = _("form facts")

    def __str__(self) -> str:
        return self.label


class ItemMaterial(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    kind = models.ForeignKey(MaterialKind, on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(_("required"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="services_item_material_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.kind_id}"


class ItemFact(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="facts")
    fact = models.ForeignKey(FormFact, on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "fact"], name="services_item_fact_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.fact_id}"


class Bundle(models.Model):  # 一件事 (集成服务)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience.choices, default=Audience.ENTERPRISE
    )
    # the department that receives the combined application (牵头部门, 综合窗口)
    lead_department = models.ForeignKey(
        Department, verbose_name=_("lead department"), on_delete=models.PROTECT, related_name="+"
    )
    items: models.ManyToManyField[ServiceItem, BundleItem] = models.ManyToManyField(
        ServiceItem, through="BundleItem", related_name="bundles"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("一件事 bundle")
        verbose_name_plural = _("一件事 bundles")

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    optional = models.BooleanField(_("optional"), default=False)  # e.g. tobacco retail licence
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="services_bundle_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}/{self.item_id}"
