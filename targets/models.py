"""The market's yearly targets (年度目标) and the year-end snapshots that freeze each figure."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def figure_key_choices():
    # Read lazily: the registry lives in targets.selectors, which reads brokers and listings.
    from targets.selectors import FIGURES

    return [(spec.key, spec.label_for(None)) for spec in FIGURES.values()]


class Target(models.Model):
    """A yearly target (年度目标) of one figure for one market: the number an operator sets
    ("十百千": 10 transfer institutions, 100 brokers, 1000 listings collected…). Only the
    target is typed in; the progress is always computed from the rows behind the figure."""

    market = models.ForeignKey(
        "market.Market", verbose_name=_("技术市场"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    key = models.CharField(_("指标"), max_length=40, choices=figure_key_choices)
    target = models.DecimalField(
        _("目标值"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["-year", "market", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "year", "key"], name="one_target_per_market_year_figure"
            )
        ]

    def __str__(self):
        return f"{self.market} {self.year} {self.get_key_display()}: {self.target}"


class TargetSnapshot(models.Model):
    """A figure frozen at year end (年终快照): its value for one market and year, with the
    ids of the rows behind it and what they showed, so later edits cannot rewrite it."""

    market = models.ForeignKey(
        "market.Market", verbose_name=_("技术市场"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    key = models.CharField(_("指标"), max_length=40, choices=figure_key_choices)
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=2)
    # The row keys behind the figure: pks, or "kind:pk" where a figure mixes two models.
    ids = models.JSONField(_("记录编号"), default=list, blank=True)
    # What each row showed when frozen: {"id", "cells", "date", "amount"}, in `ids` order.
    rows = models.JSONField(_("记录"), default=list, blank=True)
    taken_at = models.DateTimeField(_("快照时间"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("快照人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("年终快照")
        verbose_name_plural = _("年终快照")
        ordering = ["-year", "market", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "year", "key"], name="one_snapshot_per_market_year_figure"
            )
        ]

    def __str__(self):
        return f"{self.market} {self.year} {self.key}: {self.value}"

    def clean(self):
        if len(self.ids) != len(self.rows):
            raise ValidationError(_("快照的记录编号与记录条数不一致。"))
