"""An achievement's own list: its best demands by the same pair score, so that an
achievement in a crowded field, on no demand's list, still sees the demands it could
serve. Written by the full rematch and when the achievement changes; real database,
real engine."""

import pytest

from listings import services as listing_services
from listings.choices import ListingStatus
from listings.models import Demand
from matching import adapter, services
from matching.choices import MatchStatus
from matching.live import live_index
from matching.models import Match
from matching.selectors import match_audiences, matches_for_listing
from tests.factories import AchievementFactory, DemandFactory
from tests.matching.conftest import BATTERY, NEED, demand_list, published

pytestmark = pytest.mark.django_db


def own_list(achievement) -> list[int]:
    return list(
        Match.objects.filter(achievement=achievement)
        .exclude(achievement_rank=None)
        .order_by("achievement_rank")
        .values_list("demand_id", flat=True)
    )


@pytest.fixture
def crowded(market_data, university, enterprise, settings):
    """Lists of one: two battery demands both rank the same battery achievement first, so
    a second battery achievement is on no demand's list."""
    settings.MATCHING_LIST_SIZE = 1
    second_demand = published(
        DemandFactory,
        owner=enterprise,
        **{**NEED, "title": "高镍正极材料量产工艺需求", "keywords": ["高镍", "正极材料"]},
    )
    runner_up = published(
        AchievementFactory,
        owner=university,
        **{**BATTERY, "title": "正极材料包覆改性技术", "keywords": ["正极材料"]},
    )
    services.rematch_all()
    return {**market_data, "second_demand": second_demand, "runner_up": runner_up}


def test_an_achievement_on_no_demand_list_still_gets_its_best_demands(crowded, university_user):
    runner_up, battery = crowded["runner_up"], crowded["battery"]
    demands = (crowded["demand"], crowded["second_demand"])
    assert all(demand_list(d) == [battery.pk] for d in demands)
    mine = own_list(runner_up)
    assert len(mine) == 1 and mine[0] in {d.pk for d in demands}
    row = Match.objects.get(achievement=runner_up, achievement_rank=1)
    assert row.demand_rank is None
    assert row.status == MatchStatus.SUGGESTED
    assert row.explanation["criteria"]  # reasons, as for any match
    # The pair's score is the one the demand would give it: the demand as the query.
    record = adapter.records_by_pk("demand", [row.demand_id])[row.demand_id]
    again = live_index.current().explain(record, adapter.record_id("achievement", runner_up.pk))
    assert row.score == pytest.approx(again.score)
    # Its page shows that demand with its reasons.
    shown = matches_for_listing("achievement", runner_up, university_user)
    assert [m["other"].pk for m in shown] == mine
    assert shown[0]["reasons"]


def test_a_pair_only_on_the_achievement_list_is_news_to_the_achievement_side_only(
    crowded, university_user, enterprise_user
):
    row = Match.objects.select_related("demand", "achievement").get(
        achievement=crowded["runner_up"], achievement_rank=1
    )
    people = match_audiences([row])[row.pk]
    assert (university_user.pk, "demand") in people
    assert all(kind == "demand" for _u, kind in people)
    on_both = Match.objects.select_related("demand", "achievement").get(
        achievement=crowded["battery"], demand=crowded["demand"]
    )
    assert (enterprise_user.pk, "achievement") in match_audiences([on_both])[on_both.pk]


def test_publishing_an_achievement_gives_it_its_own_list_at_once(
    market_data, university, operator, django_capture_on_commit_callbacks
):
    services.rematch_all()
    new = AchievementFactory(
        owner=university, status=ListingStatus.SUBMITTED, **{**BATTERY, "title": "正极材料新工艺"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_approve(listing=new, actor=operator)
    assert own_list(new) == [market_data["demand"].pk]


def test_closing_an_achievement_empties_its_list_but_keeps_feedback(
    crowded, university_user, django_capture_on_commit_callbacks
):
    runner_up = crowded["runner_up"]
    row = Match.objects.get(achievement=runner_up, achievement_rank=1)
    services.match_feedback(match=row, actor=university_user, action="contact")
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_close(listing=runner_up, actor=university_user)
    row.refresh_from_db()
    assert (row.status, row.achievement_rank, row.demand_rank) == (
        MatchStatus.CONTACTED,
        None,
        None,
    )
    assert own_list(crowded["battery"])  # the others' lists are untouched


def test_closing_a_demand_takes_it_off_every_achievement_list(
    crowded, enterprise_user, django_capture_on_commit_callbacks
):
    demand = Match.objects.get(achievement=crowded["runner_up"], achievement_rank=1).demand
    runner_up = crowded["runner_up"]
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_close(listing=demand, actor=enterprise_user)
    assert not Match.objects.filter(demand=demand).exists()
    # The lists it was on are filled again from the demands still published.
    other = ({crowded["demand"].pk, crowded["second_demand"].pk} - {demand.pk}).pop()
    assert own_list(runner_up) == [other]


def test_a_dismissed_pair_stays_off_the_achievement_list(crowded, university_user):
    runner_up = crowded["runner_up"]
    row = Match.objects.get(achievement=runner_up, achievement_rank=1)
    services.match_feedback(match=row, actor=university_user, action="dismiss", reason="irrelevant")
    services.rematch_all()
    row.refresh_from_db()
    assert row.status == MatchStatus.DISMISSED and row.achievement_rank is None
    assert row.demand_id not in own_list(runner_up)
    assert own_list(runner_up)  # the other battery demand takes its place


def test_publishing_a_demand_enters_the_achievement_lists_it_makes_at_once(
    crowded, enterprise, operator, django_capture_on_commit_callbacks
):
    runner_up = crowded["runner_up"]
    before = own_list(runner_up)
    # A short demand for just what the runner-up offers (scores are relative to what the
    # demand asks for: every word of it is met).
    closer = DemandFactory(
        owner=enterprise,
        status=ListingStatus.SUBMITTED,
        **{
            **NEED,
            "title": "正极材料包覆改性",
            "description": "需要正极材料包覆改性技术。",
            "keywords": ["包覆改性", "正极材料"],
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_approve(listing=closer, actor=operator)
    assert own_list(runner_up) == [closer.pk] != before
    row = Match.objects.get(demand=closer, achievement=runner_up)
    assert row.explanation["criteria"] and row.achievement_rank == 1
    # The floor the worker keeps for that list is the list's new lowest score.
    index = live_index.current()
    at = index.row(adapter.record_id("achievement", runner_up.pk))
    assert live_index.own_floors()[at] == pytest.approx(row.score)
    # The pair it displaced, on no list and untouched, is gone.
    assert not Match.objects.filter(demand_id=before[0], achievement=runner_up).exists()


def test_editing_a_demand_away_from_an_achievement_ranks_its_list_again(
    crowded, enterprise_user, django_capture_on_commit_callbacks
):
    runner_up = crowded["runner_up"]
    (listed,) = own_list(runner_up)
    other = ({crowded["demand"].pk, crowded["second_demand"].pk} - {listed}).pop()
    demand = Demand.objects.get(pk=listed)
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_update(
            listing=demand,
            actor=enterprise_user,
            title="酸奶发酵菌种需求",
            description="需要高产乳酸菌株用于酸奶发酵。",
            keywords=["乳酸菌"],
        )
    assert own_list(runner_up) == [other]
