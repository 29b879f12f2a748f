"""Commission rules (佣金规则) and the commission ledger (佣金台账).

A rule gives a rate, with an optional minimum and cap, for a basis (the contract amount at
signing, or each service fee paid), scoped to one broker, one transfer institution, one
contract type, or no scope at all (the default). The most specific active rule wins:
broker > institution > contract type > default.

A ledger line freezes what a rule produced: the rule's level, rate, minimum and cap, the
base they applied to, and the broker's share. Changing or retiring a rule later never
touches a line. Lines are never edited or deleted; a correction is a new reversing line.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokers.choices import CommissionBasis, CommissionLevel, CommissionLineKind, ContractType
from market.choices import OrganizationKind

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {
    "max_digits": 6,
    "decimal_places": 3,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


class CommissionRule(models.Model):
    """A commission rule (佣金规则): what share of a base a broker earns."""

    basis = models.CharField(
        _("计提基数"),
        max_length=12,
        choices=CommissionBasis.choices,
        default=CommissionBasis.CONTRACT,
    )
    broker = models.ForeignKey(
        "brokers.Broker",
        verbose_name=_("技术经纪人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commission_rules",
    )
    institution = models.ForeignKey(
        "market.Organization",
        verbose_name=_("技术转移机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commission_rules",
        limit_choices_to={"kind": OrganizationKind.TRANSFER_INSTITUTION},
    )
    contract_type = models.CharField(
        _("合同类型"), max_length=24, choices=ContractType.choices, blank=True
    )
    rate = models.DecimalField(_("费率（%）"), **RATE)
    minimum = models.DecimalField(
        _("最低金额（元）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        **MONEY,
    )
    cap = models.DecimalField(
        _("封顶金额（元）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        **MONEY,
    )
    active = models.BooleanField(
        _("生效"), default=True, help_text=_("停用的规则不再计提；已记入台账的金额不受影响")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("佣金规则")
        verbose_name_plural = _("佣金规则")
        ordering = ["basis", "id"]
        constraints = [
            # One active rule per scope and basis, so "the most specific one" is one rule.
            models.UniqueConstraint(
                fields=["basis", "broker"],
                condition=models.Q(active=True, broker__isnull=False),
                name="commission_rule_one_per_broker",
            ),
            models.UniqueConstraint(
                fields=["basis", "institution"],
                condition=models.Q(active=True, institution__isnull=False),
                name="commission_rule_one_per_institution",
            ),
            models.UniqueConstraint(
                fields=["basis", "contract_type"],
                condition=models.Q(active=True) & ~models.Q(contract_type=""),
                name="commission_rule_one_per_contract_type",
            ),
            models.UniqueConstraint(
                fields=["basis"],
                condition=models.Q(
                    active=True, broker__isnull=True, institution__isnull=True, contract_type=""
                ),
                name="commission_rule_one_default",
            ),
        ]

    def __str__(self):
        return f"{self.get_basis_display()} · {self.scope_label} · {self.rate}%"

    @property
    def level(self) -> str:
        if self.broker_id:
            return CommissionLevel.BROKER
        if self.institution_id:
            return CommissionLevel.INSTITUTION
        if self.contract_type:
            return CommissionLevel.CONTRACT_TYPE
        return CommissionLevel.DEFAULT

    @property
    def scope_label(self) -> str:
        if self.broker_id:
            return str(self.broker)
        if self.institution_id:
            return str(self.institution)
        if self.contract_type:
            return str(self.get_contract_type_display())
        return str(CommissionLevel.DEFAULT.label)

    def clean(self):
        scopes = [bool(self.broker_id), bool(self.institution_id), bool(self.contract_type)]
        if sum(scopes) > 1:
            raise ValidationError(
                _("一条规则只能针对经纪人、机构或合同类型中的一项；都不选即为默认规则。")
            )
        if self.institution_id and self.institution.kind != OrganizationKind.TRANSFER_INSTITUTION:
            raise ValidationError({"institution": _("请选择技术转移机构。")})
        if self.minimum is not None and self.cap is not None and self.minimum > self.cap:
            raise ValidationError({"cap": _("封顶金额不能低于最低金额。")})


class CommissionLineQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("佣金台账不可修改；如需更正，请登记一条冲正记录。"))

    def delete(self):
        raise ValidationError(_("佣金台账不可删除；如需更正，请登记一条冲正记录。"))


class CommissionLine(models.Model):
    """A line of the commission ledger (佣金台账): one broker's part of what one rule produced
    at one moment (a signing, a settled service-fee payment), or the reversal of such a line.

    `commission` is the rate applied to `base`, held between the minimum and the cap;
    `amount` is the broker's share of it. Amounts are in yuan (元)."""

    deal = models.ForeignKey(
        "brokers.Deal",
        verbose_name=_("交易"),
        on_delete=models.PROTECT,
        related_name="commission_lines",
    )
    broker = models.ForeignKey(
        "brokers.Broker",
        verbose_name=_("技术经纪人"),
        on_delete=models.PROTECT,
        related_name="commission_lines",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=CommissionLineKind.choices)
    payment = models.ForeignKey(
        "brokers.Payment",
        verbose_name=_("缴费"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commission_lines",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    # What the rule was when it applied, copied so a later change of the rule rewrites nothing.
    rule = models.ForeignKey(
        CommissionRule,
        verbose_name=_("佣金规则"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
    )
    rule_level = models.CharField(_("规则级别"), max_length=16, choices=CommissionLevel.choices)
    basis = models.CharField(_("计提基数"), max_length=12, choices=CommissionBasis.choices)
    base = models.DecimalField(_("基数（元）"), **MONEY)
    rate = models.DecimalField(_("费率（%）"), **RATE)
    minimum = models.DecimalField(_("最低金额（元）"), null=True, blank=True, **MONEY)
    cap = models.DecimalField(_("封顶金额（元）"), null=True, blank=True, **MONEY)
    commission = models.DecimalField(_("佣金（元）"), **MONEY)
    share = models.DecimalField(_("分成比例（%）"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("本人所得（元）"), **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    booked_at = models.DateTimeField(_("记账时间"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记账人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CommissionLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("佣金台账")
        verbose_name_plural = _("佣金台账")
        ordering = ["booked_at", "id"]
        indexes = [models.Index(fields=["broker", "booked_at"], name="commission_broker_month")]
        constraints = [
            # A deal is signed once and a payment settles once: each books one line per broker.
            models.UniqueConstraint(
                fields=["deal", "broker"],
                condition=models.Q(kind="signing"),
                name="commission_signing_once",
            ),
            models.UniqueConstraint(
                fields=["payment", "broker"],
                condition=models.Q(kind="payment"),
                name="commission_payment_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.broker} · {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("佣金台账不可修改；如需更正，请登记一条冲正记录。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("佣金台账不可删除；如需更正，请登记一条冲正记录。"))
