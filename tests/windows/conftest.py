"""Fixtures the windows' tests share: a sub-market of the main market and its window."""

import pytest

from tests.factories import SubMarketFactory
from tests.factories.windows import ServiceWindowFactory


@pytest.fixture
def sub_market(main_market):
    return SubMarketFactory(parent=main_market, name="武汉分市场")


@pytest.fixture
def window(sub_market):
    return ServiceWindowFactory(market=sub_market)
