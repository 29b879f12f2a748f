"""Matching in the operators' back office: each market's weights, edited within bounds and
only by its operators, and the 匹配成效 dashboard of what people did with the matches."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from brokers.services import deal_open_from_match
from market.choices import OrganizationKind, Role
from matching import services
from matching.choices import DismissReason, MatchStatus
from matching.models import BOUNDS, Match, MatchSettings
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    DemandFactory,
    MembershipFactory,
    OrganizationFactory,
    SubMarketFactory,
    make_operator,
)
from tests.matching.conftest import BATTERY, NEED, published

pytestmark = pytest.mark.django_db

FEEDBACK_URL = "/admin/matching/"
WEIGHTS_URL = "/admin/matching/weights/"


@pytest.fixture
def sub_market_a(main_market):
    return SubMarketFactory(parent=main_market, name="武汉分市场")


@pytest.fixture
def sub_market_b(main_market):
    return SubMarketFactory(parent=main_market, name="襄阳分市场")


@pytest.fixture
def operator_a(operator_org, sub_market_a):
    return make_operator(operator_org, sub_market_a, name="武汉运营")


def admin_user_without_role(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def weights_post(**overrides) -> dict:
    """Every weight at its default, with some changed."""
    values = {name: MatchSettings._meta.get_field(name).default for name in BOUNDS}
    return {**values, **overrides}


def sidebar_names(client) -> set[str]:
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    props = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(.*?)</script>', page, re.S)
    modules = json.loads(props.group(1))["modules"]
    (main_menu,) = [m for m in modules if m["_type"] == "wagtail.sidebar.MainMenuModule"]
    return {item["_args"][0]["name"] for item in main_menu["_args"][0]}


# Weights


def test_weights_index_lists_only_the_operators_markets(
    client, operator_a, main_market, sub_market_a, sub_market_b
):
    client.force_login(operator_a)
    page = client.get(WEIGHTS_URL).content.decode()
    assert f'data-market="{sub_market_a.pk}"' in page
    assert f'data-market="{sub_market_b.pk}"' not in page
    assert f'data-market="{main_market.pk}"' not in page
    assert reverse("match_weights:edit", args=[sub_market_a.pk]) in page


def test_weights_main_market_operator_sees_every_market(
    client, operator, main_market, sub_market_a, sub_market_b
):
    client.force_login(operator)
    page = client.get(WEIGHTS_URL).content.decode()
    for market in (main_market, sub_market_a, sub_market_b):
        assert f'data-market="{market.pk}"' in page


def test_weights_edit_shows_each_fields_bounds(client, operator_a, sub_market_a):
    client.force_login(operator_a)
    page = client.get(reverse("match_weights:edit", args=[sub_market_a.pk])).content.decode()
    for name, (low, high) in BOUNDS.items():
        assert f'name="{name}"' in page
        assert f"取值范围 {low} – {high}" in page


def test_weights_edit_saves_through_the_service_and_records_who(client, operator_a, sub_market_a):
    client.force_login(operator_a)
    url = reverse("match_weights:edit", args=[sub_market_a.pk])
    response = client.post(url, weights_post(maturity=0.25, region=0.0), follow=True)
    assert response.redirect_chain[-1][0] == WEIGHTS_URL
    assert "已保存" in response.content.decode()
    saved = MatchSettings.objects.get(market=sub_market_a)
    assert (saved.maturity, saved.region, saved.updated_by) == (0.25, 0.0, operator_a)
    assert services.market_weights([sub_market_a.pk])[sub_market_a.pk].maturity == 0.25


def test_weights_edit_out_of_bounds_shows_the_range_and_saves_nothing(
    client, operator_a, sub_market_a
):
    low, high = BOUNDS["maturity"]
    client.force_login(operator_a)
    url = reverse("match_weights:edit", args=[sub_market_a.pk])
    response = client.post(url, weights_post(maturity=high + 0.5, region=0.0))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"允许范围：{low} – {high}" in page
    assert "匹配权重未保存" in page
    assert not MatchSettings.objects.filter(market=sub_market_a).exists()


def test_weights_edit_of_a_market_the_operator_does_not_run_is_refused(
    client, operator_a, sub_market_b
):
    client.force_login(operator_a)
    url = reverse("match_weights:edit", args=[sub_market_b.pk])
    refused = client.get(url)
    assert refused.status_code == 403
    assert f'href="{WEIGHTS_URL}">返回匹配权重</a>' in refused.content.decode()
    assert client.post(url, weights_post(region=0.0)).status_code == 403
    assert not MatchSettings.objects.filter(market=sub_market_b).exists()


def test_weights_pages_refuse_non_operators(client, outsider, sub_market_a):
    url = reverse("match_weights:edit", args=[sub_market_a.pk])
    client.force_login(outsider)
    assert client.get(WEIGHTS_URL).status_code == 302  # no admin access at all
    client.force_login(admin_user_without_role(outsider))
    assert client.get(WEIGHTS_URL).status_code == 403
    assert client.post(url, weights_post(region=0.0)).status_code == 403
    assert not MatchSettings.objects.exists()


def test_matching_menu_is_shown_to_operators_only(client, operator_a, outsider):
    client.force_login(operator_a)
    assert "matching" in sidebar_names(client)
    client.force_login(admin_user_without_role(outsider))
    assert "matching" not in sidebar_names(client)


# Feedback dashboard

# What the demand's people do with the first matches of market A, in order.
PLAN = [
    [("view", "")],
    [("contact", "")],
    [("contact", ""), ("deal", "")],
    [("dismiss", DismissReason.PRICE)],
    [("view", ""), ("dismiss", DismissReason.IMMATURE)],
]


@pytest.fixture
def matched(sub_market_a, sub_market_b):
    """Three battery achievements; two demands in market A, one in B; one demand in A that
    nothing matches. Matches computed by the real engine. One broker, who works the deal."""
    BrokerFactory(
        institution=OrganizationFactory(
            kind=OrganizationKind.TRANSFER_INSTITUTION, market=sub_market_a
        )
    )
    university = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, market=sub_market_a)
    for n, title in enumerate(
        ["高镍三元正极材料制备技术", "锂电池正极材料改性", "正极材料包覆工艺"]
    ):
        published(AchievementFactory, owner=university, **{**BATTERY, "title": title, "trl": 6 + n})
    enterprise_a = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, market=sub_market_a)
    enterprise_b = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, market=sub_market_b)
    editor_a = MembershipFactory(organization=enterprise_a, role=Role.ORG_ADMIN).user
    for title in ["正极材料循环寿命需求", "高镍正极材料需求"]:
        published(DemandFactory, owner=enterprise_a, **{**NEED, "title": title})
    published(DemandFactory, owner=enterprise_b, **{**NEED, "title": "襄阳正极材料需求"})
    waiting = published(
        DemandFactory,
        owner=enterprise_a,
        title="？？无从匹配",
        description="……",
        keywords=[],
        expected_outcome="",
    )
    services.rematch_all()
    return {"editor_a": editor_a, "waiting": waiting}


def row_html(page: str, key) -> str:
    match = re.search(rf'<tr data-market="{key}">(.*?)</tr>', page, re.S)
    assert match, f"no row for market {key}"
    return match.group(1)


def cell(row: str, attr: str, name: str) -> str:
    return re.search(rf'data-{attr}="{name}">\s*([^<]*?)\s*<', row).group(1)


def apply_plan(matches: list[Match], actor) -> None:
    for match, steps in zip(matches, PLAN, strict=False):
        for action, reason in steps:
            if action == "deal":  # the deal owns "deal"; the match follows it
                deal_open_from_match(match=match, actor=actor)
                continue
            match = services.match_feedback(match=match, actor=actor, action=action, reason=reason)


def test_feedback_dashboard_counts_what_people_did_per_market(
    client, operator_a, matched, sub_market_a, sub_market_b
):
    matches = list(Match.objects.filter(market=sub_market_a).order_by("pk"))
    assert len(matches) >= len(PLAN)
    apply_plan(matches, matched["editor_a"])
    statuses = list(Match.objects.filter(market=sub_market_a).values_list("status", flat=True))
    suggested = len(statuses)
    viewed = sum(s != MatchStatus.SUGGESTED for s in statuses)
    contacted = sum(s in (MatchStatus.CONTACTED, MatchStatus.DEAL) for s in statuses)
    deals = statuses.count(MatchStatus.DEAL)
    dismissed = statuses.count(MatchStatus.DISMISSED)
    reasons = [r for steps in PLAN for a, r in steps if a == "dismiss"]

    client.force_login(operator_a)
    response = client.get(FEEDBACK_URL)
    page = response.content.decode()
    assert response.status_code == 200
    row = row_html(page, sub_market_a.pk)
    assert cell(row, "count", "suggested") == str(suggested)
    assert cell(row, "count", "viewed") == str(viewed)
    assert cell(row, "count", "contacted") == str(contacted)
    assert cell(row, "count", "deals") == str(deals)
    assert cell(row, "count", "dismissed") == str(dismissed)
    assert cell(row, "rate", "viewed") == f"{viewed / suggested * 100:.1f}%"
    assert cell(row, "rate", "contacted") == f"{contacted / suggested * 100:.1f}%"
    assert cell(row, "rate", "deal") == f"{deals / suggested * 100:.1f}%"
    assert cell(row, "count", "waiting") == "1"
    reason_row = re.search(
        rf'<tr data-market="{sub_market_a.pk}">\s*<td>[^<]*</td>\s*<td data-reason.*?</tr>',
        page,
        re.S,
    ).group(0)
    for code in DismissReason.values:
        assert cell(reason_row, "reason", code) == str(reasons.count(code))
    # market B is someone else's
    assert f'data-market="{sub_market_b.pk}"' not in page
    assert "襄阳分市场" not in page
    # the demand nothing matches is listed
    assert matched["waiting"].title in page


def test_feedback_dashboard_draws_a_bar_per_market_of_the_status_mix(
    client, operator, matched, main_market, sub_market_a, sub_market_b
):
    matches = list(Match.objects.filter(market=sub_market_a).order_by("pk"))
    apply_plan(matches, matched["editor_a"])
    client.force_login(operator)
    page = client.get(FEEDBACK_URL).content.decode()
    chart = re.search(r'<ul class="chart-fallback" id="match-chart-list">.*?</ul>', page, re.S)
    bars = dict(re.findall(r'<li data-market="([^"]+)">(.*?)</li>', chart.group(0), re.S))
    blob = re.search(r'<script id="match-chart" type="application/json">(.*?)</script>', page, re.S)
    data = json.loads(blob.group(1))
    assert set(data["labels"]) == set(bars)
    deal_series = next(x for x in data["series"] if x["name"] == "已成交")
    assert (
        deal_series["values"][data["labels"].index(sub_market_a.name)]
        == Match.objects.filter(market=sub_market_a, status=MatchStatus.DEAL).count()
    )
    assert set(bars) == {main_market.name, sub_market_a.name, sub_market_b.name}
    deals = Match.objects.filter(market=sub_market_a, status=MatchStatus.DEAL).count()
    assert f"已成交 {deals}</span>" in bars[sub_market_a.name]
    assert 'data-status="dismissed"' in bars[sub_market_a.name]
    # nothing happened in B yet: its whole bar is still "suggested"
    assert re.findall(r'data-status="(\w+)"', bars[sub_market_b.name]) == ["suggested"]
    # no demand was filed with the main market itself, yet its bar is the whole network's
    assert "暂无匹配" not in bars[main_market.name]
    assert f"已成交 {deals}</span>" in bars[main_market.name]
    # the main market's row is the whole network added up, so no separate total repeats it
    main = row_html(page, main_market.pk)
    assert cell(main, "count", "suggested") == str(Match.objects.count())
    assert 'data-market="total"' not in page


def test_feedback_main_market_row_adds_up_its_sub_markets(
    client, operator, matched, main_market, sub_market_a, sub_market_b
):
    apply_plan(list(Match.objects.filter(market=sub_market_a).order_by("pk")), matched["editor_a"])
    # A demand filed with the main market itself counts in its row too.
    direct = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, market=main_market)
    published(DemandFactory, owner=direct, **{**NEED, "title": "省级正极材料需求"})
    services.rematch_all()
    assert Match.objects.filter(market=main_market).exists()
    client.force_login(operator)
    page = client.get(FEEDBACK_URL).content.decode()
    main = row_html(page, main_market.pk)
    everything = list(Match.objects.values_list("status", flat=True))
    assert cell(main, "count", "suggested") == str(len(everything))
    assert cell(main, "count", "viewed") == str(sum(s != MatchStatus.SUGGESTED for s in everything))
    assert cell(main, "count", "contacted") == str(
        sum(s in (MatchStatus.CONTACTED, MatchStatus.DEAL) for s in everything)
    )
    assert cell(main, "count", "deals") == str(everything.count(MatchStatus.DEAL))
    assert cell(main, "count", "dismissed") == str(everything.count(MatchStatus.DISMISSED))
    deal_rate = everything.count(MatchStatus.DEAL) / len(everything)
    assert cell(main, "rate", "deal") == f"{deal_rate * 100:.1f}%"
    assert cell(main, "count", "waiting") == "1"  # market A's unmatchable demand
    assert '<small data-covers="2">含下属 2 个分市场</small>' in main
    # each sub-market's row still counts only its own
    own_a = Match.objects.filter(market=sub_market_a).count()
    assert cell(row_html(page, sub_market_a.pk), "count", "suggested") == str(own_a)
    reason_rows = re.findall(
        rf'<tr data-market="{main_market.pk}">\s*<td>[^<]*</td>\s*(<td data-reason.*?)</tr>',
        page,
        re.S,
    )
    (reason_row,) = reason_rows
    assert cell(reason_row, "reason", DismissReason.PRICE) == "1"
    assert cell(reason_row, "reason", DismissReason.IMMATURE) == "1"


def test_feedback_of_two_sub_markets_keeps_their_total(
    client, operator_org, matched, sub_market_a, sub_market_b
):
    both = make_operator(operator_org, sub_market_a, name="两市运营")
    other_org = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=sub_market_b)
    MembershipFactory(user=both, organization=other_org, role=Role.OPERATOR, market=sub_market_b)
    client.force_login(both)
    page = client.get(FEEDBACK_URL).content.decode()
    total = row_html(page, "total")
    assert cell(total, "count", "suggested") == str(Match.objects.count())


def test_feedback_dashboard_refuses_non_operators(client, outsider, enterprise_user):
    client.force_login(outsider)
    assert client.get(FEEDBACK_URL).status_code == 302
    client.force_login(admin_user_without_role(enterprise_user))
    response = client.get(FEEDBACK_URL)
    assert response.status_code == 403
    body = response.content.decode()
    assert "只有市场运营人员可以查看和调整供需匹配。" in body
    assert f'href="{reverse("wagtailadmin_home")}">返回管理首页</a>' in body
