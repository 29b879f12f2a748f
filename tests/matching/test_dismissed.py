"""Dismissing a match says what happened and can be undone; a listing's dismissed matches
are listed for its people, who may restore them (issue 11)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from market.models import TransitionLog
from matching import services
from matching.choices import MatchStatus
from matching.models import Match
from tests.matching.conftest import BATTERY, NEED

pytestmark = pytest.mark.django_db


def detail(kind, pk):
    return reverse("listings:detail", args=[kind, pk])


def act(match, action):
    return reverse("matching:act", args=[match.pk, action])


def dismissed_page(kind, pk):
    return reverse("matching:dismissed", args=[kind, pk])


def logs(match, transition):
    return list(
        TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Match),
            object_id=match.pk,
            transition=transition,
        ).values_list("by", flat=True)
    )


@pytest.fixture
def matched(market_data):
    services.rematch_all()
    market_data["match"] = Match.objects.get(demand=market_data["demand"], demand_rank=1)
    return market_data


@pytest.fixture
def dismissed(matched, enterprise_user):
    services.match_feedback(
        match=matched["match"], actor=enterprise_user, action="dismiss", reason="price"
    )
    matched["match"].refresh_from_db()
    return matched


def test_dismissed_records_who_dismissed_and_when(dismissed, enterprise_user):
    match = dismissed["match"]
    assert match.status == MatchStatus.DISMISSED
    assert match.dismissed_by == enterprise_user
    assert match.dismissed_at is not None
    assert logs(match, "dismiss") == [enterprise_user.pk]


def test_dismissed_message_names_the_match_and_offers_an_undo_post(
    client, matched, enterprise_user
):
    client.force_login(enterprise_user)
    listing_page = detail("demand", matched["demand"].pk)
    response = client.post(
        act(matched["match"], "dismiss"), {"reason": "price", "next": listing_page}, follow=True
    )
    assert response.redirect_chain == [(listing_page, 302)]
    page = response.content.decode()
    assert f"已移除匹配“{BATTERY['title']}”。" in page
    assert f'<form method="post" action="{act(matched["match"], "restore")}"' in page
    assert "撤销</button>" in page
    assert f'id="match-{matched["match"].pk}"' not in page
    # the message is shown once
    assert "已移除匹配" not in client.get(listing_page).content.decode()


def test_dismissed_undo_puts_the_match_back(client, dismissed, enterprise_user):
    client.force_login(enterprise_user)
    listing_page = detail("demand", dismissed["demand"].pk)
    response = client.post(
        act(dismissed["match"], "restore"), {"next": listing_page, "kind": "demand"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain == [(listing_page, 302)]
    assert f"已恢复匹配“{BATTERY['title']}”。" in page
    assert f'id="match-{dismissed["match"].pk}"' in page
    match = Match.objects.get(pk=dismissed["match"].pk)
    assert (match.status, match.dismissed_by, match.dismissed_at) == (
        MatchStatus.VIEWED,
        None,
        None,
    )
    assert match.dismiss_reason == ""
    assert logs(match, "restore") == [enterprise_user.pk]


def test_dismissed_restore_twice_is_one_restore(client, dismissed, enterprise_user):
    client.force_login(enterprise_user)
    url = act(dismissed["match"], "restore")
    first = client.post(url, {"kind": "demand"})
    second = client.post(url, {"kind": "demand"}, follow=True)
    assert (first.status_code, second.redirect_chain[0][1]) == (302, 302)
    page = second.content.decode()
    assert "不能执行" not in page and "msg-error" not in page
    assert logs(dismissed["match"], "restore") == [enterprise_user.pk]
    assert Match.objects.get(pk=dismissed["match"].pk).status == MatchStatus.VIEWED


def test_dismissed_dismiss_twice_is_one_dismissal(client, matched, enterprise_user):
    client.force_login(enterprise_user)
    url = act(matched["match"], "dismiss")
    client.post(url, {"reason": "price"})
    page = client.post(url, {"reason": "price"}, follow=True).content.decode()
    assert "msg-error" not in page
    assert logs(matched["match"], "dismiss") == [enterprise_user.pk]


def test_dismissed_restore_is_post_only(client, dismissed, enterprise_user):
    client.force_login(enterprise_user)
    assert client.get(act(dismissed["match"], "restore")).status_code == 405
    assert Match.objects.get(pk=dismissed["match"].pk).status == MatchStatus.DISMISSED


def test_dismissed_restore_only_by_the_parties(client, dismissed, other_enterprise_user):
    client.force_login(other_enterprise_user)
    page = client.post(act(dismissed["match"], "restore"), follow=True).content.decode()
    assert '<li class="msg-error">您没有权限处理这条匹配。</li>' in page
    assert Match.objects.get(pk=dismissed["match"].pk).status == MatchStatus.DISMISSED
    assert logs(dismissed["match"], "restore") == []


def test_dismissed_list_shows_the_match_with_who_when_and_a_restore_button(
    client, dismissed, enterprise_user
):
    client.force_login(enterprise_user)
    demand = dismissed["demand"]
    listing_page = client.get(detail("demand", demand.pk)).content.decode()
    assert f'<a href="{dismissed_page("demand", demand.pk)}">已移除的匹配 (1)</a>' in listing_page
    page = client.get(dismissed_page("demand", demand.pk)).content.decode()
    assert "<h1>已移除的匹配</h1>" in page
    assert BATTERY["title"] in page and NEED["title"] in page
    assert "价格不合适" in page
    assert str(enterprise_user) in page
    assert timezone.localtime(dismissed["match"].dismissed_at).strftime("%Y-%m-%d") in page
    assert f'action="{act(dismissed["match"], "restore")}"' in page
    assert "恢复</button>" in page


def test_dismissed_list_restore_returns_to_the_list(client, dismissed, enterprise_user):
    client.force_login(enterprise_user)
    url = dismissed_page("demand", dismissed["demand"].pk)
    response = client.post(
        act(dismissed["match"], "restore"), {"next": url, "kind": "demand"}, follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert f"已恢复匹配“{BATTERY['title']}”。" in page
    assert "没有已移除的匹配。" in page
    listing_page = client.get(detail("demand", dismissed["demand"].pk)).content.decode()
    assert "已移除的匹配 (" not in listing_page


def test_dismissed_list_of_an_achievement(client, dismissed, university_user):
    client.force_login(university_user)
    page = client.get(dismissed_page("achievement", dismissed["battery"].pk)).content.decode()
    assert NEED["title"] in page
    assert "技术需求</th>" in page


def test_dismissed_list_is_for_the_listings_people_only(client, dismissed, other_enterprise_user):
    url = dismissed_page("demand", dismissed["demand"].pk)
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(other_enterprise_user)
    assert client.get(url).status_code == 403
    page = client.get(detail("demand", dismissed["demand"].pk)).content.decode()
    assert "已移除的匹配" not in page
    assert client.get(dismissed_page("nothing", dismissed["demand"].pk)).status_code == 404


def test_dismissed_over_htmx_leaves_a_notice_with_undo_in_the_match_place(
    client, matched, enterprise_user
):
    client.force_login(enterprise_user)
    match = matched["match"]
    listing_page = detail("demand", matched["demand"].pk)
    response = client.post(
        act(match, "dismiss"),
        {"reason": "price", "kind": "demand", "next": listing_page},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<li class="match match-removed" id="match-{match.pk}">')
    assert f"已移除匹配“{BATTERY['title']}”。" in html
    assert f'hx-post="{act(match, "restore")}" hx-target="#match-{match.pk}"' in html
    # the count beside the list follows, out of band
    assert 'id="dismissed-matches" hx-swap-oob="true">' in html
    assert "已移除的匹配 (1)" in html
    # the message was shown in place: not again on the next page
    assert "已移除匹配" not in client.get(listing_page).content.decode()
    # undo over htmx: the match is back in its place
    response = client.post(
        act(match, "restore"), {"kind": "demand", "next": listing_page}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.strip().startswith(f'<li class="match" id="match-{match.pk}">')
    assert f"已恢复匹配“{BATTERY['title']}”。" in html
    assert "标记已联系" in html
    assert 'id="dismissed-matches" hx-swap-oob="true" hidden>' in html
