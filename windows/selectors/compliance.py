"""Window compliance (窗口合规): how the windows keep to their service standards.

The figures, for the windows a person may see, narrowed by window, by standard (its code:
every version of it) and by period (a date range, this year by default):

- items done on time (done_at <= due_at) among the items done in the period;
- items overdue now: undone items of open cases whose deadline, in the period, has passed;
- items done in the period without the evidence their standard item asks for (a file, a
  text record, or the requester's confirmation);
- the average handling time (closed_at - opened_at) of the cases closed in the period;
- the ratings (好差评) given in the period by level, and their follow-ups (整改) not yet
  visited, and of those the ones past their deadline;
- the complaints received in the period about the windows' markets and not yet closed.

Every figure is an aggregate query (conditional Count / Sum with filters; TruncMonth for a
period of more than two years), one grouped query per kind of row whatever the number of
rows, rolled up here into the totals, per window and per standard (a few dozen groups at
most). Every figure opens the rows behind it: `figure_rows(flt, figure)` returns them under
the same filters, and its count is the figure.

What only a change of rows changes is computed once per change (the COMPLIANCE_FIGURES
fragments of market.fragments, bumped by windows.receivers and keyed by the audit log's
latest step); what the clock changes (items and follow-ups past their deadline now) is
counted on every call, from the undone rows only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from market.choices import Role
from market.models import Membership
from market.permissions import operated_market_ids
from windows.choices import CaseState, ComplaintState, RatingLevel
from windows.models import (
    CaseItem,
    CaseRating,
    Complaint,
    ServiceCase,
    ServiceStandard,
    ServiceWindow,
)
from windows.models.cases import EVIDENCE_MISSING

# The figures a rows page lists, and what each lists: case items, cases, or complaints.
FIGURES = {
    "done": (_("已完成事项"), "items"),
    "on_time": (_("按时完成事项"), "items"),
    "late": (_("超时完成事项"), "items"),
    "overdue": (_("当前逾期事项"), "items"),
    "missing_evidence": (_("缺少佐证的事项"), "items"),
    "closed": (_("已办结事项（办理时长）"), "cases"),
    "rated": (_("已评价事项"), "cases"),
    "followups_open": (_("未回访的整改"), "cases"),
    "followups_overdue": (_("逾期未回访的整改"), "cases"),
    "complaints_open": (_("未办结的投诉"), "complaints"),
}


@dataclass(frozen=True)
class ComplianceFilter:
    """The windows a person may see, narrowed by the form's window, standard and period
    (both dates inclusive, in the market's time zone)."""

    window_ids: frozenset[int]
    date_from: datetime.date
    date_to: datetime.date
    window_id: int | None = None
    standard_code: str | None = None
    # The rating level a "rated" rows page narrows to.
    level: int | None = None
    now: datetime.datetime = field(default_factory=timezone.now, compare=False)

    @property
    def windows(self) -> set[int]:
        if self.window_id is not None:
            return {self.window_id} & set(self.window_ids)
        return set(self.window_ids)

    @property
    def starts(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date_from, datetime.time.min))

    @property
    def ends(self) -> datetime.datetime:
        """The first moment after the period."""
        day = self.date_to + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def query(self, **extra) -> dict[str, str]:
        """The filter as GET parameters, for the rows pages and the report links."""
        out = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.window_id is not None:
            out["window"] = str(self.window_id)
        if self.standard_code:
            out["standard"] = self.standard_code
        out.update({k: str(v) for k, v in extra.items() if v is not None})
        return out


def visible_window_ids(user) -> set[int]:
    """The windows of the markets a person operates, and the windows a clerk works at."""
    if not user or not user.is_authenticated:
        return set()
    markets = set(operated_market_ids(user))
    markets |= set(
        Membership.objects.filter(user=user, role=Role.WINDOW_CLERK).values_list(
            "market_id", flat=True
        )
    )
    markets.discard(None)
    if not markets:
        return set()
    return set(ServiceWindow.objects.filter(market_id__in=markets).values_list("id", flat=True))


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def month_period(month: str) -> tuple[datetime.date, datetime.date] | None:
    """'2026-03' as its first and last day, or None for a bad value."""
    try:
        first = datetime.datetime.strptime(month, "%Y-%m").date()
    except (TypeError, ValueError):
        return None
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def compliance_filter(user, params, *, window_ids=None) -> ComplianceFilter:
    """The filter from GET parameters (window, standard, from/to or month, level); a bad
    value is ignored rather than an error. The period defaults to this year so far."""
    ids = frozenset(visible_window_ids(user) if window_ids is None else window_ids)
    raw_window = params.get("window") or ""
    window_id = int(raw_window) if raw_window.isdigit() and int(raw_window) in ids else None
    today = timezone.localdate()
    date_from, date_to = _date(params.get("from")), _date(params.get("to"))
    month = month_period(params.get("month") or "")
    if month:
        date_from, date_to = month
    date_from = date_from or datetime.date(today.year, 1, 1)
    date_to = date_to or max(today, date_from)
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    raw_level = params.get("level") or ""
    level = int(raw_level) if raw_level.isdigit() and int(raw_level) in RatingLevel else None
    return ComplianceFilter(
        window_ids=ids,
        date_from=date_from,
        date_to=date_to,
        window_id=window_id,
        standard_code=(params.get("standard") or "").strip() or None,
        level=level,
    )


