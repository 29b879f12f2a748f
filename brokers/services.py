"""Writes for brokers: assigning demands under the 48-hour rule and answering them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from brokers.models import Assignment, BrokerMessage
from brokers.selectors import broker_candidates, response_due
from listings.choices import ListingStatus
from listings.models import Demand
from market import permissions
from market.choices import LISTING_EDITOR_ROLES
from market.models import User
from market.services import notify


@transaction.atomic
def demand_assign_broker(
    *,
    demand: Demand,
    actor: User | None = None,
    exclude_ids: set[int] = frozenset(),
    email: bool = True,
) -> Assignment | None:
    """Give a published demand its broker: the best-ranked active broker by field,
    sub-market and load. Does nothing if it already has one. None when no broker exists."""
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status != ListingStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的需求才分派技术经纪人。"))
    current = demand.assignments.filter(active=True).first()
    if current is not None:
        return current
    candidates = broker_candidates(demand, exclude_ids=exclude_ids)
    if not candidates:
        return None
    broker = candidates[0].broker
    assignment = Assignment.objects.create(
        demand=demand,
        broker=broker,
        assigned_by=actor,
        due_at=response_due(demand.published_at or timezone.now()),
    )
    notify(
        recipient=broker.user,
        verb="demand.assigned",
        title=_("新需求待答复：“%s”") % demand.title,
        body=_("请在 %s 前给需求方发出第一条答复。")
        % date_format(timezone.localtime(assignment.due_at), "SHORT_DATETIME_FORMAT"),
        url=f"/brokers/assignments/{assignment.pk}/",
        email=email,
    )
    return assignment


@transaction.atomic
def demand_reassign(*, demand: Demand, actor: User, reason: str = "") -> Assignment | None:
    """One-click reassignment by an operator: end the current assignment and give the demand
    to the next best broker. The deadline stays the demand's, not the new broker's."""
    if not permissions.is_market_operator(actor, demand.market_id):
        raise PermissionDenied(_("只有该市场的运营人员可以改派。"))
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    current = demand.assignments.select_for_update().filter(active=True).first()
    exclude = set()
    if current is not None:
        if current.first_response_at is not None:
            raise ValidationError(_("该需求已经得到答复，无需改派。"))
        current.active = False
        current.ended_at = timezone.now()
        current.end_reason = reason or _("运营人员改派")
        current.save(update_fields=["active", "ended_at", "end_reason"])
        exclude = {current.broker_id}
    return demand_assign_broker(demand=demand, actor=actor, exclude_ids=exclude)


@transaction.atomic
def assignment_reply(*, assignment: Assignment, actor: User, body: str) -> BrokerMessage:
    """The assigned broker writes to the enterprise. The first message meets the 48-hour rule."""
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("demand", "broker")
        .get(pk=assignment.pk)
    )
    if assignment.broker.user_id != actor.pk or not assignment.active:
        raise PermissionDenied(_("只有当前分派的技术经纪人可以答复该需求。"))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写答复内容。")})
    message = BrokerMessage(assignment=assignment, author=actor, body=body)
    message.full_clean()
    message.save()
    if assignment.first_response_at is None:
        assignment.first_response_at = message.created_at
        assignment.save(update_fields=["first_response_at"])
    demand = assignment.demand
    recipients = User.objects.filter(
        memberships__organization_id=demand.owner_id, memberships__role__in=LISTING_EDITOR_ROLES
    ).distinct()
    for user in recipients:
        notify(
            recipient=user,
            verb="demand.reply",
            title=_("技术经纪人%(broker)s答复了“%(title)s”")
            % {"broker": actor, "title": demand.title},
            body=body,
            email=True,
        )
    return message


def demands_assign_unassigned(*, email: bool = True) -> int:
    """Backfill: assign every published demand that has no broker yet."""
    count = 0
    waiting = Demand.objects.filter(status=ListingStatus.PUBLISHED).exclude(
        assignments__active=True
    )
    for demand in waiting.only("pk"):
        if demand_assign_broker(demand=demand, email=email) is not None:
            count += 1
    return count
