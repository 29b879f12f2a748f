"""Writes of the targets app: the year-end snapshot that freezes every figure."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import Market
from targets.models import TargetSnapshot
from targets.selectors import FIGURES


@transaction.atomic
def targets_snapshot(
    *, year: int, by=None, progress: Callable[[], None] | None = None
) -> list[TargetSnapshot]:
    """Freeze every figure of `year` for every market: its value, the ids of the rows behind
    it and what they showed. Once taken, the year's pages show these and no later edit can
    change them. A year is frozen once; a second attempt is refused."""
    taken = TargetSnapshot.objects.filter(year=year).order_by("taken_at").first()
    if taken is not None:
        raise ValidationError(
            _("%(year)s年度的指标已于%(when)s冻结，不能重复生成年终快照。")
            % {"year": year, "when": timezone.localtime(taken.taken_at).strftime("%Y-%m-%d %H:%M")}
        )
    if year > timezone.localdate().year:
        raise ValidationError(_("%(year)s年度尚未开始，不能生成年终快照。") % {"year": year})
    snapshots = []
    for market in Market.objects.order_by("kind", "code"):
        for spec in FIGURES.values():
            rows = spec.rows(year, market)
            records = [spec.frozen_row(row) for row in rows]
            if spec.value:
                value = spec.value(spec.rows(year, market))
            else:
                value = len(records)
            snapshot = TargetSnapshot(
                market=market,
                year=year,
                key=spec.key,
                value=Decimal(value),
                ids=[record["id"] for record in records],
                rows=records,
                taken_by=by,
            )
            snapshot.full_clean()
            snapshot.save()
            snapshots.append(snapshot)
            if progress is not None:
                progress()
    return snapshots
