"""An edit of a listing in Wagtail's admin goes through the listing service, so it reaches
what the owner's edit reaches: the search index and the match lists. The market's
administrator edits there; operators only browse listings in the admin."""

import pytest
from django.urls import reverse

from listings.choices import ListingStatus
from matching import services as matching_services
from search import services as search_services
from search.contract import SearchQuery
from search.models import SearchDocument
from tests.factories import AchievementFactory, DemandFactory
from tests.matching.conftest import BATTERY, NEED, ROAD, demand_list, published

pytestmark = pytest.mark.django_db

BETTER_TITLE = "锂离子电池正极材料循环寿命提升技术"


def edit_form(listing, **changes):
    """The admin's edit form as the operator would send it, with `changes` typed in."""
    data = {
        "title": listing.title,
        "summary": listing.summary,
        "description": listing.description,
        "field": listing.field,
        "industry": listing.industry,
        "keywords": "，".join(listing.keywords),
        "region_code": listing.region_code,
        "trl": listing.trl,
        "maturity": listing.maturity,
        "transfer_modes": [m.pk for m in listing.transfer_modes.all()],
        "price_negotiable": "on" if listing.price_negotiable else "",
        "asking_price": listing.asking_price or "",
        "inventors": listing.inventors,
        "advantage": listing.advantage,
        "economics": listing.economics,
        "contact_name": listing.contact_name,
        "contact_phone": listing.contact_phone,
        "contact_email": listing.contact_email,
        "ref": listing.ref,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_url(listing):
    return reverse("wagtailsnippets_listings_achievement:edit", args=[listing.pk])


@pytest.fixture
def achievements(university, enterprise):
    battery = published(AchievementFactory, owner=university, **BATTERY)
    road = published(AchievementFactory, owner=university, **ROAD)
    demand = published(DemandFactory, owner=enterprise, **NEED)
    return battery, road, demand


def test_admin_edit_reaches_search_and_matches(
    client, superuser, achievements, settings, django_capture_on_commit_callbacks
):
    battery, road, demand = achievements
    settings.MATCHING_LIST_SIZE = 1
    # The embedded index: the edit reaches it through the same sync that writes
    # Elasticsearch, whose own path tests/search covers on a session-prefixed index.
    settings.ELASTICSEARCH_URL = ""
    search_services.search_reindex(kind="achievement")
    matching_services.rematch_all()
    assert demand_list(demand) == [battery.pk]

    client.force_login(superuser)
    changes = {
        "title": BETTER_TITLE,
        "description": NEED["description"] + BATTERY["description"],
        "field": BATTERY["field"],
        "keywords": "，".join(BATTERY["keywords"]),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(road), edit_form(road, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == reverse("wagtailsnippets_listings_achievement:list"), response.url

    road.refresh_from_db()
    assert road.title == BETTER_TITLE
    assert road.status == ListingStatus.PUBLISHED
    document = SearchDocument.objects.get(kind="achievement", listing_id=road.pk)
    assert document.title == BETTER_TITLE
    hits = search_services.search(SearchQuery.clean(q="循环寿命提升")).hits
    assert [hit.title for hit in hits] == [BETTER_TITLE]
    assert demand_list(demand) == [road.pk]


def test_admin_edit_that_breaks_a_rule_is_refused_with_the_reason(client, superuser, achievements):
    _battery, road, _demand = achievements
    client.force_login(superuser)
    response = client.post(edit_url(road), edit_form(road, title="新标题", keywords="一" * 31))
    assert response.status_code == 200
    assert "每个关键词不超过30个字" in response.content.decode()
    road.refresh_from_db()
    assert road.title == ROAD["title"]


def test_operator_may_browse_but_not_edit_a_listing_in_admin(client, operator, achievements):
    _battery, road, _demand = achievements
    client.force_login(operator)
    response = client.post(edit_url(road), edit_form(road, title="改过的标题"))
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    road.refresh_from_db()
    assert road.title == ROAD["title"]
