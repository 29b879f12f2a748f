"""The registry of people acting for a listing: providers are asked once per batch and
their answers put together."""

import pytest

from listings import audiences


@pytest.fixture
def only_these_providers(monkeypatch):
    monkeypatch.setattr(audiences, "_providers", {})


def test_listing_actors_unions_every_providers_answer(only_these_providers):
    calls = []

    def brokers(kind, pks):
        calls.append((kind, set(pks)))
        return {1: {10}, 2: {20}} if kind == "demand" else {}

    def deals(kind, pks):
        return {1: {11}}

    audiences.register_audience(brokers)
    audiences.register_audience(deals)
    assert audiences.listing_actors("demand", [1, 2, 3]) == {1: {10, 11}, 2: {20}}
    assert audiences.listing_actors("achievement", iter([1])) == {1: {11}}
    assert calls == [("demand", {1, 2, 3}), ("achievement", {1})]


def test_registering_a_provider_again_replaces_it(only_these_providers):
    def brokers(kind, pks):
        return {pk: {pk * 10} for pk in pks}

    audiences.register_audience(brokers)
    audiences.register_audience(brokers)
    assert audiences.listing_actors("demand", [1]) == {1: {10}}
    assert audiences.listing_actors("demand", []) == {}


def test_brokers_register_the_assigned_broker():
    from brokers.selectors import demand_broker_users

    assert demand_broker_users in audiences._providers.values()
