"""Complaints (投诉): filing one about a window, a broker or a listing, anonymously or not;
its code (unguessable, unique, the complainant's only key); deadlines from the complaint
standard on the working calendar; handling and answer by the market's operators; the
complainant's rating; and the public statistics, which carry no text, name or code."""

import datetime as dt
import math
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from listings.choices import ListingStatus
from market.choices import OrganizationKind, Role
from market.models import Notification, TransitionLog
from tests.concurrency import race
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    MembershipFactory,
    OrganizationFactory,
    SubMarketFactory,
    make_operator,
)
from windows.choices import ComplaintState, ComplaintSubject, RatingLevel, WindowService
from windows.models import CalendarException, Complaint, ServiceStandard
from windows.selectors.complaints import complaint_by_code, complaint_stats, complaints_for_operator
from windows.services import complaints as services
from windows.services.complaints import code_grouped, complaint_deadlines, normalize_code

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
BODY = "窗口工作人员推诿，没有一次性告知所需材料，跑了三趟。"


@pytest.fixture
def sub_operator(sub_market):
    org = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=sub_market)
    return make_operator(org, sub_market, name="分市场小王")


@pytest.fixture
def other_sub_operator(main_market):
    other = SubMarketFactory(parent=main_market, name="宜昌分市场")
    org = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=other)
    return make_operator(org, other, name="宜昌小赵")


def file_about(window, **kwargs):
    fields = {"window": window, "body": BODY, "anonymous": True} | kwargs
    return services.complaint_file(**fields)


# --- the code -----------------------------------------------------------------------------


def test_complaint_code_is_long_random_and_unique(window):
    codes = [file_about(window, body=f"{BODY}第{i}次。").code for i in range(40)]
    assert len(set(codes)) == 40
    for code in codes:
        assert len(code) == 16
        assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    # 16 characters of a 32-letter alphabet: 80 bits, too many to guess.
    assert 16 * math.log2(32) >= 80
    # The characters are spread over the alphabet, not a counter or a timestamp.
    letters = Counter("".join(codes))
    assert len(letters) > 24
    assert codes[0][:8] != codes[1][:8]


def test_complaint_code_is_read_back_in_groups_and_in_any_case(window):
    complaint = file_about(window)
    grouped = code_grouped(complaint.code)
    assert grouped.count("-") == 3 and len(grouped) == 19
    assert complaint_by_code(grouped.lower()) == complaint
    assert complaint_by_code(" " + grouped.replace("-", " ") + " ") == complaint
    assert normalize_code("ab0-1c") == "ABOIC"
    assert complaint_by_code("") is None
    assert complaint_by_code(complaint.code[:-1]) is None


# --- filing -------------------------------------------------------------------------------


def test_anonymous_complaint_stores_nothing_personal(window, enterprise_user):
    complaint = file_about(window, name="张三", contact="13800000000", by=enterprise_user)
    complaint.refresh_from_db()
    assert complaint.anonymous is True
    assert (complaint.name, complaint.contact, complaint.filed_by) == ("", "", None)
    log = TransitionLog.objects.get(object_id=complaint.pk, transition="file")
    assert log.by is None


def test_named_complaint_needs_name_and_contact(window, enterprise_user):
    with pytest.raises(ValidationError, match="姓名和联系方式"):
        file_about(window, anonymous=False, name="张三")
    complaint = file_about(window, anonymous=False, contact="13800000000", by=enterprise_user)
    assert complaint.name == enterprise_user.name
    assert complaint.filed_by == enterprise_user


def test_complaint_goes_to_the_market_of_its_subject(main_market, sub_market, window):
    assert file_about(window).market == sub_market
    institution = OrganizationFactory(kind=OrganizationKind.TRANSFER_INSTITUTION, market=sub_market)
    broker = BrokerFactory(institution=institution)
    about_broker = services.complaint_file(broker=broker, body=BODY, anonymous=True)
    assert (about_broker.subject, about_broker.market) == (ComplaintSubject.BROKER, sub_market)
    owner = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, market=main_market)
    listing = AchievementFactory(owner=owner, status=ListingStatus.PUBLISHED)
    about_listing = services.complaint_file(achievement=listing, body=BODY, anonymous=True)
    assert (about_listing.subject, about_listing.market) == (ComplaintSubject.LISTING, main_market)


def test_complaint_names_exactly_one_public_subject(main_market, window):
    with pytest.raises(ValidationError, match="一个投诉对象"):
        services.complaint_file(body=BODY, anonymous=True)
    draft = AchievementFactory(status=ListingStatus.DRAFT)
    with pytest.raises(ValidationError, match="公开的成果或需求"):
        services.complaint_file(achievement=draft, body=BODY, anonymous=True)
    with pytest.raises(ValidationError, match="写清楚"):
        file_about(window, body="太差")
    assert not Complaint.objects.exists()


