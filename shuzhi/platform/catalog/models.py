"""The data catalogue: every shared fact is a catalogued dataset (ARCHITECTURE.md idea 1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Department, Division


class Grade(models.IntegerChoices):  # 数据分级 (DB33/T 2351-2021)
    L1 = 1, _("L1 not sensitive")  # 不敏感数据
    L2 = 2, _("L2 low sensitivity")  # 低敏感数据
    L3 = 3, _("L3 sensitive")  # 较敏感数据
    L4 = 4, _("L4 highly sensitive")  # 敏感数据


class Importance(models.TextChoices):  # 数据重要程度 (GB/T 43697-2024)
    GENERAL = "general", _("General data")  # 一般数据
    IMPORTANT = "important", _("Important data")  # 重要数据
    CORE = "core", _("Core data")  # 核心数据


class ShareAttribute(models.TextChoices):  # 共享属性
    UNCONDITIONAL = "unconditional", _("Shared unconditionally")  # 无条件共享
    CONDITIONAL = "conditional", _("Shared on conditions")  # 有条件共享
    NONE = "none", _("Not shared")  # 不予共享


class OpenAttribute(models.TextChoices):  # 开放属性
    OPEN = "open", _("Open unconditionally")  # 无条件开放
    RESTRICTED = "restricted", _("Open on application")  # 受限开放
    CLOSED = "closed", _("Not open")  # 禁止开放


class Frequency(models.TextChoices):  # 更新频率
    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


FREQUENCY_DAYS: dict[str, int | None] = {
    # how old the newest version may be before the dataset is stale (days; None: never)
    Frequency.REALTIME: 1,
    Frequency.DAILY: 2,
    Frequency.WEEKLY: 9,
    Frequency.MONTHLY: 35,
    Frequency.QUARTERLY: 100,
    Frequency.YEARLY: 380,
    Frequency.IRREGULAR: None,
}


class DataType(models.TextChoices):
    STRING = "string", _("Text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes/no")


class SemanticType(models.TextChoices):  # 语义类型: drives validation and masking
    TEXT = "text", _("Text")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    ID_NUMBER = "id_number", _("ID number")
    PERSON_NAME = "person_name", _("Person name")
    MOBILE = "mobile", _("Mobile number")
    LANDLINE = "landline", _("Landline number")
    ADDRESS = "address", _("Address")
    BANK_CARD = "bank_card", _("Bank card number")
    PLATE = "plate", _("Licence plate")
    EMAIL = "email", _("E-mail")
    IPV4 = "ipv4", _("IP address")
    DIVISION_CODE = "division_code", _("Division code")
    INDUSTRY_CODE = "industry_code", _("Industry code")
    DATE = "date", _("Date")
    BIRTH_DATE = "birth_date", _("Birth date")  # 出生日期: masked but for the year
    AMOUNT = "amount", _("Amount")


# The most decimal places a decimal field may declare (the warehouse's spec holds the same).
MAX_DECIMAL_PLACES = 10


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Theme(models.Model):  # 主题分类
    code = models.CharField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128)

    class Meta:
        ordering = ["code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class CodeTable(models.Model):  # 代码表
    """A set of allowed codes: a national standard (GB/T 2260, GB/T 4754) or the catalogue's own."""

    code = models.CharField(_("code"), max_length=64, primary_key=True)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("code table")
        verbose_name_plural = _("code tables")

    def __str__(self) -> str:
        return self.name


class CodeEntry(models.Model):
    table = models.ForeignKey(CodeTable, on_delete=models.CASCADE, related_name="entries")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)

    class Meta:
        ordering = ["table_id", "code"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="unique_code_entry")]
        verbose_name = _("code")
        verbose_name_plural = _("codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


DATASET_CODE = RegexValidator(
    r"^[a-z][a-z0-9_]{1,63}$",
    _("Use 2–64 lower-case letters, digits and underscores, starting with a letter."),
)


class Dataset(models.Model):  # 数据集
    # the code also names the dataset's warehouse tables, hence the strict shape
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[DATASET_CODE])
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Department,
        verbose_name=_("owner department"),
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    division = models.ForeignKey(
        Division, verbose_name=_("division scope"), on_delete=models.PROTECT, related_name="+"
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), null=True, blank=True, on_delete=models.PROTECT
    )
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True)
    frequency = models.CharField(
        _("update frequency"), max_length=16, choices=Frequency.choices, blank=True
    )
    share_attribute = models.CharField(
        _("share attribute"), max_length=16, choices=ShareAttribute.choices
    )
    share_condition = models.TextField(_("share condition or legal basis"), blank=True)
    open_attribute = models.CharField(
        _("open attribute"), max_length=16, choices=OpenAttribute.choices
    )
    deidentified = models.BooleanField(_("opened only de-identified (GB/T 37964)"), default=False)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    importance = models.CharField(
        _("importance"), max_length=16, choices=Importance.choices, default=Importance.GENERAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.name


class Field(models.Model):  # 字段
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.SlugField(_("column name"), max_length=64)
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=200, blank=True)
    data_type = models.CharField(_("type"), max_length=16, choices=DataType.choices)
    semantic_type = models.CharField(
        _("semantic type"), max_length=32, choices=SemanticType.choices, default=SemanticType.TEXT
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"), choices=Grade.choices, null=True, blank=True
    )
    nullable = models.BooleanField(_("may be empty"), default=True)
    is_key = models.BooleanField(_("part of the key"), default=False)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    code_table = models.ForeignKey(
        CodeTable, verbose_name=_("code table"), null=True, blank=True, on_delete=models.PROTECT
    )
    min_value = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    # 小数位数: a decimal field's declared places, as in a data element's format "N..18,2";
    # the warehouse then stores it exactly in 18 digits and refuses finer values.
    decimal_places = models.PositiveSmallIntegerField(
        _("decimal places"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_DECIMAL_PLACES)],
        help_text=_("For decimal fields: digits after the point, such as 2 for amounts in yuan."),
    )

    class Meta:
        ordering = ["dataset_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="unique_field_name")
        ]
        verbose_name = _("field")
        verbose_name_plural = _("fields")

    def __str__(self) -> str:
        return f"{self.dataset.code}.{self.name}"

    def clean(self) -> None:
        super().clean()
        if self.decimal_places is not None and self.data_type != DataType.DECIMAL:
            raise ValidationError(
                {"decimal_places": _("Decimal places apply to decimal fields only.")}
            )

    @property
    def encrypted(self) -> bool:
        """Fields graded L3–L4 are stored SM4-encrypted with a join token beside them."""
        return (self.grade or 0) >= Grade.L3


class LineageEdge(models.Model):  # 血缘
    """``target`` is derived from ``source`` by ``transformation``."""

    source = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="downstream_edges")
    target = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="upstream_edges")
    transformation = models.CharField(_("transformation"), max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="unique_lineage_edge")
        ]
        verbose_name = _("lineage edge")
        verbose_name_plural = _("lineage edges")

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code}"


class ThematicWarehouse(models.Model):  # 专题数据仓
    code = models.SlugField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    datasets = models.ManyToManyField(Dataset, related_name="thematic_warehouses", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thematic warehouse")
        verbose_name_plural = _("thematic warehouses")

    def __str__(self) -> str:
        return self.name
