"""Service cases worked to a standard's checklist: deadlines by the official 2026 calendar
(the National Day week and its 调休 Saturday, checked by hand against the State Council's
arrangement: 10月1日至7日放假，9月20日（周日）、10月10日（周六）上班), items done once with
their evidence, the requester's confirmation, the one-time notice, closing, the rating and
its follow-up, and the audit log of every step."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from market.models import Notification, TransitionLog
from tests.factories.windows import ServiceStandardFactory, StandardItemFactory
from tests.windows.case_world import at, build, pdf
from windows.calendar import WorkingCalendar
from windows.choices import (
    AppointmentStatus,
    CaseState,
    CountedFrom,
    EvidenceKind,
    ItemRole,
    LimitUnit,
    RatingLevel,
    StandardStatus,
    WindowService,
)
from windows.models import Appointment, AppointmentSlot, FollowUp, ServiceCase, ServiceStandard
from windows.selectors.cases import deadline_is_provisional, window_open_cases
from windows.services import cases as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(main_market):
    return build(main_market)


def open_case(world, service=WindowService.CONTRACT_REGISTRATION, when=None, **kwargs):
    return services.case_open(
        window=world.window,
        service=service,
        requester_name="张工",
        requester_phone="13900000000",
        by=world.clerk,
        opened_at=when,
        **kwargs,
    )


def items_of(case):
    return list(case.items.select_related("standard_item").order_by("position"))


def steps(case):
    return list(
        TransitionLog.objects.filter(content_type__model="servicecase", object_id=case.pk)
        .order_by("at", "id")
        .values_list("transition", flat=True)
    )


def local(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


def dt(*args):
    return datetime.datetime(*args)


# --- deadlines ---------------------------------------------------------------------------


def test_contract_registration_deadlines_across_the_national_day_week(world):
    # Opened Wednesday 30 September 2026 at 15:00, the eve of the week off.
    case = open_case(world, when=at(2026, 9, 30, 15))

    dues = [local(item.due_at) for item in items_of(case)]
    assert dues == [
        # 4 working hours from opening: 15:00-17:00 on 30 Sep, then 09:00-11:00 on 8 Oct.
        dt(2026, 10, 8, 11, 0),
        # 1 working day after item 1's deadline (8 Oct): 9 Oct at closing time.
        dt(2026, 10, 9, 17, 0),
        # 1 working day after 9 Oct (Friday): Saturday 10 Oct, a working day by 调休.
        dt(2026, 10, 10, 17, 0),
        # 3 working days after 10 Oct (Sunday 11 Oct rests): 12, 13, 14 Oct.
        dt(2026, 10, 14, 17, 0),
        # 10 working days from opening: 8, 9, 10, 12, 13, 14, 15, 16, 19, 20 Oct.
        dt(2026, 10, 20, 17, 0),
        # 2 working days after 20 Oct: 21, 22 Oct.
        dt(2026, 10, 22, 17, 0),
    ]
    assert local(case.due_at) == dt(2026, 10, 22, 17, 0)
    assert not deadline_is_provisional(case)


def test_reception_deadlines_in_hours_and_on_the_exchanged_saturday(world):
    case = open_case(world, service=WindowService.RECEPTION, when=at(2026, 9, 30, 16, 30))

    dues = [local(item.due_at) for item in items_of(case)]
    assert dues == [
        dt(2026, 10, 8, 9, 30),  # 1 working hour: half an hour on 30 Sep, half on 8 Oct
        dt(2026, 10, 8, 11, 30),  # 2 working hours after item 1's deadline
        dt(2026, 10, 9, 17, 0),  # 1 working day after 8 Oct
        dt(2026, 10, 10, 17, 0),  # 3 working days from opening: 8, 9, 10 Oct (Saturday)
        dt(2026, 10, 13, 17, 0),  # 2 working days after 10 Oct: 12, 13 Oct
        dt(2026, 10, 14, 17, 0),  # 1 working day after 13 Oct
    ]


def test_a_window_closing_later_counts_to_its_own_closing_time(world):
    world.window.closes_at = datetime.time(18, 30)
    world.window.save()
    case = open_case(world, when=at(2026, 9, 30, 15))

    first, second = items_of(case)[:2]
    assert local(first.due_at) == dt(2026, 10, 8, 9, 30)  # 3.5 h on 30 Sep, 0.5 h on 8 Oct
    assert local(second.due_at) == dt(2026, 10, 9, 18, 30)


def test_a_deadline_in_a_year_the_calendar_does_not_know_is_provisional(world):
    case = open_case(world, when=at(2099, 12, 20, 10))

    assert case.pk is not None
    assert deadline_is_provisional(case)


def test_completing_an_item_counts_the_next_from_its_completion(world):
    case = open_case(world, when=at(2026, 9, 30, 15))
    first, second, third, *_rest, registration, collect = items_of(case)
    planned_second = second.due_at

    services.case_complete_item(item=first, by=world.clerk, evidence_file=pdf())

    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    registration.refresh_from_db()
    window = world.window
    done_day = timezone.localdate(first.done_at)
    expected = timezone.make_aware(
        datetime.datetime.combine(
            WorkingCalendar(window.market_id).add_working_days(done_day, 1), window.closes_at
        )
    )
    assert second.due_at == expected != planned_second
    # Item 3 follows item 2's new deadline; item 5 counts from opening and stays.
    assert timezone.localdate(third.due_at) == WorkingCalendar(window.market_id).add_working_days(
        timezone.localdate(expected), 1
    )
    assert local(registration.due_at) == dt(2026, 10, 20, 17, 0)
    case.refresh_from_db()
    collect.refresh_from_db()
    assert case.due_at == max(i.due_at for i in items_of(case))


def test_a_custom_previous_chain_follows_the_done_item_not_its_deadline(world):
    ServiceStandard.objects.filter(service=WindowService.EVALUATION).update(
        status=StandardStatus.RETIRED
    )
    standard = ServiceStandardFactory(
        service=WindowService.EVALUATION, status=StandardStatus.IN_FORCE
    )
    StandardItemFactory(
        standard=standard,
        sort_order=0,
        limit_amount=5,
        counted_from=CountedFrom.OPENING,
        evidence=EvidenceKind.NONE,
    )
    StandardItemFactory(
        standard=standard,
        sort_order=1,
        limit_amount=2,
        limit_unit=LimitUnit.HOURS,
        counted_from=CountedFrom.PREVIOUS,
    )
    case = open_case(world, service=WindowService.EVALUATION, when=at(2026, 9, 28, 10))
    first, second = items_of(case)
    # 5 working days from Monday 28 Sep: 29, 30 Sep, 8, 9, 10 Oct; then 2 working hours.
    assert local(first.due_at) == dt(2026, 10, 10, 17, 0)
    assert local(second.due_at) == dt(2026, 10, 12, 11, 0)

    services.case_complete_item(item=first, by=world.clerk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.due_at == WorkingCalendar(world.market).add_working_hours(
        first.done_at, 2, opens=world.window.opens_at, closes=world.window.closes_at
    )


# --- opening -----------------------------------------------------------------------------


def test_only_the_market_s_clerks_and_operators_open_cases(world, outsider):
    with pytest.raises(PermissionDenied):
        services.case_open(
            window=world.window, service=WindowService.RECEPTION, requester_name="甲", by=outsider
        )
    by_operator = services.case_open(
        window=world.window, service=WindowService.RECEPTION, requester_name="乙", by=world.operator
    )
    assert by_operator.opened_by == world.operator
    assert ServiceCase.objects.count() == 1


def test_a_service_without_a_standard_in_force_is_refused_clearly(world):
    ServiceStandard.objects.filter(service=WindowService.TRADING).update(
        status=StandardStatus.RETIRED
    )
    with pytest.raises(ValidationError) as refused:
        open_case(world, service=WindowService.TRADING)
    assert refused.value.code == "no_standard"
    assert "“技术交易（挂牌与转让）”目前没有现行有效的服务标准" in refused.value.messages[0]
    assert not ServiceCase.objects.exists()


def test_opening_follows_the_standard_in_force_with_one_item_each(world):
    case = open_case(world)

    standard = ServiceStandard.objects.for_service(WindowService.CONTRACT_REGISTRATION).get()
    assert case.standard == standard
    assert [i.standard_item_id for i in items_of(case)] == list(
        standard.items.order_by("sort_order").values_list("pk", flat=True)
    )
    assert [i.position for i in items_of(case)] == [1, 2, 3, 4, 5, 6]
    assert len(case.requester_key) >= 40
    assert case.requester_key != open_case(world).requester_key
    assert steps(case) == ["open"]
    log = TransitionLog.objects.get(object_id=case.pk, transition="open")
    assert log.by == world.clerk and "张工" in log.reason


def test_the_same_form_sent_twice_opens_one_case(world):
    token = uuid.uuid4()
    first = open_case(world, token=token)
    second = open_case(world, token=token)

    assert first.pk == second.pk
    assert ServiceCase.objects.count() == 1
    assert steps(first) == ["open"]


def test_a_case_from_an_appointment_serves_it_and_copies_the_requester(world):
    slot = AppointmentSlot.objects.create(
        window=world.window, starts_at=at(2026, 12, 7, 9), ends_at=at(2026, 12, 7, 9, 30)
    )
    appointment = Appointment.objects.create(
        slot=slot,
        service=WindowService.EVALUATION,
        requester_name="刘教授",
        requester_phone="13711112222",
        organization=world.requester_org,
        note="评价一项电池材料成果",
    )

    case = services.case_open(window=world.window, appointment=appointment, by=world.clerk)
    again = services.case_open(window=world.window, appointment=appointment, by=world.colleague)

    assert again.pk == case.pk
    assert ServiceCase.objects.count() == 1
    assert (case.service, case.requester_name, case.requester_phone, case.organization) == (
        WindowService.EVALUATION,
        "刘教授",
        "13711112222",
        world.requester_org,
    )
    assert case.summary == "评价一项电池材料成果"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SERVED
    assert steps(case) == ["open"]


def test_a_cancelled_appointment_is_not_opened(world):
    slot = AppointmentSlot.objects.create(
        window=world.window, starts_at=at(2026, 12, 7, 10), ends_at=at(2026, 12, 7, 10, 30)
    )
    appointment = Appointment.objects.create(
        slot=slot,
        service=WindowService.RECEPTION,
        requester_name="丙",
        requester_phone="1",
        status=AppointmentStatus.CANCELLED,
    )
    with pytest.raises(ValidationError) as refused:
        services.case_open(window=world.window, appointment=appointment, by=world.clerk)
    assert refused.value.messages == ["该预约已取消，不能受理。"]


# --- items -------------------------------------------------------------------------------


def test_an_item_is_done_once_and_the_second_is_told_by_whom_and_when(world):
    case = open_case(world, service=WindowService.RECEPTION)
    first = items_of(case)[0]
    services.case_complete_item(item=first, by=world.clerk, evidence_text="来访登记")

    with pytest.raises(ValidationError) as refused:
        services.case_complete_item(item=first, by=world.colleague, evidence_text="又登记")

    first.refresh_from_db()
    when = f"{timezone.localtime(first.done_at):%Y-%m-%d %H:%M}"
    assert refused.value.messages == [f"该事项已由窗口小王于{when}完成。"]
    assert first.done_by == world.clerk and first.evidence_text == "来访登记"
    assert steps(case).count("complete_item") == 1


def test_the_evidence_the_standard_asks_for_is_required(world):
    case = open_case(world)
    receive, review, *_ = items_of(case)

    with pytest.raises(ValidationError) as no_file:
        services.case_complete_item(item=receive, by=world.clerk, evidence_text="收到")
    assert no_file.value.message_dict == {
        "evidence_file": ["该事项须上传佐证文件。材料暂缺的，可勾选“容缺后补”并写明后补的材料。"]
    }
    with pytest.raises(ValidationError) as not_a_pdf:
        services.case_complete_item(
            item=receive,
            by=world.clerk,
            evidence_file=SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 not a document"),
        )
    assert not_a_pdf.value.message_dict == {
        "evidence_file": [
            "文件“合同.pdf”不是 PDF、图片、Word（.docx）或 Excel（.xlsx），"
            "或扩展名与内容不符，已拒收。"
        ]
    }
    with pytest.raises(ValidationError) as no_text:
        services.case_complete_item(item=review, by=world.clerk, evidence_text="  ")
    assert no_text.value.message_dict == {"evidence_text": ["该事项须填写文字记录。"]}

    services.case_complete_item(item=receive, by=world.clerk, evidence_file=pdf())
    receive.refresh_from_db()
    assert receive.is_done and receive.evidence_file.name.endswith(".pdf")
    assert receive.evidence_file.read().startswith(b"%PDF")


def test_a_confirmation_item_is_not_done_by_the_clerk(world):
    case = open_case(world)
    collect = items_of(case)[-1]
    with pytest.raises(PermissionDenied) as refused:
        services.case_complete_item(item=collect, by=world.clerk, evidence_text="已领取")
    assert "须由服务对象本人确认" in str(refused.value)
    collect.refresh_from_db()
    assert not collect.is_done


def test_an_item_done_after_its_deadline_is_late_with_its_time_over(world):
    case = open_case(world, service=WindowService.RECEPTION, when=at(2025, 3, 3, 9))
    first = items_of(case)[0]
    assert local(first.due_at) == dt(2025, 3, 3, 10, 0)

    services.case_complete_item(item=first, by=world.clerk, evidence_text="补录")

    first.refresh_from_db()
    assert first.is_late
    assert first.time_over == first.done_at - first.due_at
    log = TransitionLog.objects.get(object_id=case.pk, transition="complete_item")
    assert "（超时 " in log.reason and "补录" in log.reason


def test_an_item_done_in_time_is_not_late(world):
    case = open_case(world, service=WindowService.RECEPTION)
    first = items_of(case)[0]
    services.case_complete_item(item=first, by=world.clerk, evidence_text="登记")
    first.refresh_from_db()
    assert not first.is_late and first.time_over is None


def test_items_are_done_by_their_role(world):
    case = open_case(world, service=WindowService.TRADING)
    accept, publish, recommend, *_ = items_of(case)
    assert [accept.standard_item.role, publish.standard_item.role] == [
        ItemRole.CLERK,
        ItemRole.OPERATOR,
    ]
    assert recommend.standard_item.role == ItemRole.BROKER

    with pytest.raises(PermissionDenied) as clerk_for_operator:
        services.case_complete_item(item=publish, by=world.clerk, evidence_text="已发布")
    assert str(clerk_for_operator.value) == "“审核并发布挂牌信息”由市场运营人员办理，您不能办理。"
    with pytest.raises(PermissionDenied):
        services.case_complete_item(item=accept, by=world.broker, evidence_file=pdf())

    services.case_complete_item(item=accept, by=world.clerk, evidence_file=pdf())
    services.case_complete_item(item=publish, by=world.operator, evidence_text="已发布")
    services.case_complete_item(item=recommend, by=world.broker, evidence_text="推荐三家")
    assert services.may_see_case(case, world.broker)


# --- the requester's confirmation --------------------------------------------------------


def test_the_requester_confirms_with_a_one_time_code(world):
    case = open_case(world, service=WindowService.RECEPTION)
    confirm_item = items_of(case)[4]
    assert confirm_item.standard_item.evidence == EvidenceKind.CONFIRMATION

    with_code = services.item_request_confirmation(item=confirm_item, by=world.clerk)
    asked_again = services.item_request_confirmation(item=confirm_item, by=world.colleague)
    code = with_code.confirmation_code
    assert len(code) >= 20 and asked_again.confirmation_code == code

    done = services.item_confirm(code=code)

    assert done.is_done and done.confirmed_at == done.done_at and done.done_by is None
    with pytest.raises(ValidationError) as used:
        services.item_confirm(code=code)
    assert used.value.code == "code_used"
    assert used.value.messages[0].startswith("该确认码已于")
    with pytest.raises(ValidationError) as unknown:
        services.item_confirm(code="not-a-code")
    assert unknown.value.messages == ["确认码无效。请核对窗口工作人员提供的确认码或链接。"]
    for empty in ("", None):
        with pytest.raises(ValidationError) as no_code:
            services.item_confirm(code=empty)
        assert no_code.value.code == "unknown_code"
    # No item without a code was confirmed by an empty one.
    assert [i.position for i in items_of(case) if i.is_done] == [5]
    assert steps(case) == ["open", "request_confirmation", "confirm"]


def test_a_code_is_only_for_confirmation_items(world):
    case = open_case(world, service=WindowService.RECEPTION)
    with pytest.raises(ValidationError) as refused:
        services.item_request_confirmation(item=items_of(case)[0], by=world.clerk)
    assert refused.value.code == "not_confirmation"


# --- one-time notice ---------------------------------------------------------------------


def test_the_one_time_notice_lists_every_mandatory_item_still_undone(world):
    case = open_case(world)
    receive = items_of(case)[0]
    services.case_complete_item(item=receive, by=world.clerk, evidence_file=pdf())

    notice = services.case_notify_missing(case=case, by=world.clerk, message="请携带公章。")
    again = services.case_notify_missing(case=case, by=world.clerk, message="请携带公章。")

    assert again.pk == notice.pk
    listed = [i.position for i in notice.items.order_by("position")]
    assert listed == [2, 4, 5, 6]  # 1 is done, 3 is optional
    text = notice.message
    assert text.startswith("张工：您好！")
    assert "形式审查" in text and "技术性收入核定" in text and "申请人确认领取登记证明" in text
    assert "接收登记申请" not in text and "材料不全的一次性告知补正" not in text
    assert "须您本人确认" in text and "请携带公章。" in text and "027-8888" in text
    assert steps(case) == ["open", "complete_item", "notify_missing"]


def test_nothing_to_tell_when_everything_is_done(world):
    case = open_case(world, service=WindowService.RECEPTION)
    finish_mandatory(world, case)
    with pytest.raises(ValidationError) as refused:
        services.case_notify_missing(case=case, by=world.clerk)
    assert refused.value.code == "nothing_missing"


# --- closing -----------------------------------------------------------------------------


def finish_mandatory(world, case):
    for item in items_of(case):
        if not item.standard_item.mandatory:
            continue
        kind = item.standard_item.evidence
        if kind == EvidenceKind.CONFIRMATION:
            code = services.item_request_confirmation(item=item, by=world.clerk).confirmation_code
            services.item_confirm(code=code)
        elif kind == EvidenceKind.FILE:
            services.case_complete_item(item=item, by=world.clerk, evidence_file=pdf())
        else:
            services.case_complete_item(item=item, by=world.clerk, evidence_text="已办理")


def test_closing_is_refused_while_a_mandatory_item_is_undone(world):
    case = open_case(world, service=WindowService.RECEPTION)
    services.case_complete_item(item=items_of(case)[0], by=world.clerk, evidence_text="登记")

    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, by=world.clerk)

    assert refused.value.messages == [
        "还有 4 项必办事项未完成或待补交材料，不能办结：2. 一次性告知所需材料和办理流程；"
        "3. 受理或转办：确定承办窗口和经办人；4. 告知服务对象办理结果；5. 服务对象确认办结"
    ]
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_closing_once_everything_mandatory_is_done(world, outsider):
    case = open_case(world, service=WindowService.RECEPTION)
    finish_mandatory(world, case)
    with pytest.raises(PermissionDenied):
        services.case_close(case=case, by=outsider)

    closed = services.case_close(case=case, by=world.colleague)
    again = services.case_close(case=case, by=world.clerk)

    assert closed.state == again.state == CaseState.CLOSED and closed.closed_at
    log = TransitionLog.objects.get(object_id=case.pk, transition="close")
    assert (log.from_state, log.to_state, log.by) == ("open", "closed", world.colleague)
    with pytest.raises(ValidationError) as too_late:
        services.case_complete_item(item=items_of(case)[5], by=world.clerk)
    assert too_late.value.code == "case_not_open"


def test_withdrawing_a_case(world):
    case = open_case(world, service=WindowService.RECEPTION)
    withdrawn = services.case_withdraw(case=case, by=world.clerk, reason="服务对象放弃办理")
    assert withdrawn.state == CaseState.WITHDRAWN
    log = TransitionLog.objects.get(object_id=case.pk, transition="withdraw")
    assert log.reason == "服务对象放弃办理"
    assert not window_open_cases(world.window).exists()


# --- rating and follow-up ----------------------------------------------------------------


def closed_case(world):
    case = open_case(world, service=WindowService.RECEPTION)
    finish_mandatory(world, case)
    return services.case_close(case=case, by=world.clerk)


def test_rating_comes_after_closing_once_and_only_with_the_key(world):
    case = open_case(world, service=WindowService.RECEPTION)
    with pytest.raises(ValidationError) as early:
        services.case_rate(case=case, requester_key=case.requester_key, level=5, comment="")
    assert early.value.messages == ["服务事项办结后才能评价。"]

    case = closed_case(world)
    with pytest.raises(PermissionDenied):
        services.case_rate(case=case, requester_key="guess", level=5, comment="")
    rating = services.case_rate(
        case=case, requester_key=case.requester_key, level=RatingLevel.SATISFIED, comment="不错"
    )
    with pytest.raises(ValidationError) as twice:
        services.case_rate(case=case, requester_key=case.requester_key, level=1, comment="")

    assert twice.value.code == "already_rated"
    assert rating.get_level_display() == "满意"
    assert not FollowUp.objects.exists()
    assert not Notification.objects.filter(verb="window_follow_up").exists()


def test_a_rating_of_dissatisfied_opens_a_follow_up_and_tells_the_operators(world):
    case = closed_case(world)

    rating = services.case_rate(
        case=case,
        requester_key=case.requester_key,
        level=RatingLevel.DISSATISFIED,
        comment="等候太久",
    )

    follow_up = rating.follow_up
    today = timezone.localdate()
    expected_day = WorkingCalendar(world.market).add_working_days(today, 5)
    assert local(follow_up.due_at) == datetime.datetime.combine(expected_day, datetime.time(17))
    (notice,) = Notification.objects.filter(verb="window_follow_up")
    assert notice.recipient == world.operator
    assert "不满意" in notice.title and case.number in notice.title
    assert notice.url == case.get_absolute_url()

    with pytest.raises(ValidationError) as visit_first:
        services.follow_up_visit(follow_up=follow_up, by=world.clerk, note="已回访")
    assert visit_first.value.code == "not_rectified"
    services.follow_up_rectify(follow_up=follow_up, by=world.operator, rectification="增设预约时段")
    with pytest.raises(ValidationError) as twice:
        services.follow_up_rectify(follow_up=follow_up, by=world.clerk, rectification="再整改")
    assert twice.value.code == "already_rectified"
    done = services.follow_up_visit(follow_up=follow_up, by=world.clerk, note="服务对象认可")

    assert done.is_done and done.visit_note == "服务对象认可"
    assert steps(case)[-4:] == ["rate", "follow_up_open", "follow_up_rectify", "follow_up_visit"]


def test_a_fair_rating_needs_no_follow_up(world):
    case = closed_case(world)
    services.case_rate(case=case, requester_key=case.requester_key, level=3, comment="")
    assert not FollowUp.objects.exists()


def test_every_step_of_a_case_is_in_the_audit_log(world):
    case = open_case(world)
    services.case_notify_missing(case=case, by=world.clerk)
    finish_mandatory(world, case)
    services.case_close(case=case, by=world.clerk)
    services.case_rate(case=case, requester_key=case.requester_key, level=1, comment="差")

    assert steps(case) == [
        "open",
        "notify_missing",
        "complete_item",  # 1 receive
        "complete_item",  # 2 review
        "complete_item",  # 4 income assessment
        "complete_item",  # 5 registration
        "request_confirmation",
        "confirm",
        "close",
        "rate",
        "follow_up_open",
    ]
    by = list(
        TransitionLog.objects.filter(object_id=case.pk, content_type__model="servicecase")
        .order_by("at", "id")
        .values_list("by__name", flat=True)
    )
    assert by[:8] == ["窗口小王"] * 7 + [None]


# --- the desk's reads --------------------------------------------------------------------


def test_the_desk_lists_open_cases_overdue_first_in_constant_queries(
    world, django_assert_num_queries
):
    late = open_case(world, service=WindowService.RECEPTION, when=at(2025, 3, 3, 9))
    fresh = open_case(world, service=WindowService.RECEPTION)
    middle = open_case(world, service=WindowService.RECEPTION, when=at(2025, 6, 2, 9))
    services.case_complete_item(item=items_of(late)[0], by=world.clerk, evidence_text="x")

    with django_assert_num_queries(1):
        rows = list(window_open_cases(world.window))

    assert [c.pk for c in rows] == [late.pk, middle.pk, fresh.pk]
    # The late case's next deadline is item 4's, counted from its opening in 2025: item 2
    # now counts from item 1's completion, just now.
    assert rows[0].next_action == "告知服务对象办理结果"
    assert local(rows[0].next_due) == dt(2025, 3, 6, 17, 0)
    assert rows[0].items_left == 5 and rows[1].items_left == 6
    assert rows[0].next_due < timezone.now()
