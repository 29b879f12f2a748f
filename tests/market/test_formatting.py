from decimal import Decimal

from django.utils import translation

from market.templatetags.market_tags import budget_range, wan_yuan
from tests.factories import DemandFactory


def test_wan_yuan_in_chinese_keeps_wan():
    with translation.override("zh-hans"):
        assert wan_yuan(Decimal("300")) == "¥300万元"
        assert wan_yuan(Decimal("12500.50")) == "¥12,500.5万元"
        assert wan_yuan(None) == ""


def test_wan_yuan_in_english_converts_to_yuan():
    with translation.override("en"):
        assert wan_yuan(Decimal("300")) == "¥3.00 million"
        assert wan_yuan(Decimal("50")) == "¥500,000"


def test_budget_range_reads_naturally():
    with translation.override("zh-hans"):
        assert budget_range(DemandFactory.build(budget_min=50, budget_max=200)) == (
            "¥50万元 – ¥200万元"
        )
        assert budget_range(DemandFactory.build(budget_min=None, budget_max=80)) == "不超过 ¥80万元"
        assert budget_range(DemandFactory.build(budget_negotiable=True)) == "面议"
