"""The brokers app's pages, one module per concern; the names are re-exported here."""

from brokers.views.assignments import (  # noqa: F401
    add_error,
    assignment_detail,
    assignment_list,
    demand_message,
)
from brokers.views.contracts import (  # noqa: F401
    contract_detail,
    contract_edit,
    contract_new,
    contract_step,
    registry_queue,
)
from brokers.views.deals import (  # noqa: F401
    deal_advance,
    deal_detail,
    deal_from_match,
    deal_list,
    deal_lose,
    deal_new,
)
