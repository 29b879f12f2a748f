"""Negotiated transfer with a public notice (协议定价 + 公示): publishing the notice for the
period the market sets, objections from anyone, and the brokers' answers on the record.
Signing waits on `DealNotice.sign_blockers`, which `deal_advance` asks."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokers.choices import DealStage, TradeMode
from brokers.models import Deal, DealNotice, NoticeObjection, TradeSettings
from brokers.models.bidding import DEFAULT_NOTICE_DAYS
from brokers.models.deals import may_work_deal
from market.models import Market, User
from market.services import notify

CONTACT_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|[^@\s]+@[^@\s]+\.[^@\s]+)$")
OBJECTION_MIN_LENGTH = 10


def notice_days(market: Market) -> int:
    """The market's notice period: its own, else its parent's, else 15 days."""
    for market_id in (market.pk, market.parent_id):
        if market_id:
            days = (
                TradeSettings.objects.filter(market_id=market_id)
                .values_list("notice_days", flat=True)
                .first()
            )
            if days:
                return days
    return DEFAULT_NOTICE_DAYS


@transaction.atomic
def deal_notice_publish(
    *,
    deal: Deal,
    by: User,
    proposed_price: Decimal,
    achievement_name: str = "",
    expected_stage: str | None = None,
) -> DealNotice:
    """Publish the achievement's name and the proposed price for the market's notice
    period, and move the deal to its notice stage (公示)."""
    from brokers.services.deals import deal_advance

    locked = Deal.objects.select_for_update().select_related("market").get(pk=deal.pk)
    if not may_work_deal(locked, by):
        raise PermissionDenied(_("您没有权限为这笔交易发布公示。"))
    existing = DealNotice.objects.filter(deal=locked).first()
    if existing is not None:
        return existing
    if locked.stage != DealStage.NEGOTIATION:
        raise ValidationError(_("只有处于“洽谈”阶段的交易可以发布公示。"), code="not_negotiation")
    name = (achievement_name or (locked.achievement.title if locked.achievement else "")).strip()
    if not name:
        raise ValidationError({"achievement_name": _("请填写公示的成果名称。")})
    if proposed_price is None or proposed_price <= 0:
        raise ValidationError({"proposed_price": _("拟交易价格须大于 0。")})
    if locked.trade_mode != TradeMode.NEGOTIATED_NOTICE:
        locked.trade_mode = TradeMode.NEGOTIATED_NOTICE
        locked.save(update_fields=["trade_mode", "updated_at"])
    now = timezone.now()
    notice = DealNotice(
        deal=locked,
        achievement_name=name[:200],
        proposed_price=proposed_price,
        seller_name=locked.seller.name if locked.seller else "",
        buyer_name=locked.buyer.name if locked.buyer else "",
        starts_at=now,
        ends_at=now + timedelta(days=notice_days(locked.market)),
        published_by=by,
    )
    notice.full_clean()
    notice.save()
    deal_advance(
        deal=locked,
        transition="open_notice",
        by=by,
        expected_stage=expected_stage,
        reason=_("公示至 %s") % timezone.localtime(notice.ends_at).strftime("%Y-%m-%d %H:%M"),
    )
    return notice


@transaction.atomic
def notice_object(
    *, notice: DealNotice, name: str, contact: str, body: str, token: uuid.UUID | None = None
) -> NoticeObjection:
    """Anyone's objection (异议) to a running notice. The deal's brokers are told."""
    if token:
        same = NoticeObjection.objects.filter(token=token).first()
        if same is not None:
            return same
    notice = DealNotice.objects.select_for_update().get(pk=notice.pk)
    if not notice.is_running:
        raise ValidationError(_("公示期已结束，不再受理异议。"), code="notice_ended")
    errors = {}
    name, contact, body = name.strip(), contact.strip(), body.strip()
    if not name:
        errors["name"] = _("请填写异议人姓名或单位名称。")
    if not CONTACT_RE.match(contact):
        errors["contact"] = _("请填写有效的手机号、固定电话或电子邮箱。")
    if len(body) < OBJECTION_MIN_LENGTH:
        errors["body"] = _("请写明异议的事实和理由（至少 %d 字）。") % OBJECTION_MIN_LENGTH
    if errors:
        raise ValidationError(errors)
    objection = NoticeObjection(notice=notice, name=name, contact=contact, body=body, token=token)
    objection.full_clean(exclude=["token"])
    try:
        with transaction.atomic():
            objection.save()
    except IntegrityError:
        return NoticeObjection.objects.get(token=token)
    for role in notice.deal.deal_brokers.select_related("broker__user"):
        notify(
            recipient=role.broker.user,
            verb="notice.objection",
            title=_("公示“%s”收到异议") % notice.achievement_name,
            body=_("请在签约前答复异议。"),
            url=notice.deal.get_absolute_url(),
        )
    return objection


@transaction.atomic
def objection_answer(
    *, objection: NoticeObjection, by: User, answer: str, upheld: bool = False
) -> NoticeObjection:
    """The deal's brokers answer an objection on the record, once; an upheld objection
    blocks signing at the noticed price."""
    locked = (
        NoticeObjection.objects.select_for_update(of=("self",))
        .select_related("notice__deal", "answered_by")
        .get(pk=objection.pk)
    )
    if not may_work_deal(locked.notice.deal, by):
        raise PermissionDenied(_("只有这笔交易的技术经纪人可以答复异议。"))
    if locked.answered_at is not None:
        raise ValidationError(
            _("该异议已由%(who)s于 %(at)s 答复。")
            % {
                "who": locked.answered_by or _("系统"),
                "at": timezone.localtime(locked.answered_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="already_answered",
        )
    if not answer.strip():
        raise ValidationError({"answer": _("请填写答复内容。")})
    locked.answer = answer.strip()
    locked.upheld = upheld
    locked.answered_by = by
    locked.answered_at = timezone.now()
    locked.full_clean(exclude=["token"])
    locked.save()
    return locked
