"""Wagtail's user management (/admin/users/) fitted to market.User: 姓名 and 手机号 on the
forms, first/last name optional, and 姓名 shown in the users list."""

import pytest
from django.urls import reverse

from market.models import User
from market.users_admin import MarketUserCreationForm, MarketUserEditForm, user_display_name
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Zhang-San-2024!"


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_create_view_saves_user_with_only_chinese_name(admin_client):
    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "wangxm",
            "email": "wangxm@example.cn",
            "name": "王小明",
            "phone": "13800138000",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="wangxm")
    assert user.name == "王小明"
    assert user.phone == "13800138000"
    assert user.first_name == ""
    assert user.last_name == ""
    assert user.check_password(PASSWORD)


def test_create_view_shows_name_and_phone_fields(admin_client):
    response = admin_client.get(reverse("wagtailusers_users:add"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="name"' in content
    assert 'name="phone"' in content
    assert "姓名" in content
    assert "手机号" in content


def test_edit_view_shows_name_and_phone(admin_client):
    user = UserFactory(username="lisi", name="李四", phone="13900139000")

    response = admin_client.get(reverse("wagtailusers_users:edit", args=[user.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="name"' in content
    assert 'value="李四"' in content
    assert 'value="13900139000"' in content


def test_edit_view_saves_name_and_phone(admin_client):
    user = UserFactory(username="lisi", name="李四", phone="13900139000")

    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[user.pk]),
        {
            "username": "lisi",
            "email": "lisi@example.cn",
            "name": "李思",
            "phone": "13700137000",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name == "李思"
    assert user.phone == "13700137000"
    assert user.first_name == ""
    # A blank password on the edit form leaves the password alone.
    assert user.check_password("pw-123456")


def test_index_view_shows_name(admin_client):
    UserFactory(username="zhaoliu", name="赵六")

    response = admin_client.get(reverse("wagtailusers_users:index"))

    assert response.status_code == 200
    assert "赵六" in response.content.decode()


def test_index_view_searches_by_name(admin_client):
    UserFactory(username="zhaoliu", name="赵六")
    UserFactory(username="qianqi", name="钱七")

    response = admin_client.get(reverse("wagtailusers_users:index"), {"q": "赵六"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "zhaoliu" in content
    assert "qianqi" not in content


def test_index_view_sorts_by_name(admin_client):
    # Created so that neither primary key nor username order matches name order.
    UserFactory(username="a_user", name="甲")
    UserFactory(username="b_user", name="乙")

    response = admin_client.get(reverse("wagtailusers_users:index"), {"ordering": "name"})

    assert response.status_code == 200
    users = list(response.context["object_list"])
    assert [u.name for u in users] == ["", "乙", "甲"]


def test_creation_form_makes_first_and_last_name_optional():
    form = MarketUserCreationForm()

    assert form.fields["first_name"].required is False
    assert form.fields["last_name"].required is False
    assert {"name", "phone"} <= set(form.fields)


def test_edit_form_includes_name_and_phone():
    form = MarketUserEditForm(instance=UserFactory())

    assert {"name", "phone"} <= set(form.fields)
    assert form.fields["first_name"].required is False


def test_user_display_name_prefers_name():
    assert user_display_name(User(username="u1", name="王小明", first_name="Xiaoming")) == "王小明"


def test_user_display_name_falls_back_to_full_name_then_username():
    assert user_display_name(User(username="u1", first_name="Ming", last_name="Wang")) == (
        "Ming Wang"
    )
    assert user_display_name(User(username="u1")) == "u1"
