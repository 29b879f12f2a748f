"""Service standards as versions: a revision is a new draft with a copy of the checklist,
publishing it retires the version before it in the same step, only the province's operators
do either, and a version diff says what changed."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from market.choices import Role
from market.models import TransitionLog
from tests.factories import MembershipFactory, OrganizationFactory, SubMarketFactory, make_operator
from tests.factories.windows import (
    ServiceStandardFactory,
    ServiceWindowFactory,
    StandardItemFactory,
)
from windows.choices import LimitUnit, StandardStatus, WindowService
from windows.models import CaseItem, ServiceCase, ServiceStandard, StandardItem
from windows.selectors.standards import (
    standard_current,
    standard_diff,
    standard_versions,
    standards_in_force,
)
from windows.services.standards import (
    DraftExists,
    standard_publish,
    standard_retire,
    standard_revise,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reception():
    return ServiceStandard.objects.get(code="TM/CK-01", version=1)


@pytest.fixture
def sub_operator(operator_org, main_market):
    return make_operator(operator_org, SubMarketFactory(parent=main_market), name="分市场小王")


@pytest.fixture
def clerk(main_market):
    org = OrganizationFactory(market=main_market)
    return MembershipFactory(organization=org, role=Role.WINDOW_CLERK, market=main_market).user


def open_case(standard, user):
    """A case worked to `standard`'s checklist, as the case service opens one."""
    case = ServiceCase.objects.create(
        window=ServiceWindowFactory(),
        standard=standard,
        service=standard.service,
        requester_name="张先生",
        opened_by=user,
        requester_key=uuid.uuid4().hex,
    )
    for position, item in enumerate(standard.items.all(), start=1):
        CaseItem.objects.create(
            case=case,
            standard_item=item,
            position=position,
            due_at=timezone.now() + datetime.timedelta(days=position),
        )
    return case


def item_values(standard):
    return list(
        standard.items.order_by("sort_order").values_list(
            "sort_order", "action", "guidance", "role", "limit_amount", "limit_unit", "evidence"
        )
    )


def test_standard_revise_copies_header_and_items_into_a_new_draft(operator, reception):
    draft = standard_revise(standard=reception, by=operator)

    assert (draft.code, draft.version, draft.status) == ("TM/CK-01", 2, StandardStatus.DRAFT)
    assert draft.previous == reception
    assert (draft.title, draft.service, draft.scope, draft.basis) == (
        reception.title,
        reception.service,
        reception.scope,
        reception.basis,
    )
    assert item_values(draft) == item_values(reception)
    assert len(item_values(draft)) == 6
    assert not set(draft.items.values_list("pk", flat=True)) & set(
        reception.items.values_list("pk", flat=True)
    )
    log = TransitionLog.objects.get(object_id=draft.pk, transition="revise")
    assert log.by == operator and log.to_state == StandardStatus.DRAFT


def test_standard_revise_leaves_the_version_in_force_and_its_cases_alone(operator, reception):
    before = item_values(reception)
    case = open_case(reception, operator)
    case_items = list(case.items.values_list("standard_item_id", "due_at"))

    draft = standard_revise(standard=reception, by=operator)
    first = draft.items.order_by("sort_order").first()
    first.limit_amount = 5
    first.action = "首问接待并登记"
    first.save()
    draft.items.order_by("sort_order").last().delete()

    reception.refresh_from_db()
    assert reception.status == StandardStatus.IN_FORCE
    assert item_values(reception) == before
    case.refresh_from_db()
    assert case.standard == reception
    assert list(case.items.values_list("standard_item_id", "due_at")) == case_items
    assert {i.standard_item.standard_id for i in case.items.all()} == {reception.pk}


def test_standard_revise_refuses_a_second_draft_and_names_it(operator, reception):
    draft = standard_revise(standard=reception, by=operator)

    with pytest.raises(DraftExists) as refused:
        standard_revise(standard=reception, by=operator)

    assert refused.value.draft == draft
    assert "第 2 版" in refused.value.messages[0]
    assert ServiceStandard.objects.filter(code="TM/CK-01").count() == 2


