"""Writes for deals (交易): opening one from a match or a broker's lead, moving it through its
stages, losing it with a reason, its documents.

Every stage change goes through `deal_advance` (or `deal_lose`): it locks the row, refuses a
step taken on a stale page with who moved the deal and where, and applies the model's own
transition table through the audited `transition_apply`. After commit the deal's boards
update live (`deal_broadcast`)."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokers.choices import DealSource, LostReason
from brokers.models import Broker, Deal, DealBroker
from brokers.models.deals import FORWARD_TRANSITIONS, may_lose_deal, may_work_deal
from brokers.selectors import active_assignment, broker_candidates
from market.models import TransitionLog, User, state_label
from market.services import notify, transition_apply, transition_label
from matching.models import Match, may_give_feedback

logger = logging.getLogger(__name__)

LOST_NOTE_MAX_LENGTH = 500


def _match_follow_deal(**kwargs) -> None:
    # matching.services reaches the engine (numpy, scipy); imported here, so loading the
    # app (brokers' receivers import this module) stays light.
    from matching.services import match_follow_deal

    match_follow_deal(**kwargs)


def deal_group(broker_id: int) -> str:
    """The channel group of one broker's board."""
    return f"deals.broker.{broker_id}"


def deal_market_group(market_id: int) -> str:
    """The channel group of a market's operators' board."""
    return f"deals.market.{market_id}"


def deal_broadcast(deal: Deal, *, by: User | None = None) -> None:
    """Tell every open board that shows this deal where it is now. Best effort: the
    database is the record, a board that misses the push shows the truth on reload."""
    payload = {
        "type": "deal.updated",
        "deal": {
            "id": deal.pk,
            "title": deal.title,
            "stage": deal.stage,
            "stage_label": state_label(Deal, deal.stage, "stage"),
            "by": str(by) if by else "",
        },
    }
    layer = get_channel_layer()
    groups = [deal_group(b) for b in deal.deal_brokers.values_list("broker_id", flat=True)]
    groups.append(deal_market_group(deal.market_id))
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, payload)
        except Exception:
            logger.warning("live deal push failed", exc_info=True)


def _after_commit_broadcast(deal: Deal, by: User | None) -> None:
    transaction.on_commit(lambda: deal_broadcast(deal, by=by))


def _same_submit(token: uuid.UUID | None) -> Deal | None:
    return Deal.objects.filter(token=token).first() if token else None


def _open(
    *,
    actor: User,
    title: str,
    market_id: int,
    source: str,
    brokers: list[tuple[Broker, Decimal]],
    token: uuid.UUID | None,
    **fields,
) -> Deal:
    deal = Deal(
        title=title[:200],
        market_id=market_id,
        source=source,
        created_by=actor,
        token=token,
        **fields,
    )
    deal.full_clean(exclude=["token"])
    try:
        with transaction.atomic():
            deal.save()
    except IntegrityError:
        # The same form sent twice at once: the first send's deal is the answer.
        existing = _same_submit(token)
        if existing is None:
            raise
        return existing
    for i, (broker, share) in enumerate(brokers):
        DealBroker.objects.create(deal=deal, broker=broker, share=share, is_lead=i == 0)
    TransitionLog.objects.create(
        content_type_id=_deal_content_type_id(),
        object_id=deal.pk,
        transition="open",
        from_state="",
        to_state=deal.stage,
        by=actor,
        reason=str(DealSource(source).label),
    )
    for broker, _share in brokers:
        if actor is None or broker.user_id != actor.pk:
            notify(
                recipient=broker.user,
                verb="deal.opened",
                title=_("新交易：“%s”") % deal.title,
                body=_("您已被列为这笔交易的技术经纪人。"),
                url=deal.get_absolute_url(),
            )
    _after_commit_broadcast(deal, actor)
    return deal


def _deal_content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Deal).pk


@transaction.atomic
def deal_open_from_match(*, match: Match, actor: User, token: uuid.UUID | None = None) -> Deal:
    """ "标记已成交" on a match opens its deal: the demand and the achievement, the buyer and
    the seller, and the broker who answers the demand (or, with none, the best broker for
    it). The match follows the deal from now on. Pressing it again, or on a match that
    already has its deal, gives that deal."""
    existing = _same_submit(token)
    if existing is not None:
        return existing
    match = (
        Match.objects.select_for_update().select_related("demand", "achievement").get(pk=match.pk)
    )
    current = Deal.objects.filter(match=match).first()
    if current is not None:
        return current
    actor_broker = Broker.objects.filter(user=actor, active=True).first()
    if not (may_give_feedback(match, actor) or actor_broker is not None):
        raise PermissionDenied(_("只有匹配双方或技术经纪人可以把匹配标记为已成交。"))
    demand, achievement = match.demand, match.achievement
    assignment = active_assignment(demand)
    if assignment is not None:
        lead = assignment.broker
    elif actor_broker is not None:
        lead = actor_broker
    else:
        candidates = broker_candidates(demand)
        if not candidates:
            raise ValidationError(
                _("本市场暂无在岗的技术经纪人，请联系市场运营人员。"), code="no_broker"
            )
        lead = candidates[0].broker
    brokers = [(lead, Decimal("100"))]
    if actor_broker is not None and actor_broker != lead:
        brokers = [(lead, Decimal("50")), (actor_broker, Decimal("50"))]
    deal = _open(
        actor=actor,
        title=_("%(achievement)s → %(demand)s")
        % {"achievement": achievement.title, "demand": demand.title},
        market_id=demand.market_id,
        source=DealSource.MATCH,
        brokers=brokers,
        token=token,
        match=match,
        demand=demand,
        achievement=achievement,
        buyer_id=demand.owner_id,
        seller_id=achievement.owner_id,
    )
    _match_follow_deal(match=match, actor=actor)
    return deal


