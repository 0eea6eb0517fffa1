"""Ecological sensing (生态环境感知): monitoring stations, their readings and what they show.

- ``Station`` (监测站点 / 监测断面): an air-quality station or a surface-water section, with its
  county, location and, for water, the water-body type (river, or lake/reservoir) and the target
  class of its water-function zone (水功能区目标). Each station pushes with its own key (only a
  hash is kept).
- ``AirReading`` (空气质量小时数据): one station-hour of the six pollutants; ``WaterSample``
  (断面水质监测): one sampling of a section. Readings arrive by API push or from the current
  version of the warehouse datasets (``air_quality_hourly``, ``surface_water_monthly``); a
  station-hour or station-day is stored once.
- ``RejectedReading`` (隔离读数): what was refused (unknown station, wrong key, future time,
  duplicate, value out of range) with its reason — never silently averaged in.
- ``AirDaily`` (日报): a station's daily AQI per HJ 633 with the edition that produced it.
- ``Alert`` (预警): a heavy-pollution day, a section worse than its target, a sudden jump, a
  silent station — each once per station and period, with the loop task it opened.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Division


class Station(models.Model):  # 监测站点
    class Kind(models.TextChoices):
        AIR = "air", _("Air-quality station")  # 空气质量监测站
        WATER = "water", _("Surface-water section")  # 地表水监测断面

    class WaterBody(models.TextChoices):  # 水体类型
        RIVER = "river", _("River")  # 河流
        LAKE = "lake", _("Lake or reservoir")  # 湖库

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    water_body = models.CharField(
        _("water-body type"), max_length=8, choices=WaterBody.choices, blank=True
    )
    water_body_name = models.CharField(_("water body"), max_length=60, blank=True)  # 所在水体
    target_class = models.CharField(_("target class"), max_length=4, blank=True)  # I … V
    active = models.BooleanField(_("active"), default=True)
    key_hash = models.CharField(_("push key hash"), max_length=128, blank=True)
    key_prefix = models.CharField(_("push key prefix"), max_length=16, blank=True)
    key_issued_at = models.DateTimeField(_("push key issued"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("monitoring station")
        verbose_name_plural = _("monitoring stations")

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    PUSH = "push", _("API push")
    FILE = "file", _("File (warehouse dataset)")


class AirReading(models.Model):  # 空气质量小时数据
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="air_readings"
    )
    hour = models.DateTimeField(_("hour"))  # the hour's start, aware
    pm2_5 = models.FloatField("PM2.5", null=True, blank=True)  # µg/m³
    pm10 = models.FloatField("PM10", null=True, blank=True)
    so2 = models.FloatField("SO2", null=True, blank=True)
    no2 = models.FloatField("NO2", null=True, blank=True)
    co = models.FloatField("CO", null=True, blank=True)  # mg/m³
    o3 = models.FloatField("O3", null=True, blank=True)  # 1-hour
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["station", "hour"]
        verbose_name = _("air reading")
        verbose_name_plural = _("air readings")
        constraints = [
            models.UniqueConstraint(fields=["station", "hour"], name="env_air_one_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.hour:%Y-%m-%d %H:00}"


class WaterSample(models.Model):  # 断面水质监测
    station = models.ForeignKey(
        Station, verbose_name=_("section"), on_delete=models.CASCADE, related_name="water_samples"
    )
    sampled_on = models.DateField(_("sampled on"))
    ph = models.FloatField("pH", null=True, blank=True)
    do = models.FloatField("DO", null=True, blank=True)  # mg/L
    codmn = models.FloatField("CODMn", null=True, blank=True)
    cod = models.FloatField("COD", null=True, blank=True)
    bod5 = models.FloatField("BOD5", null=True, blank=True)
    nh3_n = models.FloatField("NH3-N", null=True, blank=True)
    tp = models.FloatField("TP", null=True, blank=True)
    tn = models.FloatField("TN", null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["station", "sampled_on"]
        verbose_name = _("water sample")
        verbose_name_plural = _("water samples")
        constraints = [
            models.UniqueConstraint(fields=["station", "sampled_on"], name="env_water_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.sampled_on}"


class RejectedReading(models.Model):  # 隔离读数
    station_code = models.CharField(_("station code"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Station.Kind.choices)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    field = models.CharField(_("field"), max_length=32, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("rejected reading")
        verbose_name_plural = _("rejected readings")

    def __str__(self) -> str:
        return f"{self.station_code}: {self.reason}"


class AirDaily(models.Model):  # 日报
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="daily"
    )
    day = models.DateField(_("day"))
    aqi = models.PositiveSmallIntegerField("AQI", null=True, blank=True)  # None: too few hours
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)  # 1 … 6
    primary = models.JSONField(_("primary pollutants"), default=list)
    exceeding = models.JSONField(_("exceeding pollutants"), default=list)
    iaqi = models.JSONField(_("IAQI"), default=dict)
    concentrations = models.JSONField(_("daily concentrations"), default=dict)
    valid_hours = models.PositiveSmallIntegerField(_("valid hours"), default=0)
    edition = models.CharField(_("edition"), max_length=16)  # HJ 633-2012 / HJ 633-2026

    class Meta:
        ordering = ["station", "day"]
        verbose_name = _("daily air quality")
        verbose_name_plural = _("daily air quality")
        constraints = [models.UniqueConstraint(fields=["station", "day"], name="env_daily_once")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.day} AQI {self.aqi}"


class Alert(models.Model):  # 预警
    class Kind(models.TextChoices):
        HEAVY_POLLUTION = "heavy", _("Heavy pollution day")  # 重污染天
        BELOW_TARGET = "target", _("Section worse than its target")  # 断面水质不达标
        JUMP = "jump", _("Sudden jump in a parameter")  # 突变
        SILENT = "silent", _("Station silent")  # 站点离线

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="alerts"
    )
    period = models.CharField(_("period"), max_length=20)  # "2026-03-04", "2026-03", an hour
    details = models.JSONField(_("details"), default=dict)
    task_id = models.PositiveIntegerField(_("loop task"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("environment alert")
        verbose_name_plural = _("environment alerts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "station", "period"], name="env_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.station_id} {self.period}"
