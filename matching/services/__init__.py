"""Writes of the matching app: stored match lists, feedback, weights, notifications.

Every match is a (demand, achievement) pair scored with the demand as the query and the
weights of the demand's market. A demand's list is its best `MATCHING_LIST_SIZE`
achievements (`demand_rank`); an achievement's list is its best demands by the same score
(`achievement_rank`). An achievement's page shows both: its own list, and the demands
whose lists it is in. So:

- a demand published or edited gets its list ranked afresh (`listing_rematch`) and is
  folded into every achievement's own list it now beats the floor of (`_fold_demand`);
  closed, it leaves every list and the lists it was on are ranked again;
- an achievement published or edited is folded into every demand's list it now beats the
  last entry of, dropped from lists when it is no longer published, and gets its own list
  from the same scores;
- `rematch_all` (``manage.py rematch``) refits the index, ranks every demand, then every
  achievement's list (`Index.top_queries`).

The package, each module importing only those listed before it (its reads are in
`matching.selectors`):

- `weights`: list size, each market's weights, an operator setting them;
- `lists`: storing, inserting into and renumbering the lists;
- `notifications`: telling people about new matches;
- `rematch`: ranking lists again, one listing, one market or all of them;
- `feedback`: what people do with a match.

Callers import from here; the names below are the package's public services.
"""

from matching.services.feedback import (
    FEEDBACK_TRANSITIONS,
    match_feedback,
    match_follow_deal,
    match_record_view,
)
from matching.services.lists import RematchResult
from matching.services.notifications import notify_new_matches
from matching.services.rematch import listing_rematch, market_rematch, rematch_all
from matching.services.weights import list_size, market_weights, match_settings_update

__all__ = [
    "FEEDBACK_TRANSITIONS",
    "RematchResult",
    "list_size",
    "listing_rematch",
    "market_rematch",
    "market_weights",
    "match_feedback",
    "match_follow_deal",
    "match_record_view",
    "match_settings_update",
    "notify_new_matches",
    "rematch_all",
]
