"""The standards' public pages (in force, one standard with its versions, a version diff)
and their editing in Wagtail's admin, where a standard in force is never changed in place."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import SubMarketFactory, make_operator
from tests.factories.windows import StandardItemFactory
from windows.choices import StandardStatus
from windows.models import ServiceStandard
from windows.services.standards import standard_publish, standard_revise

pytestmark = pytest.mark.django_db

SHIPPED = [
    ("TM/CK-01", "窗口接待服务规范"),
    ("TM/CK-02", "技术合同认定登记服务规范"),
    ("TM/PJ-03", "科技成果评价服务规范"),
    ("TM/JY-04", "技术交易（挂牌与转让）服务规范"),
    ("TM/TS-05", "投诉处理服务规范"),
]


@pytest.fixture
def reception():
    return ServiceStandard.objects.get(code="TM/CK-01", version=1)


def revised(reception, operator, *, limit=30, note="首问接待时限调整为 30 分钟内"):
    """Version 2 of the reception standard, its first item's time limit changed."""
    draft = standard_revise(standard=reception, by=operator)
    draft.change_note = note
    draft.save()
    first = draft.items.order_by("sort_order").first()
    first.limit_amount = limit
    first.save()
    return draft


def test_standard_list_shows_the_five_shipped_standards(client):
    html = client.get(reverse("windows:standard_list")).content.decode()

    for code, title in SHIPPED:
        assert code in html
        assert title in html
        assert reverse("windows:standard_detail", args=[code]) in html
    assert html.count("第 1 版") == 5
    assert html.count("2026-01-01") == 5
    assert "DB34/T 3897-2021" in html