def test_standard_publish_retires_the_version_in_force(operator, reception):
    draft = standard_revise(standard=reception, by=operator)
    draft.change_note = "首问接待时限缩短"
    draft.save()

    published = standard_publish(standard=draft, by=operator)

    reception.refresh_from_db()
    assert published.status == StandardStatus.IN_FORCE
    assert published.effective_date == timezone.localdate()
    assert reception.status == StandardStatus.RETIRED
    assert list(ServiceStandard.objects.for_service(WindowService.RECEPTION)) == [published]
    logs = TransitionLog.objects.filter(transition__in=["publish", "retire"])
    assert {(log.object_id, log.transition, log.to_state) for log in logs} == {
        (reception.pk, "retire", StandardStatus.RETIRED),
        (published.pk, "publish", StandardStatus.IN_FORCE),
    }
    assert logs.get(transition="publish").reason == "首问接待时限缩短"


def test_standard_publish_keeps_open_cases_on_their_version(operator, reception):
    case = open_case(reception, operator)
    standard_publish(standard=standard_revise(standard=reception, by=operator), by=operator)

    case.refresh_from_db()
    assert case.standard == reception
    assert case.items.count() == 6


def test_standard_publish_refuses_a_second_code_for_the_same_service(operator, reception):
    other = ServiceStandardFactory(code="TM/CK-99", service=WindowService.RECEPTION)
    StandardItemFactory(standard=other)

    with pytest.raises(ValidationError) as refused:
        standard_publish(standard=other, by=operator)

    assert "TM/CK-01" in refused.value.messages[0]
    other.refresh_from_db()
    reception.refresh_from_db()
    assert other.status == StandardStatus.DRAFT
    assert reception.status == StandardStatus.IN_FORCE


def test_standard_publish_a_new_code_once_the_old_one_is_retired(operator, reception):
    other = ServiceStandardFactory(code="TM/CK-99", service=WindowService.RECEPTION)
    StandardItemFactory(standard=other)
    standard_retire(standard=reception, by=operator, reason="并入新标准")

    standard_publish(standard=other, by=operator)

    assert list(ServiceStandard.objects.for_service(WindowService.RECEPTION)) == [other]


def test_standard_publish_twice_is_refused_not_a_constraint_error(operator, reception):
    draft = standard_revise(standard=reception, by=operator)
    standard_publish(standard=draft, by=operator)

    with pytest.raises(ValidationError) as refused:
        standard_publish(standard=draft, by=operator)

    assert "现行有效" in refused.value.messages[0]


def test_standard_publish_checks_the_items(operator):
    empty = ServiceStandardFactory(service=WindowService.EVALUATION)
    with pytest.raises(ValidationError) as refused:
        standard_publish(standard=empty, by=operator)
    assert "至少要有一项" in refused.value.messages[0]

    step = ServiceStandardFactory(service=WindowService.EVALUATION)
    StandardItemFactory(standard=step, complaint_step="handling", action="启动处理")
    with pytest.raises(ValidationError) as refused:
        standard_publish(standard=step, by=operator)
    assert "只有投诉处理标准" in refused.value.messages[0]
    assert step.status == StandardStatus.DRAFT


