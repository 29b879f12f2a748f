"""One date format per language on the public pages: 2026年10月18日 in Chinese, 18 Oct 2026
in English, from the locale's DATE_FORMAT, never a mix of 2026-10-18 and 10/18/2026."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cms.site_builder import site_build
from listings.choices import ListingStatus
from search.services import search_reindex
from tests.factories import AchievementFactory, DemandFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PUBLISHED = datetime(2026, 10, 18, 10, 30, tzinfo=SHANGHAI)
EXPIRES = datetime(2027, 4, 16, 10, 30, tzinfo=SHANGHAI)
# Any other way of writing a date: ISO, slashes either way round, or Django's "Oct. 18, 2026".
OTHER_FORMATS = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,4}/\d{1,2}/\d{2,4}\b|\b[A-Z][a-z]{2}\.? \d{1,2}, \d{4}\b"
)


@pytest.fixture
def listings(main_market):
    site_build()
    achievement = AchievementFactory(
        status=ListingStatus.PUBLISHED,
        published_at=PUBLISHED,
        expires_at=EXPIRES,
        title="石墨烯导热膜",
    )
    demand = DemandFactory(
        status=ListingStatus.PUBLISHED,
        published_at=PUBLISHED,
        expires_at=EXPIRES,
        deadline=date(2027, 5, 31),
        title="寻求石墨烯散热方案",
    )
    for kind in ("achievement", "demand"):
        search_reindex(kind=kind)
    return achievement, demand


def visible(html: str) -> str:
    """The page without machine-readable dates (datetime attributes) and scripts."""
    html = re.sub(r'datetime="[^"]*"', "", html)
    return re.sub(r"<script.*?</script>", "", html, flags=re.S)


def pages(achievement, demand):
    return [
        "/achievements/",
        f"/achievements/{achievement.pk}/",
        "/demands/",
        f"/demands/{demand.pk}/",
        "/news/",
        "/news/window-standard/",
        "/search/?q=石墨烯",
        "/targets/listings/",
    ]


@pytest.mark.parametrize(
    ("language", "published", "expires", "deadline", "news"),
    [
        ("zh-hans", "2026年10月18日", "2027年4月16日", "2027年5月31日", "2026年5月6日"),
        ("en", "18 Oct 2026", "16 Apr 2027", "31 May 2027", "6 May 2026"),
    ],
)
def test_one_date_format_per_language(
    client, listings, language, published, expires, deadline, news
):
    achievement, demand = listings
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    bodies = {}
    for url in pages(achievement, demand):
        response = client.get(url)
        assert response.status_code == 200, url
        body = visible(response.content.decode())
        assert OTHER_FORMATS.findall(body) == [], url
        bodies[url] = body
    assert published in bodies["/achievements/"]
    assert published in bodies["/demands/"]
    assert published in bodies["/search/?q=石墨烯"]
    assert published in bodies["/targets/listings/"]
    assert expires in bodies[f"/achievements/{achievement.pk}/"]
    assert deadline in bodies[f"/demands/{demand.pk}/"]
    assert news in bodies["/news/"]
    assert news in bodies["/news/window-standard/"]


def test_my_listings_use_the_same_format(client, listings, university_user):
    achievement, _demand = listings
    achievement.owner = university_user.memberships.first().organization
    achievement.save()
    client.force_login(university_user)
    body = visible(client.get("/listings/mine/").content.decode())
    assert "2027年4月16日" in body
    assert OTHER_FORMATS.findall(body) == []
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = visible(client.get("/listings/mine/").content.decode())
    assert "16 Apr 2027" in body
    assert OTHER_FORMATS.findall(body) == []
