"""Payments (缴费) through django-payments: opening one, and applying what it means exactly
once.

django-payments changes a payment's status when its provider calls back and sends
`payments.signals.status_changed`; `brokers.receivers` hands that to `payment_settle`. A
provider may call back twice, or twice at once: `payment_settle` locks the payment row and
applies its meaning only while `settled_at` is empty, so a bid is qualified, and a fee enters
the ledger, once.

What a confirmed payment means depends on its purpose: the deposit qualifies a bidder
(`brokers.services.bidding`), the service fee enters the commission ledger
(`brokers.services.commissions`). Each registers its handler with `register_payment_handler`
in `BrokersConfig.ready`, so this module does not import them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from payments import PaymentStatus

from brokers.models import Deal, Payment
from market.models import Organization, User

logger = logging.getLogger(__name__)

SETTLED_STATUSES = {PaymentStatus.CONFIRMED}
PAYMENT_VARIANT = "dummy"
MAX_TOTAL = Decimal("9999999.99")  # django-payments' DecimalField(max_digits=9)

_HANDLERS: dict[str, Callable[[Payment], None]] = {}


def register_payment_handler(purpose: str, handler: Callable[[Payment], None]) -> None:
    """`handler(payment)` runs once per confirmed payment of this purpose, inside the
    transaction that marks it settled and with its row locked."""
    _HANDLERS[purpose] = handler


def payment_start(
    *,
    purpose: str,
    total: Decimal,
    payer: Organization,
    actor: User,
    return_url: str,
    description: str = "",
    deal: Deal | None = None,
    token: uuid.UUID | None = None,
) -> Payment:
    """Open a payment, waiting for the payer at the provider's page. The same form token
    returns the payment the first click opened."""
    if token:
        existing = Payment.objects.filter(form_token=token).first()
        if existing:
            return existing
    if total <= 0 or total > MAX_TOTAL:
        raise ValidationError(_("金额须大于 0 且不超过 %(max)s 元。") % {"max": MAX_TOTAL})
    try:
        with transaction.atomic():
            return Payment.objects.create(
                variant=PAYMENT_VARIANT,
                currency=settings.PAYMENT_CURRENCY,
                purpose=purpose,
                total=total,
                description=description[:200],
                payer=payer,
                deal=deal,
                created_by=actor,
                return_url=return_url,
                form_token=token,
            )
    except IntegrityError:
        # The other click won the race on the token.
        return Payment.objects.get(form_token=token)


def payment_settle(payment_id: int) -> bool:
    """Apply a confirmed payment's meaning, once. Returns whether this call applied it."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.settled_at is not None or payment.status not in SETTLED_STATUSES:
            return False
        handler = _HANDLERS.get(payment.purpose)
        if handler is None:
            logger.error(
                "no handler for payment purpose %r (payment %s)", payment.purpose, payment.pk
            )
            return False
        handler(payment)
        payment.settled_at = timezone.now()
        payment.captured_amount = payment.total
        payment.save(update_fields=["settled_at", "captured_amount"])
        return True


def payment_refund(payment: Payment) -> bool:
    """Refund a settled payment through its provider, once (a deposit that did not win)."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.refunded_at is not None or locked.status != PaymentStatus.CONFIRMED:
            return False
        locked.refund(amount=locked.captured_amount)
        locked.refunded_at = timezone.now()
        locked.save(update_fields=["refunded_at"])
        payment.refresh_from_db()
        return True
