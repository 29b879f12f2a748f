"""Writes for brokers: assigning demands under the 48-hour rule and answering them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokers.models import Assignment, Broker, BrokerMessage
from brokers.selectors import broker_candidates, response_due
from listings.choices import ListingStatus
from listings.models import Demand
from market import permissions
from market.choices import LISTING_EDITOR_ROLES
from market.models import User
from market.services import notify, transition_record


def _assignment_start(
    *, demand: Demand, broker: Broker, actor: User | None, email: bool
) -> Assignment:
    """Give the (locked) demand to a broker and tell the broker, with the demand's deadline:
    48 hours from publication, whoever holds it."""
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
        % timezone.localtime(assignment.due_at).strftime("%Y-%m-%d %H:%M"),
        url=f"/brokers/assignments/{assignment.pk}/",
        email=email,
    )
    return assignment


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
    return _assignment_start(demand=demand, broker=candidates[0].broker, actor=actor, email=email)


REASON_MAX_LENGTH = Assignment._meta.get_field("end_reason").max_length


def _stale_message(current: Assignment | None) -> str:
    """What changed since the operator looked: someone else's decision, said plainly."""
    if current is None:
        return _(
            "该需求的分派已被其他人结束，目前没有技术经纪人负责。您的操作未执行，请核对后再试。"
        )
    if current.assigned_by is None:
        return _("该需求已由系统自动分派给%(broker)s。您的操作未执行，请核对后再试。") % {
            "broker": current.broker
        }
    return _("该需求已被%(who)s改派给%(broker)s。您的操作未执行，请核对后再试。") % {
        "who": current.assigned_by,
        "broker": current.broker,
    }


@transaction.atomic
def demand_reassign(
    *,
    demand: Demand,
    actor: User,
    broker: Broker,
    seen_assignment_id: int | None,
    reason: str,
) -> Assignment:
    """An operator gives a demand to the broker they chose, ending the current assignment.

    `seen_assignment_id` is the assignment the operator saw when deciding (None: the demand
    had no broker). If it is no longer the current one, someone else decided meanwhile and
    nothing changes: the operator is told who gave the demand to whom. The demand's row is
    locked, so two operators deciding at once are served one after the other. The deadline
    stays the demand's, not the new broker's. Recorded in the demand's history."""
    if not permissions.is_market_operator(actor, demand.market_id):
        raise PermissionDenied(_("只有该市场的运营人员可以改派。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写改派原因。")}, code="reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("改派原因最多 %(max)d 个字。") % {"max": REASON_MAX_LENGTH}},
            code="reason_too_long",
        )
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status != ListingStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的需求才分派技术经纪人。"), code="not_published")
    current = (
        demand.assignments.select_for_update(of=("self",))
        .select_related("broker__user", "assigned_by")
        .filter(active=True)
        .first()
    )
    if (current.pk if current else None) != seen_assignment_id:
        raise ValidationError(_stale_message(current), code="stale_assignment")
    if current is not None and current.first_response_at is not None:
        raise ValidationError(_("该需求已经得到答复，无需改派。"), code="already_answered")
    broker = Broker.objects.select_related("institution", "user").get(pk=broker.pk)
    if not broker.active or broker.institution.market_id not in permissions.operated_market_ids(
        actor
    ):
        raise ValidationError(
            {"broker": _("只能选择您负责的市场中在岗的技术经纪人。")}, code="broker_not_eligible"
        )
    if current is not None and current.broker_id == broker.pk:
        same = _("该需求目前就由%(broker)s负责，请选择另一位技术经纪人。") % {"broker": broker}
        raise ValidationError({"broker": same}, code="same_broker")
    if current is not None:
        current.active = False
        current.ended_at = timezone.now()
        current.end_reason = reason
        current.save(update_fields=["active", "ended_at", "end_reason"])
    assignment = _assignment_start(demand=demand, broker=broker, actor=actor, email=True)
    transition_record(
        demand,
        transition="reassign_broker" if current is not None else "assign_broker",
        by=actor,
        from_state=demand.status,
        to_state=demand.status,
        reason=(
            _("%(old)s → %(new)s：%(reason)s")
            % {"old": current.broker, "new": broker, "reason": reason}
            if current is not None
            else _("→ %(new)s：%(reason)s") % {"new": broker, "reason": reason}
        ),
    )
    return assignment


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