def test_complaint_sent_twice_is_filed_once(window):
    first = file_about(window)
    again = file_about(window)
    assert again.pk == first.pk
    assert Complaint.objects.count() == 1
    assert file_about(window, body=BODY + "补充。").pk != first.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_complaint_double_click_in_two_requests_files_once(window):
    outcomes = race(lambda: file_about(window).pk, lambda: file_about(window).pk)
    assert outcomes[0] == outcomes[1]
    assert Complaint.objects.count() == 1


def test_complaint_notifies_the_markets_operators(window, sub_operator, operator, outsider):
    complaint = file_about(window)
    notified = set(
        Notification.objects.filter(verb="complaint.filed").values_list("recipient", flat=True)
    )
    # The sub-market's own operators and the main market's above them.
    assert notified == {sub_operator.pk, operator.pk}
    assert Notification.objects.filter(
        url=reverse("windows:complaint_detail", args=[complaint.pk])
    ).exists()


# --- deadlines ----------------------------------------------------------------------------


def test_deadlines_come_from_the_complaint_standard_across_national_day(window):
    standard = ServiceStandard.objects.for_service(WindowService.COMPLAINT).get()
    received = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    handling, answer = complaint_deadlines(standard, received, window.market_id)
    # 2 working days from receipt: National Day week (1-7 Oct) is off; 17:00 on the 2nd.
    assert handling == dt.datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI)
    # 10 working days, counting the 调休 Saturday 10 Oct and skipping Sunday 11 and 18 Oct.
    assert answer == dt.datetime(2026, 10, 20, 17, 0, tzinfo=SHANGHAI)


def test_deadlines_follow_the_markets_local_holiday(window, sub_market):
    standard = ServiceStandard.objects.for_service(WindowService.COMPLAINT).get()
    received = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    CalendarException.objects.create(
        day=dt.date(2026, 10, 8), is_working_day=False, market=sub_market, note="本地假日"
    )
    handling, _ = complaint_deadlines(standard, received, sub_market.pk)
    assert handling == dt.datetime(2026, 10, 10, 17, 0, tzinfo=SHANGHAI)


def test_filed_complaint_carries_the_standards_deadlines(window):
    complaint = file_about(window)
    standard = ServiceStandard.objects.for_service(WindowService.COMPLAINT).get()
    assert complaint.standard == standard
    expected = complaint_deadlines(standard, complaint.received_at, window.market_id)
    assert (complaint.handling_due_at, complaint.answer_due_at) == expected
    assert complaint.received_at < complaint.handling_due_at < complaint.answer_due_at


# --- handling -----------------------------------------------------------------------------


def test_operator_handles_and_answers_and_closes(window, sub_operator):
    complaint = file_about(window)
    complaint = services.complaint_start_handling(complaint=complaint, by=sub_operator)
    assert complaint.state == ComplaintState.HANDLING and complaint.handler == sub_operator
    with pytest.raises(ValidationError, match="答复内容"):
        services.complaint_answer(complaint=complaint, by=sub_operator, answer="  ")
    complaint = services.complaint_answer(
        complaint=complaint, by=sub_operator, answer="经核实，已对窗口人员进行批评教育。"
    )
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ANSWERED
    assert complaint.answer.startswith("经核实") and complaint.answered_on_time is True
    complaint = services.complaint_close(complaint=complaint, by=sub_operator)
    assert complaint.state == ComplaintState.CLOSED
    steps = list(
        TransitionLog.objects.filter(object_id=complaint.pk, content_type__model="complaint")
        .order_by("id")
        .values_list("transition", flat=True)
    )
    assert steps == ["file", "start_handling", "give_answer", "close"]


def test_only_the_markets_operators_handle_it(window, other_sub_operator, outsider):
    complaint = file_about(window)
    clerk = MembershipFactory(role=Role.WINDOW_CLERK, market=window.market).user
    for person in (other_sub_operator, outsider, clerk):
        with pytest.raises(PermissionDenied):
            services.complaint_start_handling(complaint=complaint, by=person)
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.RECEIVED


def test_answer_is_rated_once_after_it_is_given(window, sub_operator):
    complaint = file_about(window)
    with pytest.raises(ValidationError, match="尚未答复"):
        services.complaint_rate_answer(code=complaint.code, level=5)
    services.complaint_start_handling(complaint=complaint, by=sub_operator)
    services.complaint_answer(complaint=complaint, by=sub_operator, answer="已整改。")
    rated = services.complaint_rate_answer(code=code_grouped(complaint.code), level=2)
    assert rated.satisfaction == RatingLevel.DISSATISFIED
    with pytest.raises(ValidationError, match="已经评价"):
        services.complaint_rate_answer(code=complaint.code, level=5)
    with pytest.raises(ValidationError, match="查询码不正确"):
        services.complaint_rate_answer(code="AAAA-BBBB-CCCC-DDDD", level=5)


