"""Reads of the matching app: how each market's matches are received (匹配成效), and who
should hear about which new matches in the daily e-mail digest (每日匹配摘要)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from listings.audiences import listing_actors
from listings.choices import ListingStatus
from listings.locations import listing_detail_url, listing_url
from listings.models import Demand
from market.choices import LISTING_EDITOR_ROLES
from market.models import Market, Membership, User
from matching.choices import DismissReason, MatchStatus
from matching.explain import Explanation
from matching.models import Match, MatchPreference, may_act_for_listing, may_give_feedback

# Feedback per market


@dataclass(frozen=True)
class ReasonCount:
    code: str
    label: str
    count: int


@dataclass
class MarketFeedback:
    """What people did with one market's matches (the demand's market counts).

    The funnel counts are cumulative: a match that was contacted and then became a deal
    counts as viewed, contacted and deal; a dismissed match was looked at, so it counts as
    viewed too. `status_counts` is the exact current state of each match, for the chart."""

    market_id: int | None
    market_name: str
    status_counts: dict[str, int]
    dismiss_reasons: list[ReasonCount]
    demands_without_matches: int
    # The main market's row adds up the sub-markets it covers; how many it includes.
    sub_markets: int = 0

    @property
    def suggested(self) -> int:
        return sum(self.status_counts.values())

    @property
    def viewed(self) -> int:
        return self.suggested - self.status_counts[MatchStatus.SUGGESTED]

    @property
    def contacted(self) -> int:
        return self.status_counts[MatchStatus.CONTACTED] + self.status_counts[MatchStatus.DEAL]

    @property
    def deals(self) -> int:
        return self.status_counts[MatchStatus.DEAL]

    @property
    def dismissed(self) -> int:
        return self.status_counts[MatchStatus.DISMISSED]

    def _rate(self, count: int) -> float | None:
        return count / self.suggested if self.suggested else None

    @property
    def viewed_rate(self) -> float | None:
        return self._rate(self.viewed)

    @property
    def contacted_rate(self) -> float | None:
        return self._rate(self.contacted)

    @property
    def deal_rate(self) -> float | None:
        return self._rate(self.deals)


def _reasons(counts: dict[str, int]) -> list[ReasonCount]:
    return [
        ReasonCount(code, str(label), counts.get(code, 0)) for code, label in DismissReason.choices
    ]


def match_feedback_by_market(*, market_ids: Iterable[int]) -> list[MarketFeedback]:
    """One row per market, in the network's order (main market first), counted by the
    database: one grouped query for statuses, one for dismissal reasons, one for the
    demands still waiting for a match.

    A sub-market's row counts its own demands' matches. The main market's row counts
    everything it covers (`Market.covered_market_ids`): its own demands and every
    sub-market's, so the province's row shows the province, not only the few demands filed
    with the main market directly."""
    ids = set(market_ids)
    markets = list(Market.objects.filter(pk__in=ids).order_by("kind", "code", "pk"))
    covered = {m.pk: set(m.covered_market_ids()) if m.is_main else {m.pk} for m in markets}
    counted = ids.union(*covered.values())
    status_filters = {status: Count("id", filter=Q(status=status)) for status in MatchStatus.values}
    by_status = {
        row.pop("market_id"): row
        for row in Match.objects.filter(market_id__in=counted)
        .values("market_id")
        .annotate(**status_filters)
        .order_by()
    }
    reasons: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        Match.objects.filter(market_id__in=counted, status=MatchStatus.DISMISSED)
        .values("market_id", "dismiss_reason")
        .annotate(n=Count("id"))
        .order_by()
    ):
        reasons[row["market_id"]][row["dismiss_reason"] or DismissReason.OTHER] += row["n"]
    waiting = dict(
        demands_awaiting_matches(market_ids=counted)
        .values("market_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("market_id", "n")
    )

    def row(market: Market) -> MarketFeedback:
        within = covered[market.pk]
        dismissed: dict[str, int] = defaultdict(int)
        for pk in within:
            for code, n in reasons.get(pk, {}).items():
                dismissed[code] += n
        return MarketFeedback(
            market_id=market.pk,
            market_name=str(market),
            status_counts={
                s: sum(by_status.get(pk, {}).get(s, 0) for pk in within) for s in MatchStatus.values
            },
            dismiss_reasons=_reasons(dismissed),
            demands_without_matches=sum(waiting.get(pk, 0) for pk in within),
            sub_markets=len(within - {market.pk}),
        )

    return [row(m) for m in markets]


def feedback_total(rows: list[MarketFeedback], *, name: str) -> MarketFeedback | None:
    """The rows added up: the whole of what an operator oversees. None when there is
    nothing to add: a single row, or a main market's row, which already is the whole (adding
    its sub-markets to it again would count them twice)."""
    if len(rows) < 2 or any(row.sub_markets for row in rows):
        return None
    reasons: dict[str, int] = defaultdict(int)
    for row in rows:
        for r in row.dismiss_reasons:
            reasons[r.code] += r.count
    return MarketFeedback(
        market_id=None,
        market_name=name,
        status_counts={s: sum(row.status_counts[s] for row in rows) for s in MatchStatus.values},
        dismiss_reasons=_reasons(reasons),
        demands_without_matches=sum(row.demands_without_matches for row in rows),
    )


def demands_without_matches(queryset=None):
    """Published demands that have no stored list yet (the 48-hour rule's first item)."""
    qs = queryset if queryset is not None else Demand.objects.all()
    return qs.filter(status=ListingStatus.PUBLISHED).exclude(matches__demand_rank__isnull=False)


def demands_awaiting_matches(*, market_ids: Iterable[int]):
    """Published demands of these markets that have no stored match list, oldest first."""
    return (
        demands_without_matches(Demand.objects.filter(market_id__in=set(market_ids)))
        .select_related("owner", "market")
        .order_by("published_at", "pk")
    )


# Daily digest


@dataclass(frozen=True)
class DigestItem:
    """One new match as one person sees it: the listing on the other side."""

    match_id: int
    kind: str  # the other listing's kind: "achievement" or "demand"
    pk: int
    title: str
    score: float
    reasons: str
    url: str


@dataclass
class Digest:
    user: User
    items: list[DigestItem] = field(default_factory=list)


def absolute_listing_url(kind: str, pk: int) -> str:
    """The public page of a listing, as a link that works from an e-mail."""
    url = listing_url(kind, pk)
    if url.startswith(("http://", "https://")):
        return url
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url


# A pair on a demand's list or an achievement's own list (not only history).
ON_A_LIST = Q(demand_rank__isnull=False) | Q(achievement_rank__isnull=False)


def match_audiences(matches: list[Match]) -> dict[int, list[tuple[int, str]]]:
    """Who hears about each match, as (user id, the side they are shown): the demand's
    people (its organization's editors, its author and whoever else acts for it, such as
    its active broker: `listings.audiences`) see the achievement; the achievement's people
    (editors and author) see the demand. Each person once per match, the demand's side
    first. One query for the editors and one per audience provider, for any number of
    matches, which must come with their demand and achievement."""
    org_ids = {m.demand.owner_id for m in matches} | {m.achievement.owner_id for m in matches}
    editors: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in Membership.objects.filter(
        organization_id__in=org_ids, role__in=LISTING_EDITOR_ROLES
    ).values_list("organization_id", "user_id"):
        editors[org_id].add(user_id)
    actors = listing_actors("demand", {m.demand_id for m in matches})
    out: dict[int, list[tuple[int, str]]] = {}
    for m in matches:
        d, a = m.demand, m.achievement
        # A pair only on the achievement's own list is not among the demand's best: news
        # to the achievement's people only.
        demand_side = (
            editors[d.owner_id] | actors.get(d.pk, set()) | {d.created_by_id}
            if m.demand_rank is not None or m.achievement_rank is None
            else set()
        )
        achievement_side = editors[a.owner_id] | {a.created_by_id}
        out[m.pk] = [(u, "achievement") for u in sorted(demand_side - {None})] + [
            (u, "demand") for u in sorted(achievement_side - demand_side - {None})
        ]
    return out


def match_digests(*, now: datetime, window: timedelta = timedelta(hours=24)) -> list[Digest]:
    """Who should get a digest now, and of which matches.

    A person hears about the matches on listings they can act for: editors (and the
    author) of the demand's organization and the demand's active broker see the
    achievement; editors (and the author) of the achievement's organization see the
    demand. "New" means created after their last digest, or within `window` when they have
    had none. Dismissed matches, matches on no list, people who opted out and
    people without an e-mail address are left out."""
    floor = now - window
    oldest = MatchPreference.objects.filter(
        daily_digest=True, digest_sent_at__isnull=False
    ).aggregate(oldest=Min("digest_sent_at"))["oldest"]
    start = min(floor, oldest) if oldest else floor
    matches = list(
        Match.objects.filter(created_at__gt=start, created_at__lte=now)
        .filter(ON_A_LIST)
        .exclude(status=MatchStatus.DISMISSED)
        .select_related("demand", "achievement")
        .order_by("-score", "pk")
    )
    if not matches:
        return []

    audiences = match_audiences(matches)
    audience = [(u, m, kind) for m in matches for u, kind in audiences[m.pk]]

    user_ids = {u for u, _m, _k in audience}
    users = {
        u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
    }
    prefs = {p.user_id: p for p in MatchPreference.objects.filter(user_id__in=user_ids)}
    urls: dict[tuple[str, int], str] = {}
    digests: dict[int, Digest] = {}
    for user_id, m, kind in audience:
        user, pref = users.get(user_id), prefs.get(user_id)
        if user is None or (pref is not None and not pref.daily_digest):
            continue
        since = pref.digest_sent_at if pref and pref.digest_sent_at else floor
        if m.created_at <= since:
            continue
        other = m.achievement if kind == "achievement" else m.demand
        if (kind, other.pk) not in urls:
            urls[kind, other.pk] = absolute_listing_url(kind, other.pk)
        digests.setdefault(user_id, Digest(user=user)).items.append(
            DigestItem(
                match_id=m.pk,
                kind=kind,
                pk=other.pk,
                title=other.title,
                score=m.score,
                reasons=Explanation.from_dict(m.explanation).as_text(),
                url=urls[kind, other.pk],
            )
        )
    return [digests[pk] for pk in sorted(digests)]


def matches_for_listing(kind: str, listing, user, *, limit: int | None = None) -> list[dict]:
    """A listing's matches as its page shows them: the other listing, the score, the
    reasons in plain words, and whether this person may act on them."""
    limit = limit or settings.MATCHING_LIST_SIZE
    rows = Match.objects.exclude(status=MatchStatus.DISMISSED)
    if kind == "demand":
        rows = rows.filter(demand=listing).exclude(demand_rank=None).order_by("demand_rank")
    else:
        # Its own list and the demands whose lists it is in (a demand published since the
        # nightly rematch is there through its list), best first.
        rows = rows.filter(ON_A_LIST, achievement=listing).order_by("-score", "demand_id")
    rows = rows.select_related("demand", "achievement")[:limit]
    other_kind = "achievement" if kind == "demand" else "demand"
    # The other kind's pages are looked up once, not once a match.
    other_url = listing_detail_url(other_kind)
    out = []
    for match in rows:
        other = match.achievement if kind == "demand" else match.demand
        if other.status != "published":
            continue
        explanation = Explanation.from_dict(match.explanation)
        out.append(
            {
                "match": match,
                "other": other,
                # A plain link: following it writes nothing. A party records "viewed" by
                # opening it through `open_url`, a POST (see matching/_match.html).
                "url": other_url(other.pk),
                "open_url": reverse("matching:open", args=[match.pk, other_kind]),
                "reasons": explanation.as_text(),
                "criteria": [
                    {
                        "label": CRITERION_LABELS.get(c.name, c.name),
                        "status": STATUS_LABELS.get(c.status, c.status),
                        "contribution": c.contribution,
                    }
                    for c in explanation.criteria
                ],
                "can_act": may_give_feedback(match, user),
            }
        )
    return out


CRITERION_LABELS = {
    "text": gettext_lazy("文本相关度"),
    "field": gettext_lazy("技术领域"),
    "industry": gettext_lazy("行业"),
    "maturity": gettext_lazy("成熟度"),
    "price": gettext_lazy("价格与预算"),
    "modes": gettext_lazy("合作方式"),
    "region": gettext_lazy("地区"),
    "freshness": gettext_lazy("发布时间"),
}
STATUS_LABELS = {
    "met": gettext_lazy("满足"),
    "missed": gettext_lazy("不满足"),
    "unknown": gettext_lazy("信息不全"),
}


# Dismissed matches (已移除的匹配)


def dismissed_matches(kind: str, listing):
    """A listing's dismissed matches, most recently dismissed first, with the listing on
    the other side and who dismissed them: what its people may restore."""
    side = {"demand": listing} if kind == "demand" else {"achievement": listing}
    return (
        Match.objects.filter(status=MatchStatus.DISMISSED, **side)
        .select_related("demand", "achievement", "dismissed_by")
        .order_by("-dismissed_at", "-pk")
    )


def dismissed_match_count(kind: str, listing, user) -> int | None:
    """How many of a listing's matches were dismissed, for the people who act for it (None
    for anyone else, who is not shown the link to them)."""
    if not may_act_for_listing(kind, listing, user):
        return None
    return dismissed_matches(kind, listing).count()