def compliance_windows(flt: ComplianceFilter) -> QuerySet[ServiceWindow]:
    return ServiceWindow.objects.filter(id__in=flt.window_ids).select_related("market")


def compliance_standards() -> list[tuple[str, str]]:
    """(code, title of its newest version) of every standard, for the filter."""
    seen: dict[str, str] = {}
    for code, title in ServiceStandard.objects.order_by("code", "-version").values_list(
        "code", "title"
    ):
        seen.setdefault(code, title)
    return sorted(seen.items())


# The rows behind each figure.


def _items(flt: ComplianceFilter) -> QuerySet[CaseItem]:
    qs = CaseItem.objects.filter(case__window_id__in=flt.windows)
    if flt.standard_code:
        qs = qs.filter(case__standard__code=flt.standard_code)
    return qs


def _done(flt: ComplianceFilter) -> Q:
    return Q(done_at__gte=flt.starts, done_at__lt=flt.ends)


def _on_time() -> Q:
    return Q(done_at__lte=F("due_at"))


def _overdue(flt: ComplianceFilter) -> Q:
    return Q(
        done_at__isnull=True,
        case__state=CaseState.OPEN,
        due_at__gte=flt.starts,
        due_at__lt=min(flt.ends, flt.now),
    )


def _cases(flt: ComplianceFilter) -> QuerySet[ServiceCase]:
    qs = ServiceCase.objects.filter(window_id__in=flt.windows)
    if flt.standard_code:
        qs = qs.filter(standard__code=flt.standard_code)
    return qs


def _closed(flt: ComplianceFilter) -> Q:
    return Q(state=CaseState.CLOSED, closed_at__gte=flt.starts, closed_at__lt=flt.ends)


def _ratings(flt: ComplianceFilter) -> QuerySet[CaseRating]:
    qs = CaseRating.objects.filter(
        case__window_id__in=flt.windows, rated_at__gte=flt.starts, rated_at__lt=flt.ends
    )
    if flt.standard_code:
        qs = qs.filter(case__standard__code=flt.standard_code)
    return qs


def _followup_open(prefix: str = "") -> Q:
    return Q(**{f"{prefix}follow_up__isnull": False, f"{prefix}follow_up__visited_at": None})


def _followup_overdue(flt: ComplianceFilter, prefix: str = "") -> Q:
    return _followup_open(prefix) & Q(**{f"{prefix}follow_up__due_at__lt": flt.now})


def _complaints(flt: ComplianceFilter) -> QuerySet[Complaint]:
    qs = Complaint.objects.filter(
        market__window__id__in=flt.windows,
        received_at__gte=flt.starts,
        received_at__lt=flt.ends,
    ).exclude(state=ComplaintState.CLOSED)
    if flt.standard_code:
        qs = qs.filter(standard__code=flt.standard_code)
    return qs


def figure_rows(flt: ComplianceFilter, figure: str) -> QuerySet:
    """The rows (case items, cases or complaints) behind one figure: its count is the
    figure."""
    if figure == "done":
        return _items(flt).filter(_done(flt))
    if figure == "on_time":
        return _items(flt).filter(_done(flt) & _on_time())
    if figure == "late":
        return _items(flt).filter(_done(flt) & ~_on_time())
    if figure == "overdue":
        return _items(flt).filter(_overdue(flt))
    if figure == "missing_evidence":
        return _items(flt).filter(_done(flt) & EVIDENCE_MISSING)
    if figure == "closed":
        return _cases(flt).filter(_closed(flt))
    if figure == "rated":
        ratings = _ratings(flt)
        if flt.level is not None:
            ratings = ratings.filter(level=flt.level)
        return _cases(flt).filter(rating__in=ratings)
    if figure == "followups_open":
        return _cases(flt).filter(rating__in=_ratings(flt).filter(_followup_open()))
    if figure == "followups_overdue":
        return _cases(flt).filter(rating__in=_ratings(flt).filter(_followup_overdue(flt)))
    if figure == "complaints_open":
        return _complaints(flt)
    raise KeyError(figure)


