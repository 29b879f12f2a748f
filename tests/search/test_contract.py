"""The search contract, the same for both backends (see conftest.backend)."""

import pytest
from django.utils import timezone

from listings import services as listing_services
from listings.choices import ListingStatus
from search.contract import SearchQuery
from search.services import search
from tests.factories import AchievementFactory
from tests.search.conftest import published

pytestmark = pytest.mark.django_db


def run(**kwargs):
    return search(SearchQuery.clean(**kwargs))


def titles(results):
    return [h.title for h in results.hits]


def test_search_chinese_words_find_longer_compound(catalogue, backend):
    results = run(q="锂电池 正极材料")
    assert results.backend == backend
    assert titles(results) == ["锂离子电池正极材料的制备方法"]


def test_search_full_width_query_finds_half_width_text(catalogue):
    assert titles(run(q="ＬＥＤ　芯片")) == ["LED芯片封装工艺"]


def test_search_english_term_inside_chinese_text(catalogue):
    assert titles(run(q="plc")) == ["智能产线控制系统"]
    assert titles(run(q="PLC控制")) == ["智能产线控制系统"]


def test_search_finds_only_published(catalogue):
    assert "石墨烯散热膜的制备方法" not in titles(run(q="正极材料"))
    assert titles(run(q="石墨烯")) == []


def test_search_kinds_are_separate(catalogue):
    assert titles(run(q="正极材料", kind="demand")) == ["寻求锂电池正极材料技术"]


def test_search_highlights_with_mark_and_escapes(catalogue):
    hit = run(q="正极材料").hits[0]
    assert "<mark>正极</mark>" in hit.title_html
    assert "<mark>" in hit.snippet_html or "<mark>" in hit.title_html


def test_search_facet_counts(catalogue):
    results = run(q="")
    assert results.total == 3
    facets = {name: {v.value: v.count for v in values} for name, values in results.facets.items()}
    assert facets["field"] == {
        "new_materials": 1,
        "electronic_information": 1,
        "advanced_manufacturing": 1,
    }
    assert facets["mode"] == {"transfer": 1, "license": 2, "service": 1}
    assert facets["holder"] == {"university": 2, "institute": 1}
    assert facets["price"] == {"50-200": 1, "gte1000": 1, "negotiable": 1}
    assert (results.facets["trl_min"][0].value, results.facets["trl_min"][0].count) == ("1", 3)
    assert {v.value: v.count for v in results.facets["trl_min"]}["6"] == 2
    assert sum(v.count for v in results.facets["market"]) == 3


def test_search_facets_follow_the_query(catalogue):
    results = run(q="芯片")
    assert {v.value: v.count for v in results.facets["field"]} == {"electronic_information": 1}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"field": "electronic_information"}, ["LED芯片封装工艺"]),
        ({"mode": "license"}, ["LED芯片封装工艺", "锂离子电池正极材料的制备方法"]),
        ({"trl_min": "7"}, ["LED芯片封装工艺"]),
        ({"price": "negotiable"}, ["智能产线控制系统"]),
        ({"holder": "institute"}, ["LED芯片封装工艺"]),
        ({"holder": "university", "mode": "service"}, ["智能产线控制系统"]),
    ],
)
def test_search_filters(catalogue, filters, expected):
    assert titles(run(q="", filters=filters)) == expected


def test_search_market_filter(catalogue, main_market):
    assert run(q="", filters={"market": str(main_market.pk)}).total == 3


def test_search_sorting(catalogue):
    assert titles(run(q="", sort="newest")) == [
        "智能产线控制系统",
        "LED芯片封装工艺",
        "锂离子电池正极材料的制备方法",
    ]
    assert titles(run(q="", sort="price"))[:2] == [
        "锂离子电池正极材料的制备方法",
        "LED芯片封装工艺",
    ]
    assert titles(run(q="", sort="-price"))[:2] == [
        "LED芯片封装工艺",
        "锂离子电池正极材料的制备方法",
    ]
    # Negotiable prices come last both ways.
    assert titles(run(q="", sort="price"))[-1] == "智能产线控制系统"
    assert titles(run(q="", sort="-price"))[-1] == "智能产线控制系统"


