"""Everyone finds the window standards and the complaint desk in the footer; clerks and
operators find their window desk in the header, operators the complaints to handle. Every
link opens for the person it is shown to."""

import re

import pytest
from django.urls import reverse

from market.choices import Role
from tests.factories import MembershipFactory, OrganizationFactory
from tests.factories.windows import ServiceWindowFactory

pytestmark = pytest.mark.django_db

FOOTER = ["windows:standard_list", "windows:complaint_track", "windows:complaint_stats"]
DESKS = {
    "desk": "windows:desk",
    "compliance": "windows:compliance",
    "complaints": "windows:complaints",
    "targets": "targets:dashboard",
}


def _page(client) -> str:
    return client.get("/windows/standards/").content.decode()


def _desks(client) -> set[str]:
    header = _page(client).split("</header>")[0]
    links = set(re.findall(r'href="([^"]+)"', header))
    shown = {name for name, url in DESKS.items() if reverse(url) in links}
    for name in shown:
        assert client.get(reverse(DESKS[name])).status_code == 200, name
    return shown


def test_footer_links_open_for_everyone(client, main_market):
    footer = _page(client).split("<footer")[1]
    for name in FOOTER:
        assert f'href="{reverse(name)}"' in footer
        assert client.get(reverse(name)).status_code == 200
    assert _desks(client) == set()


def test_each_role_sees_its_window_desks(client, enterprise_user, operator, main_market):
    ServiceWindowFactory(market=main_market)
    client.force_login(enterprise_user)
    assert _desks(client) == set()
    clerk = MembershipFactory(
        organization=OrganizationFactory(market=main_market),
        role=Role.WINDOW_CLERK,
        market=main_market,
    ).user
    client.force_login(clerk)
    assert _desks(client) == {"desk", "compliance"}
    client.force_login(operator)
    assert _desks(client) == {"desk", "compliance", "complaints", "targets"}
