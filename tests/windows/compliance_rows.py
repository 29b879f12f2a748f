"""Hand-built window cases, items, ratings, follow-ups and complaints for the compliance
figures and the monthly report. Rows are made with the ORM (the models are the contract),
so every date and every piece of evidence is exactly what the test says."""

from __future__ import annotations

import datetime
import secrets

from market.choices import OrganizationKind, Role
from market.models import Membership
from tests.factories import OrganizationFactory, SubMarketFactory, UserFactory
from tests.factories.windows import (
    ServiceStandardFactory,
    ServiceWindowFactory,
    StandardItemFactory,
)
from windows.choices import (
    CaseState,
    ComplaintState,
    ComplaintSubject,
    EvidenceKind,
    WindowService,
)
from windows.models import CaseItem, CaseRating, Complaint, FollowUp, ServiceCase

H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)


def standard_with_items(code, *, version=1, previous=None, kinds=None):
    std = ServiceStandardFactory(
        code=code, version=version, previous=previous, service=WindowService.RECEPTION
    )
    kinds = kinds or [EvidenceKind.FILE, EvidenceKind.TEXT, EvidenceKind.CONFIRMATION]
    items = [
        StandardItemFactory(standard=std, sort_order=i, evidence=kind, action=f"{code} 事项{i}")
        for i, kind in enumerate([*kinds, EvidenceKind.NONE])
    ]
    return std, items


def clerk_of(market, username):
    org = OrganizationFactory(kind=OrganizationKind.OPERATOR, name=f"{username}机构", market=market)
    user = UserFactory(username=username, name=f"窗口{username}")
    Membership.objects.create(user=user, organization=org, role=Role.WINDOW_CLERK, market=market)
    return user


def make_case(window, standard, opened_by, *, opened_at, state=CaseState.OPEN, closed_at=None):
    return ServiceCase.objects.create(
        window=window,
        standard=standard,
        service=standard.service,
        requester_name="张三",
        opened_by=opened_by,
        opened_at=opened_at,
        state=state,
        closed_at=closed_at,
        requester_key=secrets.token_hex(16),
    )


def make_item(case, standard_item, *, due_at, done_at=None, evidence=True):
    """An item; `evidence=True` gives it what its standard item asks for, False leaves it
    out."""
    fields = {}
    if evidence and done_at is not None:
        kind = standard_item.evidence
        if kind == EvidenceKind.FILE:
            fields["evidence_file"] = "windows/evidence/2026/01/proof.pdf"
        elif kind == EvidenceKind.TEXT:
            fields["evidence_text"] = "已核验材料"
        elif kind == EvidenceKind.CONFIRMATION:
            fields["confirmed_at"] = done_at
    return CaseItem.objects.create(
        case=case,
        standard_item=standard_item,
        position=standard_item.sort_order + 1,
        due_at=due_at,
        done_at=done_at,
        done_by=case.opened_by if done_at else None,
        **fields,
    )


def rate(case, level, *, rated_at, follow_up_due=None, visited_at=None):
    rating = CaseRating.objects.create(case=case, level=level, rated_at=rated_at)
    if follow_up_due is not None:
        FollowUp.objects.create(rating=rating, due_at=follow_up_due, visited_at=visited_at)
    return rating


def complain(window, standard, *, received_at, state=ComplaintState.RECEIVED):
    return Complaint.objects.create(
        code=secrets.token_hex(8),
        subject=ComplaintSubject.WINDOW,
        market=window.market,
        window=window,
        standard=standard,
        body="窗口人员态度不好",
        received_at=received_at,
        handling_due_at=received_at + D,
        answer_due_at=received_at + 5 * D,
        state=state,
        closed_at=received_at + 2 * D if state == ComplaintState.CLOSED else None,
    )


def build_world(main_market, now):
    """Two sub-markets' windows, two standards (B in two versions), and rows whose every
    figure is known (see the module docstring of test_compliance)."""
    sub1 = SubMarketFactory(parent=main_market, name="武汉分市场", code="wuhan")
    sub2 = SubMarketFactory(parent=main_market, name="宜昌分市场", code="yichang")
    w1 = ServiceWindowFactory(market=sub1, name="武汉窗口")
    w2 = ServiceWindowFactory(market=sub2, name="宜昌窗口")
    a, (a_file, a_text, a_conf, a_none) = standard_with_items("TEST/A")
    b1, b1_items = standard_with_items("TEST/B", kinds=[])
    b2, b2_items = standard_with_items("TEST/B", version=2, previous=b1, kinds=[])
    clerk1, clerk2 = clerk_of(sub1, "clerk1"), clerk_of(sub2, "clerk2")

    # w1, standard A, closed after 48 hours: 4 items done, one late without its text, one
    # without the requester's confirmation.
    case1 = make_case(
        w1, a, clerk1, opened_at=now - 20 * D, state=CaseState.CLOSED, closed_at=now - 18 * D
    )
    make_item(case1, a_file, due_at=now - 19 * D, done_at=now - 19 * D - H)
    make_item(case1, a_text, due_at=now - 19 * D, done_at=now - 18 * D - H, evidence=False)
    make_item(case1, a_conf, due_at=now - 18 * D, done_at=now - 18 * D - H, evidence=False)
    make_item(case1, a_none, due_at=now - 18 * D, done_at=now - 18 * D - H)
    # w1, standard A, open: one item past its deadline, one not yet due.
    case2 = make_case(w1, a, clerk1, opened_at=now - 5 * D)
    make_item(case2, a_file, due_at=now - D)
    make_item(case2, a_text, due_at=now + 2 * D)
    # w1, standard B version 2, closed after 24 hours, its one item done late.
    case3 = make_case(
        w1, b2, clerk1, opened_at=now - 10 * D, state=CaseState.CLOSED, closed_at=now - 9 * D
    )
    make_item(case3, b2_items[0], due_at=now - 10 * D + H, done_at=now - 9 * D - H)
    # w2, standard B version 1, withdrawn: its undone item is not overdue (the case is over).
    case4 = make_case(
        w2, b1, clerk2, opened_at=now - 8 * D, state=CaseState.WITHDRAWN, closed_at=now - 6 * D
    )
    make_item(case4, b1_items[0], due_at=now - 7 * D, done_at=now - 7 * D - H)
    undone = StandardItemFactory(standard=b1, sort_order=9, evidence=EvidenceKind.NONE)
    make_item(case4, undone, due_at=now - 3 * D)

    rate(case1, 2, rated_at=now - 17 * D, follow_up_due=now - D)
    rate(case3, 5, rated_at=now - 8 * D)
    complain(w1, a, received_at=now - 4 * D)
    complain(w1, a, received_at=now - 4 * D, state=ComplaintState.CLOSED)
    return {
        "sub1": sub1,
        "sub2": sub2,
        "w1": w1,
        "w2": w2,
        "a": a,
        "b1": b1,
        "b2": b2,
        "a_items": (a_file, a_text, a_conf, a_none),
        "clerk1": clerk1,
        "clerk2": clerk2,
        "cases": (case1, case2, case3, case4),
    }
