"""Payments (缴费) through django-payments: bidding deposits (保证金) and brokers' service fees
(服务费). The dummy provider stands in for a bank; no Stripe.

django-payments owns the status and calls the provider's callback URL
(`/payments/process/<token>/`). What a payment means for a deal, a bid or the commission
ledger is applied once, by `brokers.services.payments.payment_settle`, which marks
`settled_at` under a row lock: a repeated callback, or two arriving at once, change nothing
twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from payments import PurchasedItem
from payments.models import BasePayment

from brokers.choices import PAYMENT_STATUS_LABELS, PaymentPurpose


class Payment(BasePayment):
    purpose = models.CharField(_("用途"), max_length=20, choices=PaymentPurpose.choices)
    deal = models.ForeignKey(
        "brokers.Deal",
        verbose_name=_("交易"),
        on_delete=models.PROTECT,
        related_name="payments",
        null=True,
        blank=True,
    )
    payer = models.ForeignKey(
        "market.Organization",
        verbose_name=_("付款单位"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Where the payer goes back to after the provider's page: the deal or the listing.
    return_url = models.CharField(max_length=300)
    # When what the payment means was applied (once), and when its refund was.
    settled_at = models.DateTimeField(_("入账时间"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("退款时间"), null=True, blank=True)
    # A double-clicked "pay" opens one payment.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("缴费")
        verbose_name_plural = _("缴费")
        ordering = ["-created"]
        indexes = [models.Index(fields=["purpose", "status"])]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.total} {self.currency}"

    def get_status_display(self) -> str:
        return str(PAYMENT_STATUS_LABELS.get(self.status, self.status))

    def get_purchased_items(self):
        yield PurchasedItem(
            name=self.description or str(self.get_purpose_display()),
            sku=self.purpose,
            quantity=1,
            price=Decimal(self.total),
            currency=self.currency,
        )

    def get_success_url(self) -> str:
        return self.return_url

    def get_failure_url(self) -> str:
        return self.return_url