def test_operators_list_puts_overdue_first_and_only_their_markets(
    window, sub_operator, other_sub_operator
):
    fresh = file_about(window, body=BODY + "一")
    late = file_about(window, body=BODY + "二")
    Complaint.objects.filter(pk=late.pk).update(
        handling_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    rows = list(complaints_for_operator(sub_operator))
    assert [c.pk for c in rows] == [late.pk, fresh.pk]
    assert rows[0].overdue == 1 and rows[1].overdue == 0
    assert list(complaints_for_operator(other_sub_operator)) == []


# --- statistics ---------------------------------------------------------------------------


def test_stats_count_by_subject_on_time_and_satisfaction(main_market, window, sub_operator):
    a, b, c = (file_about(window, body=f"{BODY}{i}") for i in range(3))
    institution = OrganizationFactory(kind=OrganizationKind.TRANSFER_INSTITUTION)
    services.complaint_file(
        broker=BrokerFactory(institution=institution), body=BODY, anonymous=True
    )
    for complaint in (a, b):
        services.complaint_start_handling(complaint=complaint, by=sub_operator)
        services.complaint_answer(complaint=complaint, by=sub_operator, answer="已处理。")
    # b was answered after its deadline.
    Complaint.objects.filter(pk=b.pk).update(answer_due_at=timezone.now() - dt.timedelta(days=1))
    services.complaint_rate_answer(code=a.code, level=5)
    stats = complaint_stats()
    assert {r["key"]: r["n"] for r in stats["by_subject"]} == {
        ComplaintSubject.WINDOW: 3,
        ComplaintSubject.BROKER: 1,
        ComplaintSubject.LISTING: 0,
    }
    assert (stats["total"], stats["answered"], stats["on_time"]) == (4, 2, 1)
    assert stats["on_time_percent"] == 50
    assert {r["key"]: r["n"] for r in stats["satisfaction"]}[RatingLevel.VERY_SATISFIED] == 1
    assert sum(r["n"] for r in stats["satisfaction"]) == 1


# --- pages --------------------------------------------------------------------------------


def _post_complaint(client, window, **extra):
    data = {"subject": "window", "window": window.pk, "body": BODY, "anonymous": "on"} | extra
    return client.post(reverse("windows:complaint_new"), data)


def test_complaint_page_prefills_the_subject_from_a_link(client, window, main_market):
    owner = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, market=main_market)
    listing = AchievementFactory(owner=owner, status=ListingStatus.PUBLISHED)
    html = client.get(reverse("windows:complaint_new"), {"achievement": listing.pk}).content
    html = html.decode()
    assert 'value="listing" required id="id_subject_2" checked>' in html
    assert f'value="{listing.pk}"' in html
    html = client.get(reverse("windows:complaint_new"), {"window": window.pk}).content.decode()
    assert f'<option value="{window.pk}" selected>' in html


def test_filing_shows_the_code_without_putting_it_in_a_url(client, window):
    response = _post_complaint(client, window)
    assert response.status_code == 302
    assert response["Location"] == reverse("windows:complaint_filed")
    complaint = Complaint.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert code_grouped(complaint.code) in page
    assert "唯一凭据" in page
    # A second send of the same form files nothing new.
    _post_complaint(client, window)
    assert Complaint.objects.count() == 1


def test_filing_a_listing_complaint_by_its_number(client, main_market):
    owner = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, market=main_market)
    listing = AchievementFactory(owner=owner, status=ListingStatus.PUBLISHED)
    data = {
        "subject": "listing",
        "listing_kind": "achievement",
        "listing_id": listing.pk,
        "body": BODY,
        "anonymous": "",
        "name": "周八",
        "contact": "zhou@example.cn",
    }
    assert client.post(reverse("windows:complaint_new"), data).status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.achievement, complaint.name, complaint.anonymous) == (listing, "周八", False)
    response = client.post(reverse("windows:complaint_new"), data | {"listing_id": 999999})
    assert response.status_code == 400 and "找不到这条公开的" in response.content.decode()


