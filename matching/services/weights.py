"""Match weights: how long the lists are, each market's weights (its own, its parent's or
the defaults), and an operator setting them."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from market.models import Market, User
from matching.engine.weights import Weights
from matching.models import MatchSettings
from matching.signals import announce_weights_changed


def list_size() -> int:
    return getattr(settings, "MATCHING_LIST_SIZE", 20)


def market_weights(market_ids: Iterable[int | str]) -> dict[int, Weights]:
    """Each market's weights: its own settings, else its parent's, else the defaults."""
    ids = {int(m) for m in market_ids if m not in ("", None)}
    markets = Market.objects.filter(pk__in=ids).select_related("parent")
    settings_by_market = {
        s.market_id: s.weights()
        for s in MatchSettings.objects.filter(
            Q(market_id__in=ids) | Q(market__in=[m.parent_id for m in markets if m.parent_id])
        )
    }
    out = {}
    for m in markets:
        out[m.pk] = settings_by_market.get(m.pk) or settings_by_market.get(m.parent_id) or Weights()
    return out


def _weights_for(weights: dict[int, Weights], market: str) -> Weights:
    return weights.get(int(market), Weights()) if market else Weights()


@transaction.atomic
def match_settings_update(*, market: Market, actor: User, **values: float) -> MatchSettings:
    """Set a market's weights. Only that market's operators (or the main market's) may, and
    only within the bounds the engine allows."""
    from market import permissions

    if not permissions.is_market_operator(actor, market.pk):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有该市场的运营人员可以调整匹配权重。"))
    obj = MatchSettings.objects.select_for_update().filter(market=market).first()
    obj = obj or MatchSettings(market=market)
    unknown = set(values) - set(MatchSettings.WEIGHT_FIELDS)
    if unknown:
        raise ValidationError(_("未知的权重：%s") % "、".join(sorted(unknown)))
    for name, value in values.items():
        setattr(obj, name, value)
    obj.updated_by = actor
    obj.full_clean()
    obj.save()
    # The market's lists are ranked again with the new weights, by the worker, once this
    # commits (matching's receiver queues it).
    announce_weights_changed(obj)
    return obj
