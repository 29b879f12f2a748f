"""Deals (交易): what a broker makes of a match, a lead or a meeting, from the first contact
to a registered, performed contract.

The stages and who may take each step are the transitions below, one table in one place.
`market.services.transition_apply` takes them under a row lock and writes the audit log;
`brokers.services.deals` is the only caller.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from brokers.choices import (
    OPEN_DEAL_STAGES,
    DealSource,
    DealStage,
    DocumentKind,
    LostReason,
    TradeMode,
)
from listings.models import private_storage

# ── Who may take a step ──────────────────────────────────────────────────────────────────────


def is_deal_broker(deal: Deal, user) -> bool:
    """One of the deal's brokers, still on it."""
    if not user or not user.is_authenticated:
        return False
    return deal.deal_brokers.filter(broker__user=user).exists()


def may_work_deal(deal: Deal, user) -> bool:
    """The deal's brokers, and the operators of its market (who stand in for a broker who is
    away)."""
    from market.permissions import is_market_operator

    return is_deal_broker(deal, user) or is_market_operator(user, deal.market_id)


def may_register_deal(deal: Deal, user) -> bool:
    """The registry: a window clerk or operator of the market where the seller applies (the
    seller's own region). The registration service takes this step when it registers the
    contract."""
    from market.choices import Role
    from market.permissions import is_market_operator

    if not user or not user.is_authenticated:
        return False
    market_id = deal.registry_market_id
    if is_market_operator(user, market_id):
        return True
    return user.memberships.filter(role=Role.WINDOW_CLERK, market_id=market_id).exists()


def may_lose_deal(deal: Deal, user) -> bool:
    """The deal's brokers and its market's operators; and the registry, once it has refused
    the deal's contract (a refused contract cannot be registered, so the deal is lost)."""
    if may_work_deal(deal, user):
        return True
    from brokers.choices import RegistrationStatus

    contract = getattr(deal, "contract", None)
    return (
        contract is not None
        and contract.registration_status == RegistrationStatus.REFUSED
        and may_register_deal(deal, user)
    )


def is_deal_party(deal: Deal, user) -> bool:
    """Someone who may see the deal: its brokers, the editors of the buyer or the seller,
    and the operators of its market."""
    from market.permissions import editable_organization_ids

    if may_work_deal(deal, user):
        return True
    if not user or not user.is_authenticated:
        return False
    orgs = set(editable_organization_ids(user))
    return bool(orgs & {deal.buyer_id, deal.seller_id})


