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
