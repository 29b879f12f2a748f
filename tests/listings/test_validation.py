"""Rules the forms, the services and the import share: a deadline ahead, texts of sane length."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from listings import services
from listings.models import Achievement, Demand
from tests.factories import DemandFactory
from tests.listings.test_views import demand_post

pytestmark = pytest.mark.django_db


def test_demand_form_refuses_a_deadline_in_2001(client, enterprise_user):
    client.force_login(enterprise_user)

    response = client.post(
        reverse("listings:create", args=["demand"]), demand_post(deadline="2001-05-01")
    )

    assert response.status_code == 200
    assert "截止日期不能早于今天" in response.content.decode()
    assert Demand.objects.count() == 0


def test_demand_form_accepts_today_as_deadline(client, enterprise_user):
    client.force_login(enterprise_user)

    response = client.post(
        reverse("listings:create", args=["demand"]),
        demand_post(deadline=timezone.localdate().isoformat()),
    )

    assert response.status_code == 302
    assert Demand.objects.get().deadline == timezone.localdate()


def test_demand_form_date_picker_starts_today(client, enterprise_user):
    client.force_login(enterprise_user)

    page = client.get(reverse("listings:create", args=["demand"])).content.decode()

    assert f'min="{timezone.localdate().isoformat()}"' in page


def test_listing_update_keeps_a_deadline_that_has_since_passed(enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise, market=enterprise.market)
    passed = timezone.localdate() - timedelta(days=30)
    Demand.objects.filter(pk=demand.pk).update(deadline=passed)
    demand.refresh_from_db()

    services.listing_update(listing=demand, actor=enterprise_user, contact_name="新联系人")

    demand.refresh_from_db()
    assert (demand.contact_name, demand.deadline) == ("新联系人", passed)


def test_listing_update_refuses_moving_the_deadline_into_the_past(enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise, market=enterprise.market)

    with pytest.raises(ValidationError) as caught:
        services.listing_update(listing=demand, actor=enterprise_user, deadline=date(2001, 5, 1))

    assert "截止日期不能早于今天" in caught.value.message_dict["deadline"][0]


def test_form_refuses_a_million_character_description(client, enterprise_user):
    client.force_login(enterprise_user)

    response = client.post(
        reverse("listings:create", args=["demand"]), demand_post(description="缩" * 1_000_000)
    )

    assert response.status_code == 200
    assert "不能超过 5000 字，现在有 1000000 字" in response.content.decode()
    assert Demand.objects.count() == 0


def test_description_textarea_says_its_limit(client, enterprise_user):
    client.force_login(enterprise_user)

    page = client.get(reverse("listings:create", args=["demand"])).content.decode()

    assert 'maxlength="5000"' in page


@pytest.mark.parametrize("field", ["description", "advantage", "economics"])
def test_achievement_model_caps_long_texts(field, university):
    achievement = Achievement(owner=university, market=university.market, **{field: "长" * 5001})

    with pytest.raises(ValidationError) as caught:
        achievement.full_clean()

    assert caught.value.message_dict[field] == [
        "不能超过 5000 字，现在有 5001 字。请精简，细节可以放在附件中。"
    ]
