"""Writes for brokers: assigning demands under the 48-hour rule and answering them."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from brokers import selectors
from brokers.choices import MessageSide
from brokers.models import Assignment, Broker, BrokerMessage
from brokers.selectors import broker_candidates, response_due
from listings.choices import ListingStatus
from listings.locations import listing_url
from listings.models import Demand
from market import permissions
from market.models import User
from market.services import notifications_mark_done, notify, transition_record

THREAD_ANCHOR = "broker-thread"


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
        % date_format(timezone.localtime(assignment.due_at), "SHORT_DATETIME_FORMAT"),
        url=assignment_url(assignment),
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
    return assignment_move(
        demand=demand, current=current, broker=broker, actor=actor, reason=reason
    )


def assignment_move(
    *, demand: Demand, current: Assignment | None, broker: Broker, actor: User, reason: str
) -> Assignment:
    """End the demand's current assignment (if any) and start one for `broker`, with the
    audit record: the common tail of an operator's reassignment and an enterprise choosing
    from the directory. The caller holds the demand's row lock and has checked who may."""
    if current is not None:
        current.active = False
        current.ended_at = timezone.now()
        current.end_reason = reason
        current.save(update_fields=["active", "ended_at", "end_reason"])
        # The assignment moved on: its notice no longer asks the old broker for anything.
        notifications_mark_done(
            verb="demand.assigned", url=assignment_url(current), at=current.ended_at
        )
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


def assignment_url(assignment: Assignment) -> str:
    """The broker's page of an assignment, where its notices point."""
    return reverse("brokers:assignment", args=[assignment.pk])


def thread_url(demand: Demand) -> str:
    """The thread on the demand's own page, where the owner's notices point."""
    return f"{listing_url('demand', demand.pk)}#{THREAD_ANCHOR}"


def _message_add(
    *,
    assignment: Assignment,
    actor: User,
    side: str,
    body: str,
    token: uuid.UUID | str | None,
) -> tuple[BrokerMessage, bool]:
    """Store one message of the thread; (message, created). A token already used by this
    author's message on this assignment is the same submit sent again: that message is
    returned and nothing else happens. Call inside a transaction with the assignment
    locked."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写消息内容。")})
    if len(body) > BrokerMessage.MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("消息最多 %(limit_value)d 字，当前 %(show_value)d 字，请删减后再发送。")
                % {"limit_value": BrokerMessage.MAX_LENGTH, "show_value": len(body)}
            }
        )
    if token:
        try:
            token = uuid.UUID(str(token))
        except ValueError:
            raise ValidationError(_("表单已失效，请刷新页面后重新发送。")) from None
    message = BrokerMessage(
        assignment=assignment, author=actor, side=side, body=body, token=token or None
    )
    # The unique token is checked by the database alone, not by a lookup first: a second
    # submit, however close behind the first, meets it there and fails alone in its
    # savepoint, leaving the request's transaction usable (PostgreSQL aborts it otherwise).
    message.full_clean(exclude=["token"])
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        earlier = BrokerMessage.objects.filter(token=token).first() if token else None
        if earlier is None:
            raise
        return _same_submit(earlier, assignment=assignment, actor=actor), False
    return message, True


def _same_submit(earlier: BrokerMessage, *, assignment: Assignment, actor: User) -> BrokerMessage:
    if earlier.assignment_id != assignment.pk or earlier.author_id != actor.pk:
        raise ValidationError(_("表单已失效，请刷新页面后重新发送。"))
    return earlier


@transaction.atomic
def assignment_reply(
    *, assignment: Assignment, actor: User, body: str, token: uuid.UUID | str | None = None
) -> BrokerMessage:
    """The assigned broker writes to the enterprise: the first message meets the 48-hour
    rule and closes the broker's "new demand" notice. The demand's people are told, each
    notice dated at the message and pointing at the thread on the demand's page."""
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("demand", "broker")
        .get(pk=assignment.pk)
    )
    if assignment.broker.user_id != actor.pk or not assignment.active:
        raise PermissionDenied(_("只有当前分派的技术经纪人可以答复该需求。"))
    message, created = _message_add(
        assignment=assignment, actor=actor, side=MessageSide.BROKER, body=body, token=token
    )
    if not created:
        return message
    at = message.created_at
    if assignment.first_response_at is None:
        assignment.first_response_at = at
        assignment.save(update_fields=["first_response_at"])
        notifications_mark_done(
            verb="demand.assigned", url=assignment_url(assignment), at=at, recipients=[actor.pk]
        )
    # The broker has answered whatever the owner last wrote.
    notifications_mark_done(
        verb="demand.message", url=assignment_url(assignment), at=at, recipients=[actor.pk]
    )
    demand = assignment.demand
    for user in selectors.demand_owner_people(demand):
        notify(
            recipient=user,
            verb="demand.reply",
            title=_("技术经纪人%(broker)s答复了“%(title)s”")
            % {"broker": actor, "title": demand.title},
            body=message.body,
            url=thread_url(demand),
            email=True,
            at=at,
        )
    return message


@transaction.atomic
def demand_message_post(
    *, demand: Demand, actor: User, body: str, token: uuid.UUID | str | None = None
) -> BrokerMessage:
    """Someone of the demand's owner organisation writes to the demand's broker, in the
    thread on the demand's page. The broker is told, the notice dated at the message."""
    if not permissions.is_org_editor(actor, demand.owner_id):
        raise PermissionDenied(_("只有需求方机构的成员可以在这里留言。"))
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("demand", "broker__user")
        .filter(demand_id=demand.pk, active=True)
        .first()
    )
    if assignment is None:
        raise ValidationError(_("该需求还没有分派技术经纪人，分派后即可留言。"))
    message, created = _message_add(
        assignment=assignment, actor=actor, side=MessageSide.OWNER, body=body, token=token
    )
    if not created:
        return message
    at = message.created_at
    demand = assignment.demand
    # Anyone of the owner's people answering closes the owner side's reply notices.
    notifications_mark_done(
        verb="demand.reply",
        url=thread_url(demand),
        at=at,
        recipients=[u.pk for u in selectors.demand_owner_people(demand)],
    )
    notify(
        recipient=assignment.broker.user,
        verb="demand.message",
        title=_("%(org)s回复了需求“%(title)s”") % {"org": demand.owner, "title": demand.title},
        body=message.body,
        url=assignment_url(assignment),
        email=True,
        at=at,
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
