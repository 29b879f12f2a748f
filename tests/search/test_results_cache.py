"""The embedded backend keeps its answers until the kind's documents change: a repeated
query asks the database nothing, and a listing indexed, edited or withdrawn is in (or out
of) the very next answer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from listings import services as listing_services
from search.contract import SearchQuery
from search.services import search, search_index_listing
from tests.factories import AchievementFactory
from tests.search.conftest import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded_only(settings):
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a commit would: the listing's search sync."""
    return django_capture_on_commit_callbacks


def index(listing):
    search_index_listing(kind="achievement", listing_id=listing.pk)


def run(**kwargs):
    return search(SearchQuery.clean(**kwargs))


def titles(results):
    return [h.title for h in results.hits]


def test_a_repeated_query_asks_the_database_nothing(embedded_only, university, committed):
    index(published(AchievementFactory, title="锂离子电池正极材料的制备方法", owner=university))
    first = run(q="正极材料")
    with CaptureQueriesContext(connection) as again:
        second = run(q="正极材料")
    assert again.captured_queries == []
    assert titles(second) == titles(first) == ["锂离子电池正极材料的制备方法"]
    # Another page, sort or filter is another answer, asked afresh.
    with CaptureQueriesContext(connection) as other:
        run(q="正极材料", sort="newest")
    assert other.captured_queries


def test_new_edited_and_withdrawn_listings_show_at_once(
    embedded_only, university, university_user, committed
):
    assert titles(run(q="正极材料")) == []
    battery = published(AchievementFactory, title="锂离子电池正极材料的制备方法", owner=university)
    index(battery)
    assert titles(run(q="正极材料")) == ["锂离子电池正极材料的制备方法"]

    with committed(execute=True):
        listing_services.listing_update(
            listing=battery, actor=university_user, title="钠离子电池正极材料的制备方法"
        )
    assert titles(run(q="正极材料")) == ["钠离子电池正极材料的制备方法"]

    with committed(execute=True):
        listing_services.listing_close(listing=battery, actor=university_user)
    assert titles(run(q="正极材料")) == []


def test_each_reader_keeps_their_own_notices(embedded_only, university, committed):
    index(published(AchievementFactory, title="锂离子电池正极材料的制备方法", owner=university))
    # An unknown sort is told, and answered as relevance: the same answer as a plain query.
    told = run(q="正极材料", sort="bogus")
    plain = run(q="正极材料")
    assert "未知的排序方式" in told.notice
    assert plain.notice is None
    assert titles(told) == titles(plain)
