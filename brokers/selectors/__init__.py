"""Reads for brokers and deals, one module per concern; the names are re-exported here."""

from brokers.selectors.assignments import (  # noqa: F401
    SAME_MARKET_EDGE,
    Candidate,
    ResponseCompliance,
    active_assignment,
    assignments_of_broker,
    broker_candidates,
    demand_broker_users,
    demand_current_assignment,
    demand_owner_people,
    demand_thread,
    demands_awaiting_response,
    reassign_candidates,
    response_compliance,
    response_due,
)
from brokers.selectors.contracts import (  # noqa: F401
    DECISION_DAYS,
    REQUIRED_DOCUMENTS,
    contract_checklist,
    contract_for_page,
    contract_missing,
    contract_of_deal,
    decision_deadline,
    decision_due,
    may_see_contract,
    registered_contracts,
    registered_value,
    registry_market_ids,
    registry_queue,
)
from brokers.selectors.deals import (  # noqa: F401
    deal_board,
    deal_for_page,
    deal_history,
    deals_of_broker,
    deals_visible_to,
)
