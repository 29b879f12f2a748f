"""One-stop cooperation windows (一站式合作窗口): where each market serves walk-in clients.

Service standards as versioned checklists, cases, ratings and complaints build on this.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceWindow(models.Model):
    """A market's one-stop cooperation window (一站式合作窗口): its place, hours and services."""

    market = models.OneToOneField(
        "market.Market",
        verbose_name=_("所属市场"),
        on_delete=models.CASCADE,
        related_name="window",
    )
    name = models.CharField(_("窗口名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    hours = models.CharField(_("服务时间"), max_length=200)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    services = models.TextField(_("服务事项"), blank=True, help_text=_("每行一项"))
    appointment_available = models.BooleanField(_("提供预约/延时服务"), default=True)
    # Deadlines counted in hours count only the window's working hours on working days.
    opens_at = models.TimeField(_("上班时间"), default=datetime.time(9, 0))
    closes_at = models.TimeField(_("下班时间"), default=datetime.time(17, 0))

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="window_opens_before_it_closes",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def service_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]


class CalendarException(models.Model):
    """A local exception to the official working calendar: a day a market's windows close
    although the State Council's calendar says work (a local holiday), or open although it
    says rest. Without a market it applies to every market of the province. It also lets an
    operator enter a year's official arrangement before the calendar package carries it."""

    day = models.DateField(_("日期"))
    is_working_day = models.BooleanField(
        _("是否工作日"), help_text=_("勾选：这一天上班；不勾选：这一天休息。")
    )
    market = models.ForeignKey(
        "market.Market",
        verbose_name=_("适用市场"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_exceptions",
        help_text=_("留空则全省适用。"),
    )
    note = models.CharField(_("说明"), max_length=200)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "market"],
                condition=models.Q(market__isnull=False),
                name="calendar_exception_one_per_day_and_market",
            ),
            models.UniqueConstraint(
                fields=["day"],
                condition=models.Q(market__isnull=True),
                name="calendar_exception_one_per_day_province_wide",
            ),
        ]

    def __str__(self):
        kind = _("上班") if self.is_working_day else _("休息")
        return f"{self.day:%Y-%m-%d} {kind}：{self.note}"