def test_track_by_code_alone_shows_its_answer_and_never_another(window, sub_operator):
    from django.test import Client

    mine = file_about(window, body=BODY + "我的")
    theirs = file_about(window, body=BODY + "别人的")
    for complaint, answer in ((mine, "给我的答复"), (theirs, "给别人的答复")):
        services.complaint_start_handling(complaint=complaint, by=sub_operator)
        services.complaint_answer(complaint=complaint, by=sub_operator, answer=answer)
    client = Client()  # a stranger's browser: no account, no session
    url = reverse("windows:complaint_track")
    response = client.post(url, {"code": code_grouped(mine.code).lower()})
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert "给我的答复" in html and "我的" in html
    assert "给别人的答复" not in html and theirs.code not in html
    assert "已答复" in html and 'id="rate-form"' in html
    # A wrong code shows nothing, and forgets what was shown before.
    response = client.post(url, {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 400
    assert "查询码不正确" in response.content.decode()
    assert "给我的答复" not in response.content.decode()


def test_track_rates_the_answer_once(client, window, sub_operator):
    complaint = file_about(window)
    services.complaint_start_handling(complaint=complaint, by=sub_operator)
    services.complaint_answer(complaint=complaint, by=sub_operator, answer="已整改。")
    url = reverse("windows:complaint_track")
    client.post(url, {"code": complaint.code})
    rate = reverse("windows:complaint_rate")
    assert client.get(rate).status_code == 405
    client.post(rate, {"level": RatingLevel.SATISFIED})
    complaint.refresh_from_db()
    assert complaint.satisfaction == RatingLevel.SATISFIED
    response = client.post(rate, {"level": RatingLevel.VERY_DISSATISFIED}, follow=True)
    assert "已经评价过" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.satisfaction == RatingLevel.SATISFIED
    assert "您对答复的评价：满意" in client.get(url).content.decode()
    # Without a code in the session, nothing is rated.
    from django.test import Client

    assert Client().post(rate, {"level": 1}).status_code == 302


def test_operators_list_and_detail_are_for_the_markets_operators(
    client, window, sub_operator, other_sub_operator, outsider
):
    complaint = file_about(window, anonymous=False, name="吴九", contact="13700000000")
    detail = reverse("windows:complaint_detail", args=[complaint.pk])
    assert client.get(reverse("windows:complaints")).status_code == 302
    client.force_login(outsider)
    assert client.get(reverse("windows:complaints")).status_code == 403
    client.force_login(other_sub_operator)
    assert client.get(detail).status_code == 403
    assert (
        f"complaint-{complaint.pk}"
        not in client.get(reverse("windows:complaints")).content.decode()
    )
    client.force_login(sub_operator)
    assert f"complaint-{complaint.pk}" in client.get(reverse("windows:complaints")).content.decode()
    html = client.get(detail).content.decode()
    assert "吴九" in html and "13700000000" in html and "开始处理" in html


def test_operator_works_the_complaint_with_posts_only(
    client, window, sub_operator, other_sub_operator
):
    complaint = file_about(window)
    start = reverse("windows:complaint_act", args=[complaint.pk, "start"])
    answer = reverse("windows:complaint_act", args=[complaint.pk, "answer"])
    close = reverse("windows:complaint_act", args=[complaint.pk, "close"])
    client.force_login(other_sub_operator)
    assert client.post(start).status_code == 403
    client.force_login(sub_operator)
    assert client.get(start).status_code == 405
    client.post(start)
    response = client.post(answer, {"answer": ""}, follow=True)
    assert "请填写答复内容" in response.content.decode()
    client.post(answer, {"answer": "经调查，情况属实，已整改。"})
    client.post(close)
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.CLOSED
    assert complaint.answer == "经调查，情况属实，已整改。"
    assert (
        client.post(reverse("windows:complaint_act", args=[complaint.pk, "x"])).status_code == 404
    )


def test_public_stats_page_shows_counts_and_nothing_else(client, window, sub_operator):
    secret_body = BODY + "机密细节"
    complaint = file_about(
        window, body=secret_body, anonymous=False, name="郑十", contact="13600000000"
    )
    services.complaint_start_handling(complaint=complaint, by=sub_operator)
    services.complaint_answer(complaint=complaint, by=sub_operator, answer="答复中的机密")
    services.complaint_rate_answer(code=complaint.code, level=4)
    file_about(window)
    response = client.get(reverse("windows:complaint_stats"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "共受理投诉 2 件，已答复 1 件，其中按时答复 1 件" in html
    assert "按时答复率 100%" in html
    for private in (
        "机密",
        "郑十",
        "13600000000",
        complaint.code,
        code_grouped(complaint.code),
        window.name,
    ):
        assert private not in html
    assert 'id="chart-subject"' in html and 'id="chart-satisfaction"' in html
    rows = html.split('id="stats-subject"')[1].split("</table>")[0]
    assert "<td>服务窗口</td><td>2</td>" in rows
