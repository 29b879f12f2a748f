"""The brokers app's pages, one module per concern; the names are re-exported here."""

from brokers.views.assignments import (  # noqa: F401
    add_error,
    assignment_detail,
    assignment_list,
    demand_message,
)
from brokers.views.commissions import (  # noqa: F401
    deal_rate,
    earnings,
    earnings_month,
    earnings_xlsx,
    payment_page,
    service_fee_pay,
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
    deal_card,
    deal_detail,
    deal_from_match,
    deal_list,
    deal_lose,
    deal_new,
)
from brokers.views.directory import (  # noqa: F401
    broker_choose,
    broker_directory,
    broker_profile,
)
from brokers.views.documents import document_download, document_upload  # noqa: F401
from brokers.views.stats import (  # noqa: F401
    stats_contracts,
    stats_deals,
    stats_export,
    stats_page,
)
from brokers.views.trading import (  # noqa: F401
    lot_bid,
    lot_deposit,
    lot_detail,
    lot_index,
    lot_new,
    lot_qualify,
    notice_detail,
    notice_list,
    notice_publish,
    objection_answer,
)
