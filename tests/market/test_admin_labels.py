"""English left in the Chinese back office: Python's True, a "User" header, the login title,
and Gravatar images that cannot load."""

import re

import pytest
from django.urls import reverse

from market.choices import Role
from tests.factories import BrokerFactory, MembershipFactory
from windows.models import ServiceWindow

pytestmark = pytest.mark.django_db


def column_headers(html: str) -> list[str]:
    headers = []
    for cell in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S):
        text = re.sub(r"<[^>]+>", " ", cell)
        text = " ".join(text.split())
        if text:
            headers.append(text)
    return headers


def cells(html: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    ]


def test_broker_list_says_on_duty_in_words_and_names_the_person_column(
    client, superuser, university
):
    BrokerFactory(active=True, certificate_no="JJR-000001")
    BrokerFactory(active=False, certificate_no="JJR-000002")
    client.force_login(superuser)
    html = client.get(reverse("wagtailsnippets_brokers_broker:list")).content.decode()
    headers = column_headers(html)
    assert "经纪人" in headers and "在岗" in headers
    assert "User" not in headers
    row_cells = cells(html)
    assert row_cells.count("✓ 是") == 1 and row_cells.count("✗ 否") == 1
    assert "True" not in html and "False" not in html


def test_membership_list_names_the_person_column(client, superuser, university):
    MembershipFactory(organization=university, role=Role.ORG_ADMIN)
    client.force_login(superuser)
    html = client.get(reverse("wagtailsnippets_market_membership:list")).content.decode()
    headers = column_headers(html)
    assert "人员" in headers
    assert "User" not in headers


def test_service_window_list_shows_appointments_in_words(client, superuser, main_market):
    ServiceWindow.objects.create(
        market=main_market, name="一站式窗口", address="武汉市洪山区", hours="9:00-17:00"
    )
    client.force_login(superuser)
    html = client.get(reverse("wagtailsnippets_windows_servicewindow:list")).content.decode()
    assert "✓ 是" in cells(html)
    assert "True" not in html


def test_admin_login_is_titled_for_the_market(client):
    html = client.get(reverse("wagtailadmin_login")).content.decode()
    assert "<h1>登录省技术市场管理后台</h1>" in html
    assert "Wagtail" not in re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)


def test_admin_shows_no_gravatar_images(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "gravatar" not in html.lower()
    assert "default-user-avatar" in html


def test_admin_organization_form_picks_the_region_by_name(client, superuser, university):
    client.force_login(superuser)
    url = reverse("wagtailsnippets_market_organization:edit", args=[university.pk])
    html = client.get(url).content.decode()
    assert 'value="湖北省武汉市"' in html and 'data-region-code="420100"' in html
    assert "js/region-picker.js" in html