@transaction.atomic
def deal_open_lead(
    *,
    actor: User,
    title: str,
    achievement=None,
    demand=None,
    buyer=None,
    seller=None,
    expected_amount: Decimal | None = None,
    token: uuid.UUID | None = None,
) -> Deal:
    """A broker's own lead (经纪人线索): a deal the broker found, not one the engine
    proposed. The broker leads it with the whole share."""
    existing = _same_submit(token)
    if existing is not None:
        return existing
    broker = Broker.objects.filter(user=actor, active=True).first()
    if broker is None:
        raise PermissionDenied(_("只有在岗的技术经纪人可以登记交易线索。"))
    if not title.strip():
        raise ValidationError({"title": _("请填写交易名称。")})
    if buyer is None and demand is not None:
        buyer = demand.owner
    if seller is None and achievement is not None:
        seller = achievement.owner
    return _open(
        actor=actor,
        title=title.strip(),
        market_id=broker.institution.market_id,
        source=DealSource.LEAD,
        brokers=[(broker, Decimal("100"))],
        token=token,
        achievement=achievement,
        demand=demand,
        buyer=buyer,
        seller=seller,
        expected_amount=expected_amount,
    )


def _moved_by(deal: Deal) -> str:
    last = (
        TransitionLog.objects.filter(content_type_id=_deal_content_type_id(), object_id=deal.pk)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
    if last is None or last.by is None:
        return _("系统")
    # The person's name (姓名) where they gave one: what a colleague knows them by.
    return str(last.by)


def _check_fresh(locked: Deal, expected_stage: str | None) -> None:
    if expected_stage is not None and locked.stage != expected_stage:
        raise ValidationError(
            _("这笔交易已被%(who)s推进到“%(stage)s”，请刷新后查看。")
            % {"who": _moved_by(locked), "stage": state_label(Deal, locked.stage, "stage")},
            code="stale_stage",
        )


@transaction.atomic
def deal_advance(
    *,
    deal: Deal,
    transition: str,
    by: User,
    expected_stage: str | None = None,
    reason: str = "",
) -> Deal:
    """Take one forward step. `expected_stage` is the stage the person saw: if someone moved
    the deal meanwhile, they learn who and where, and nothing changes; two brokers pressing
    at once get one step, never a skipped or a doubled one."""
    if transition not in FORWARD_TRANSITIONS:
        raise ValidationError(_("未知的操作。"), code="unknown_action")
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if not may_work_deal(locked, by) and transition != "register":
        raise PermissionDenied(_("您没有权限推进这笔交易。"))
    _check_fresh(locked, expected_stage)
    if transition == "open_notice" and not hasattr(locked, "notice"):
        raise ValidationError(
            _("请先填写成果名称和拟交易价格，通过“发布公示”页面发布。"), code="notice_missing"
        )
    if transition == "sign":
        blockers = locked.sign_blockers()
        if blockers:
            raise ValidationError(blockers, code="sign_blocked")
    if transition == "register":
        blockers = locked.registration_blockers()
        if blockers:
            raise ValidationError(blockers, code="register_blocked")
    deal = transition_apply(
        locked, transition=transition, by=by, reason=reason, state_field="stage"
    )
    deal.stage_changed_at = timezone.now()
    deal.save(update_fields=["stage_changed_at", "updated_at"])
    _after_commit_broadcast(deal, by)
    return deal


@transaction.atomic
def deal_lose(
    *,
    deal: Deal,
    by: User,
    reason: str,
    note: str = "",
    expected_stage: str | None = None,
) -> Deal:
    """End the deal without a contract, with a reason from the list and free text. Its
    match, if any, goes back to "contacted"."""
    note = (note or "").strip()
    if reason not in LostReason.values:
        raise ValidationError({"reason": _("请选择流失原因。")}, code="reason_required")
    if reason == LostReason.OTHER and not note:
        raise ValidationError({"note": _("选择“其他”时请说明原因。")}, code="note_required")
    if len(note) > LOST_NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("说明不能超过 %d 字。") % LOST_NOTE_MAX_LENGTH}, code="note_too_long"
        )
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if not may_lose_deal(locked, by):
        raise PermissionDenied(_("您没有权限处理这笔交易。"))
    _check_fresh(locked, expected_stage)
    label = str(LostReason(reason).label)
    deal = transition_apply(
        locked,
        transition="lose",
        by=by,
        reason=f"{label}：{note}" if note else label,
        state_field="stage",
    )
    deal.lost_reason, deal.lost_note = reason, note
    deal.stage_changed_at = timezone.now()
    deal.save(
        update_fields=[
            "lost_reason",
            "lost_note",
            "lost_at_stage",
            "stage_changed_at",
            "updated_at",
        ]
    )
    if deal.match_id:
        _match_follow_deal(match=deal.match, actor=by, lost=True)
    _after_commit_broadcast(deal, by)
    return deal


def deal_next_steps(deal: Deal, user: User) -> list[dict]:
    """The forward steps this person may take now, with their labels, for the deal's page
    and its card on the board: out of the deal's stage, with their conditions met (no
    "发布公示" on a deal traded without a notice) and permitted to this person."""
    available = {t.name for t in deal.get_available_user_stage_transitions(user)}
    return [
        {"name": name, "label": transition_label(name, Deal)}
        for name in FORWARD_TRANSITIONS
        if name in available
    ]


def may_see_deal(deal: Deal, user: User) -> bool:
    from brokers.models.deals import is_deal_party

    return is_deal_party(deal, user)