def test_search_price_sorts_put_every_listing_without_a_price_last(catalogue, backend, university):
    # 面议 with a price left from before it was ticked (the form clears it, imports and old
    # rows may not), and a listing with no price at all: after every price, both ways.
    published(
        AchievementFactory,
        title="面议但留有旧价格",
        owner=university,
        asking_price=1,
        price_negotiable=True,
    )
    published(AchievementFactory, title="没有填写价格", owner=university, asking_price=None)
    from search.services import search_reindex

    search_reindex(kind="achievement")
    priced = ["锂离子电池正极材料的制备方法", "LED芯片封装工艺"]
    unpriced = {"智能产线控制系统", "面议但留有旧价格", "没有填写价格"}
    up, down = titles(run(q="", sort="price")), titles(run(q="", sort="-price"))
    assert up[:2] == priced and down[:2] == priced[::-1]
    assert set(up[2:]) == unpriced and set(down[2:]) == unpriced


def test_search_relevance_ranks_title_matches_first(catalogue, university):
    published(
        AchievementFactory,
        title="一种新型材料",
        description="可用于芯片散热。",
        keywords=["散热"],
        owner=university,
    )
    from search.services import search_reindex

    search_reindex(kind="achievement")
    assert titles(run(q="芯片"))[0] == "LED芯片封装工艺"


def test_search_pagination(catalogue):
    first = run(q="", page_size=2, page=1)
    second = run(q="", page_size=2, page=2)
    assert (first.total, first.pages, second.page) == (3, 2, 2)
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert not set(titles(first)) & set(titles(second))


@pytest.mark.parametrize(
    ("q", "total"),
    [
        ("", 3),  # no words: every published achievement
        ("电池" * 5000, 1),  # cut to its first 200 characters, still 电池
        ('"*:()[]{}\\/', 3),  # punctuation only: no words
        ("title:foo AND (bar OR", 0),  # plain words, none of them in the catalogue
        ("'; DROP TABLE x; --", 0),
        ("电池 NEAR/2 材料 OR *", 0),  # every word must match, and "near" matches nothing
        ("\x00\x1f", 3),
    ],
)
def test_search_bad_queries_never_fail(catalogue, q, total):
    results = run(q=q, page=10**9)
    assert results.page == results.pages
    assert results.total == total
    assert len(results.hits) == total


def test_search_long_query_is_truncated_with_notice(catalogue):
    results = run(q="正极材料" + "x" * 10_000)
    assert results.notice and "过长" in results.notice


def test_search_unknown_facet_values_are_reported(catalogue):
    results = run(q="", filters={"field": "nonsense", "mode": "'; --", "market": "999999"})
    assert results.total == 3
    assert "无效" in results.notice


def test_search_huge_page_is_the_last_page(catalogue):
    results = run(q="", page=10**9, page_size=1)
    assert (results.page, results.pages, len(results.hits)) == (3, 3, 1)


def test_search_follows_edit_after_commit(
    catalogue, university_user, django_capture_on_commit_callbacks
):
    listing = catalogue["battery"]
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_update(
            listing=listing,
            actor=university_user,
            title="固态电池电解质的制备方法",
            keywords=["固态电解质"],
        )
    assert titles(run(q="电解质")) == ["固态电池电解质的制备方法"]
    assert titles(run(q="正极材料")) == []


def test_search_forgets_closed_listing_after_commit(
    catalogue, university_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_close(listing=catalogue["plc"], actor=university_user)
    assert titles(run(q="plc")) == []


def test_search_forgets_expired_listing_after_commit(catalogue, django_capture_on_commit_callbacks):
    listing = catalogue["led"]
    type(listing).objects.filter(pk=listing.pk).update(expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listings_expire_due()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.EXPIRED
    assert titles(run(q="芯片")) == []


def test_search_finds_listing_once_approved(
    catalogue, university, university_user, operator, django_capture_on_commit_callbacks
):
    draft = catalogue["draft"]
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_submit(listing=draft, actor=university_user)
        listing_services.listing_approve(listing=draft, actor=operator)
    assert titles(run(q="石墨烯")) == ["石墨烯散热膜的制备方法"]
