"""The header's unread badge: a white pill apart from the user's name, with a label a
screen reader can say, counting only notices that still ask for something."""

from datetime import timedelta

import pytest
from django.utils import timezone

from market import services
from market.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def header(client):
    return client.get("/search/").content.decode()


def test_done_notices_do_not_count_as_unread(client):
    user = UserFactory(name="王工")
    url = "/brokers/assignments/7/"
    services.notify(recipient=user, verb="demand.assigned", title="新需求待答复：“甲”", url=url)
    services.notify(recipient=user, verb="match.new", title="新匹配：“乙”")
    client.force_login(user)
    assert 'id="notifications-badge" aria-hidden="true">2</span>' in header(client)
    marked = services.notifications_mark_done(verb="demand.assigned", url=url)
    assert marked == 1
    page = header(client)
    assert 'id="notifications-badge" aria-hidden="true">1</span>' in page
    assert ">1 条未读通知</span>" in page


def test_marking_done_again_keeps_the_first_time():
    user = UserFactory()
    notice = services.notify(recipient=user, verb="demand.assigned", title="甲", url="/a/")
    first = timezone.now()
    services.notifications_mark_done(verb="demand.assigned", url="/a/", at=first)
    assert services.notifications_mark_done(verb="demand.assigned", url="/a/") == 0
    notice.refresh_from_db()
    assert notice.done_at == first


def test_notify_dates_a_notice_at_its_event():
    user = UserFactory()
    at = timezone.now() - timedelta(days=3)
    notice = services.notify(recipient=user, verb="demand.reply", title="甲", at=at)
    assert Notification.objects.get(pk=notice.pk).created_at == at


def test_notifications_page_shows_done_notices_as_handled(client):
    user = UserFactory()
    services.notify(recipient=user, verb="demand.assigned", title="新需求待答复：“甲”", url="/a/")
    services.notify(recipient=user, verb="match.new", title="新匹配：“乙”")
    services.notifications_mark_done(verb="demand.assigned", url="/a/")
    client.force_login(user)
    body = client.get("/notifications/").content.decode()
    _before, sep, rest = body.partition('<li class="card done">')
    assert sep, "the handled notice is shown as done"
    handled = '<span class="status status-done">已处理</span>'
    assert rest.index("新需求待答复：“甲”") < rest.index(handled)
    assert body.count("已处理") == 1
    assert '<li class="card unread">' in body


def test_badge_markup_is_a_labelled_pill_apart_from_the_name(client):
    user = UserFactory(name="王工")
    for i in range(3):
        services.notify(recipient=user, verb="match.new", title=f"新匹配{i}")
    client.force_login(user)
    page = header(client)
    assert (
        '<span class="badge" id="notifications-badge" aria-hidden="true">3</span>'
        '<span class="visually-hidden" id="notifications-badge-label" aria-live="polite" '
        'data-template="__N__ 条未读通知">3 条未读通知</span></a>'
    ) in page
    assert '<span class="who">王工</span>' in page
    css = open("static/css/market.css", encoding="utf-8").read()
    assert ".site-header .badge { background: #fff; color: var(--brand);" in css
    assert ".site-header .who { margin-left: 16px;" in css


def test_badge_label_is_english_in_english(client):
    user = UserFactory()
    services.notify(recipient=user, verb="match.new", title="x")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/search/"})
    assert ">1 unread</span>" in header(client)


def test_reading_the_page_changes_nothing_and_marking_read_is_a_post(client):
    user = UserFactory()
    seen = services.notify(recipient=user, verb="match.new", title="新匹配：“甲”")
    client.force_login(user)
    body = client.get("/notifications/").content.decode()
    assert Notification.objects.get(pk=seen.pk).read_at is None
    assert f'name="up_to" value="{seen.pk}"' in body
    assert client.get("/notifications/read/").status_code == 405

    # One that arrives after the page was read stays unread.
    later = services.notify(recipient=user, verb="match.new", title="新匹配：“乙”")
    response = client.post("/notifications/read/", {"up_to": seen.pk}, follow=True)
    assert "已全部标为已读" in response.content.decode()
    assert Notification.objects.get(pk=seen.pk).read_at is not None
    assert Notification.objects.get(pk=later.pk).read_at is None
    assert '<li class="card unread">' in response.content.decode()

    # Someone else's notifications are not theirs to mark; a bad form changes nothing.
    other = services.notify(recipient=UserFactory(), verb="match.new", title="新匹配：“丙”")
    client.post("/notifications/read/", {"up_to": other.pk + 10})
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert client.post("/notifications/read/", {"up_to": "x"}).status_code == 302
