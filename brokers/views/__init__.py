"""The brokers app's pages, one module per concern; the names are re-exported here."""

from brokers.views.assignments import (  # noqa: F401
    add_error,
    assignment_detail,
    assignment_list,
    demand_message,
)
from brokers.views.deals import (  # noqa: F401
    deal_advance,
    deal_detail,
    deal_from_match,
    deal_list,
    deal_lose,
    deal_new,
)
from brokers.views.trading import (  # noqa: F401
    lot_bid,
    lot_deposit,
    lot_detail,
    lot_new,
    lot_qualify,
    notice_detail,
    notice_list,
    notice_publish,
    objection_answer,
)
