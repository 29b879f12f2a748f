"""Saved searches (订阅): saving one, and the notice a newly published listing brings."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from listings import services as listing_services
from listings.choices import ListingStatus
from market.choices import OrganizationKind
from market.models import Notification
from search import services
from search.contract import SearchQuery
from search.models import SavedSearch, SavedSearchHit, SavedSearchTerm
from tests.factories import AchievementFactory, DemandFactory, OrganizationFactory, SubMarketFactory
from tests.search.conftest import DEAD_NODE, published

pytestmark = pytest.mark.django_db

VERB = services.SAVED_SEARCH_VERB


@pytest.fixture
def publish(operator, django_capture_on_commit_callbacks):
    """Approve a submitted listing as the operator and run what happens after commit."""

    def run(listing):
        with django_capture_on_commit_callbacks(execute=True):
            listing_services.listing_approve(listing=listing, actor=operator)
        listing.refresh_from_db()
        return listing

    return run


def submitted(factory=AchievementFactory, **kwargs):
    kwargs.setdefault("description", "一种新工艺。")
    kwargs.setdefault("keywords", [])
    return factory(status=ListingStatus.SUBMITTED, **kwargs)


def battery(owner, **kwargs):
    """A new-materials achievement: TRL 6, 100万元 (band 50-200), transfer and licence."""
    return submitted(
        title="锂离子电池正极材料的制备方法",
        description="提高电池循环寿命，能量密度提高20%。",
        keywords=["正极材料"],
        owner=owner,
        trl=6,
        asking_price=100,
        modes=["transfer", "license"],
        **kwargs,
    )


def save(user, q="", kind="achievement", **filters):
    return services.saved_search_create(user=user, kind=kind, q=q, filters=filters)


def notices(user):
    return list(Notification.objects.filter(recipient=user, verb=VERB))


def hit_ids(saved):
    return set(
        SavedSearchHit.objects.filter(saved_search=saved).values_list("listing_id", flat=True)
    )


def search_ids(saved):
    query = SearchQuery.clean(q=saved.q, kind=saved.kind, filters=saved.filters, page_size=100)
    return {hit.pk for hit in services.search(query).hits}


# ── Saving ───────────────────────────────────────────────────────────────────────────────────


def test_saved_search_create_stores_the_cleaned_query(enterprise_user, main_market):
    saved = services.saved_search_create(
        user=enterprise_user,
        kind="achievement",
        q="  锂电池   正极材料 ",
        filters={"market": str(main_market.pk), "field": "new_materials", "nonsense": "x"},
    )
    assert saved.q == "锂电池 正极材料"
    assert saved.filters == {"market": main_market.pk, "field": "new_materials"}
    assert saved.name == "锂电池 正极材料 · 新材料 · 省技术市场"
    assert saved.active
    # One group per word as jieba cuts it: 锂电池 (or 锂电, 电池), 正极, 材料.
    assert saved.group_count == 3
    terms = SavedSearchTerm.objects.filter(saved_search=saved)
    assert set(terms.values_list("group", "token")) == {
        (0, "锂电池"),
        (0, "锂电"),
        (0, "电池"),
        (1, "正极"),
        (2, "材料"),
    }
    assert saved.get_absolute_url().startswith("/search/?q=")


def test_saved_search_create_filters_only_is_named_by_kind(enterprise_user):
    saved = save(enterprise_user, kind="demand", field="new_energy")
    assert saved.name == "技术需求 · 新能源与节能"
    assert saved.group_count == 0


def test_saved_search_create_refuses_a_duplicate(
    enterprise_user, other_enterprise_user, main_market
):
    save(enterprise_user, "锂电池", field="new_materials", market=str(main_market.pk))
    with pytest.raises(ValidationError) as exc:
        # The same search, typed with other spacing and its filters in another order.
        services.saved_search_create(
            user=enterprise_user,
            kind="achievement",
            q=" 锂电池 ",
            filters={"market": main_market.pk, "field": "new_materials"},
        )
    assert "你已经保存过这个搜索" in exc.value.messages[0]
    assert SavedSearch.objects.filter(user=enterprise_user).count() == 1
    # Someone else may save the same search; the same words for the other kind are another.
    save(other_enterprise_user, "锂电池", field="new_materials", market=str(main_market.pk))
    save(enterprise_user, "锂电池", kind="demand", field="new_materials")
    assert SavedSearch.objects.count() == 3


def test_saved_search_create_refuses_an_empty_search(enterprise_user):
    with pytest.raises(ValidationError) as exc:
        save(enterprise_user, "   ", field="nonsense")
    assert "请先输入检索词或选择筛选条件" in exc.value.messages[0]
    assert not SavedSearch.objects.exists()


def test_saved_search_create_limit_per_user(enterprise_user):
    for n in range(services.SAVED_SEARCH_LIMIT):
        save(enterprise_user, f"电池{n}")
    with pytest.raises(ValidationError) as exc:
        save(enterprise_user, "光伏")
    assert "最多可保存20个搜索" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        save(enterprise_user, "电池0")
    assert "你已经保存过这个搜索" in exc.value.messages[0]
    services.saved_search_delete(
        saved_search=SavedSearch.objects.filter(user=enterprise_user).first(), user=enterprise_user
    )
    assert save(enterprise_user, "光伏").q == "光伏"


def test_saved_search_create_refuses_too_long_a_name(enterprise_user):
    with pytest.raises(ValidationError):
        services.saved_search_create(
            user=enterprise_user, kind="achievement", q="电池", name="名" * 101
        )
    assert not SavedSearch.objects.exists()


def test_saved_search_delete_only_by_its_owner(enterprise_user, other_enterprise_user):
    saved = save(enterprise_user, "电池")
    with pytest.raises(PermissionDenied):
        services.saved_search_delete(saved_search=saved, user=other_enterprise_user)
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    services.saved_search_delete(saved_search=saved, user=enterprise_user)
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


# ── Notifying ────────────────────────────────────────────────────────────────────────────────


def test_publish_matching_listing_notifies_the_saver(enterprise_user, university, publish):
    saved = save(enterprise_user, "锂电池")
    listing = publish(battery(university))
    [notice] = notices(enterprise_user)
    assert notice.url == f"/listings/achievement/{listing.pk}/"
    assert "锂离子电池正极材料的制备方法" in notice.title
    assert "锂电池" in notice.body
    saved.refresh_from_db()
    assert saved.last_notified_at is not None
    assert hit_ids(saved) == {listing.pk}


def test_publish_non_matching_listing_does_not_notify(enterprise_user, university, publish):
    saved = save(enterprise_user, "光伏 组件")
    publish(battery(university))
    assert notices(enterprise_user) == []
    assert saved.last_notified_at is None


def test_saved_search_every_word_must_match(enterprise_user, university, publish):
    save(enterprise_user, "正极材料 光伏")
    publish(battery(university))
    assert notices(enterprise_user) == []


def test_saved_search_notifies_once_per_listing(
    enterprise_user, university_user, university, publish, django_capture_on_commit_callbacks
):
    save(enterprise_user, "正极材料")
    listing = publish(battery(university))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        listing_services.listing_update(
            listing=listing, actor=university_user, description="循环寿命提高到3000次，正极材料。"
        )
        listing_services.listing_close(listing=listing, actor=university_user)
        listing_services.listing_reopen(listing=listing, actor=university_user)
        listing_services.listing_submit(listing=listing, actor=university_user)
    assert callbacks  # the edits were announced, and checked
    publish(listing)
    assert listing.status == ListingStatus.PUBLISHED
    assert len(notices(enterprise_user)) == 1


def test_saved_search_does_not_notify_the_listings_own_organization(
    enterprise_user, university_user, university, publish
):
    save(university_user, "正极材料")
    save(enterprise_user, "正极材料")
    publish(battery(university, created_by=university_user))
    assert notices(university_user) == []
    assert len(notices(enterprise_user)) == 1


def test_saved_search_does_not_notify_the_listings_author(outsider, university, publish):
    save(outsider, "正极材料")
    publish(battery(university, created_by=outsider))
    assert notices(outsider) == []


def test_saved_search_kind_is_respected(enterprise_user, university, publish):
    save(enterprise_user, "正极材料", kind="demand")
    publish(battery(university))
    assert notices(enterprise_user) == []


def test_saved_search_inactive_does_not_notify(enterprise_user, university, publish):
    saved = save(enterprise_user, "正极材料")
    SavedSearch.objects.filter(pk=saved.pk).update(active=False)
    publish(battery(university))
    assert notices(enterprise_user) == []


def test_saved_search_one_notice_per_person_for_several_matches(
    enterprise_user, university, publish
):
    first = save(enterprise_user, "正极材料")
    second = save(enterprise_user, "", field="new_materials")
    listing = publish(battery(university))
    [notice] = notices(enterprise_user)
    assert first.name in notice.body and second.name in notice.body
    assert hit_ids(first) == hit_ids(second) == {listing.pk}


def test_saved_search_demand_notifies(university_user, enterprise, publish):
    save(university_user, "电池材料", kind="demand")
    demand = publish(submitted(DemandFactory, title="寻求高能量密度电池材料技术", owner=enterprise))
    [notice] = notices(university_user)
    assert notice.url == f"/listings/demand/{demand.pk}/"


def test_saved_search_older_listing_edited_does_not_notify(
    enterprise_user, university_user, university, django_capture_on_commit_callbacks
):
    listing = published(AchievementFactory, title="石墨烯散热膜", owner=university, days_ago=5)
    save(enterprise_user, "石墨烯")
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_update(
            listing=listing, actor=university_user, summary="导热系数提高30%"
        )
    assert notices(enterprise_user) == []


def test_saved_search_check_ignores_unpublished_listings(enterprise_user, university):
    save(enterprise_user, "正极材料")
    listing = battery(university)
    assert (
        services.saved_searches_notify_for_listing(kind="achievement", listing_id=listing.pk) == 0
    )
    assert notices(enterprise_user) == []


def test_publish_notifies_while_elasticsearch_is_down(
    settings, enterprise_user, university, publish
):
    settings.ELASTICSEARCH_URL = DEAD_NODE
    settings.SEARCH_ES_TIMEOUT = 0.5
    save(enterprise_user, "正极材料")
    listing = publish(battery(university))
    assert listing.status == ListingStatus.PUBLISHED
    assert len(notices(enterprise_user)) == 1


def test_saved_search_check_runs_the_search_only_for_likely_matches(
    enterprise_user, other_enterprise_user, university, publish
):
    """Saved searches sharing no word, or failing a filter, are never searched."""
    for n in range(15):
        save(enterprise_user, f"光伏组件{n}号")
    for trl in range(1, 10):
        save(other_enterprise_user, "", field="aerospace", trl_min=str(trl))
    save(other_enterprise_user, "电池", field="electronic_information")
    wanted = save(enterprise_user, "正极材料", mode="license")
    with CaptureQueriesContext(connection) as queries:
        listing = publish(battery(university))
    # the one text query the embedded backend runs: FTS5 MATCH on SQLite, @@ tsquery on PostgreSQL
    searched = [
        q["sql"]
        for q in queries.captured_queries
        if "search_fts MATCH" in q["sql"] or "::tsquery" in q["sql"]
    ]
    assert len(searched) == 1
    assert hit_ids(wanted) == {listing.pk}
    assert SavedSearchHit.objects.count() == 1


@pytest.mark.parametrize(
    ("filters", "matches"),
    [
        ({"field": "new_materials"}, True),
        ({"field": "electronic_information"}, False),
        ({"market": "main"}, True),
        ({"market": "sub"}, False),
        ({"trl_min": "6"}, True),
        ({"trl_min": "7"}, False),
        ({"mode": "license"}, True),
        ({"mode": "service"}, False),
        ({"price": "50-200"}, True),
        ({"price": "gte1000"}, False),
        ({"holder": "university"}, True),
        ({"holder": "institute"}, False),
    ],
)
def test_saved_search_facets_are_respected(
    enterprise_user, university, main_market, publish, filters, matches
):
    markets = {"main": main_market.pk, "sub": SubMarketFactory(parent=main_market).pk}
    if "market" in filters:
        filters = {"market": str(markets[filters["market"]])}
    saved = save(enterprise_user, "正极材料", **filters)
    assert saved.filters  # the filter was valid, not dropped
    listing = publish(battery(university))
    assert (len(notices(enterprise_user)) == 1) is matches
    assert (listing.pk in search_ids(saved)) is matches


def test_saved_search_notifies_exactly_what_the_search_page_shows(
    backend, enterprise_user, university, main_market, publish
):
    """For every saved query, the listings it notified about are those its search lists."""
    for kind in ("achievement", "demand"):
        services.search_reindex(kind=kind)
    sub = SubMarketFactory(parent=main_market)
    institute = OrganizationFactory(kind=OrganizationKind.INSTITUTE, market=main_market)
    sub_university = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, market=sub)
    saved = [
        save(enterprise_user, "锂电池"),
        save(enterprise_user, "正极材料 芯片"),
        save(enterprise_user, "", field="electronic_information"),
        save(enterprise_user, "封装", mode="license"),
        save(enterprise_user, "", trl_min="6"),
        save(enterprise_user, "电池", price="gte1000"),
        save(enterprise_user, "", holder="institute"),
        save(enterprise_user, "plc"),
        save(enterprise_user, "ＬＥＤ　芯片"),
        save(enterprise_user, "控制系统", market=str(sub.pk)),
        save(enterprise_user, "锂电池", kind="demand"),
    ]
    listings = [
        battery(university),
        submitted(
            title="LED芯片封装工艺",
            description="一种高效的封装方法，光效提高15%。",
            keywords=["芯片封装"],
            field="electronic_information",
            owner=institute,
            trl=8,
            asking_price=2000,
            modes=["license"],
        ),
        submitted(
            title="智能产线控制系统",
            description="采用PLC控制，实现柔性制造。",
            keywords=["智能制造"],
            field="advanced_manufacturing",
            owner=sub_university,
            trl=4,
            asking_price=None,
            price_negotiable=True,
            modes=["service"],
        ),
        submitted(
            title="高容量电池隔膜",
            description="耐高温隔膜，价格面议。",
            owner=institute,
            trl=7,
            asking_price=1500,
        ),
        submitted(DemandFactory, title="寻求锂电池回收技术", owner=OrganizationFactory()),
    ]
    for listing in listings:
        publish(listing)

    notified = {s.pk: hit_ids(s) for s in saved}
    shown = {s.pk: search_ids(s) for s in saved}
    assert notified == shown
    # Both outcomes occur: the agreement above is not between empty sets.
    assert all(notified[s.pk] for s in saved if s.q not in ("正极材料 芯片",))
    assert notified[saved[1].pk] == set()
    assert notified[saved[0].pk] == {listings[0].pk, listings[3].pk}


# ── Pages ────────────────────────────────────────────────────────────────────────────────────


def test_search_page_offers_a_csrf_protected_save_form(client, enterprise_user):
    client.force_login(enterprise_user)
    html = client.get("/search/", {"q": "锂电池", "field": "new_materials"}).content.decode()
    assert 'action="/search/saved/new"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="field" value="new_materials">' in html
    assert 'for="saved-search-name"' in html
    assert "保存此搜索" in html


def test_search_page_asks_anonymous_people_to_log_in(client, db):
    html = client.get("/search/", {"q": "锂电池"}).content.decode()
    assert "/search/saved/new" not in html
    assert "/accounts/login/?next=" in html
    assert "登录后可保存此搜索" in html


def test_search_page_without_a_query_offers_no_save(client, enterprise_user):
    client.force_login(enterprise_user)
    assert "/search/saved/new" not in client.get("/search/").content.decode()


def test_saved_create_view_saves_and_returns_to_the_search(client, enterprise_user):
    client.force_login(enterprise_user)
    params = {"q": "锂电池", "type": "achievement", "field": "new_materials", "name": "电池订阅"}
    response = client.post("/search/saved/new", params)
    assert response.status_code == 302
    assert response.url.startswith("/search/?q=")
    saved = SavedSearch.objects.get(user=enterprise_user)
    assert (saved.name, saved.q, saved.filters) == (
        "电池订阅",
        "锂电池",
        {"field": "new_materials"},
    )
    html = client.get(response.url).content.decode()
    assert "已保存此搜索" in html
    assert "你已保存此搜索" in html
    assert 'action="/search/saved/new"' not in html


def test_saved_create_view_double_post_saves_once(client, enterprise_user):
    client.force_login(enterprise_user)
    params = {"q": "锂电池", "type": "achievement"}
    client.post("/search/saved/new", params)
    response = client.post("/search/saved/new", params, follow=True)
    assert SavedSearch.objects.filter(user=enterprise_user).count() == 1
    assert "你已经保存过这个搜索" in response.content.decode()


def test_saved_create_view_requires_csrf(enterprise_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enterprise_user)
    assert client.post("/search/saved/new", {"q": "锂电池"}).status_code == 403
    assert not SavedSearch.objects.exists()


def test_saved_create_view_sends_anonymous_people_to_log_in(client, db):
    response = client.post("/search/saved/new", {"q": "锂电池"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/search/")
    assert not SavedSearch.objects.exists()


def test_saved_create_view_refuses_get(client, enterprise_user):
    client.force_login(enterprise_user)
    assert client.get("/search/saved/new", {"q": "锂电池"}).status_code == 405


def test_saved_list_requires_login(client, db):
    response = client.get("/search/saved/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_saved_list_shows_only_own_searches(client, enterprise_user, other_enterprise_user):
    mine = save(enterprise_user, "锂电池", field="new_materials")
    save(other_enterprise_user, "光伏组件")
    client.force_login(enterprise_user)
    html = client.get("/search/saved/").content.decode()
    assert "我的订阅" in html
    assert mine.name in html
    assert "光伏组件" not in html
    assert (
        'href="/search/?q=%E9%94%82%E7%94%B5%E6%B1%A0&amp;type=achievement&amp;field=new_materials"'
        in html
    )
    assert f'action="/search/saved/{mine.pk}/delete"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_saved_list_empty_points_to_search(client, enterprise_user):
    client.force_login(enterprise_user)
    assert "还没有保存的搜索" in client.get("/search/saved/").content.decode()


def test_saved_delete_view_deletes_own_only(client, enterprise_user, other_enterprise_user):
    saved = save(enterprise_user, "锂电池")
    client.force_login(other_enterprise_user)
    assert client.post(f"/search/saved/{saved.pk}/delete").status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    client.force_login(enterprise_user)
    assert client.get(f"/search/saved/{saved.pk}/delete").status_code == 405
    response = client.post(f"/search/saved/{saved.pk}/delete", follow=True)
    assert response.redirect_chain == [("/search/saved/", 302)]
    assert "已删除保存的搜索“锂电池”" in response.content.decode()
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


def test_a_paused_saved_search_stays_quiet_until_resumed(
    client, enterprise_user, other_enterprise_user, university, publish
):
    saved = save(enterprise_user, "正极材料")
    client.force_login(other_enterprise_user)
    assert client.post(f"/search/saved/{saved.pk}/toggle").status_code == 404
    client.force_login(enterprise_user)
    page = client.post(f"/search/saved/{saved.pk}/toggle", follow=True).content.decode()
    assert "已暂停“正极材料”的通知" in page and "恢复通知" in page
    publish(battery(university))
    assert notices(enterprise_user) == []
    page = client.post(f"/search/saved/{saved.pk}/toggle", follow=True).content.decode()
    assert "已恢复“正极材料”的通知" in page
    later = publish(submitted(owner=university, title="三元正极材料的回收工艺"))
    assert hit_ids(saved) == {later.pk}