class Deal(ConcurrentTransitionMixin, models.Model):
    """A deal (交易): one technology changing hands between a buyer and a seller, worked by
    one or more brokers, from lead (线索) to a registered (认定登记), performed (履约) and
    closed contract, or lost at any stage with a reason."""

    market = models.ForeignKey(
        "market.Market",
        verbose_name=_("所属市场"),
        on_delete=models.PROTECT,
        related_name="deals",
        help_text=_("负责这笔交易的市场"),
    )
    title = models.CharField(_("名称"), max_length=200)
    source = models.CharField(
        _("来源"), max_length=10, choices=DealSource.choices, default=DealSource.LEAD
    )
    trade_mode = models.CharField(
        _("交易方式"), max_length=20, choices=TradeMode.choices, default=TradeMode.NEGOTIATED
    )
    demand = models.ForeignKey(
        "listings.Demand",
        verbose_name=_("技术需求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    achievement = models.ForeignKey(
        "listings.Achievement",
        verbose_name=_("科技成果"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    match = models.OneToOneField(
        "matching.Match",
        verbose_name=_("匹配推荐"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deal",
    )
    buyer = models.ForeignKey(
        "market.Organization",
        verbose_name=_("买方（需求方）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals_bought",
    )
    seller = models.ForeignKey(
        "market.Organization",
        verbose_name=_("卖方（成果方）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals_sold",
    )
    stage = FSMField(
        _("阶段"), max_length=12, choices=DealStage.choices, default=DealStage.LEAD, db_index=True
    )
    stage_changed_at = models.DateTimeField(_("进入本阶段时间"), default=timezone.now)
    expected_amount = models.DecimalField(
        _("预计成交额（万元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    lost_reason = models.CharField(
        _("流失原因"), max_length=24, choices=LostReason.choices, blank=True
    )
    lost_note = models.CharField(_("流失说明"), max_length=500, blank=True)
    lost_at_stage = models.CharField(
        _("流失时阶段"), max_length=12, choices=DealStage.choices, blank=True
    )
    note = models.TextField(_("备注"), blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The one-time token of the form that opened it: a double-clicked "标记已成交" opens one.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("交易")
        verbose_name_plural = _("交易")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["market", "stage"], name="deal_market_stage"),
            # The statistics' funnel drill-down: the newest deals first, a page at a time.
            models.Index(fields=["-created_at", "-id"], name="deal_newest"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("brokers:deal", args=[self.pk])

    def clean(self):
        if self.buyer_id and self.buyer_id == self.seller_id:
            raise ValidationError(_("买方和卖方不能是同一机构。"))

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_DEAL_STAGES

    @property
    def file_is_open(self) -> bool:
        """Documents may still be filed: a lost or closed deal's file is archived."""
        return self.stage not in (DealStage.LOST, DealStage.CLOSED)

    @property
    def registry_market_id(self) -> int:
        """Where the seller applies for registration: its own region's market."""
        return self.seller.market_id if self.seller_id else self.market_id

    def sign_blockers(self) -> list[str]:
        """Why the contract may not be signed yet, in words a broker can act on."""
        if self.trade_mode != TradeMode.NEGOTIATED_NOTICE:
            return []
        notice = getattr(self, "notice", None)
        if notice is None:
            return [str(_("协议定价须先公示成果名称和拟交易价格，公示期满后方可签约。"))]
        return notice.sign_blockers()

    def registration_blockers(self) -> list[str]:
        contract = getattr(self, "contract", None)
        if contract is None or not contract.is_registered:
            return [str(_("合同尚未完成认定登记。"))]
        return []

    # ── The stages (one table, taken only through brokers.services.deals) ────────────────────

    @transition(
        field=stage,
        source=DealStage.LEAD,
        target=DealStage.CONTACTED,
        permission=may_work_deal,
        custom={"label": _("已对接")},
    )
    def contact(self):
        """The broker has put buyer and seller in touch."""

    @transition(
        field=stage,
        source=DealStage.CONTACTED,
        target=DealStage.NEGOTIATION,
        permission=may_work_deal,
        custom={"label": _("进入洽谈")},
    )
    def negotiate(self):
        """The parties are negotiating terms and price."""

    @transition(
        field=stage,
        source=DealStage.NEGOTIATION,
        target=DealStage.NOTICE,
        permission=may_work_deal,
        conditions=[lambda deal: deal.trade_mode == TradeMode.NEGOTIATED_NOTICE],
        custom={"label": _("发布公示")},
    )
    def open_notice(self):
        """A negotiated price set by a university or public institute is published before
        signing (《促进科技成果转化法》)."""

    @transition(
        field=stage,
        source=[DealStage.NEGOTIATION, DealStage.NOTICE],
        target=DealStage.SIGNED,
        permission=may_work_deal,
        conditions=[lambda deal: not deal.sign_blockers()],
        custom={"label": _("签订合同")},
    )
    def sign(self):
        """The technology contract is signed."""

    @transition(
        field=stage,
        source=DealStage.SIGNED,
        target=DealStage.REGISTERED,
        permission=may_register_deal,
        conditions=[lambda deal: not deal.registration_blockers()],
        custom={"label": _("认定登记")},
    )
    def register(self):
        """The registry has registered the contract (技术合同认定登记)."""

    @transition(
        field=stage,
        source=DealStage.REGISTERED,
        target=DealStage.PERFORMED,
        permission=may_work_deal,
        custom={"label": _("履约完成")},
    )
    def perform(self):
        """The contract is performed and paid."""

    @transition(
        field=stage,
        source=DealStage.PERFORMED,
        target=DealStage.CLOSED,
        permission=may_work_deal,
        custom={"label": _("关闭交易")},
    )
    def close(self):
        """Everything is settled: commissions booked, documents filed."""

    @transition(
        field=stage,
        source=list(OPEN_DEAL_STAGES),
        target=DealStage.LOST,
        permission=may_lose_deal,
        custom={"label": _("标记流失")},
    )
    def lose(self):
        """The deal ended without a contract; the reason is stored beside it."""
        self.lost_at_stage = self.stage


# The forward steps, in the pipeline's order: what "推进" means on the board.
FORWARD_TRANSITIONS = (
    "contact",
    "negotiate",
    "open_notice",
    "sign",
    "register",
    "perform",
    "close",
)


class DealBroker(models.Model):
    """A broker on a deal, with their share (分成比例) of the deal's commission."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_brokers")
    broker = models.ForeignKey(
        "brokers.Broker",
        verbose_name=_("技术经纪人"),
        on_delete=models.PROTECT,
        related_name="deal_roles",
    )
    share = models.DecimalField(
        _("分成比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    is_lead = models.BooleanField(_("主办经纪人"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("交易经纪人")
        verbose_name_plural = _("交易经纪人")
        ordering = ["-is_lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "broker"], name="deal_broker_once"),
            models.UniqueConstraint(
                fields=["deal"], condition=models.Q(is_lead=True), name="deal_one_lead_broker"
            ),
        ]

    def __str__(self):
        return f"{self.broker} · {self.share}%"


class DealNotice(models.Model):
    """The public notice (公示) of a negotiated price: the achievement's name and the proposed
    price, on the site for the period the market sets, open to objections (异议)."""

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="notice")
    achievement_name = models.CharField(_("成果名称"), max_length=200)
    proposed_price = models.DecimalField(
        _("拟交易价格（万元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    seller_name = models.CharField(_("转让方"), max_length=200)
    buyer_name = models.CharField(_("受让方"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("公示开始"))
    ends_at = models.DateTimeField(_("公示结束"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("交易公示")
        verbose_name_plural = _("交易公示")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.achievement_name

    def get_absolute_url(self) -> str:
        return reverse("brokers:notice", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.starts_at <= timezone.now() < self.ends_at

    def sign_blockers(self) -> list[str]:
        from django.utils.formats import date_format

        reasons = []
        if timezone.now() < self.ends_at:
            reasons.append(
                str(_("公示期至 %s 结束，期满后方可签约。"))
                % date_format(timezone.localtime(self.ends_at), "DATETIME_FORMAT")
            )
        if self.objections.filter(answered_at=None).exists():
            reasons.append(str(_("公示期间收到的异议尚未答复。")))
        if self.objections.filter(upheld=True).exists():
            reasons.append(str(_("异议成立，不能按公示价格签约。")))
        return reasons


class NoticeObjection(models.Model):
    """An objection (异议) to a public notice, from anyone, answered on the record."""

    notice = models.ForeignKey(DealNotice, on_delete=models.CASCADE, related_name="objections")
    name = models.CharField(_("异议人"), max_length=100)
    contact = models.CharField(_("联系方式"), max_length=100)
    body = models.TextField(_("异议内容"), max_length=4000)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True, max_length=4000)
    upheld = models.BooleanField(_("异议成立"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:40]


def document_path(instance, filename: str) -> str:
    return f"deals/{uuid.uuid4().hex}"


class DealDocument(models.Model):
    """A document of a deal (contract text, minutes, invoice, proof), attached to the stage
    it belongs to. Stored where no URL serves it and read only through `brokers:document`,
    which asks whether the person is a party to the deal."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="documents")
    stage = models.CharField(_("阶段"), max_length=12, choices=DealStage.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=DocumentKind.choices)
    file = models.FileField(_("文件"), upload_to=document_path, storage=private_storage)
    original_name = models.CharField(_("文件名"), max_length=200)
    mime_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # The one-time token of the upload form: a double-clicked upload stores one file.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("交易文件")
        verbose_name_plural = _("交易文件")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("brokers:document", args=[self.key])
