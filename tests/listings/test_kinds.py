"""The one table of listing kinds holds together: each row's parts belong to one model."""

import pytest
from django.db import models

from listings.kinds import HOLDER_KINDS, KINDS, get_kind, kind_of
from market.choices import OrganizationKind
from tests.factories import AchievementFactory, DemandFactory


@pytest.mark.parametrize("key", sorted(KINDS))
def test_each_kind_row_names_one_model(key):
    kind = KINDS[key]
    assert kind.key == key == kind.model._meta.model_name
    assert kind.form._meta.model is kind.model
    assert isinstance(kind.model._meta.get_field(kind.modes_field), models.ManyToManyField)
    assert kind.other.other is kind and kind.other is not kind
    assert set(kind.owner_kinds) <= set(HOLDER_KINDS)
    assert OrganizationKind.OPERATOR not in kind.owner_kinds


@pytest.mark.django_db
def test_kind_of_a_listing_and_unknown_kinds():
    assert kind_of(AchievementFactory()).key == "achievement"
    assert kind_of(DemandFactory()) is get_kind("demand")
    with pytest.raises(LookupError):
        kind_of(OrganizationKind)
    with pytest.raises(LookupError):
        get_kind("policy")
