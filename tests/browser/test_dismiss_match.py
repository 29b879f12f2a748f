"""Dismissing a match in a real browser: the owner sees what happened, undoes it, and
restores a match from the listing's dismissed list (issue 11). Screenshots land in
test-artifacts/browser/."""

import pytest
from django.urls import reverse

from matching import services
from matching.choices import MatchStatus
from matching.models import Match
from tests.factories import AchievementFactory, DemandFactory
from tests.matching.conftest import BATTERY, NEED, published

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"


def login(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def match(university, enterprise):
    published(AchievementFactory, owner=university, **BATTERY)
    demand = published(DemandFactory, owner=enterprise, **NEED)
    services.rematch_all()
    return Match.objects.get(demand=demand, demand_rank=1)


def dismiss(page, match):
    row = page.locator(f"#match-{match.pk}")
    row.get_by_label("忽略原因").select_option(label="价格不合适")
    row.get_by_role("button", name="忽略").click()


def test_owner_dismisses_undoes_and_restores_from_the_dismissed_list(
    page, match, enterprise_user, screenshot
):
    removed = f"已移除匹配“{BATTERY['title']}”。"
    restored = f"已恢复匹配“{BATTERY['title']}”。"
    login(page, enterprise_user.username)
    page.goto(reverse("listings:detail", args=["demand", match.demand_id]))
    row = page.locator(f"#match-{match.pk}")
    row.get_by_text(BATTERY["title"], exact=True).wait_for()

    # Dismissed: the match gives way to a notice saying which one went, with an undo.
    dismiss(page, match)
    page.get_by_text(removed).wait_for()
    assert row.get_by_role("button", name="标记已联系").count() == 0
    assert page.get_by_role("link", name="已移除的匹配 (1)").is_visible()
    screenshot(page, "dismiss-1-removed-with-undo")
    assert Match.objects.get(pk=match.pk).status == MatchStatus.DISMISSED

    # Undo: the match is back in its place.
    row.get_by_role("button", name="撤销").click()
    page.get_by_text(restored).wait_for()
    assert row.get_by_role("button", name="标记已联系").is_visible()
    assert row.get_by_text(BATTERY["title"], exact=True).is_visible()
    assert page.get_by_role("link", name="已移除的匹配 (1)").count() == 0
    screenshot(page, "dismiss-2-undone")
    assert Match.objects.get(pk=match.pk).status == MatchStatus.VIEWED

    # Dismissed again, then restored from the listing's dismissed matches.
    dismiss(page, match)
    page.get_by_text(removed).wait_for()
    page.get_by_role("link", name="已移除的匹配 (1)").click()
    page.get_by_role("heading", name="已移除的匹配", level=1).wait_for()
    listed = page.locator(f"#dismissed-{match.pk}")
    assert listed.get_by_role("link", name=BATTERY["title"]).is_visible()
    assert listed.get_by_text("价格不合适").is_visible()
    assert listed.get_by_text(str(enterprise_user)).is_visible()
    screenshot(page, "dismiss-3-dismissed-list")
    listed.get_by_role("button", name="恢复").click()
    page.get_by_text(restored).wait_for()
    page.get_by_text("没有已移除的匹配。").wait_for()
    screenshot(page, "dismiss-4-restored-from-list")
    assert Match.objects.get(pk=match.pk).status == MatchStatus.VIEWED

    page.get_by_role("link", name=NEED["title"]).click()
    page.locator(f"#match-{match.pk}").get_by_role("button", name="标记已联系").wait_for()
