"""The demo's match history: the first matches of every demand, and what the demand owners
did with them, so the "匹配成效" dashboard has something to show."""

from __future__ import annotations

import random

from django.db import transaction

from brokers.services import deal_open_from_match
from market.choices import LISTING_EDITOR_ROLES
from market.models import Membership
from matching.choices import DismissReason, MatchStatus
from matching.models import Match
from matching.services import match_feedback, rematch_all

REASONS = [
    DismissReason.IRRELEVANT,
    DismissReason.PRICE,
    DismissReason.IMMATURE,
    DismissReason.ALREADY_KNOWN,
]


def demo_matches(*, seed: int = 20) -> int:
    """Rank every demand (once: a loaded demo keeps its matches), then replay feedback on
    the top of each list through the real service. Returns how many feedback steps."""
    if Match.objects.exists():
        return 0
    rematch_all()
    return _simulate_feedback(seed=seed)


@transaction.atomic
def _simulate_feedback(*, seed: int) -> int:
    rng = random.Random(seed)
    editors: dict[int, object] = {}
    for m in Membership.objects.filter(role__in=LISTING_EDITOR_ROLES).select_related("user"):
        editors.setdefault(m.organization_id, m.user)
    steps = 0
    top = Match.objects.filter(demand_rank__lte=5, status=MatchStatus.SUGGESTED)
    for match in top.select_related("demand", "achievement").order_by("pk"):
        user = editors.get(match.demand.owner_id)
        if user is None:
            continue
        roll = rng.random()
        if roll < 0.45:
            continue  # not opened yet
        match = match_feedback(match=match, actor=user, action="view")
        steps += 1
        if roll < 0.60:
            match_feedback(match=match, actor=user, action="dismiss", reason=rng.choice(REASONS))
            steps += 1
        elif roll < 0.80:
            match = match_feedback(match=match, actor=user, action="contact")
            steps += 1
            # A deal needs two parties: an organization matched with itself stays contacted.
            if roll < 0.68 and match.demand.owner_id != match.achievement.owner_id:
                deal_open_from_match(match=match, actor=user)
                steps += 1
    return steps
