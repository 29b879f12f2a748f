"""Trading settings per market, and public listing with bidding (挂牌竞价): a lot, the
bidders who paid its deposit (保证金), and their bids."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from brokers.choices import LotStatus

DEFAULT_NOTICE_DAYS = 15


class TradeSettings(models.Model):
    """A market's rules for its ways to trade (交易规则): how long a negotiated price stays
    on public notice (公示期). A market without its own uses its parent's, then 15 days."""

    market = models.OneToOneField(
        "market.Market",
        verbose_name=_("市场"),
        on_delete=models.CASCADE,
        related_name="trade_settings",
    )
    notice_days = models.PositiveSmallIntegerField(
        _("公示期（天）"),
        default=DEFAULT_NOTICE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )

    class Meta:
        verbose_name = _("交易规则")
        verbose_name_plural = _("交易规则")

    def __str__(self):
        return str(self.market)


class Lot(ConcurrentTransitionMixin, models.Model):
    """A lot (挂牌项目): an achievement the seller lists for transfer by bidding, with a
    reserve price (底价), a minimum increment (加价幅度), a bidding window and a deposit."""

    achievement = models.ForeignKey(
        "listings.Achievement",
        verbose_name=_("科技成果"),
        on_delete=models.PROTECT,
        related_name="lots",
    )
    seller = models.ForeignKey(
        "market.Organization",
        verbose_name=_("转让方"),
        on_delete=models.PROTECT,
        related_name="lots",
    )
    market = models.ForeignKey(
        "market.Market", verbose_name=_("所属市场"), on_delete=models.PROTECT, related_name="+"
    )
    broker = models.ForeignKey(
        "brokers.Broker",
        verbose_name=_("技术经纪人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lots",
    )
    reserve_price = models.DecimalField(
        _("底价（万元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    increment = models.DecimalField(
        _("加价幅度（万元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    opens_at = models.DateTimeField(_("竞价开始"))
    closes_at = models.DateTimeField(_("竞价截止"))
    deposit = models.DecimalField(
        _("保证金（元）"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    status = FSMField(_("状态"), max_length=10, choices=LotStatus.choices, default=LotStatus.LISTED)
    deal = models.OneToOneField(
        "brokers.Deal",
        verbose_name=_("交易"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lot",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("挂牌项目")
        verbose_name_plural = _("挂牌项目")
        ordering = ["closes_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["achievement"],
                condition=models.Q(status="listed"),
                name="lot_one_listed_per_achievement",
            ),
        ]

    def __str__(self):
        return str(self.achievement)

    def get_absolute_url(self) -> str:
        return reverse("brokers:lot", args=[self.pk])

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("竞价截止时间须晚于开始时间。")})

    @property
    def is_open(self) -> bool:
        return self.status == LotStatus.LISTED and self.opens_at <= timezone.now() < self.closes_at

    @transition(field=status, source=LotStatus.LISTED, target=LotStatus.SOLD)
    def sell(self):
        """The highest bid at closing won."""

    @transition(field=status, source=LotStatus.LISTED, target=LotStatus.UNSOLD)
    def fail(self):
        """No valid bid by the closing time (流拍)."""


class BidderQualification(models.Model):
    """A bidder's qualification (竞买资格) for one lot: the organization and the deposit it
    pays; it may bid once the deposit is paid."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="qualifications")
    organization = models.ForeignKey(
        "market.Organization",
        verbose_name=_("竞买人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment = models.OneToOneField(
        "brokers.Payment",
        verbose_name=_("保证金"),
        on_delete=models.PROTECT,
        related_name="qualification",
    )
    number = models.PositiveIntegerField(_("竞买号"))
    paid_at = models.DateTimeField(_("缴纳时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("竞买资格")
        verbose_name_plural = _("竞买资格")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "organization"], name="qualify_once"),
            models.UniqueConstraint(fields=["lot", "number"], name="bidder_number_once"),
        ]

    def __str__(self):
        return f"{self.lot} · {self.organization}"


class Bid(models.Model):
    """A bid (出价) on a lot, by a qualified bidder."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bids")
    organization = models.ForeignKey(
        "market.Organization",
        verbose_name=_("竞买人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("出价（万元）"), max_digits=14, decimal_places=2)
    placed_at = models.DateTimeField(_("出价时间"), default=timezone.now)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("出价")
        verbose_name_plural = _("出价")
        ordering = ["-amount", "placed_at", "id"]
        constraints = [
            # Each bid beats the one before it by the increment: two at the same amount
            # cannot both stand.
            models.UniqueConstraint(fields=["lot", "amount"], name="bid_amount_once"),
        ]

    def __str__(self):
        return f"{self.lot} · {self.amount}"
