"""The header links each person to the desks they work at: everyone to the broker directory,
the lots for bidding and the public notices; a signed-in person to their deals; a broker to
their commissions; the registry (clerks and operators) to its queue; operators to the deal
statistics. Every link opens for the person it is shown to."""

import re

import pytest
from django.urls import reverse

from market.choices import Role
from tests.factories import BrokerFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

PUBLIC = ["brokers:directory", "brokers:lots", "brokers:notices"]
DESKS = {
    "deals": "brokers:deals",
    "earnings": "brokers:earnings",
    "registry": "brokers:contract_registry",
    "stats": "brokers:stats",
}


def _links(client) -> set[str]:
    header = client.get("/brokers/directory/").content.decode().split("</header>")[0]
    return set(re.findall(r'href="([^"]+)"', header))


def _shown(client):
    links = _links(client)
    shown = {name for name, url in DESKS.items() if reverse(url) in links}
    for url in links & {reverse(u) for u in DESKS.values()}:
        assert client.get(url).status_code == 200, url
    return shown


def test_everyone_sees_the_public_trading_pages(client):
    links = _links(client)
    for name in PUBLIC:
        assert reverse(name) in links
        assert client.get(reverse(name)).status_code == 200
    assert not {reverse(u) for u in DESKS.values()} & links


def test_each_role_sees_its_own_desks(client, enterprise_user, operator, main_market):
    client.force_login(enterprise_user)
    assert _shown(client) == {"deals"}

    broker = BrokerFactory()
    client.force_login(broker.user)
    assert _shown(client) == {"deals", "earnings"}

    clerk = MembershipFactory(
        organization=OrganizationFactory(market=main_market),
        role=Role.WINDOW_CLERK,
        market=main_market,
    ).user
    client.force_login(clerk)
    assert _shown(client) == {"deals", "registry"}

    client.force_login(operator)
    assert _shown(client) == {"deals", "registry", "stats"}
