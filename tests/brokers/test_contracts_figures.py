"""The home page's headline figure, registered contract value, sums registered contracts
only; and two clerks deciding at once decide once (PostgreSQL)."""

from decimal import Decimal

import pytest

from brokers import selectors, services
from brokers.choices import RefusalGround, RegistrationStatus
from brokers.models import Contract
from targets.selectors import market_figure, market_figures_shown
from tests.brokers.contract_helpers import accepted_contract, make_contract, make_world, signed_deal
from tests.concurrency import race


@pytest.mark.django_db
def test_registered_value_counts_registered_contracts_only(main_market):
    world = make_world(main_market)
    one = accepted_contract(world, amount="300")
    services.contract_register(contract=one, by=world["clerk"])
    two = accepted_contract(world, deal=None, title="第二份", amount="120.50")
    services.contract_register(contract=two, by=world["clerk"])
    refused = accepted_contract(world, title="被拒", amount="999")
    services.contract_refuse(
        contract=refused, by=world["clerk"], ground=RefusalGround.INVALID, note="无效"
    )
    accepted_contract(world, title="已受理", amount="888")
    applied = make_contract(world, deal=signed_deal(world, "已申请"), amount="777")
    services.contract_apply(contract=applied, by=world["seller_user"])
    before = market_figures_shown()  # cached once per change
    expected = sum(
        c.amount for c in Contract.objects.filter(registration_status=RegistrationStatus.REGISTERED)
    )
    assert expected == Decimal("420.50")
    assert selectors.registered_value()["amount"] == expected
    assert market_figure("registered_value").value == expected
    assert {f.key: f.value for f in before}["registered_value"] == expected
    # A newly registered contract changes the cached figure straight away.
    three = Contract.objects.get(title="已受理")
    services.contract_register(contract=three, by=world["clerk"])
    shown = {f.key: f.value for f in market_figures_shown()}
    assert shown["registered_value"] == Decimal("1308.50")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_deciding_at_once_decide_once(main_market):
    world = make_world(main_market)
    contract = accepted_contract(world)

    def register():
        return services.contract_register(contract=contract, by=world["clerk"])

    def refuse():
        return services.contract_refuse(
            contract=contract, by=world["clerk2"], ground=RefusalGround.INVALID, note="无效"
        )

    outcomes = race(register, refuse)
    refusals = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refusals) == 1
    contract.refresh_from_db()
    assert contract.registration_status in (
        RegistrationStatus.REGISTERED,
        RegistrationStatus.REFUSED,
    )
    from market.models import TransitionLog

    decided = TransitionLog.objects.filter(
        content_type__model="contract",
        object_id=contract.pk,
        transition__in=["register", "refuse"],
    )
    assert decided.count() == 1
