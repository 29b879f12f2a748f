"""The case pages: the clerk's desk, a case's page with its checklist and forms, POST-only
changes, the checked evidence download, and the requester's own pages (their case, the
confirmation, the rating), opened without signing in."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import SubMarketFactory
from tests.windows.case_world import at, build, clerk_of, pdf
from windows.choices import CaseState, WindowService
from windows.models import CaseRating, ServiceCase
from windows.services import cases as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(main_market):
    return build(main_market)


def open_case(world, service=WindowService.RECEPTION, when=None, **kwargs):
    return services.case_open(
        window=world.window,
        service=service,
        requester_name="张工",
        by=world.clerk,
        opened_at=when,
        **kwargs,
    )


def page(client, case):
    return client.get(reverse("windows:case_detail", args=[case.pk]))


# --- the desk ----------------------------------------------------------------------------


def test_the_desk_shows_the_window_s_open_cases_overdue_highlighted(client, world):
    late = open_case(world, when=at(2025, 3, 3, 9))
    fresh = open_case(world)
    closed = open_case(world)
    services.case_withdraw(case=closed, by=world.clerk, reason="误录")
    client.force_login(world.clerk)

    response = client.get(reverse("windows:desk"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(late.number) < html.index(fresh.number)
    assert closed.number not in html
    assert f'data-case="{late.pk}" data-overdue="true"' in html
    assert f'data-case="{fresh.pk}" data-overdue="false"' in html
    assert "1 件已超时" in html
    assert 'href="/windows/desk/appointments/"' in html
    assert 'id="case-open-form"' in html


def test_the_desk_is_for_clerks_and_operators_only(client, world, outsider):
    assert client.get(reverse("windows:desk")).status_code == 302  # to the login page
    client.force_login(outsider)
    assert client.get(reverse("windows:desk")).status_code == 403
    client.force_login(world.operator)
    assert client.get(reverse("windows:desk")).status_code == 200


def test_a_walk_in_opened_from_the_desk_twice_is_one_case(client, world):
    client.force_login(world.clerk)
    form = {
        "window": world.window.pk,
        "service": WindowService.CONTRACT_REGISTRATION,
        "requester_name": "李总",
        "requester_phone": "13800000000",
        "summary": "技术开发合同登记",
        "token": str(uuid.uuid4()),
    }

    first = client.post(reverse("windows:case_open"), form)
    second = client.post(reverse("windows:case_open"), form)

    case = ServiceCase.objects.get()
    assert first.url == second.url == case.get_absolute_url()
    assert (case.requester_name, case.opened_by) == ("李总", world.clerk)


def test_an_invalid_walk_in_shows_the_form_again(client, world):
    client.force_login(world.clerk)
    response = client.post(
        reverse("windows:case_open"), {"window": world.window.pk, "service": "reception"}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["requester_name"]
    assert 'name="requester_name"' in response.content.decode()
    assert not ServiceCase.objects.exists()


def test_another_market_s_window_is_not_on_the_desk(client, world, main_market):
    sub = SubMarketFactory(parent=main_market)
    from tests.factories.windows import ServiceWindowFactory

    other = ServiceWindowFactory(market=sub)
    client.force_login(world.clerk)
    assert client.get(reverse("windows:desk"), {"window": other.pk}).status_code == 404
    # An operator of the main market works the sub-market's window too.
    client.force_login(world.operator)
    assert client.get(reverse("windows:desk"), {"window": other.pk}).status_code == 200


# --- the case page -----------------------------------------------------------------------


def test_the_case_page_shows_the_checklist_and_the_history(client, world):
    case = open_case(world, service=WindowService.CONTRACT_REGISTRATION)
    client.force_login(world.clerk)

    html = page(client, case).content.decode()

    for n, action in enumerate(
        ["接收登记申请及合同文本", "形式审查", "材料不全的一次性告知补正", "技术性收入核定"],
        start=1,
    ):
        assert f'id="item-{n}"' in html and action in html
    assert html.count('class="stack item-form"') == 5  # every item but the confirmation
    assert 'type="file" name="item' in html
    assert "生成确认码" in html
    assert 'id="notify-form"' in html and 'id="close-button"' in html
    assert 'data-step="open"' in html and "受理" in html
    assert reverse("windows:case_requester", args=[case.requester_key]) in html


def test_the_case_page_is_hidden_from_others(client, world, outsider):
    case = open_case(world)
    client.force_login(outsider)
    assert page(client, case).status_code == 404
    other_clerk = clerk_of(
        SubMarketFactory(parent=world.market), world.centre, "elsewhere", "别处窗口"
    )
    client.force_login(other_clerk)
    assert page(client, case).status_code == 404


def test_state_changes_are_post_only(client, world):
    case = open_case(world)
    item = case.items.get(position=1)
    client.force_login(world.clerk)
    for name, pk in [
        ("windows:item_complete", item.pk),
        ("windows:item_confirmation", item.pk),
        ("windows:case_notify", case.pk),
        ("windows:case_close", case.pk),
        ("windows:case_withdraw", case.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 405
    assert client.get(reverse("windows:case_rate", args=[case.requester_key])).status_code == 405
    item.refresh_from_db()
    case.refresh_from_db()
    assert not item.is_done and case.state == CaseState.OPEN


def test_completing_items_with_evidence_from_the_page(client, world):
    case = open_case(world, service=WindowService.CONTRACT_REGISTRATION)
    receive = case.items.get(position=1)
    client.force_login(world.clerk)
    url = reverse("windows:item_complete", args=[receive.pk])

    refused = client.post(url, {f"item{receive.pk}-evidence_text": "收到"}, follow=True)
    assert "该事项须上传佐证文件。" in refused.content.decode()
    done = client.post(url, {f"item{receive.pk}-evidence_file": pdf()}, follow=True)
    again = client.post(url, {f"item{receive.pk}-evidence_file": pdf()}, follow=True)

    receive.refresh_from_db()
    assert receive.is_done
    assert "已完成第 1 项。" in done.content.decode()
    assert "该事项已由窗口小王于" in again.content.decode()
    assert reverse("windows:item_evidence", args=[receive.pk]) in again.content.decode()


def test_closing_from_the_page_tells_what_is_missing(client, world):
    case = open_case(world)
    client.force_login(world.clerk)
    response = client.post(reverse("windows:case_close", args=[case.pk]), follow=True)
    assert "还有 5 项必办事项未完成或待补交材料，不能办结：1. 首问接待" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_the_one_time_notice_from_the_page(client, world):
    case = open_case(world)
    client.force_login(world.clerk)
    response = client.post(
        reverse("windows:case_notify", args=[case.pk]), {"message": "请带身份证。"}, follow=True
    )
    html = response.content.decode()
    assert "一次性告知已记录" in html
    assert "张工：您好！" in html and "请带身份证。" in html
    assert case.notices.count() == 1


def test_a_contract_registration_case_links_to_the_contract(client, main_market):
    from tests.brokers.contract_helpers import make_contract
    from tests.windows.case_world import registration_case

    clerk, contract, case = registration_case(main_market, make_contract)
    client.force_login(clerk)
    html = page(client, case).content.decode()
    assert (
        f'<a href="{reverse("brokers:contract", args=[contract.pk])}" id="contract-link">' in html
    )


# --- evidence download -------------------------------------------------------------------


def test_evidence_downloads_only_for_the_case_s_clerks_and_operators(client, world, outsider):
    case = open_case(world, service=WindowService.CONTRACT_REGISTRATION)
    receive = case.items.get(position=1)
    services.case_complete_item(item=receive, by=world.clerk, evidence_file=pdf())
    url = reverse("windows:item_evidence", args=[receive.pk])

    for user in (world.clerk, world.colleague, world.operator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert "private" in response["Cache-Control"]
    for user in (outsider, world.broker):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# --- the requester's pages ---------------------------------------------------------------


def test_the_requester_confirms_from_the_link_without_signing_in(client, world):
    case = open_case(world)
    item = case.items.get(position=5)
    code = services.item_request_confirmation(item=item, by=world.clerk).confirmation_code
    url = reverse("windows:case_confirm", args=[code])

    shown = client.get(url)
    assert shown.status_code == 200
    assert (
        "服务对象确认办结" in shown.content.decode()
        and 'id="confirm-form"' in shown.content.decode()
    )
    confirmed = client.post(url, follow=True)
    used = client.post(url)
    unknown = client.get(reverse("windows:case_confirm", args=["nope"]))

    item.refresh_from_db()
    assert item.is_done and item.confirmed_at
    assert "确认成功" in confirmed.content.decode()
    assert used.status_code == 409 and "该确认码已于" in used.content.decode()
    assert unknown.status_code == 404 and "确认码无效" in unknown.content.decode()
    assert "no-store" in shown["Cache-Control"]


def test_typing_the_code_leads_to_its_confirmation(client, world):
    case = open_case(world)
    item = case.items.get(position=5)
    code = services.item_request_confirmation(item=item, by=world.clerk).confirmation_code
    response = client.get(reverse("windows:confirm_lookup"), {"code": code})
    assert response.url == reverse("windows:case_confirm", args=[code])


def finish(world, case):
    for item in case.items.select_related("standard_item").order_by("position"):
        if not item.standard_item.mandatory:
            continue
        if item.standard_item.evidence == "confirmation":
            code = services.item_request_confirmation(item=item, by=world.clerk).confirmation_code
            services.item_confirm(code=code)
        elif item.standard_item.evidence == "file":
            services.case_complete_item(item=item, by=world.clerk, evidence_file=pdf())
        else:
            services.case_complete_item(item=item, by=world.clerk, evidence_text="已办")


def test_the_requester_page_shows_progress_and_after_closing_the_rating(client, world):
    case = open_case(world)
    url = reverse("windows:case_requester", args=[case.requester_key])

    before = client.get(url).content.decode()
    assert "办理中" in before and 'id="rating-form"' not in before

    finish(world, case)
    services.case_close(case=case, by=world.clerk)
    closed = client.get(url).content.decode()
    assert 'id="rating-form"' in closed and "非常不满意" in closed

    rated = client.post(
        reverse("windows:case_rate", args=[case.requester_key]),
        {"level": "2", "comment": "手续太多"},
        follow=True,
    )
    again = client.post(
        reverse("windows:case_rate", args=[case.requester_key]), {"level": "5"}, follow=True
    )

    rating = CaseRating.objects.get(case=case)
    assert (rating.level, rating.comment) == (2, "手续太多")
    assert rating.follow_up.due_at > timezone.now()
    assert "感谢您的评价" in rated.content.decode()
    assert "每个服务事项只能评价一次" in again.content.decode()
    assert client.get(reverse("windows:case_requester", args=["wrong-key"])).status_code == 404

    client.force_login(world.operator)
    html = page(client, case).content.decode()
    assert 'id="follow-up"' in html and "提交整改措施" in html
    client.post(
        reverse("windows:follow_up_rectify", args=[rating.follow_up.pk]),
        {"rectification": "精简材料清单"},
    )
    client.post(reverse("windows:follow_up_visit", args=[rating.follow_up.pk]), {"note": "已认可"})
    rating.follow_up.refresh_from_db()
    assert rating.follow_up.is_done
    html = page(client, case).content.decode()
    assert "精简材料清单" in html and "已认可" in html


def test_the_case_page_runs_a_fixed_number_of_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = open_case(world, service=WindowService.CONTRACT_REGISTRATION)
    client.force_login(world.clerk)
    services.case_notify_missing(case=case, by=world.clerk)
    page(client, case)  # warm the content types and the session
    with CaptureQueriesContext(connection) as fresh:
        page(client, case)
    finish(world, case)
    with CaptureQueriesContext(connection) as worked:
        response = page(client, case)
    assert (
        response.content.decode().count("deadline-ok")
        + response.content.decode().count("deadline-late")
        >= 5
    )
    assert len(worked.captured_queries) == len(fresh.captured_queries)


def test_an_arrived_appointment_is_opened_once_from_the_desk(client, world, outsider):
    from windows.models import Appointment, AppointmentSlot

    slot = AppointmentSlot.objects.create(
        window=world.window, starts_at=at(2026, 12, 7, 9), ends_at=at(2026, 12, 7, 9, 30)
    )
    appointment = Appointment.objects.create(
        slot=slot, service=WindowService.EVALUATION, requester_name="刘教授", requester_phone="1"
    )
    url = reverse("windows:case_open_from_appointment", args=[appointment.pk])
    assert client.get(url).status_code in (302, 405)
    client.force_login(outsider)
    assert client.post(url).status_code == 404

    client.force_login(world.clerk)
    first = client.post(url)
    second = client.post(url)

    case = ServiceCase.objects.get()
    assert first.url == second.url == case.get_absolute_url()
    assert case.requester_name == "刘教授" and case.appointment == appointment


def test_a_provisional_deadline_is_marked_on_the_pages(client, world):
    case = open_case(world, when=at(2099, 12, 21, 10))
    client.force_login(world.clerk)
    assert 'id="deadline-provisional"' in page(client, case).content.decode()
    assert "（暂定）" in client.get(reverse("windows:desk")).content.decode()
    requester = client.get(reverse("windows:case_requester", args=[case.requester_key]))
    assert "（暂定）" in requester.content.decode()


def test_a_registration_case_closes_once_the_registry_has_decided_its_contract(client, main_market):
    from brokers.services import contract_register
    from tests.brokers.contract_helpers import accepted_contract
    from tests.windows.case_world import registration_case, work_every_item

    clerk, contract, case = registration_case(main_market, accepted_contract)
    work_every_item(case, clerk)
    client.force_login(clerk)
    response = client.post(reverse("windows:case_close", args=[case.pk]), follow=True)
    html = response.content.decode()
    assert "尚未作出登记决定（当前：已受理）" in html
    assert '<span class="tag" id="contract-status">已受理</span>' in html
    case.refresh_from_db()
    assert case.state == "open"

    contract_register(contract=contract, by=clerk)
    client.post(reverse("windows:case_close", args=[case.pk]))
    case.refresh_from_db()
    assert case.state == "closed"
