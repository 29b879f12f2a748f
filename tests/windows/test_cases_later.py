"""容缺受理: an item whose document is not at hand goes ahead with what is to follow written
down; the one-time notice asks for it, the case cannot close until it is supplied, the
compliance dashboard counts it as missing evidence, and supplying it is recorded."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from market.models import TransitionLog
from tests.windows.case_world import build, pdf, work_every_item
from windows.choices import WindowService
from windows.services import cases as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(main_market):
    return build(main_market)


def _case(world):
    case = services.case_open(
        window=world.window,
        service=WindowService.CONTRACT_REGISTRATION,
        requester_name="程林瑞",
        by=world.clerk,
    )
    return case, list(case.items.select_related("standard_item").order_by("position"))


def test_an_item_goes_ahead_with_its_document_to_follow(world):
    case, (receive, *rest) = _case(world)
    with pytest.raises(ValidationError) as silent:
        services.case_complete_item(item=receive, by=world.clerk, evidence_later=True)
    assert silent.value.message_dict == {
        "evidence_text": ["容缺受理须在文字记录中写明后补的材料。"]
    }

    services.case_complete_item(
        item=receive, by=world.clerk, evidence_later=True, evidence_text="合同原件三日内补交"
    )
    receive.refresh_from_db()
    assert receive.is_done and receive.evidence_pending
    assert [i.position for i in services.missing_items(case)][0] == receive.position
    notice = services.case_notify_missing(case=case, by=world.clerk)
    assert "已容缺受理，请补交材料（合同原件三日内补交）" in notice.message

    work_every_item(case, world.clerk)
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, by=world.clerk)
    assert refused.value.messages == [
        "还有 1 项必办事项未完成或待补交材料，不能办结：1. 接收登记申请及合同文本（待补交材料）"
    ]

    services.item_attach_evidence(item=receive, by=world.clerk, evidence_file=pdf("原件.pdf"))
    receive.refresh_from_db()
    assert not receive.evidence_pending
    with pytest.raises(ValidationError) as twice:
        services.item_attach_evidence(item=receive, by=world.clerk, evidence_file=pdf())
    assert twice.value.messages == ["该事项没有待补交的材料。"]
    assert services.case_close(case=case, by=world.clerk).state == "closed"
    reasons = list(
        TransitionLog.objects.filter(
            object_id=case.pk, transition__in=["complete_item", "attach_evidence"]
        )
        .order_by("pk")
        .values_list("transition", "reason")
    )
    assert reasons[0] == (
        "complete_item",
        "#1 接收登记申请及合同文本：容缺受理，待补交：合同原件三日内补交",
    )
    assert ("attach_evidence", "#1 接收登记申请及合同文本：补交材料：原件.pdf") in reasons


def test_the_case_page_offers_the_later_document_and_takes_it(client, world):
    case, (receive, *_rest) = _case(world)
    client.force_login(world.clerk)
    client.post(
        reverse("windows:item_complete", args=[receive.pk]),
        {f"item{receive.pk}-evidence_later": "on", f"item{receive.pk}-evidence_text": "原件后补"},
    )
    body = client.get(case.get_absolute_url()).content.decode()
    attach = reverse("windows:item_attach", args=[receive.pk])
    assert "容缺受理：材料待补交" in body and f'action="{attach}"' in body
    assert client.get(attach).status_code == 405
    client.post(attach, {f"attach{receive.pk}-evidence_file": pdf()})
    receive.refresh_from_db()
    assert not receive.evidence_pending
    assert f'action="{attach}"' not in client.get(case.get_absolute_url()).content.decode()