def figure_kind(figure: str) -> str:
    return FIGURES[figure][1]


# The figures.


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Row:
    """One line of a table: the counts, and the window or standard it is for."""

    key: object = None
    label: str = ""
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    missing_evidence: int = 0
    closed: int = 0
    handling: datetime.timedelta = datetime.timedelta(0)
    rated: int = 0
    levels: dict[int, int] = field(default_factory=dict)
    followups_open: int = 0
    followups_overdue: int = 0
    complaints_open: int = 0

    @property
    def late(self) -> int:
        return self.done - self.on_time

    @property
    def on_time_share(self) -> float | None:
        """Per cent of the items done that were done on time."""
        return _share(self.on_time, self.done)

    @property
    def handling_hours(self) -> float | None:
        if not self.closed:
            return None
        return round(self.handling.total_seconds() / 3600 / self.closed, 1)

    @property
    def handling_days(self) -> float | None:
        hours = self.handling_hours
        return None if hours is None else round(hours / 24, 1)

    def add(self, **counts) -> None:
        for name, value in counts.items():
            if value:
                setattr(self, name, getattr(self, name) + value)


@dataclass
class Figures:
    total: Row
    by_window: list[Row]
    by_standard: list[Row]
    by_month: list[dict]
    levels: list[dict]


def _as_duration(value) -> datetime.timedelta:
    if value is None:
        return datetime.timedelta(0)
    if isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=int(value))


def _months(
    flt: ComplianceFilter,
) -> list[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
    """The months the period touches: (first day, start, end), each clipped to the period."""
    out = []
    first = flt.date_from.replace(day=1)
    while first <= flt.date_to:
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
        end = timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))
        out.append((first, max(start, flt.starts), min(end, flt.ends)))
        first = following
    return out


# Past this many months the monthly table is grouped with TruncMonth instead of one
# conditional count per month (SQLite truncates dates in Python, row by row: slow).
MONTH_COLUMNS = 24


def _stable_groups(flt: ComplianceFilter) -> dict:
    """The figures that only a change of rows changes (not the clock): grouped by window and
    standard code, from four aggregate queries, and the monthly counts."""
    done = _done(flt)
    months = _months(flt)
    by_columns = len(months) <= MONTH_COLUMNS
    month_counts = {}
    if by_columns:
        for n, (_first, start, end) in enumerate(months):
            in_month = Q(done_at__gte=start, done_at__lt=end)
            month_counts[f"m{n}_done"] = Count("id", filter=in_month)
            month_counts[f"m{n}_on_time"] = Count("id", filter=in_month & _on_time())
    groups = []
    month_rows = {first: [0, 0] for first, _s, _e in months}
    items = (
        _items(flt)
        .filter(done)
        .order_by()
        .values(wid=F("case__window_id"), std=F("case__standard__code"))
        .annotate(
            done=Count("id"),
            on_time=Count("id", filter=_on_time()),
            missing_evidence=Count("id", filter=EVIDENCE_MISSING),
            **month_counts,
        )
    )
    for g in items:
        for n, (first, _s, _e) in enumerate(months if by_columns else []):
            month_rows[first][0] += g.pop(f"m{n}_done")
            month_rows[first][1] += g.pop(f"m{n}_on_time")
        groups.append(g)
    if not by_columns:
        truncated = (
            _items(flt)
            .filter(done)
            .order_by()
            .annotate(month=TruncMonth("done_at"))
            .values("month")
            .annotate(done=Count("id"), on_time=Count("id", filter=_on_time()))
        )
        for g in truncated:
            month = g["month"]
            month = month.date() if isinstance(month, datetime.datetime) else month
            row = month_rows.setdefault(month, [0, 0])
            row[0] += g["done"]
            row[1] += g["on_time"]

    handling = ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
    cases = (
        _cases(flt)
        .filter(_closed(flt))
        .order_by()
        .values(wid=F("window_id"), std=F("standard__code"))
        .annotate(closed=Count("id"), handling=Sum(handling))
    )
    for g in cases:
        g["handling"] = _as_duration(g["handling"])
        groups.append(g)
    ratings = (
        _ratings(flt)
        .order_by()
        .values("level", wid=F("case__window_id"), std=F("case__standard__code"))
        .annotate(rated=Count("id"), followups_open=Count("id", filter=_followup_open()))
    )
    groups.extend(ratings)
    complaints = (
        _complaints(flt)
        .order_by()
        .values(wid=F("market__window__id"), std=F("standard__code"))
        .annotate(complaints_open=Count("id"))
    )
    groups.extend(complaints)
    return {"groups": groups, "months": sorted(month_rows.items())}


