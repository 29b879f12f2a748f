"""Two clerks completing the same checklist item at the same moment, in two real
transactions on PostgreSQL: the case's row lock serves them one after the other, so the item
is done once and the second clerk is told who did it and when."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from market.models import TransitionLog, User
from tests.concurrency import race
from tests.windows.case_world import build, pdf
from windows.choices import WindowService
from windows.models import CaseItem
from windows.services import cases as services

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def complete(item_pk, user_pk, **evidence):
    # Each thread loads its own objects, through its own connection.
    return lambda: services.case_complete_item(
        item=CaseItem.objects.get(pk=item_pk), by=User.objects.get(pk=user_pk), **evidence
    )


def test_two_clerks_completing_one_item_at_once(main_market):
    world = build(main_market)
    case = services.case_open(
        window=world.window,
        service=WindowService.RECEPTION,
        requester_name="张工",
        by=world.clerk,
    )
    first = case.items.get(position=1)

    outcomes = race(
        complete(first.pk, world.clerk.pk, evidence_text="小王登记"),
        complete(first.pk, world.colleague.pk, evidence_text="小陈登记"),
    )

    won = [o for o in outcomes if isinstance(o, CaseItem)]
    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(won), len(lost)) == (1, 1)
    first.refresh_from_db()
    winner = first.done_by
    assert first.evidence_text == {"窗口小王": "小王登记", "窗口小陈": "小陈登记"}[winner.name]
    when = f"{timezone.localtime(first.done_at):%Y-%m-%d %H:%M}"
    assert lost[0].code == "already_done"
    assert lost[0].messages == [f"该事项已由{winner.name}于{when}完成。"]
    assert TransitionLog.objects.filter(object_id=case.pk, transition="complete_item").count() == 1


def test_two_clerks_completing_two_items_of_one_case_at_once(main_market):
    world = build(main_market)
    case = services.case_open(
        window=world.window,
        service=WindowService.CONTRACT_REGISTRATION,
        requester_name="张工",
        by=world.clerk,
    )
    receive = case.items.get(position=1)
    review = case.items.get(position=2)

    outcomes = race(
        complete(receive.pk, world.clerk.pk, evidence_file=pdf()),
        complete(review.pk, world.colleague.pk, evidence_text="要件齐全"),
    )

    # Both succeed, one after the other: no deadlock, and item 2's deadline ends up counted
    # from item 1's completion or kept from its own, never lost.
    assert all(isinstance(o, CaseItem) for o in outcomes)
    assert case.items.filter(done_at__isnull=False).count() == 2
