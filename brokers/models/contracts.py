"""Technology contracts (技术合同) and their registration (技术合同认定登记).

Registered contract value (成交额 and 技术交易额) is the market's headline figure, computed from
registered contracts only. The registration's steps are the transitions below; the registry
is a window clerk or operator of the seller's own market.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from brokers.choices import ContractType, NonTechnicalCost, RefusalGround, RegistrationStatus
from brokers.models.deals import Deal, may_register_deal, may_work_deal


def may_apply(contract: Contract, user) -> bool:
    """The seller applies (its editors), or a broker of the deal on its behalf."""
    from market.permissions import is_org_editor

    return is_org_editor(user, contract.deal.seller_id) or may_work_deal(contract.deal, user)


def may_decide(contract: Contract, user) -> bool:
    return may_register_deal(contract.deal, user)


class Contract(ConcurrentTransitionMixin, models.Model):
    """A technology contract (技术合同, one of the 四技 types) signed in a deal, with its amounts
    from the income assessment form (技术性收入核定表) and its registration."""

    deal = models.OneToOneField(Deal, on_delete=models.PROTECT, related_name="contract")
    # Copied from the deal when the contract is made, so statistics need no join through it.
    market = models.ForeignKey(
        "market.Market",
        verbose_name=_("登记市场"),
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text=_("卖方所在地区的市场，在此申请认定登记"),
    )
    field = models.CharField(_("技术领域"), max_length=40, blank=True)
    contract_type = models.CharField(_("合同类型"), max_length=24, choices=ContractType.choices)
    title = models.CharField(_("合同名称"), max_length=200)
    buyer = models.ForeignKey(
        "market.Organization", verbose_name=_("买方"), on_delete=models.PROTECT, related_name="+"
    )
    seller = models.ForeignKey(
        "market.Organization", verbose_name=_("卖方"), on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(_("签订日期"))
    term_start = models.DateField(_("履行期起"))
    term_end = models.DateField(_("履行期止"))
    amount = models.DecimalField(
        _("成交额（万元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    tech_amount = models.DecimalField(
        _("技术交易额（万元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("由技术性收入核定表核定，不超过成交额"),
    )
    registration_status = FSMField(
        _("登记状态"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.DRAFT,
        db_index=True,
    )
    applied_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decision_due_at = models.DateTimeField(_("办结期限"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True, db_index=True)
    registration_no = models.CharField(
        _("登记编号"), max_length=40, blank=True, null=True, unique=True
    )
    refusal_ground = models.CharField(
        _("不予登记理由"), max_length=20, choices=RefusalGround.choices, blank=True
    )
    decision_note = models.TextField(_("办理意见"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The one-time token of the form that made it: a double-clicked "保存合同" makes one.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("技术合同")
        verbose_name_plural = _("技术合同")
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(
                fields=["registration_status", "registered_on"], name="contract_registered"
            ),
            models.Index(fields=["market", "registered_on"], name="contract_market_month"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tech_amount__lte=models.F("amount")),
                name="contract_tech_amount_within_amount",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("brokers:contract", args=[self.pk])

    @property
    def is_registered(self) -> bool:
        return self.registration_status == RegistrationStatus.REGISTERED

    def clean(self):
        errors = {}
        if self.amount is not None and self.tech_amount is not None:
            if self.tech_amount > self.amount:
                errors["tech_amount"] = _("技术交易额不能超过成交额。")
        if self.term_start and self.term_end and self.term_end < self.term_start:
            errors["term_end"] = _("履行期止不能早于履行期起。")
        if self.buyer_id and self.buyer_id == self.seller_id:
            errors["seller"] = _("买方和卖方不能是同一机构。")
        if errors:
            raise ValidationError(errors)

    # ── Registration (one table; taken through brokers.services.contracts) ──────────────────

    @transition(
        field=registration_status,
        source=[RegistrationStatus.DRAFT, RegistrationStatus.RETURNED],
        target=RegistrationStatus.APPLIED,
        permission=may_apply,
        custom={"label": _("申请认定登记")},
    )
    def apply(self):
        """The seller files the contract, the income assessment form and the proofs."""

    @transition(
        field=registration_status,
        source=RegistrationStatus.APPLIED,
        target=RegistrationStatus.RETURNED,
        permission=may_decide,
        custom={"label": _("退回补正")},
    )
    def return_for_correction(self):
        """The filing is incomplete: returned, with what is missing."""

    @transition(
        field=registration_status,
        source=RegistrationStatus.APPLIED,
        target=RegistrationStatus.ACCEPTED,
        permission=may_decide,
        custom={"label": _("受理")},
    )
    def accept(self):
        """The registry accepts the filing; the 30-day decision deadline starts."""

    @transition(
        field=registration_status,
        source=RegistrationStatus.ACCEPTED,
        target=RegistrationStatus.REGISTERED,
        permission=may_decide,
        custom={"label": _("予以登记")},
    )
    def register(self):
        """Registered, with a registration number."""

    @transition(
        field=registration_status,
        source=RegistrationStatus.ACCEPTED,
        target=RegistrationStatus.REFUSED,
        permission=may_decide,
        custom={"label": _("不予登记")},
    )
    def refuse(self):
        """Refused on one of the grounds, with a note."""


class ContractDeduction(models.Model):
    """One line of the income assessment form (技术性收入核定表): a non-technical part of the
    contract amount (equipment, materials...), taken off it to leave the technology
    transaction amount (技术交易额)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="deductions")
    kind = models.CharField(_("费用类别"), max_length=16, choices=NonTechnicalCost.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("金额（万元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("非技术性费用")
        verbose_name_plural = _("非技术性费用")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"
