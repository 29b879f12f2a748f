"""我的发布 for an organisation holding many listings: each kind is paged on its own, with its
counts by state, in the same number of queries however many listings there are."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from listings.choices import ListingStatus
from listings.views import MINE_PAGE_SIZE
from tests.factories import AchievementFactory, DemandFactory

pytestmark = pytest.mark.django_db


def _titles(html: str, section: str) -> list[str]:
    part = html.split(f'id="mine-{section}"')[1].split("</section>")[0]
    return re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', part)


def test_each_kind_is_paged_on_its_own(client, university, university_user):
    total = MINE_PAGE_SIZE * 2 + 3
    for i in range(total):
        AchievementFactory(owner=university, title=f"成果{i:03d}", status=ListingStatus.DRAFT)
    DemandFactory(owner=university, title="需求甲", status=ListingStatus.DRAFT)
    client.force_login(university_user)
    url = reverse("listings:mine")

    first = client.get(url).content.decode()
    assert len(_titles(first, "achievement")) == MINE_PAGE_SIZE
    assert _titles(first, "demand") == ["需求甲"]
    assert "achievement_page=2" in first

    # The last page of achievements keeps the demands where they were.
    last = client.get(url, {"achievement_page": 3, "demand_page": 1}).content.decode()
    assert len(_titles(last, "achievement")) == 3
    assert _titles(last, "demand") == ["需求甲"]
    seen = set(_titles(first, "achievement")) | set(_titles(last, "achievement"))
    middle = client.get(url, {"achievement_page": 2}).content.decode()
    seen |= set(_titles(middle, "achievement"))
    assert len(seen) == total  # every listing on exactly one page

    # A page past the end or not a number shows a real page, not an error.
    assert client.get(url, {"achievement_page": "999"}).status_code == 200
    assert client.get(url, {"achievement_page": "x"}).status_code == 200


def test_counts_by_state(client, university, university_user):
    AchievementFactory.create_batch(2, owner=university, status=ListingStatus.DRAFT)
    AchievementFactory(owner=university, status=ListingStatus.SUBMITTED)
    client.force_login(university_user)
    html = client.get(reverse("listings:mine")).content.decode()
    part = html.split('id="mine-achievement"')[1].split("</section>")[0]
    assert "草稿 2" in part
    assert "待审核 1" in part
    assert "共 3 项" in part


def test_query_count_does_not_grow_with_the_listings(
    client, university, university_user, django_assert_max_num_queries
):
    client.force_login(university_user)
    url = reverse("listings:mine")
    AchievementFactory.create_batch(2, owner=university)
    DemandFactory.create_batch(2, owner=university)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    AchievementFactory.create_batch(MINE_PAGE_SIZE * 2, owner=university)
    DemandFactory.create_batch(MINE_PAGE_SIZE * 2, owner=university)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
