"""What people read on the forms: required marks, one summary of the errors, and Chinese
(not code) for states and actions."""

import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from listings import services
from listings.choices import ListingStatus
from listings.models import Demand
from market.services import transition_apply
from matching import services as matching_services
from matching.models import Match
from tests.factories import DemandFactory
from tests.matching.conftest import market_data  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

REQUIRED = (
    '<span class="required-mark" aria-hidden="true">*</span>'
    '<span class="visually-hidden">（必填）</span>'
)


def labels(html: str) -> dict[str, str]:
    """Each label's or legend's text (the mark included), by the field it names."""
    found = {}
    for target, text in re.findall(r'<label for="id_(\w+)">(.*?)</label>', html):
        found[target] = text
    for text in re.findall(r"<legend>(.*?)</legend>", html):
        found[re.sub(r"<.*", "", text)] = text
    return found


def test_listing_form_marks_exactly_the_required_fields(client, enterprise_user):
    client.force_login(enterprise_user)
    html = client.get(reverse("listings:create", args=["demand"])).content.decode()
    found = labels(html)
    assert found["title"] == "标题" + REQUIRED
    assert found["region_code"] == "地区" + REQUIRED
    assert found["contact_name"] == "联系人" + REQUIRED
    assert found["合作方式"] == "合作方式" + REQUIRED
    assert found["summary"] == "摘要"
    assert found["keywords"] == "关键词"
    assert '带 <span class="required-mark" aria-hidden="true">*</span> 的为必填项。' in html


@pytest.mark.parametrize("url_name", ["login", "password_reset", "signup", "organization_register"])
def test_every_public_form_marks_its_required_fields(client, enterprise_user, url_name):
    if url_name == "organization_register":
        client.force_login(enterprise_user)
    html = client.get(reverse(url_name)).content.decode()
    assert REQUIRED in html


def test_errors_are_summed_up_at_the_top_with_links_to_the_fields(client, enterprise_user):
    client.force_login(enterprise_user)
    data = {
        "title": "",
        "description": "注塑件表面有缩痕。",
        "field": "advanced_manufacturing",
        "region_code": "武汉县",
        "contact_name": "王经理",
        "expected_outcome": "良品率提高到98%",
        "budget_negotiable": "on",
        "client_token": str(uuid.uuid4()),
    }
    response = client.post(reverse("listings:create", args=["demand"]), data)
    assert response.status_code == 200
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', html, re.S).group(0)
    assert "<h2>请修改以下 3 处错误</h2>" in summary
    assert re.findall(r'<a href="(#[\w]+)">(.*?)</a>', summary) == [
        ("#id_title", "标题：请填写“标题”。"),
        (
            "#id_region_code",
            "地区：找不到地区“武汉县”。请选择省、市、区县，或填写完整名称，如“湖北省武汉市”。",
        ),
        ("#id_modes_0", "合作方式：请至少选择一种合作方式。"),
    ]
    # The summary comes before the first field, and each link has its target.
    assert html.index("error-summary") < html.index('id="id_title"')
    assert 'id="id_modes_0"' in html
    assert Demand.objects.count() == 0


def test_login_errors_are_summed_up_too(client, enterprise_user):
    response = client.post(
        reverse("login"), {"username": enterprise_user.username, "password": "x"}
    )
    html = response.content.decode()
    assert "<h2>请修改以下 1 处错误</h2>" in html
    assert "请输入一个正确的" in html


def test_history_names_states_in_chinese(client, enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise, created_by=enterprise_user)
    services.listing_submit(listing=demand, actor=enterprise_user)
    client.force_login(enterprise_user)
    html = client.get(reverse("listings:detail", args=["demand", demand.pk])).content.decode()
    history = html[html.index("办理记录") :]
    assert "<td>草稿 → 待审核</td>" in history
    assert "draft" not in history and "submitted" not in history


def test_a_refused_listing_action_is_named_in_chinese(client, enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    client.force_login(enterprise_user)
    response = client.post(
        reverse("listings:action", args=["demand", demand.pk, "submit"]), follow=True
    )
    assert "当前状态为“待审核”，不能执行“提交审核”。" in response.content.decode()


def test_a_refused_match_action_is_named_in_chinese(market_data, enterprise_user):  # noqa: F811
    matching_services.rematch_all()
    match = Match.objects.get(demand=market_data["demand"], demand_rank=1)
    match = transition_apply(match, transition="contact", by=enterprise_user)
    with pytest.raises(ValidationError) as refused:
        transition_apply(match, transition="contact", by=enterprise_user)
    assert refused.value.messages == [
        "当前状态为“已联系”，不能执行“标记已联系”。页面可能已过期，请刷新后再试。"
    ]


def test_the_marks_summary_and_region_lists_read_in_english_too(client, enterprise_user):
    client.force_login(enterprise_user)
    client.cookies["django_language"] = "en"
    url = reverse("listings:create", args=["demand"])
    html = client.get(url).content.decode()
    assert '<span class="visually-hidden"> (required)</span>' in html
    assert "Fields marked" in html
    assert "&quot;pickProvince&quot;: &quot;Choose a province&quot;" in html
    response = client.post(url, {"client_token": str(uuid.uuid4())})
    html = response.content.decode()
    assert "<h2>Please correct the following 8 errors</h2>" in html
    assert '<a href="#id_title">Title: Please fill in “Title”.</a>' in html
    description = "Problem statement: Please fill in “Problem statement”."
    assert f'<a href="#id_description">{description}</a>' in html


def test_the_review_page_names_the_region(client, enterprise, operator):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED, region_code="420111")
    client.force_login(operator)
    html = client.get(reverse("review_queue:detail", args=["demand", demand.pk])).content.decode()
    assert "湖北省武汉市洪山区（420111）" in html
