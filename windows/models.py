"""One-stop cooperation windows (一站式合作窗口): where each market serves walk-in clients.

Service standards as versioned checklists, cases, ratings and complaints build on this.
"""

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

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")

    def __str__(self):
        return self.name

    @property
    def service_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]
