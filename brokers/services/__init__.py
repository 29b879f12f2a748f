"""Writes for brokers and deals, one module per concern; the names are re-exported here."""

from brokers.models.deals import may_work_deal  # noqa: F401
from brokers.services.assignments import (  # noqa: F401
    REASON_MAX_LENGTH,
    THREAD_ANCHOR,
    assignment_reply,
    assignment_url,
    demand_assign_broker,
    demand_message_post,
    demand_reassign,
    demands_assign_unassigned,
    thread_url,
)
from brokers.services.bidding import (  # noqa: F401
    bid_place,
    deposit_settle,
    lot_best_bid,
    lot_close,
    lot_list,
    lot_minimum_bid,
    lot_qualify,
    lots_close_due,
)
from brokers.services.commissions import (  # noqa: F401
    commission_book_payment,
    commission_book_signing,
    commission_line_reverse,
    commission_rules_for,
    may_pay_service_fee,
    service_fee_start,
)
from brokers.services.contracts import (  # noqa: F401
    contract_accept,
    contract_apply,
    contract_create,
    contract_refuse,
    contract_register,
    contract_return,
    contract_steps,
    contract_update,
    may_edit_contract,
    registration_number,
)
from brokers.services.deals import (  # noqa: F401
    deal_advance,
    deal_broadcast,
    deal_group,
    deal_lose,
    deal_market_group,
    deal_next_steps,
    deal_open_from_match,
    deal_open_lead,
    may_see_deal,
)
from brokers.services.directory import (  # noqa: F401
    broker_rate,
    demand_choose_broker,
    rating_party,
)
from brokers.services.documents import (  # noqa: F401
    DOCUMENT_TYPES,
    deal_document_add,
    document_max_bytes,
    document_stages,
)
from brokers.services.payments import (  # noqa: F401
    payment_refund,
    payment_settle,
    payment_start,
    register_payment_handler,
)
from brokers.services.trading import (  # noqa: F401
    deal_notice_publish,
    notice_days,
    notice_object,
    objection_answer,
)
