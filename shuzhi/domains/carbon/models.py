"""Carbon accounts (碳账户), policy task 19: emission factors, accounting runs, enterprise
accounts with their three-dimensional evaluation, the other five domains' accounts, and green
finance (碳账户金融: loan products, enterprises' authorisations of banks).

The monthly activity data stay in the warehouse (the energy and output datasets); what a run
computes is published back to the warehouse as two derived datasets (``carbon_emission_monthly``
and ``carbon_account_annual``). The rows here are the run's record and what the pages read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuzhi.platform.accounts.models import Department


class FactorSet(models.Model):  # 排放因子版本
    """A versioned emission-factor table; exactly one is active, results name the one used."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", pgettext_lazy("factor set", "Active")
        RETIRED = "retired", _("Retired")

    version = models.CharField(_("version"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.TextField(_("source"), help_text=_("Where the factors come from."))
    heat_factor = models.DecimalField(
        _("purchased heat factor (tCO2/GJ)"), max_digits=10, decimal_places=6, default=0.11
    )
    heat_source = models.CharField(_("heat factor source"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("emission factor set")
        verbose_name_plural = _("emission factor sets")

    def __str__(self) -> str:
        return self.version


class FuelFactor(models.Model):  # 燃料排放参数
    """Net calorific value × carbon content × oxidation rate × 44/12 (GB/T 32150)."""

    factor_set = models.ForeignKey(FactorSet, on_delete=models.CASCADE, related_name="fuels")
    fuel = models.CharField(_("fuel"), max_length=32)  # raw_coal, fuel_oil, gasoline, …
    ncv = models.DecimalField(_("net calorific value"), max_digits=12, decimal_places=4)
    ncv_unit = models.CharField(_("NCV unit"), max_length=16)  # "GJ/t" or "GJ/10^4Nm3"
    carbon_content = models.DecimalField(
        _("carbon content (tC/TJ)"), max_digits=10, decimal_places=4
    )
    oxidation = models.DecimalField(_("oxidation rate"), max_digits=6, decimal_places=4)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["factor_set", "fuel"]
        constraints = [
            models.UniqueConstraint(fields=["factor_set", "fuel"], name="carbon_fuel_once")
        ]
        verbose_name = _("fuel factor")
        verbose_name_plural = _("fuel factors")

    def __str__(self) -> str:
        return f"{self.fuel} ({self.factor_set_id})"


class GridFactor(models.Model):  # 电网排放因子
    factor_set = models.ForeignKey(FactorSet, on_delete=models.CASCADE, related_name="grids")
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.CharField(_("region"), max_length=16)  # "national", "east_china", "330000"
    value = models.DecimalField(_("tCO2/MWh"), max_digits=8, decimal_places=4)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["factor_set", "region", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["factor_set", "year", "region"], name="carbon_grid_once"
            )
        ]
        verbose_name = _("grid emission factor")
        verbose_name_plural = _("grid emission factors")

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.value}"


class Domain(models.TextChoices):  # 碳账户六大领域
    INDUSTRY = "industry", pgettext_lazy("carbon domain", "Industry")  # 工业
    ENERGY = "energy", _("Energy")  # 能源
    BUILDINGS = "buildings", _("Buildings")  # 建筑
    TRANSPORT = "transport", _("Transport")  # 交通
    AGRICULTURE = "agriculture", _("Agriculture and forestry")  # 农业（林业）
    HOUSEHOLD = "household", _("Household life")  # 居民生活


class ActivityFactor(models.Model):  # 领域活动排放因子
    """The factor of one activity of the five non-industrial domains (negative for a sink)."""

    factor_set = models.ForeignKey(FactorSet, on_delete=models.CASCADE, related_name="activities")
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    activity = models.CharField(_("activity"), max_length=48)
    unit = models.CharField(_("unit"), max_length=16)
    value = models.DecimalField(_("tCO2 per unit"), max_digits=14, decimal_places=6)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["factor_set", "domain", "activity"]
        constraints = [
            models.UniqueConstraint(
                fields=["factor_set", "domain", "activity"], name="carbon_activity_once"
            )
        ]
        verbose_name = _("activity factor")
        verbose_name_plural = _("activity factors")

    def __str__(self) -> str:
        return f"{self.domain}/{self.activity}"


class AccountingRun(models.Model):  # 核算批次
    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"))
    factor_set = models.ForeignKey(FactorSet, on_delete=models.PROTECT, related_name="runs")
    state = models.CharField(_("state"), max_length=8, choices=State.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=False)
    # {"enterprises": n, "graded": n, "problems": {"missing_months": n, ...}, "inputs": {...}}
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("accounting run")
        verbose_name_plural = _("accounting runs")

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"


class Colour(models.TextChoices):  # 四色
    DARK_GREEN = "dark_green", _("Dark green")  # 深绿
    LIGHT_GREEN = "light_green", _("Light green")  # 浅绿
    YELLOW = "yellow", _("Yellow")  # 黄
    RED = "red", _("Red")  # 红


class EnterpriseAccount(models.Model):  # 企业碳账户（年度）
    run = models.ForeignKey(AccountingRun, on_delete=models.CASCADE, related_name="accounts")
    year = models.PositiveSmallIntegerField(_("year"))
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    county_code = models.CharField(_("county"), max_length=6, db_index=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True)
    months_reported = models.PositiveSmallIntegerField(_("months reported"), default=0)
    by_source = models.JSONField(_("emissions by source (tCO2)"), default=dict)
    total_tco2 = models.FloatField(_("total emissions (tCO2)"))
    gross_output = models.FloatField(_("gross output (10,000 yuan)"), null=True)
    value_added = models.FloatField(_("value added (10,000 yuan)"), null=True)
    intensity = models.FloatField(_("intensity (tCO2 per 10,000 yuan)"), null=True)
    advancement = models.FloatField(_("industry advancement"), null=True)  # 行业先进性
    contribution = models.FloatField(_("regional contribution"), null=True)  # 区域贡献度
    decline = models.FloatField(_("historical decline"), null=True)  # 历史下降法
    score = models.FloatField(_("composite score"), null=True)
    colour = models.CharField(_("colour"), max_length=12, choices=Colour.choices, blank=True)
    efficiency_level = models.PositiveSmallIntegerField(_("carbon efficiency code"), null=True)
    # the numbers behind each dimension, for the enterprise page ("explain my grade")
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    # [{"code": "missing_months", "detail": "..."}]: why a grade is missing or partial
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        ordering = ["run", "credit_code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "credit_code"], name="carbon_account_once")
        ]
        indexes = [models.Index(fields=["credit_code", "year"])]
        verbose_name = _("enterprise carbon account")
        verbose_name_plural = _("enterprise carbon accounts")

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


class SectorAccount(models.Model):  # 领域碳账户
    """One activity of a non-industrial domain in a county and year, with its emissions."""

    run = models.ForeignKey(AccountingRun, on_delete=models.CASCADE, related_name="sectors")
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    county_code = models.CharField(_("county"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    activity = models.CharField(_("activity"), max_length=48)
    quantity = models.FloatField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=16)
    factor = models.FloatField(_("factor"))
    tco2 = models.FloatField(_("emissions (tCO2)"))

    class Meta:
        ordering = ["run", "domain", "county_code", "activity"]
        verbose_name = _("domain carbon account")
        verbose_name_plural = _("domain carbon accounts")

    def __str__(self) -> str:
        return f"{self.domain} {self.county_code} {self.year} {self.activity}"


class LoanProduct(models.Model):  # 碳账户金融产品
    """A bank's green-loan product: the rate adjustment it gives each colour."""

    bank = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    colour = models.CharField(_("colour"), max_length=12, choices=Colour.choices)
    rate_adjustment_bp = models.IntegerField(
        _("rate adjustment (basis points)"), help_text=_("Negative lowers the rate.")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["bank", "name", "colour"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "name", "colour"], name="carbon_product_once")
        ]
        verbose_name = _("green-loan product")
        verbose_name_plural = _("green-loan products")

    def __str__(self) -> str:
        return f"{self.name} ({self.colour})"


class BankAuthorisation(models.Model):  # 企业授权银行查询
    """An enterprise's consent that a bank reads its carbon account and credit report."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    bank = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("bank authorisation")
        verbose_name_plural = _("bank authorisations")

    def __str__(self) -> str:
        return f"{self.credit_code} → {self.bank_id}"
