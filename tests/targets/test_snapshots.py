"""A year-end snapshot freezes every figure with the rows behind it: later edits and
deletions leave the year's figures and their lists exactly as they were."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from listings.choices import ListingStatus
from listings.models import Achievement
from market.models import Market
from targets.models import TargetSnapshot
from targets.selectors import FIGURES, figure_rows, market_figure
from targets.services import targets_snapshot
from targets.views import figure_url
from tests.factories import AchievementFactory
from tests.targets.helpers import listed_amount, province, rows_page

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def world(main_market):
    return province(main_market)


def test_a_snapshot_freezes_every_figure_of_every_market_with_its_rows(world, operator):
    before = {
        (m.code, key): market_figure(key, year=YEAR, market=m).value
        for m in Market.objects.all()
        for key in FIGURES
    }
    snapshots = targets_snapshot(year=YEAR, by=operator)
    assert len(snapshots) == Market.objects.count() * len(FIGURES)
    for s in snapshots:
        assert s.value == before[(s.market.code, s.key)]
        assert s.taken_by == operator
        rows = figure_rows(s.key, year=YEAR, market=s.market)
        assert s.ids == [FIGURES[s.key].row_id(row) for row in rows]
        if not FIGURES[s.key].value:
            assert len(s.ids) == s.value
    wuhan = TargetSnapshot.objects.get(year=YEAR, market=world["wuhan"], key="achievements")
    assert sorted(wuhan.ids) == sorted(
        f"achievement:{pk}"
        for pk in Achievement.objects.filter(title__startswith="武汉成果").values_list(
            "pk", flat=True
        )
    )


def test_edits_and_deletions_after_the_snapshot_do_not_rewrite_the_year(client, world):
    targets_snapshot(year=YEAR, by=None)
    wuhan = world["wuhan"]
    gone = Achievement.objects.get(title="武汉成果0")
    Achievement.objects.filter(title="武汉成果1").update(title="改过的标题")
    gone.delete()
    AchievementFactory(
        owner=Achievement.objects.filter(market=wuhan).first().owner,
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
        title="快照之后发布",
    )
    # The live rows have moved on…
    assert figure_rows("listings", year=YEAR, market=wuhan).count() == 4
    # …the frozen year has not: same figure, same rows, as they read when frozen.
    assert market_figure("listings", year=YEAR, market=wuhan).value == 4
    assert market_figure("achievements", year=YEAR, market=wuhan).value == 3
    count, body = rows_page(client, figure_url("listings", year=YEAR, market=wuhan))
    assert count == 4
    assert "武汉成果0" in body and "武汉成果1" in body and "武汉已关闭" in body
    assert "改过的标题" not in body and "快照之后发布" not in body
    assert "冻结" in body
    # The province's figure too, and on the public page without a year.
    assert market_figure("listings", year=YEAR).value == 6
    count, body = rows_page(client, "/targets/listings/")
    assert count == 6 and "快照之后发布" not in body
    # A sum is frozen with its rows' amounts.
    value = market_figure("registered_value", year=YEAR, market=wuhan).value
    _count, body = rows_page(client, figure_url("registered_value", year=YEAR, market=wuhan))
    assert value == listed_amount(body) == Decimal("420.50")


def test_a_year_is_frozen_once(world):
    targets_snapshot(year=YEAR, by=None)
    with pytest.raises(ValidationError, match=f"{YEAR}年度的指标已于.*冻结，不能重复生成年终快照"):
        targets_snapshot(year=YEAR, by=None)
    assert TargetSnapshot.objects.filter(year=YEAR).count() == Market.objects.count() * len(FIGURES)


def test_a_year_not_yet_begun_cannot_be_frozen(world):
    with pytest.raises(ValidationError, match="尚未开始"):
        targets_snapshot(year=YEAR + 1, by=None)
    assert not TargetSnapshot.objects.exists()


def test_the_command_freezes_a_year_and_refuses_a_second_time(world, capsys):
    call_command("targets_snapshot", "--year", str(YEAR - 1), "--quiet")
    out = capsys.readouterr().out
    assert f"{Market.objects.count() * len(FIGURES)} figures of {YEAR - 1} frozen." in out
    # Last year's "collected" figure is frozen at zero: nothing here was published then.
    assert market_figure("listings", year=YEAR - 1).value == 0
    with pytest.raises(CommandError, match="不能重复生成年终快照"):
        call_command("targets_snapshot", "--year", str(YEAR - 1), "--quiet")
