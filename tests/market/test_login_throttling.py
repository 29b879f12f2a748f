"""Login throttling (django-axes): wrong passwords lock a username out from an address."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456"  # tests.factories.UserFactory's


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _logged_in(client):
    return client.get("/listings/mine/").status_code == 200


def test_settings_lock_out_after_five_failures_for_a_while():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_RESET_ON_SUCCESS is True


def test_thirty_wrong_passwords_then_the_right_one_stays_locked_out(client, outsider):
    for _ in range(30):
        response = _login(client, outsider.username, "wrong-password")
        assert response.status_code in (200, 429)
    assert response.status_code == 429

    response = _login(client, outsider.username, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录已暂时锁定" in page
    assert "请在 30 分钟后再试" in page
    assert "联系市场运营方" in page
    assert "_auth_user_id" not in client.session
    mine = client.get("/listings/mine/")
    assert mine.status_code == 302
    assert mine.url.startswith("/accounts/login/")
    assert AccessAttempt.objects.get(username=outsider.username).failures_since_start >= 5

    client.cookies["django_language"] = "en"
    page = _login(client, outsider.username, PASSWORD).content.decode()
    assert '<html lang="en">' in page
    assert "Login temporarily locked" in page
    assert "Please try again in 30 minutes" in page
    assert not _logged_in(client)


def test_the_lockout_is_for_that_username_only(client, outsider, enterprise_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, outsider.username, "wrong-password")
    assert _login(client, outsider.username, PASSWORD).status_code == 429

    response = _login(client, enterprise_user.username, PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_a_normal_login_works_and_clears_earlier_failures(client, outsider):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, outsider.username, "wrong-password").status_code == 200
    response = _login(client, outsider.username, PASSWORD)
    assert response.status_code == 302
    assert response.url == "/listings/mine/"
    assert _logged_in(client)
    assert not AccessAttempt.objects.filter(username=outsider.username).exists()

    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, outsider.username, "wrong-password")
    assert _login(client, outsider.username, PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, superuser):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": superuser.username, "password": "wrong"})
    response = client.post("/admin/login/", {"username": superuser.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
