"""Stored matches: computed after commit, folded in as listings change, with feedback,
per-market weights and notifications. Real database, real engine, real task backend."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from brokers.services import deal_open_from_match, demand_assign_broker
from listings import services as listing_services
from listings.choices import ListingStatus
from market.models import Notification, TransitionLog
from matching import selectors, services
from matching.choices import MatchStatus
from matching.explain import Explanation
from matching.models import Match, MatchPreference
from tests.factories import AchievementFactory, BrokerFactory, DemandFactory, OrganizationFactory
from tests.matching.conftest import BATTERY, NEED, demand_list, published

pytestmark = pytest.mark.django_db


def test_rematch_all_stores_each_demand_list_with_its_explanation(market_data):
    result = services.rematch_all()
    demand = market_data["demand"]
    assert result.demands == 1
    assert demand_list(demand)[0] == market_data["battery"].pk
    # nothing in common is no match at all
    assert market_data["road"].pk not in demand_list(demand)
    top = Match.objects.get(demand=demand, demand_rank=1)
    assert top.market_id == demand.market_id
    text = Explanation.from_dict(top.explanation).as_text()
    assert "领域一致" in text
    assert "成熟度满足 (TRL 6 ≥ 5)" in text
    assert "价格在预算内" in text
    assert "正极材料" in text


def test_rematch_all_twice_keeps_the_same_rows_and_their_first_suggestion_time(market_data):
    services.rematch_all()
    first = Match.objects.get(demand=market_data["demand"], demand_rank=1)
    again = services.rematch_all()
    assert again.created == []
    second = Match.objects.get(demand=market_data["demand"], demand_rank=1)
    assert second.created_at == first.created_at
    assert second.achievement_id == first.achievement_id


def test_publishing_a_demand_computes_its_list_after_commit(
    market_data, enterprise, operator, django_capture_on_commit_callbacks
):
    services.rematch_all()
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED, **NEED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        listing_services.listing_approve(listing=demand, actor=operator)
    assert demand_list(demand) == []  # nothing happens inside the transaction
    for callback in callbacks:
        callback()
    assert demand_list(demand)[0] == market_data["battery"].pk


def test_publishing_an_achievement_folds_it_into_the_lists_it_beats(
    market_data, university, operator, settings, django_capture_on_commit_callbacks
):
    settings.MATCHING_LIST_SIZE = 1
    services.rematch_all()
    demand = market_data["demand"]
    assert demand_list(demand) == [market_data["battery"].pk]
    better = AchievementFactory(
        owner=university,
        status=ListingStatus.SUBMITTED,
        **{
            **BATTERY,
            "title": "锂离子电池正极材料循环寿命提升技术",
            "description": NEED["description"] + BATTERY["description"],
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_approve(listing=better, actor=operator)
    assert demand_list(demand) == [better.pk]
    # the displaced pair leaves the demand's list; it stays only as the first entry of the
    # battery achievement's own list (that demand is still the best it could serve)
    row = Match.objects.get(achievement=market_data["battery"])
    assert (row.demand_id, row.demand_rank, row.achievement_rank) == (demand.pk, None, 1)


def test_closing_an_achievement_takes_it_off_lists_and_refills_them(
    market_data, university_user, settings, django_capture_on_commit_callbacks
):
    settings.MATCHING_LIST_SIZE = 1
    runner_up = published(
        AchievementFactory,
        owner=market_data["battery"].owner,
        **{**BATTERY, "title": "三元正极材料", "keywords": []},
    )
    services.rematch_all()
    demand = market_data["demand"]
    assert demand_list(demand) == [market_data["battery"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_close(listing=market_data["battery"], actor=university_user)
    assert demand_list(demand) == [runner_up.pk]


def test_closing_a_demand_drops_its_suggestions_but_keeps_feedback(
    market_data, enterprise_user, django_capture_on_commit_callbacks
):
    services.rematch_all()
    demand = market_data["demand"]
    contacted = Match.objects.get(demand=demand, demand_rank=1)
    services.match_feedback(match=contacted, actor=enterprise_user, action="contact")
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_close(listing=demand, actor=enterprise_user)
    rows = Match.objects.filter(demand=demand)
    assert [(m.pk, m.demand_rank, m.status) for m in rows] == [
        (contacted.pk, None, MatchStatus.CONTACTED)
    ]


def test_feedback_is_recorded_with_who_and_why(market_data, enterprise_user):
    services.rematch_all()
    match = Match.objects.get(demand=market_data["demand"], demand_rank=1)
    match = services.match_feedback(match=match, actor=enterprise_user, action="view")
    assert match.status == MatchStatus.VIEWED
    with pytest.raises(ValidationError) as err:
        services.match_feedback(match=match, actor=enterprise_user, action="dismiss")
    assert "原因" in err.value.messages[0]
    match = services.match_feedback(
        match=match, actor=enterprise_user, action="dismiss", reason="price", note="太贵"
    )
    assert (match.status, match.dismiss_reason, match.dismiss_note) == (
        MatchStatus.DISMISSED,
        "price",
        "太贵",
    )
    log = TransitionLog.objects.filter(object_id=match.pk, transition="dismiss").get()
    assert (log.by, log.from_state, log.to_state) == (enterprise_user, "viewed", "dismissed")


def test_a_dismissed_match_stays_off_the_list_after_rematch(market_data, enterprise_user):
    services.rematch_all()
    demand = market_data["demand"]
    match = Match.objects.get(demand=demand, demand_rank=1)
    services.match_feedback(match=match, actor=enterprise_user, action="dismiss", reason="price")
    services.rematch_all()
    match.refresh_from_db()
    assert match.status == MatchStatus.DISMISSED
    assert match.demand_rank is None
    assert market_data["battery"].pk not in demand_list(demand)


def test_feedback_from_an_outsider_or_in_the_wrong_state_is_refused(
    market_data, enterprise_user, outsider
):
    services.rematch_all()
    match = Match.objects.get(demand=market_data["demand"], demand_rank=1)
    with pytest.raises(PermissionDenied):
        services.match_feedback(match=match, actor=outsider, action="contact")
    with pytest.raises(ValidationError):
        services.match_feedback(match=match, actor=enterprise_user, action="follow_deal")
    with pytest.raises(ValidationError):
        services.match_feedback(match=match, actor=enterprise_user, action="delete")
    match.refresh_from_db()
    assert match.status == MatchStatus.SUGGESTED


def test_the_achievement_side_and_the_assigned_broker_may_give_feedback(
    market_data, university_user, enterprise
):
    services.rematch_all()
    demand = market_data["demand"]
    broker = BrokerFactory(
        institution=OrganizationFactory(kind="transfer_institution", market=enterprise.market),
        fields=["new_materials"],
    )
    assignment = demand_assign_broker(demand=demand)
    assert assignment.broker == broker
    match = Match.objects.get(demand=demand, demand_rank=1)
    match = services.match_feedback(match=match, actor=university_user, action="contact")
    deal = deal_open_from_match(match=match, actor=broker.user)
    match.refresh_from_db()
    assert match.status == MatchStatus.DEAL
    assert deal.match == match and deal.buyer == demand.owner
    assert [r.broker for r in deal.deal_brokers.all()] == [broker]


def test_market_weights_are_bounded_and_operator_only(market_data, operator, enterprise_user):
    market = market_data["demand"].market
    with pytest.raises(PermissionDenied):
        services.match_settings_update(market=market, actor=enterprise_user, maturity=0.2)
    with pytest.raises(ValidationError) as err:
        services.match_settings_update(market=market, actor=operator, maturity=0.9)
    assert "maturity" in err.value.message_dict
    obj = services.match_settings_update(market=market, actor=operator, maturity=0.3)
    assert services.market_weights([market.pk])[market.pk].maturity == 0.3
    assert obj.updated_by == operator


def test_a_markets_weights_change_its_scores_once_saved(
    market_data, operator, django_capture_on_commit_callbacks
):
    services.rematch_all()
    demand = market_data["demand"]
    before = Match.objects.get(demand=demand, demand_rank=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.match_settings_update(
            market=demand.market, actor=operator, field=0.0, maturity=0.0
        )
    after = Match.objects.get(demand=demand, demand_rank=1)
    assert after.score < before.score
    expl = Explanation.from_dict(after.explanation)
    assert expl.criterion("field").contribution == 0.0


def test_saved_weights_are_announced_after_commit_and_a_failed_queue_is_only_logged(
    main_market, operator, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from matching import tasks
    from matching.signals import weights_changed

    sent = []

    def record(sender, market_id, **kwargs):
        sent.append(market_id)

    class QueueDown:
        def enqueue(self, market_id):
            raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "rematch_market", QueueDown())
    weights_changed.connect(record, dispatch_uid="test.weights_sent")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.match_settings_update(market=main_market, actor=operator, region=0.2)
            assert sent == []
    finally:
        weights_changed.disconnect(dispatch_uid="test.weights_sent")
    assert sent == [main_market.pk]
    assert services.market_weights([main_market.pk])[main_market.pk].region == 0.2
    assert f"could not queue the rematch of market {main_market.pk}" in caplog.text


def test_sub_market_uses_its_parents_weights_until_it_has_its_own(main_market, operator):
    from tests.factories import SubMarketFactory

    sub = SubMarketFactory(parent=main_market)
    services.match_settings_update(market=main_market, actor=operator, region=0.2)
    assert services.market_weights([sub.pk])[sub.pk].region == 0.2
    services.match_settings_update(market=sub, actor=operator, region=0.0)
    assert services.market_weights([sub.pk])[sub.pk].region == 0.0


def test_new_matches_above_threshold_notify_owners_once(
    market_data, enterprise_user, university_user, operator, django_capture_on_commit_callbacks
):
    MatchPreference.objects.create(user=university_user, notify_threshold=2.0)
    services.rematch_all()
    demand = DemandFactory(owner=enterprise_user.memberships.get().organization, **NEED)
    demand.status = ListingStatus.SUBMITTED
    demand.save()
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_approve(listing=demand, actor=operator)
    notes = Notification.objects.filter(verb="match.new")
    assert notes.filter(recipient=enterprise_user).count() >= 1
    first = notes.filter(recipient=enterprise_user).order_by("id").first()
    assert BATTERY["title"] in first.title
    assert "领域一致" in first.body
    assert first.url
    # above the university's own threshold of 2.0 nothing scores: it hears nothing
    assert not notes.filter(recipient=university_user).exists()
    count = notes.count()
    services.listing_rematch(kind="demand", pk=demand.pk)
    services.rematch_all(notify_owners=True)
    assert Notification.objects.filter(verb="match.new").count() == count


def test_listings_with_no_text_english_only_or_huge_text_are_matched_without_error(
    market_data, enterprise, university
):
    english = published(
        DemandFactory,
        owner=enterprise,
        title="Lithium battery cathode material",
        description="We need a high-nickel cathode for lithium-ion batteries.",
        keywords=[],
    )
    published(
        AchievementFactory,
        owner=university,
        title="High-nickel cathode material for lithium-ion batteries",
        description="Co-precipitation synthesis of NCM cathode.",
        keywords=[],
    )
    huge = published(
        DemandFactory, owner=enterprise, title="电池", description="锂离子电池正极材料。" * 5000
    )
    blank = published(
        DemandFactory,
        owner=enterprise,
        title="？？",
        description="……",
        keywords=[],
        expected_outcome="",
    )
    services.rematch_all()
    assert demand_list(english)  # English words match English words
    assert market_data["battery"].pk in demand_list(huge)
    assert demand_list(blank) == []


def test_rematch_command_reports_what_it_did(market_data, capsys):
    call_command("rematch", "--chunk-size", "1")
    out = capsys.readouterr()
    assert "1 demands and 3 achievements ranked" in out.out
    assert Match.objects.filter(demand=market_data["demand"]).exists()


def test_demands_without_matches_lists_the_ones_still_waiting(market_data, enterprise):
    waiting = published(
        DemandFactory,
        owner=enterprise,
        title="无关需求",
        description="……",
        keywords=[],
        expected_outcome="",
    )
    services.rematch_all()
    assert list(selectors.demands_without_matches()) == [waiting]


# Committed for real: the worker closes and reopens database connections between tasks.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_published_listing_is_rematched_by_the_worker_not_the_request(
    market_data, enterprise, operator, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "matching": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["matching"]},
    }
    from django_tasks_db.models import DBTaskResult

    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED, **NEED)
    listing_services.listing_approve(listing=demand, actor=operator)
    assert demand_list(demand) == []  # queued, not computed in the request
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command(
        "db_worker",
        "--backend",
        "matching",
        "--queue-name",
        "matching",
        "--batch",
        "--no-startup-delay",
    )
    assert demand_list(demand)[0] == market_data["battery"].pk
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_rematch_with_two_worker_processes_stores_the_same_lists(market_data, university):
    for n in range(6):
        published(
            AchievementFactory,
            owner=university,
            **{**BATTERY, "title": f"正极材料改性技术{n}", "trl": 3 + n, "keywords": []},
        )
    services.rematch_all()
    serial = list(Match.objects.order_by("demand_id", "demand_rank").values_list("achievement_id"))
    services.rematch_all(workers=2)
    forked = list(Match.objects.order_by("demand_id", "demand_rank").values_list("achievement_id"))
    assert forked == serial and len(serial) >= 5