def test_standard_publish_refuses_a_future_date(operator, reception):
    draft = standard_revise(standard=reception, by=operator)
    with pytest.raises(ValidationError) as refused:
        standard_publish(
            standard=draft,
            by=operator,
            effective_date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "不能晚于今天" in refused.value.messages[0]


def test_item_limit_below_one_is_invalid(reception):
    item = reception.items.first()
    item.limit_amount = 0
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert "limit_amount" in refused.value.message_dict


@pytest.mark.parametrize("who", ["sub_operator", "clerk", "outsider"])
def test_only_the_provinces_operators_revise_publish_and_retire(request, who, operator, reception):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        standard_revise(standard=reception, by=user)
    draft = standard_revise(standard=reception, by=operator)
    with pytest.raises(PermissionDenied):
        standard_publish(standard=draft, by=user)
    with pytest.raises(PermissionDenied):
        standard_retire(standard=reception, by=user)
    reception.refresh_from_db()
    draft.refresh_from_db()
    assert (reception.status, draft.status) == (StandardStatus.IN_FORCE, StandardStatus.DRAFT)


def test_standards_in_force_are_the_five_shipped_ones():
    standards = list(standards_in_force())
    assert [s.code for s in standards] == [
        "TM/CK-01",
        "TM/CK-02",
        "TM/JY-04",
        "TM/PJ-03",
        "TM/TS-05",
    ]
    assert {s.service for s in standards} == set(WindowService.values)


def test_standard_versions_and_current_leave_drafts_out(operator, reception):
    draft = standard_revise(standard=reception, by=operator)
    assert list(standard_versions("TM/CK-01")) == [reception]
    assert list(standard_versions("TM/CK-01", public=False)) == [draft, reception]
    assert standard_current("TM/CK-01") == reception

    standard_publish(standard=draft, by=operator)
    assert [s.version for s in standard_versions("TM/CK-01")] == [2, 1]
    assert standard_current("TM/CK-01").version == 2

    standard_retire(standard=ServiceStandard.objects.get(pk=draft.pk), by=operator)
    assert standard_current("TM/CK-01").version == 2  # the last one that was in force


def test_standard_diff_reports_header_and_item_changes(operator, reception):
    draft = standard_revise(standard=reception, by=operator)
    draft.title = "窗口接待服务规范（修订）"
    draft.basis = "DB34/T 3897-2021"
    draft.save()
    items = list(draft.items.order_by("sort_order"))
    # item 1: time limit changed; item 2: reworded slightly; item 4: removed; one added
    items[0].limit_amount = 30
    items[0].limit_unit = LimitUnit.HOURS
    items[0].save()
    items[1].action = "一次性告知所需材料、办理流程和时限"
    items[1].mandatory = False
    items[1].save()
    items[3].delete()
    StandardItem.objects.create(
        standard=draft,
        sort_order=10,
        action="整理归档服务记录",
        role="clerk",
        limit_amount=5,
    )

    diff = standard_diff(reception, ServiceStandard.objects.get(pk=draft.pk))

    assert {(c.name, c.old, c.new) for c in diff.header} == {
        ("title", "窗口接待服务规范", "窗口接待服务规范（修订）"),
        ("basis", "DB34/T 3897-2021；DB37/T 4741-2024", "DB34/T 3897-2021"),
        ("effective_date", datetime.date(2026, 1, 1), timezone.localdate()),
    }
    assert [c.kind for c in diff.items] == [
        "changed",
        "changed",
        "same",
        "removed",
        "same",
        "same",
        "added",
    ]
    first, second = diff.changed
    assert [(f.name, f.old, f.new) for f in first.fields] == [
        ("limit", "自受理起 1 工作小时", "自受理起 30 工作小时")
    ]
    assert {f.name for f in second.fields} == {"action", "mandatory"}
    assert [c.old.action for c in diff.removed] == ["告知服务对象办理结果"]
    assert [(c.new.action, c.new_position) for c in diff.added] == [("整理归档服务记录", 6)]
    assert diff.has_changes


def test_standard_diff_a_moved_item_is_one_item(operator, reception):
    draft = standard_revise(standard=reception, by=operator)
    last = draft.items.order_by("sort_order").last()
    last.sort_order = -1
    last.save()

    diff = standard_diff(reception, ServiceStandard.objects.get(pk=draft.pk))

    assert not diff.added and not diff.removed and not diff.changed
    moved = [c for c in diff.items if c.moved]
    assert [(c.action, c.old_position, c.new_position) for c in moved] == [
        ("邀请服务对象评价", 6, 1)
    ]


def test_standard_diff_of_identical_versions_has_no_changes(operator, reception):
    draft = standard_revise(standard=reception, by=operator)
    draft.effective_date = reception.effective_date
    draft.save()
    assert not standard_diff(reception, draft).has_changes
