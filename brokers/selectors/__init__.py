"""Reads for brokers and deals, one module per concern; the names are re-exported here."""

from brokers.selectors.access import deal_access, may_move_cards  # noqa: F401
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
from brokers.selectors.board import (  # noqa: F401
    board_card,
    board_columns,
    card_steps,
    stage_moves,
)
from brokers.selectors.commissions import (  # noqa: F401
    Statement,
    broker_statement,
    broker_statement_months,
    deal_commission_lines,
    month_bounds,
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
    is_contract_registry,
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
from brokers.selectors.directory import (  # noqa: F401
    DirectoryFilters,
    attach_median_response,
    broker_profile,
    broker_public_record,
    broker_recent_ratings,
    brokers_directory,
    median_first_response,
    with_track_record,
)
from brokers.selectors.documents import deal_documents, document_visible_to  # noqa: F401
from brokers.selectors.lots import lots_open, lots_recently_closed  # noqa: F401
