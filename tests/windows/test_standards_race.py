"""Two of the province's operators acting on one standard at the same moment, in two real
transactions on PostgreSQL: the rows' locks serve them one after the other, so a code gets
one draft and one version in force, and the other operator is told why not."""

import pytest
from django.core.exceptions import ValidationError

from market.models import User
from tests.concurrency import race
from tests.factories.windows import ServiceStandardFactory, StandardItemFactory
from windows.choices import StandardStatus, WindowService
from windows.models import ServiceStandard
from windows.services.standards import standard_publish, standard_retire, standard_revise

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def revise(pk, user_pk):
    return lambda: standard_revise(
        standard=ServiceStandard.objects.get(pk=pk), by=User.objects.get(pk=user_pk)
    )


def publish(pk, user_pk):
    return lambda: standard_publish(
        standard=ServiceStandard.objects.get(pk=pk), by=User.objects.get(pk=user_pk)
    )


def test_two_revisions_at_once_make_one_draft(operator):
    reception = ServiceStandard.objects.get(code="TM/CK-01", version=1)

    outcomes = race(revise(reception.pk, operator.pk), revise(reception.pk, operator.pk))

    drafts = [o for o in outcomes if isinstance(o, ServiceStandard)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(drafts), len(refused)) == (1, 1)
    assert refused[0].code == "draft_exists"
    assert refused[0].draft.pk == drafts[0].pk
    assert list(
        ServiceStandard.objects.filter(code="TM/CK-01").values_list("version", "status")
    ) == [(2, StandardStatus.DRAFT), (1, StandardStatus.IN_FORCE)]
    assert drafts[0].items.count() == 6


def test_one_draft_published_twice_at_once(operator):
    reception = ServiceStandard.objects.get(code="TM/CK-01", version=1)
    draft = standard_revise(standard=reception, by=operator)

    outcomes = race(publish(draft.pk, operator.pk), publish(draft.pk, operator.pk))

    assert sum(isinstance(o, ServiceStandard) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert list(
        ServiceStandard.objects.filter(code="TM/CK-01").values_list("version", "status")
    ) == [(2, StandardStatus.IN_FORCE), (1, StandardStatus.RETIRED)]


def test_two_codes_for_one_service_published_at_once(operator):
    evaluation = ServiceStandard.objects.get(code="TM/PJ-03")
    standard_retire(standard=evaluation, by=operator)
    drafts = [
        ServiceStandardFactory(code=code, service=WindowService.EVALUATION)
        for code in ("TM/PJ-31", "TM/PJ-32")
    ]
    for draft in drafts:
        StandardItemFactory(standard=draft)

    outcomes = race(*(publish(d.pk, operator.pk) for d in drafts))

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1
    assert refused[0].code == "service_has_standard"
    assert ServiceStandard.objects.for_service(WindowService.EVALUATION).count() == 1
