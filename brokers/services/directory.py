"""Writes behind the public broker directory (技术经纪人名录): a party rating the lead broker
of its closed deal, and an enterprise choosing a broker for one of its demands.

Choosing a broker: `demand_assign_broker` picks the best-ranked broker itself, and
`demand_reassign` is an operator's decision with a reason. Neither takes the owner's own
choice, so `demand_choose_broker` does, with the same row lock and the same assignment start
(`_assignment_start`, so the deadline stays the demand's 48 hours) and history record."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from brokers.choices import DealStage
from brokers.models import Assignment, Broker, BrokerRating, Deal
from brokers.services.assignments import assignment_move
from listings.choices import ListingStatus
from listings.models import Demand
from market import permissions
from market.models import User

COMMENT_MAX_LENGTH = BrokerRating._meta.get_field("comment").max_length


def rating_party(deal: Deal, user: User):
    """The side (buyer or seller organization) this person rates for, or None."""
    for org_id in (deal.buyer_id, deal.seller_id):
        if org_id and permissions.is_org_editor(user, org_id):
            return org_id
    return None


@transaction.atomic
def broker_rate(
    *,
    deal: Deal,
    by: User,
    score: int,
    comment: str = "",
    token: uuid.UUID | None = None,
) -> BrokerRating:
    """The buyer or the seller rates the lead broker of a closed deal, 1 to 5, once."""
    if token:
        same = BrokerRating.objects.filter(token=token).first()
        if same is not None:
            return same
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    org_id = rating_party(deal, by)
    if org_id is None:
        raise PermissionDenied(_("只有交易的买方或卖方可以评价技术经纪人。"))
    if deal.stage != DealStage.CLOSED:
        raise ValidationError(_("交易关闭后才能评价技术经纪人。"), code="not_closed")
    lead = deal.deal_brokers.filter(is_lead=True).select_related("broker").first()
    if lead is None:
        raise ValidationError(_("这笔交易没有主办经纪人，无法评价。"), code="no_lead")
    if BrokerRating.objects.filter(deal=deal, organization_id=org_id).exists():
        raise ValidationError(_("贵单位已经评价过这笔交易的经纪人。"), code="already_rated")
    rating = BrokerRating(
        deal=deal,
        broker=lead.broker,
        organization_id=org_id,
        score=score,
        comment=(comment or "").strip(),
        rated_by=by,
        token=token,
    )
    rating.full_clean(exclude=["token"])
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise ValidationError(
            _("贵单位已经评价过这笔交易的经纪人。"), code="already_rated"
        ) from None
    return rating


@transaction.atomic
def demand_choose_broker(*, demand: Demand, actor: User, broker: Broker) -> Assignment:
    """The enterprise behind a published demand chooses its broker from the directory. A
    broker who has already answered stays (a change then goes through the market's
    operators); otherwise the current assignment ends and the chosen broker's starts."""
    if not permissions.is_org_editor(actor, demand.owner_id):
        raise PermissionDenied(_("只有需求方可以为自己的需求选择技术经纪人。"))
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status != ListingStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的需求才分派技术经纪人。"), code="not_published")
    broker = Broker.objects.select_related("user").get(pk=broker.pk)
    if not broker.active:
        raise ValidationError(_("该技术经纪人目前不在岗，请另选一位。"), code="inactive")
    current = (
        demand.assignments.select_for_update(of=("self",))
        .select_related("broker__user")
        .filter(active=True)
        .first()
    )
    if current is not None and current.broker_id == broker.pk:
        if current.assigned_by_id == actor.pk:
            return current  # the same choice sent twice
        raise ValidationError(
            _("该需求目前就由%(broker)s负责。") % {"broker": broker}, code="same_broker"
        )
    if current is not None and current.first_response_at is not None:
        raise ValidationError(
            _("%(broker)s已经答复了该需求；如需更换经纪人，请联系市场运营人员。")
            % {"broker": current.broker},
            code="already_answered",
        )
    return assignment_move(
        demand=demand,
        current=current,
        broker=broker,
        actor=actor,
        reason=_("需求方从经纪人名录中选择"),
    )