def _live_groups(flt: ComplianceFilter) -> list[dict]:
    """The figures the clock changes: items and follow-ups past their deadline now. Both read
    only what is undone (the undone items by their partial index), a small part of the
    rows."""
    overdue = (
        _items(flt)
        .filter(_overdue(flt))
        .order_by()
        .values(wid=F("case__window_id"), std=F("case__standard__code"))
        .annotate(overdue=Count("id"))
    )
    followups = (
        _ratings(flt)
        .filter(_followup_overdue(flt))
        .order_by()
        .values(wid=F("case__window_id"), std=F("case__standard__code"))
        .annotate(followups_overdue=Count("id"))
    )
    return [*overdue, *followups]


# The fragments (market.fragments) of the figures that only a change of rows changes: bumped
# by windows.receivers when a case, an item, a rating, a follow-up, a complaint or a
# standard is saved or deleted; the key also holds the audit log's latest entry, which every
# step of a case or complaint writes, so a step saved by QuerySet.update is seen too.
COMPLIANCE_FIGURES = "window-compliance"


def _latest_step() -> int:
    from market.models import TransitionLog

    return TransitionLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _stable_cached(flt: ComplianceFilter) -> dict:
    from market.fragments import fragment

    parts = (
        tuple(sorted(flt.windows)),
        flt.standard_code,
        flt.date_from,
        flt.date_to,
        _latest_step(),
    )
    return fragment(COMPLIANCE_FIGURES, "figures", lambda: _stable_groups(flt), *parts)


def compliance_figures(flt: ComplianceFilter, *, cached: bool = True) -> Figures:
    """Every figure of the dashboard: the part only a change of rows changes computed once
    per change (`cached=False` computes it afresh), the part the clock changes on each
    call. A constant number of queries whatever the number of rows."""
    stable = _stable_cached(flt) if cached else _stable_groups(flt)
    return _assemble(flt, [*stable["groups"], *_live_groups(flt)], stable["months"])


def _assemble(flt: ComplianceFilter, groups: list[dict], months) -> Figures:
    windows = {w.id: w for w in compliance_windows(flt).filter(id__in=flt.windows)}
    titles = dict(compliance_standards())
    total = Row(key=None, label=str(_("合计")))
    by_window = {wid: Row(key=wid, label=w.name) for wid, w in windows.items()}
    by_standard: dict[str, Row] = {}
    for group in groups:
        counts = dict(group)
        window_id, code = counts.pop("wid"), counts.pop("std")
        level = counts.pop("level", None)
        row = by_standard.get(code)
        if row is None:
            row = by_standard[code] = Row(key=code, label=f"{code} {titles.get(code, '')}")
        for r in (total, by_window[window_id], row):
            r.add(**counts)
            if level is not None:
                r.levels[level] = r.levels.get(level, 0) + counts["rated"]
    by_month = [
        {
            "month": first,
            "label": f"{first:%Y-%m}",
            "done": done,
            "on_time": on_time,
            "share": _share(on_time, done),
        }
        for first, (done, on_time) in months
        if done
    ]
    levels = [
        {"level": int(level), "label": str(level.label), "n": total.levels.get(int(level), 0)}
        for level in sorted(RatingLevel, reverse=True)
    ]
    return Figures(
        total=total,
        by_window=sorted(by_window.values(), key=lambda r: r.label),
        by_standard=sorted(by_standard.values(), key=lambda r: str(r.key)),
        by_month=by_month,
        levels=levels,
    )


def figure_count(figures: Figures, figure: str, level: int | None = None) -> int:
    """A figure's number from the dashboard's figures: what its rows page counts."""
    if figure == "rated" and level is not None:
        return figures.total.levels.get(level, 0)
    return getattr(figures.total, figure)
