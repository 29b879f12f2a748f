"""Matches on listing pages: the reasons in plain Chinese, and feedback from the people who
can act on them; live notifications of new matches over the websocket."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from listings.locations import listing_url
from market.asgi import application
from market.models import TransitionLog
from matching import services
from matching.choices import MatchStatus
from matching.models import Match
from tests.matching.conftest import BATTERY, NEED

pytestmark = pytest.mark.django_db


def detail(kind, pk):
    return reverse("listings:detail", args=[kind, pk])


@pytest.fixture
def matched(market_data):
    services.rematch_all()
    market_data["match"] = Match.objects.get(demand=market_data["demand"], demand_rank=1)
    return market_data


def test_demand_page_shows_its_matches_with_reasons(client, matched):
    page = client.get(detail("demand", matched["demand"].pk)).content.decode()
    assert "匹配的科技成果" in page
    assert BATTERY["title"] in page
    for reason in (
        "领域一致",
        "成熟度满足 (TRL 6 ≥ 5)",
        "价格在预算内",
        "关键词: 正极材料、锂离子电池",
    ):
        assert reason in page
    # and each criterion's contribution, summing to the score
    assert "得分明细" in page and "文本相关度" in page
    # visitors see the reasons, not the feedback buttons
    assert "标记已联系" not in page


def test_achievement_page_lists_the_demands_it_could_serve(client, matched):
    page = client.get(detail("achievement", matched["battery"].pk)).content.decode()
    assert "可对接的技术需求" in page
    assert NEED["title"] in page


def view_logs(match):
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Match), object_id=match.pk
    )


def test_owner_sees_feedback_buttons_and_opening_a_match_counts_as_viewed(
    client, matched, enterprise_user
):
    client.force_login(enterprise_user)
    page = client.get(detail("demand", matched["demand"].pk)).content.decode()
    assert "标记已联系" in page and "忽略原因" in page
    open_url = reverse("matching:open", args=[matched["match"].pk, "achievement"])
    # the party opens the match with a form button (a POST), not a link
    assert f'<form method="post" action="{open_url}"' in page
    assert f'href="{open_url}"' not in page
    response = client.post(open_url)
    assert response.status_code == 302
    assert response["Location"].endswith(detail("achievement", matched["battery"].pk))
    matched["match"].refresh_from_db()
    assert matched["match"].status == MatchStatus.VIEWED
    # opening it again is not news: one "viewed", one audit row
    client.post(open_url)
    assert list(view_logs(matched["match"]).values_list("transition", "by")) == [
        ("view", enterprise_user.pk)
    ]
    page = client.get(detail("demand", matched["demand"].pk)).content.decode()
    assert '<span class="tag">已查看</span>' in page


def test_a_get_to_the_open_address_writes_nothing(client, matched, enterprise_user):
    """Any site could point an image tag at it: a GET neither marks the match viewed nor
    writes the audit log, even when the visitor is a party to the match."""
    client.force_login(enterprise_user)
    response = client.get(reverse("matching:open", args=[matched["match"].pk, "achievement"]))
    assert response.status_code == 405
    matched["match"].refresh_from_db()
    assert matched["match"].status == MatchStatus.SUGGESTED
    assert not view_logs(matched["match"]).exists()


def test_a_visitor_follows_a_plain_link_to_the_matched_listing(client, matched):
    page = client.get(detail("demand", matched["demand"].pk)).content.decode()
    link = listing_url("achievement", matched["battery"].pk)
    assert f'<a href="{link}">{BATTERY["title"]}</a>' in page
    assert reverse("matching:open", args=[matched["match"].pk, "achievement"]) not in page


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_match_states_are_shown_to_the_parties_only(
    client, matched, enterprise_user, outsider, who
):
    services.match_feedback(match=matched["match"], actor=enterprise_user, action="contact")
    if who == "outsider":
        client.force_login(outsider)
    page = client.get(detail("demand", matched["demand"].pk)).content.decode()
    assert BATTERY["title"] in page
    assert "已联系" not in page
    client.force_login(enterprise_user)
    page = client.get(detail("demand", matched["demand"].pk)).content.decode()
    assert '<span class="tag">已联系</span>' in page


def test_an_outsider_opening_a_match_changes_nothing(client, matched, outsider):
    client.force_login(outsider)
    client.post(reverse("matching:open", args=[matched["match"].pk, "achievement"]))
    matched["match"].refresh_from_db()
    assert matched["match"].status == MatchStatus.SUGGESTED
    assert not view_logs(matched["match"]).exists()
    response = client.post(reverse("matching:act", args=[matched["match"].pk, "contact"]))
    assert response.status_code == 302
    matched["match"].refresh_from_db()
    assert matched["match"].status == MatchStatus.SUGGESTED


def test_dismissing_needs_a_reason_then_removes_the_match_from_the_page(
    client, matched, enterprise_user
):
    client.force_login(enterprise_user)
    url = reverse("matching:act", args=[matched["match"].pk, "dismiss"])
    page = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "请选择忽略的原因" in page
    matched["match"].refresh_from_db()
    assert matched["match"].status == MatchStatus.SUGGESTED
    page = client.post(url, {"reason": "price"}, follow=True).content.decode()
    assert f"已移除匹配“{BATTERY['title']}”。" in page
    matched["match"].refresh_from_db()
    assert (matched["match"].status, matched["match"].dismiss_reason) == ("dismissed", "price")
    page = client.get(detail("demand", matched["demand"].pk)).content.decode()
    assert f'id="match-{matched["match"].pk}"' not in page


def test_contact_over_htmx_returns_the_updated_entry(client, matched, enterprise_user):
    client.force_login(enterprise_user)
    response = client.post(
        reverse("matching:act", args=[matched["match"].pk, "contact"]),
        {"kind": "demand"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<li class="match" id="match-{matched["match"].pk}"')
    assert "已联系" in html and "标记已成交" in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_match_arrives_live_over_the_websocket(
    client, market_data, enterprise_user, operator
):
    from listings import services as listing_services
    from listings.choices import ListingStatus
    from tests.factories import DemandFactory

    services.rematch_all()
    demand = DemandFactory(
        owner=market_data["demand"].owner, status=ListingStatus.SUBMITTED, **NEED
    )
    client.force_login(enterprise_user)
    headers = [
        (b"origin", b"http://127.0.0.1:8000"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
        assert (await communicator.connect(timeout=10))[0]
        try:
            await sync_to_async(listing_services.listing_approve)(listing=demand, actor=operator)
            messages = [await communicator.receive_json_from(timeout=10)]
            while not await communicator.receive_nothing(timeout=0.5):
                messages.append(await communicator.receive_json_from(timeout=1))
        finally:
            await communicator.disconnect()
        return messages

    messages = async_to_sync(scenario)()
    titles = [
        m["notification"]["title"] for m in messages if m["notification"]["verb"] == "match.new"
    ]
    assert any(BATTERY["title"] in t for t in titles)


def test_a_person_sets_their_threshold_and_turns_the_digest_off(client, enterprise_user):
    from matching.models import MatchPreference

    client.force_login(enterprise_user)
    url = reverse("matching:preferences")
    assert "提醒阈值" in client.get(url).content.decode()
    bad = client.post(url, {"notify_threshold": "5"}).content.decode()
    assert 'class="errorlist"' in bad and not MatchPreference.objects.exists()
    page = client.post(url, {"notify_threshold": "0.8"}, follow=True).content.decode()
    assert "提醒设置已保存" in page
    pref = MatchPreference.objects.get(user=enterprise_user)
    assert (pref.notify_threshold, pref.daily_digest) == (0.8, False)
