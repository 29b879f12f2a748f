"""Telling people about new matches as they are stored (the daily digest is
`selectors.match_digests` and the ``send_match_digest`` command)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from listings.locations import listing_url
from market.models import User
from market.services import notify
from matching.explain import Explanation
from matching.models import Match, MatchPreference
from matching.selectors import match_audiences

DEFAULT_THRESHOLD = MatchPreference._meta.get_field("notify_threshold").default


def notify_new_matches(created: list[Match]) -> int:
    """Tell the demand's people, its assigned broker and the achievement's people about new
    matches that score at or above each person's threshold. Once per match.

    A handful of queries for the whole batch, whatever its size: the audiences
    (`selectors.match_audiences`, the same people the daily digest writes to) and their
    thresholds are read once; matches no threshold can reach are skipped unread."""
    from django.db.models import Min

    lowest = MatchPreference.objects.aggregate(low=Min("notify_threshold"))["low"]
    floor = min(DEFAULT_THRESHOLD, lowest if lowest is not None else DEFAULT_THRESHOLD)
    pks = [m.pk for m in created if m.pk and m.score >= floor]
    if not pks:
        return 0
    matches = list(
        Match.objects.filter(pk__in=pks, notified_at=None).select_related("demand", "achievement")
    )
    audiences = match_audiences(matches)
    user_ids = {u for audience in audiences.values() for u, _kind in audience}
    users = User.objects.in_bulk(user_ids)
    thresholds = dict(
        MatchPreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "notify_threshold"
        )
    )
    urls: dict[tuple[str, int], str] = {}
    sent = 0
    for match in matches:
        text = Explanation.from_dict(match.explanation).as_text()
        for user_id, other_kind in audiences[match.pk]:
            user = users.get(user_id)
            if user is None or match.score < thresholds.get(user_id, DEFAULT_THRESHOLD):
                continue
            other = match.achievement if other_kind == "achievement" else match.demand
            title = (
                _("新匹配：“%(title)s”可能满足您的需求")
                if other_kind == "achievement"
                else _("新匹配：您的成果可能满足需求“%(title)s”")
            ) % {"title": other.title}
            key = (other_kind, other.pk)
            if key not in urls:
                urls[key] = listing_url(*key)
            notify(recipient=user, verb="match.new", title=title[:200], body=text, url=urls[key])
            sent += 1
    Match.objects.filter(pk__in=[m.pk for m in matches]).update(notified_at=timezone.now())
    return sent
