"""The compliance dashboard (窗口合规): each figure against hand-built rows, each figure's
rows page listing exactly as many rows as the figure says, who sees which windows, and a
query count that does not grow with the rows.

The world (tests/windows/compliance_rows.py), in the period of the last 60 days:
- 武汉窗口: a closed case of TEST/A (48 h) with 4 items done, one of them late and without
  its text record, one without the requester's confirmation; an open TEST/A case with one
  item overdue and one not yet due; a closed TEST/B v2 case (24 h) whose item was done late;
  a 不满意 rating with an unvisited, overdue follow-up and a 非常满意 one; one open and one
  closed complaint.
- 宜昌窗口: a withdrawn TEST/B v1 case with one item done on time and one undone past its
  deadline (not overdue: the case is over).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from market.fragments import fragments_bump
from tests.windows.compliance_rows import D, H, build_world, make_case, make_item, rate
from windows.choices import CaseState
from windows.selectors import compliance

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def world(main_market, now):
    return build_world(main_market, now)


@pytest.fixture
def period(now):
    today = timezone.localdate()
    return {"from": (today - 60 * D).isoformat(), "to": today.isoformat()}


def _figures(user, params):
    return compliance.compliance_figures(compliance.compliance_filter(user, params))


def test_totals_for_an_operator_of_the_main_market(operator, world, period):
    total = _figures(operator, period).total
    assert (total.done, total.on_time, total.late) == (6, 4, 2)
    assert total.on_time_share == 66.7
    assert total.overdue == 1
    assert total.missing_evidence == 2
    assert total.closed == 2
    assert total.handling_hours == 36.0
    assert total.handling_days == 1.5
    assert total.rated == 2
    assert total.levels == {2: 1, 5: 1}
    assert (total.followups_open, total.followups_overdue) == (1, 1)
    assert total.complaints_open == 1


def test_figures_per_window(operator, world, period):
    rows = {r.label: r for r in _figures(operator, period).by_window}
    assert set(rows) == {"武汉窗口", "宜昌窗口"}
    wuhan, yichang = rows["武汉窗口"], rows["宜昌窗口"]
    assert (wuhan.done, wuhan.on_time, wuhan.overdue, wuhan.missing_evidence) == (5, 3, 1, 2)
    assert (wuhan.closed, wuhan.handling_hours) == (2, 36.0)
    assert wuhan.complaints_open == 1
    assert (yichang.done, yichang.on_time, yichang.overdue, yichang.closed) == (1, 1, 0, 0)
    assert yichang.on_time_share == 100.0
    assert yichang.handling_hours is None


def test_figures_per_standard_count_every_version(operator, world, period):
    rows = {r.key: r for r in _figures(operator, period).by_standard}
    assert (rows["TEST/A"].done, rows["TEST/A"].on_time) == (4, 3)
    # Version 1 at 宜昌 and version 2 at 武汉 are one standard.
    assert (rows["TEST/B"].done, rows["TEST/B"].on_time) == (2, 1)
    assert rows["TEST/B"].closed == 1
    assert rows["TEST/B"].handling_hours == 24.0
    assert rows["TEST/A"].complaints_open == 1


def test_standard_filter(operator, world, period):
    total = _figures(operator, {**period, "standard": "TEST/B"}).total
    assert (total.done, total.on_time, total.overdue, total.complaints_open) == (2, 1, 0, 0)
    assert total.rated == 1 and total.levels == {5: 1}


def test_period_filter_leaves_out_what_happened_before(operator, world, now):
    today = timezone.localdate()
    recent = {"from": (today - 12 * D).isoformat(), "to": today.isoformat()}
    total = _figures(operator, recent).total
    # Only case 3's late item and case 4's item were done in the last 12 days.
    assert (total.done, total.on_time) == (2, 1)
    assert total.closed == 1 and total.handling_hours == 24.0
    assert total.rated == 1


def test_by_month_adds_up_to_the_total(operator, world, period):
    figures = _figures(operator, period)
    assert sum(m["done"] for m in figures.by_month) == figures.total.done
    assert sum(m["on_time"] for m in figures.by_month) == figures.total.on_time


def test_done_exactly_at_the_deadline_is_on_time(operator, world, period, now):
    case = make_case(world["w2"], world["a"], world["clerk2"], opened_at=now - 2 * D)
    make_item(case, world["a_items"][3], due_at=now - D, done_at=now - D)
    total = _figures(operator, period).total
    assert (total.done, total.on_time) == (7, 5)


def test_file_evidence_present_is_not_missing(operator, world, period, now):
    case = make_case(world["w2"], world["a"], world["clerk2"], opened_at=now - 2 * D)
    make_item(case, world["a_items"][0], due_at=now - D, done_at=now - D - H)
    make_item(case, world["a_items"][1], due_at=now - D, done_at=now - D - H, evidence=False)
    assert _figures(operator, period).total.missing_evidence == 3


def _page(client, params):
    response = client.get(reverse("windows:compliance"), params)
    assert response.status_code == 200
    return response


def _count_of(response) -> int:
    return int(re.search(r'id="rows-count">.*?<strong>(\d+)</strong>', response.text).group(1))


def test_every_figure_opens_exactly_its_rows(client, operator, world, period):
    client.force_login(operator)
    response = _page(client, period)
    html = response.text
    total = response.context["f"].total
    links = response.context["total_links"]
    expected = {
        "done": total.done,
        "on_time": total.on_time,
        "late": total.late,
        "overdue": total.overdue,
        "missing_evidence": total.missing_evidence,
        "closed": total.closed,
        "rated": total.rated,
        "followups_open": total.followups_open,
        "followups_overdue": total.followups_overdue,
        "complaints_open": total.complaints_open,
    }
    assert set(expected) == set(compliance.FIGURES)
    for figure, n in expected.items():
        assert links[figure].replace("&", "&amp;") in html
        rows_page = client.get(links[figure])
        assert rows_page.status_code == 200
        assert _count_of(rows_page) == n, figure
        assert rows_page.text.count("data-row=") == n, figure
        assert compliance.figure_rows(response.context["flt"], figure).count() == n


def test_each_window_and_standard_row_opens_its_rows(client, operator, world, period):
    client.force_login(operator)
    response = _page(client, period)
    for rows in (response.context["windows"], response.context["standards"]):
        for row, links in rows:
            for figure in ("done", "on_time", "late", "overdue", "missing_evidence", "closed"):
                rows_page = client.get(links[figure])
                n = row.late if figure == "late" else getattr(row, figure)
                assert _count_of(rows_page) == n, (row.label, figure)
                assert rows_page.text.count("data-row=") == n, (row.label, figure)


def test_each_rating_level_opens_its_cases(client, operator, world, period):
    client.force_login(operator)
    response = _page(client, period)
    for level in response.context["levels"]:
        rows_page = client.get(level["href"])
        assert _count_of(rows_page) == level["n"], level["label"]
        assert rows_page.text.count("data-row=") == level["n"]
    assert {lv["level"]: lv["n"] for lv in response.context["levels"]} == {
        5: 1,
        4: 0,
        3: 0,
        2: 1,
        1: 0,
    }


def test_each_month_opens_its_on_time_items(client, operator, world, period):
    client.force_login(operator)
    response = _page(client, period)
    assert response.context["months"]
    for month in response.context["months"]:
        rows_page = client.get(month["href"])
        assert _count_of(rows_page) == month["on_time"], month["label"]


def test_rows_pages_paginate_with_the_figure_as_count(client, operator, world, period, now):
    case = make_case(world["w2"], world["a"], world["clerk2"], opened_at=now - 2 * D)
    extra = [
        make_item(case, item, due_at=now - D, done_at=now - D - H) for item in world["a_items"][:1]
    ]
    assert extra
    client.force_login(operator)
    first = client.get(reverse("windows:compliance_rows", args=["done"]), period)
    assert _count_of(first) == 7
    with_page_size = first.context["page"].paginator
    assert with_page_size.count == 7 and with_page_size.num_pages == 1


def test_charts_are_drawn_from_the_same_figures(client, operator, world, period):
    client.force_login(operator)
    response = _page(client, period)
    charts = response.context["charts"]
    by_window = dict(zip(charts["window"]["labels"], charts["window"]["values"], strict=True))
    assert by_window == {"宜昌窗口": "100.0", "武汉窗口": "60.0"}
    assert 'id="chart-window"' in response.text
    assert "js/charts.js" in response.text
    assert charts["levels"]["values"] == ["1", "0", "0", "1", "0"]


def test_clerk_sees_only_their_own_window(client, world, period):
    client.force_login(world["clerk2"])
    response = _page(client, period)
    assert [r.label for r, _links in response.context["windows"]] == ["宜昌窗口"]
    total = response.context["f"].total
    assert (total.done, total.on_time, total.complaints_open) == (1, 1, 0)
    # Asking for another window is ignored: still only their own.
    other = _page(client, {**period, "window": world["w1"].pk})
    assert other.context["f"].total.done == 1
    rows = client.get(
        reverse("windows:compliance_rows", args=["done"]), {**period, "window": world["w1"].pk}
    )
    assert "武汉窗口" not in rows.text
    assert _count_of(rows) == 1


def test_clerk_gets_no_report(client, world):
    client.force_login(world["clerk1"])
    response = client.get(
        reverse("windows:compliance_report"), {"market": "wuhan", "month": "2026-03"}
    )
    assert response.status_code == 403
    page = client.get(reverse("windows:compliance"))
    assert 'id="compliance-report"' not in page.text


def test_sub_market_operator_sees_only_their_market(client, world, period, operator_org):
    from tests.factories import make_operator

    sub_operator = make_operator(operator_org, world["sub1"], username="subop")
    client.force_login(sub_operator)
    response = _page(client, period)
    assert [r.label for r, _links in response.context["windows"]] == ["武汉窗口"]
    assert response.context["f"].total.done == 5
    report = client.get(
        reverse("windows:compliance_report"), {"market": "yichang", "month": "2026-03"}
    )
    assert report.status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    for url in (
        reverse("windows:compliance"),
        reverse("windows:compliance_rows", args=["done"]),
        reverse("windows:compliance_report"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_person_without_a_window_role_is_refused(client, enterprise_user, world):
    client.force_login(enterprise_user)
    assert client.get(reverse("windows:compliance")).status_code == 403
    assert client.get(reverse("windows:compliance_rows", args=["done"])).status_code == 403


def test_unknown_figure_is_not_found(client, operator, world):
    client.force_login(operator)
    assert client.get(reverse("windows:compliance_rows", args=["nothing"])).status_code == 404


def _grow(world, now, n):
    """n more cases at each window, each with items, a rating and a follow-up."""
    for window, clerk, std, items in (
        (world["w1"], world["clerk1"], world["a"], world["a_items"]),
        (world["w2"], world["clerk2"], world["a"], world["a_items"]),
    ):
        for i in range(n):
            case = make_case(
                window,
                std,
                clerk,
                opened_at=now - (i + 2) * D,
                state=CaseState.CLOSED,
                closed_at=now - (i + 1) * D,
            )
            for item in items:
                make_item(case, item, due_at=now - (i + 1) * D, done_at=now - (i + 1) * D - H)
            rate(case, 1 + i % 5, rated_at=now - i * D, follow_up_due=now + D)


def test_query_count_does_not_grow_with_the_rows(
    client, operator, world, period, now, django_assert_max_num_queries
):
    """Measured on the path that computes the figures (right after a change), and on the
    cached one."""
    client.force_login(operator)
    _page(client, period)  # the session and the site's own lookups
    fragments_bump(compliance.COMPLIANCE_FIGURES)
    with CaptureQueriesContext(connection) as small:
        _page(client, period)
    with CaptureQueriesContext(connection) as small_cached:
        _page(client, period)
    # Counted now: the connection keeps the last 9,000 queries, so a slice taken after the
    # rows below are made would shift.
    computed_count, cached_count = len(small), len(small_cached)
    assert cached_count < computed_count
    rows_url = reverse("windows:compliance_rows", args=["done"])
    client.get(rows_url, period)
    fragments_bump(compliance.COMPLIANCE_FIGURES)
    with CaptureQueriesContext(connection) as rows_small:
        client.get(rows_url, period)
    rows_count = len(rows_small)
    _grow(world, now, 15)
    with django_assert_max_num_queries(computed_count):
        response = _page(client, period)
    assert response.context["f"].total.done == 6 + 2 * 15 * 4
    with django_assert_max_num_queries(cached_count):
        _page(client, period)
    fragments_bump(compliance.COMPLIANCE_FIGURES)
    with django_assert_max_num_queries(rows_count):
        client.get(rows_url, period)


def test_figures_follow_a_change_at_once(client, operator, world, period, now):
    """A cached figure is never older than the last change of its rows."""
    client.force_login(operator)
    assert _page(client, period).context["f"].total.done == 6
    case = world["cases"][1]
    item = case.items.get(due_at__lt=now)
    item.done_at = now
    item.evidence_file = "windows/evidence/x.pdf"
    item.save()
    total = _page(client, period).context["f"].total
    assert (total.done, total.overdue) == (7, 0)


def test_figures_follow_a_step_saved_without_signals(client, operator, world, period, now):
    """A service that sets done_at with QuerySet.update records the step in the audit log;
    the log's latest entry is part of the cached figures' key."""
    from django.contrib.contenttypes.models import ContentType

    from market.models import TransitionLog
    from windows.models import CaseItem

    client.force_login(operator)
    assert _page(client, period).context["f"].total.done == 6
    case = world["cases"][1]
    CaseItem.objects.filter(case=case, due_at__lt=now).update(done_at=now)
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        transition="complete_item",
        from_state="open",
        to_state="open",
    )
    assert _page(client, period).context["f"].total.done == 7
