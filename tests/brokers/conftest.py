"""The deal world most broker tests share: a market, a university selling, an enterprise
buying, their people, a broker and a colleague (tests/brokers/deal_world.py). A test module
that needs a different one defines its own `world`."""

import pytest

from tests.brokers.deal_world import make_world


@pytest.fixture
def world(main_market, university, enterprise, enterprise_user, university_user):
    return make_world(
        main_market=main_market,
        university=university,
        enterprise=enterprise,
        enterprise_user=enterprise_user,
        university_user=university_user,
    )
