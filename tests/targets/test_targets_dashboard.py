"""The figures per market, the operators' targets dashboard and its export, and the home
page's targets: every number opens the rows behind it, and the rows add up to it."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cms.site_builder import site_build
from targets.models import Target
from targets.selectors import FIGURES, figure_by_month, figure_rows, market_figure
from targets.views import figure_url
from tests.factories import OrganizationFactory, make_operator
from tests.targets.helpers import listed_amount, province, rows_page

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def world(main_market):
    return province(main_market)


@pytest.fixture
def wuhan_operator(world):
    org = OrganizationFactory(kind="operator", name="武汉运营", market=world["wuhan"])
    return make_operator(org, world["wuhan"], name="武汉运营小周")


def test_figures_per_market_count_their_own_rows(world, main_market):
    values = {
        m.code: {key: market_figure(key, market=m).value for key in FIGURES}
        for m in (main_market, world["wuhan"], world["yichang"])
    }
    # The main market counts the whole province: the world's seller, buyer, broker's and
    # window organisations are not transfer institutions but the broker's institution is.
    assert values["wuhan"] == {
        "institutions": 3,  # 2 + 武汉转移中心; not the pending one
        "brokers": 2,
        "listings": 4,  # 3 online and 1 closed, all published this year
        "achievements": 3,
        "demands": 0,
        "registered_value": Decimal("420.50"),  # both registered by the Wuhan registry
    }
    assert values["yichang"] == {
        "institutions": 1,
        "brokers": 0,
        "listings": 1,
        "achievements": 0,
        "demands": 1,
        "registered_value": Decimal("0"),
    }
    assert values["main"]["institutions"] == 5  # and the main market's broker's institution
    assert values["main"]["brokers"] == 3
    assert values["main"]["listings"] == 6
    assert values["main"]["demands"] == 2
    assert values["main"]["registered_value"] == Decimal("420.50")
    assert values["main"] == {f.key: f.value for f in [market_figure(k) for k in FIGURES]}


@pytest.mark.parametrize("key", list(FIGURES))
def test_every_figure_of_every_market_lists_as_many_rows_as_it_counts(client, world, key):
    for market in (None, world["wuhan"], world["yichang"]):
        figure = market_figure(key, year=YEAR, market=market)
        count, body = rows_page(client, figure_url(key, year=YEAR, market=market))
        rows = figure_rows(key, year=YEAR, market=market)
        if FIGURES[key].value:  # a sum: the amounts listed add up to it
            assert listed_amount(body) == figure.value
            assert count == rows.count()
        else:
            assert count == figure.value == len(list(rows))


def test_month_by_month_ends_at_the_figure(world):
    for key in FIGURES:
        months = figure_by_month(key, year=YEAR, market=world["wuhan"])
        assert len(months) == timezone.localdate().month
        assert months[-1] == market_figure(key, year=YEAR, market=world["wuhan"]).value
        assert months == sorted(months)  # cumulative


def test_anonymous_reader_is_sent_to_sign_in(client, world):
    response = client.get("/targets/dashboard/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get("/targets/dashboard/export/").status_code == 302


def test_someone_who_operates_no_market_is_refused(client, world, outsider):
    client.force_login(outsider)
    assert client.get("/targets/dashboard/").status_code == 403
    assert client.get("/targets/dashboard/export/").status_code == 403


DASHBOARD_ROW = re.compile(
    r'<tr data-market="(\w+)"><td>[^<]*</td><td><a class="figure-value" href="([^"]+)">([\d.]+)</a>'
)


def test_a_sub_market_operator_sees_only_their_market(client, world, wuhan_operator):
    client.force_login(wuhan_operator)
    body = client.get(f"/targets/dashboard/?year={YEAR}").content.decode()
    shown = DASHBOARD_ROW.findall(body)
    assert {code for code, _href, _value in shown} == {"wuhan"}
    assert len(shown) == len(FIGURES)
    assert "宜昌分市场" not in body


def test_the_dashboard_matches_the_rows_behind_each_number(client, world, operator):
    client.force_login(operator)
    body = client.get(f"/targets/dashboard/?year={YEAR}").content.decode()
    shown = DASHBOARD_ROW.findall(body)
    assert {code for code, _h, _v in shown} == {"main", "wuhan", "yichang"}
    assert len(shown) == 3 * len(FIGURES)
    client.logout()  # the rows pages are public
    for code, href, value in shown:
        key = re.match(r"/targets/(\w+)/", href).group(1)
        count, page = rows_page(client, href.replace("&amp;", "&"))
        if FIGURES[key].value:
            assert listed_amount(page) == Decimal(value)
        else:
            assert count == int(value), (code, key)
    # The charts carry the same figures, against the target line.
    assert 'data-chart="chart-month-listings"' in body
    assert 'id="chart-market-brokers" type="application/json"' in body


def test_targets_show_on_the_dashboard_against_the_figure(client, world, operator, main_market):
    Target.objects.create(market=world["wuhan"], year=YEAR, key="listings", target=8)
    client.force_login(operator)
    body = client.get(f"/targets/dashboard/?year={YEAR}&market=wuhan").content.decode()
    section = body[body.index('id="target-listings"') :]
    wuhan_row = section[section.index('data-market="wuhan"') :]
    assert re.match(r'data-market="wuhan"><td>武汉分市场</td><td><a[^>]*>4</a>', wuhan_row)
    assert "<td>8</td><td>50</td>" in wuhan_row[:400]  # 4 of 8: 50%
    month_chart = re.search(
        r'id="chart-month-listings" type="application/json">(.*?)</script>', body
    )
    assert json.loads(month_chart.group(1))["target"] == {"name": "年度目标", "value": "8"}
    market_chart = re.search(
        r'id="chart-market-listings" type="application/json">(.*?)</script>', body
    )
    market_chart = json.loads(market_chart.group(1))
    assert market_chart["labels"] == ["省技术市场", "武汉分市场", "宜昌分市场"]
    assert market_chart["values"] == ["6", "4", "1"]
    assert market_chart["lines"][0]["values"] == ["1000", "8", None]  # each market's target


def test_the_export_opens_and_holds_the_figures(client, world, operator):
    client.force_login(operator)
    response = client.get(f"/targets/dashboard/export/?year={YEAR}&market=wuhan")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert summary[0][:4] == ("指标", "市场", "年度", "数值")
    cells = {(row[1], row[0]): row[3] for row in summary[1:]}
    assert cells[("武汉分市场", "技术经纪人")] == 2
    assert cells[("宜昌分市场", f"{YEAR}年征集成果与需求")] == 1
    assert cells[("省技术市场", "技术转移机构")] == 5
    assert Decimal(str(cells[("武汉分市场", f"{YEAR}年技术合同成交额")])) == Decimal("420.5")
    listings = list(book["listings"].iter_rows(values_only=True))
    assert len(listings) - 1 == 4  # Wuhan's rows behind its figure, under one header
    assert {row[1] for row in listings[1:]} >= {"武汉成果0", "武汉已关闭"}


def test_home_shows_the_main_markets_target_beside_each_figure(
    client, world, main_market, django_capture_on_commit_callbacks
):
    site_build()
    body = client.get("/").content.decode()
    assert "/ 目标 1000" in body  # the province's standing commitment (settings)
    assert client.get("/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        Target.objects.create(market=main_market, year=YEAR, key="listings", target=1234)
        Target.objects.create(market=main_market, year=YEAR, key="demands", target=50)
        Target.objects.create(market=world["wuhan"], year=YEAR, key="brokers", target=77)
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"  # the target's save made the cached home stale
    body = response.content.decode()
    assert '<span class="figure-value">6</span><span class="figure-of-target"> / 目标 1234' in body
    assert '<span class="figure-value">2</span><span class="figure-of-target"> / 目标 50' in body
    assert "目标 77" not in body  # a sub-market's target is not the province's


ADMIN = "/admin/snippets/targets/target/"


def test_an_operator_sets_their_own_markets_targets_in_the_admin(client, world, wuhan_operator):
    client.force_login(wuhan_operator)
    assert client.get(ADMIN).status_code == 200
    form = {"year": YEAR, "key": "brokers", "target": "30"}
    assert client.post(f"{ADMIN}add/", {**form, "market": world["wuhan"].pk}).status_code == 302
    target = Target.objects.get()
    assert (target.market, target.target, target.set_by) == (
        world["wuhan"],
        Decimal("30"),
        wuhan_operator,
    )
    # Another market's target is not theirs to set, nor to see.
    assert client.post(f"{ADMIN}add/", {**form, "market": world["yichang"].pk}).status_code == 200
    other = Target.objects.create(market=world["yichang"], year=YEAR, key="brokers", target=9)
    refused = client.get(f"{ADMIN}edit/{other.pk}/")  # Wagtail sends a refusal home
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    listing = client.get(ADMIN).content.decode()
    assert f"{ADMIN}edit/{target.pk}/" in listing and f"{ADMIN}edit/{other.pk}/" not in listing
    # One target per market, year and figure.
    assert client.post(f"{ADMIN}add/", {**form, "market": world["wuhan"].pk}).status_code == 200
    assert Target.objects.count() == 2
    # The dashboard shows it beside Wuhan's two brokers.
    body = client.get(f"/targets/dashboard/?year={YEAR}").content.decode()
    section = body[body.index('id="target-brokers"') :]
    assert "<td>30</td><td>7</td>" in section  # 2 of 30: 7%