def page_queries(client, url, most):
    """How many queries a page takes, at most `most`."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= most
    return len(queries)


def test_standard_pages_query_counts_do_not_grow(client, operator, reception):
    list_url = reverse("windows:standard_list")
    detail_url = reverse("windows:standard_detail", args=["TM/CK-01"])
    second = standard_publish(standard=revised(reception, operator), by=operator)
    diff_url = reverse("windows:standard_diff", args=[second.pk, reception.pk])
    client.get(list_url)  # the site's header caches its navigation on the first page
    few = [
        page_queries(client, list_url, 2),  # the standards with their items
        page_queries(client, detail_url, 3),  # the version, its items, the versions
        page_queries(client, diff_url, 4),  # two versions with their items
    ]

    third = revised(second, operator, limit=20)
    for n in range(5):
        StandardItemFactory(standard=third, action=f"新增事项{n}")
    third = standard_publish(standard=third, by=operator)
    for standard in ServiceStandard.objects.filter(version=1).exclude(code="TM/CK-01"):
        standard_publish(standard=standard_revise(standard=standard, by=operator), by=operator)
    diff_url = reverse("windows:standard_diff", args=[third.pk, reception.pk])

    assert [
        page_queries(client, list_url, few[0]),
        page_queries(client, detail_url, few[1]),
        page_queries(client, diff_url, few[2]),
    ] == few


def test_standard_detail_shows_the_checklist_in_order(client, reception):
    response = client.get(reverse("windows:standard_detail", args=["TM/CK-01"]))
    html = response.content.decode()

    assert response.status_code == 200
    actions = [item.action for item in reception.items.all()]
    positions = [html.index(action) for action in actions]
    assert positions == sorted(positions)
    for text in ["窗口工作人员", "服务对象", "自受理起 1 工作小时", "服务对象确认", "选办"]:
        assert text in html
    assert "第 1 版" in html and "现行有效" in html


def test_standard_detail_shows_versions_with_links_to_their_diff(client, operator, reception):
    second = standard_publish(standard=revised(reception, operator), by=operator)
    third = standard_publish(standard=revised(second, operator, limit=20), by=operator)
    standard_revise(standard=third, by=operator)  # a draft, not for the public

    response = client.get(reverse("windows:standard_detail", args=["TM/CK-01"]))
    html = response.content.decode()

    assert "第 3 版" in html and "已废止" in html
    assert "第 4 版" not in html
    assert reverse("windows:standard_diff", args=[third.pk, second.pk]) in html
    assert reverse("windows:standard_diff", args=[second.pk, reception.pk]) in html
    assert "首问接待时限调整为 30 分钟内" in html
    assert "自受理起 20 工作小时" in html  # the checklist is the version in force


def test_standard_detail_unknown_code_is_404(client):
    assert client.get(reverse("windows:standard_detail", args=["TM/XX-99"])).status_code == 404


def test_standard_diff_page_shows_a_changed_time_limit(client, operator, reception):
    second = standard_publish(standard=revised(reception, operator), by=operator)

    response = client.get(reverse("windows:standard_diff", args=[second.pk, reception.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert "第 1 版与第 2 版对照" in html
    assert "<del>自受理起 1 工作小时</del> → <ins>自受理起 30 工作小时</ins>" in html
    assert "首问接待：登记服务对象及来访事项" in html
    assert "首问接待时限调整为 30 分钟内" in html
    assert timezone.localdate().strftime("%Y-%m-%d") in html


def test_standard_diff_page_hides_drafts_and_other_codes(client, operator, reception):
    draft = revised(reception, operator)
    other = ServiceStandard.objects.get(code="TM/CK-02")
    for pair in [(draft.pk, reception.pk), (other.pk, reception.pk)]:
        assert client.get(reverse("windows:standard_diff", args=pair)).status_code == 404


# The admin: the province's operators revise, edit drafts, publish and retire; other
# operators read.


def admin_url(name, *args):
    return reverse(f"wagtailsnippets_windows_servicestandard:{name}", args=args)


def edit_data(standard, **changes):
    """The admin edit form as the page posts it, with `changes` to the header and, by
    position, to the items (`items={0: {"limit_amount": 30}}`)."""
    item_changes = changes.pop("items", {})
    data = {
        "title": standard.title,
        "scope": standard.scope,
        "basis": standard.basis,
        "change_note": standard.change_note,
        "effective_date": standard.effective_date.isoformat(),
        "code": standard.code,
        "service": standard.service,
    }
    data.update(changes)
    items = list(standard.items.order_by("sort_order"))
    data.update(
        {
            "items-TOTAL_FORMS": str(len(items)),
            "items-INITIAL_FORMS": str(len(items)),
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        }
    )
    for n, item in enumerate(items):
        fields = {
            "id": item.pk,
            "ORDER": n + 1,
            "action": item.action,
            "guidance": item.guidance,
            "role": item.role,
            "limit_amount": item.limit_amount,
            "limit_unit": item.limit_unit,
            "counted_from": item.counted_from,
            "evidence": item.evidence,
            "mandatory": "on" if item.mandatory else "",
            "complaint_step": item.complaint_step,
        }
        fields.update(item_changes.get(n, {}))
        for name, value in fields.items():
            if name == "mandatory" and not value:
                continue
            data[f"items-{n}-{name}"] = value
    return data


def test_admin_in_force_standard_is_revised_not_edited(client, operator, reception):
    client.force_login(operator)

    # The edit page of a standard in force offers a revision instead of a form.
    page = client.get(admin_url("edit", reception.pk), follow=True).content.decode()
    assert "修订为新版本" in page
    assert admin_url("revise", reception.pk) in page

    response = client.post(admin_url("revise", reception.pk))
    draft = ServiceStandard.objects.get(code="TM/CK-01", version=2)
    assert response.status_code == 302
    assert response.url == admin_url("edit", draft.pk)

    response = client.post(
        admin_url("edit", draft.pk),
        edit_data(draft, change_note="首问接待 30 分钟", items={0: {"limit_amount": 30}}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.items.order_by("sort_order").first().limit_amount == 30
    assert draft.status == StandardStatus.DRAFT
    reception.refresh_from_db()
    assert reception.status == StandardStatus.IN_FORCE
    assert reception.items.order_by("sort_order").first().limit_amount == 1

    response = client.post(admin_url("publish", draft.pk))
    assert response.status_code == 302
    reception.refresh_from_db()
    draft.refresh_from_db()
    assert (reception.status, draft.status) == (StandardStatus.RETIRED, StandardStatus.IN_FORCE)
    assert draft.change_note == "首问接待 30 分钟"


def test_admin_post_to_an_in_force_standard_changes_nothing(client, operator, reception):
    client.force_login(operator)
    client.post(admin_url("edit", reception.pk), edit_data(reception, title="改名"))
    reception.refresh_from_db()
    assert reception.title == "窗口接待服务规范"
    assert ServiceStandard.objects.filter(code="TM/CK-01").count() == 1


def test_admin_revise_twice_leads_to_the_draft(client, operator, reception):
    client.force_login(operator)
    client.post(admin_url("revise", reception.pk))
    response = client.post(admin_url("revise", reception.pk), follow=True)
    draft = ServiceStandard.objects.get(code="TM/CK-01", version=2)
    assert response.redirect_chain[-1][0] == admin_url("edit", draft.pk)
    assert "已有未发布的修订稿" in response.content.decode()
    assert ServiceStandard.objects.filter(code="TM/CK-01").count() == 2


def test_admin_publish_refusal_is_a_message(client, operator, reception):
    client.force_login(operator)
    other = ServiceStandard.objects.create(
        code="TM/CK-99",
        title="另一接待规范",
        service=reception.service,
        effective_date=reception.effective_date,
    )
    StandardItemFactory(standard=other)
    response = client.post(admin_url("publish", other.pk), follow=True)
    assert "已有现行有效的标准" in response.content.decode()
    other.refresh_from_db()
    assert other.status == StandardStatus.DRAFT


def test_admin_diff_view_shows_a_draft_against_its_previous(client, operator, reception):
    draft = revised(reception, operator)
    client.force_login(operator)
    html = client.get(admin_url("diff", draft.pk, reception.pk)).content.decode()
    assert "<del>自受理起 1 工作小时</del> → <ins>自受理起 30 工作小时</ins>" in html


@pytest.fixture
def sub_operator(operator_org, main_market):
    return make_operator(operator_org, SubMarketFactory(parent=main_market), name="分市场小王")


def test_admin_other_operators_read_but_do_not_change(client, sub_operator, operator, reception):
    draft = revised(reception, operator)
    client.force_login(sub_operator)

    listing = client.get(admin_url("list"))
    assert listing.status_code == 200
    assert "TM/CK-01" in listing.content.decode()
    assert client.get(admin_url("inspect", reception.pk)).status_code == 200
    assert client.get(admin_url("diff", draft.pk, reception.pk)).status_code == 200

    # Refused: the admin sends them back to its home page with a message.
    for action, standard in [("revise", reception), ("publish", draft), ("retire", reception)]:
        assert client.post(admin_url(action, standard.pk)).url == reverse("wagtailadmin_home")
    assert client.get(admin_url("edit", draft.pk)).url == reverse("wagtailadmin_home")
    client.post(admin_url("edit", draft.pk), edit_data(draft, title="改名"))
    assert client.get(admin_url("add")).url == reverse("wagtailadmin_home")

    draft.refresh_from_db()
    reception.refresh_from_db()
    assert draft.title == reception.title == "窗口接待服务规范"
    assert (reception.status, draft.status) == (StandardStatus.IN_FORCE, StandardStatus.DRAFT)
    assert ServiceStandard.objects.filter(code="TM/CK-01").count() == 2


def test_admin_listing_links_drafts_to_edit_and_versions_in_force_to_inspect(
    client, operator, reception
):
    draft = revised(reception, operator)
    client.force_login(operator)
    html = client.get(admin_url("list")).content.decode()
    assert admin_url("edit", draft.pk) in html
    assert admin_url("edit", reception.pk) not in html
    assert admin_url("inspect", reception.pk) in html

    page = client.get(admin_url("inspect", reception.pk)).content.decode()
    assert admin_url("revise", reception.pk) in page
    assert admin_url("edit", reception.pk) not in page
    assert admin_url("delete", reception.pk) not in page

    page = client.get(admin_url("inspect", draft.pk)).content.decode()
    assert admin_url("edit", draft.pk) in page
    assert admin_url("publish", draft.pk) in page
    assert admin_url("diff", draft.pk, reception.pk) in page
    assert "首问接待：登记服务对象及来访事项" in page


def test_admin_add_a_new_standard_as_a_draft(client, operator):
    client.force_login(operator)
    data = {
        "code": "TM/DA-06",
        "service": "evaluation",
        "title": "档案管理服务规范",
        "scope": "",
        "basis": "",
        "change_note": "首次发布。",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-ORDER": "1",
        "items-0-action": "整理归档",
        "items-0-guidance": "",
        "items-0-role": "clerk",
        "items-0-limit_amount": "0",
        "items-0-limit_unit": "working_days",
        "items-0-counted_from": "opening",
        "items-0-evidence": "none",
        "items-0-mandatory": "on",
        "items-0-complaint_step": "",
    }
    refused = client.post(admin_url("add"), data)
    assert refused.status_code == 200  # the form again: a time limit of 0
    assert not ServiceStandard.objects.filter(code="TM/DA-06").exists()

    data["items-0-limit_amount"] = "3"
    assert client.post(admin_url("add"), data).status_code == 302
    standard = ServiceStandard.objects.get(code="TM/DA-06")
    assert (standard.version, standard.status) == (1, StandardStatus.DRAFT)
    assert standard.effective_date == timezone.localdate()
    assert [i.limit_amount for i in standard.items.all()] == [3]

    data["code"] = "TM/CK-01"
    again = client.post(admin_url("add"), data)
    assert "已经存在" in again.content.decode()
    assert ServiceStandard.objects.filter(code="TM/CK-01").count() == 1


def test_admin_draft_form_checks_the_checklist(client, operator, reception):
    draft = revised(reception, operator)
    client.force_login(operator)

    response = client.post(
        admin_url("edit", draft.pk), edit_data(draft, items={2: {"complaint_step": "handling"}})
    )

    assert response.status_code == 200
    assert "只有投诉处理标准可以填写" in response.content.decode()
    assert not draft.items.exclude(complaint_step="").exists()


def test_admin_deletes_a_draft_but_not_a_version_in_force(client, operator, reception):
    draft = revised(reception, operator)
    client.force_login(operator)

    assert client.post(admin_url("delete", reception.pk)).url == reverse("wagtailadmin_home")
    assert client.post(admin_url("delete", draft.pk)).status_code == 302

    assert list(ServiceStandard.objects.filter(code="TM/CK-01")) == [reception]
    reception.refresh_from_db()
    assert reception.status == StandardStatus.IN_FORCE
