import pytest

from market.models import Membership
from market.services import OPERATOR_GROUP_NAME, membership_grant, membership_revoke
from tests.factories import OrganizationFactory, SubMarketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_operator_keeps_admin_until_last_operator_role_is_revoked(main_market):
    org = OrganizationFactory(kind="operator")
    user = UserFactory()
    first = membership_grant(organization=org, user=user, role="operator", market=main_market)
    sub = SubMarketFactory(parent=main_market)
    second = membership_grant(organization=org, user=user, role="operator", market=sub)
    assert first == second  # one role per organization: the first market stays
    other = membership_grant(
        organization=OrganizationFactory(kind="operator"), user=user, role="operator", market=sub
    )
    membership_revoke(membership=first)
    assert user.groups.filter(name=OPERATOR_GROUP_NAME).exists()
    assert user.has_perm("wagtailadmin.access_admin")
    membership_revoke(membership=other)
    user = type(user).objects.get(pk=user.pk)  # permissions are cached per instance
    assert not user.groups.filter(name=OPERATOR_GROUP_NAME).exists()
    assert not user.has_perm("wagtailadmin.access_admin")
    assert not Membership.objects.filter(user=user).exists()


def test_market_roles_need_a_market(main_market):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        membership_grant(
            organization=OrganizationFactory(kind="operator"),
            user=UserFactory(),
            role="window_clerk",
        )


def test_deleting_operator_role_in_admin_removes_admin_access(client, main_market):
    from market.models import User

    admin = User.objects.create_superuser("root", "root@example.cn", "pw")
    user = UserFactory()
    membership = membership_grant(
        organization=OrganizationFactory(kind="operator"),
        user=user,
        role="operator",
        market=main_market,
    )
    client.force_login(admin)
    response = client.post(f"/admin/snippets/market/membership/delete/{membership.pk}/")
    assert response.status_code == 302
    assert not user.groups.filter(name=OPERATOR_GROUP_NAME).exists()
