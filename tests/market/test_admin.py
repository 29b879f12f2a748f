"""The operators' back office in Wagtail's admin: who gets in, the snippet listings, and the
market scope an operator works within."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from brokers.models import Broker, TradeSettings
from listings.choices import ListingStatus
from listings.models import Achievement, Demand, Mode
from market.choices import OrganizationKind, Role
from market.models import Market, Membership, Organization, User
from market.services import OPERATOR_GROUP_NAME, membership_grant
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    DemandFactory,
    MembershipFactory,
    OrganizationFactory,
    SubMarketFactory,
    UserFactory,
)
from windows.models import CalendarException, ServiceWindow

pytestmark = pytest.mark.django_db

SNIPPET_LISTS = [
    "wagtailsnippets_market_market:list",
    "wagtailsnippets_market_organization:list",
    "wagtailsnippets_market_membership:list",
    "wagtailsnippets_brokers_broker:list",
    "wagtailsnippets_windows_servicewindow:list",
    "wagtailsnippets_windows_calendarexception:list",
    "wagtailsnippets_brokers_tradesettings:list",
    "wagtailsnippets_listings_achievement:list",
    "wagtailsnippets_listings_demand:list",
]


@pytest.fixture
def sub_market(main_market):
    return SubMarketFactory(parent=main_market, name="武汉分市场")


@pytest.fixture
def other_sub_market(main_market):
    return SubMarketFactory(parent=main_market, name="襄阳分市场")


@pytest.fixture
def sub_operator(operator_org, sub_market):
    user = UserFactory()
    membership_grant(organization=operator_org, user=user, role=Role.OPERATOR, market=sub_market)
    return user


@pytest.fixture
def network(main_market, sub_market, university, enterprise):
    """One of everything the snippet listings show."""
    BrokerFactory(institution__market=sub_market)
    ServiceWindow.objects.create(
        market=sub_market, name="武汉分市场一站式窗口", address="武汉市洪山区", hours="9:00-17:00"
    )
    AchievementFactory(owner=university)
    DemandFactory(owner=enterprise)
    MembershipFactory(organization=enterprise, role=Role.MEMBER)
    TradeSettings.objects.create(market=sub_market, notice_days=10)
    CalendarException.objects.create(
        day=datetime.date(2026, 10, 9), is_working_day=False, market=sub_market, note="闭馆"
    )


def test_membership_grant_operator_joins_admin_group(operator_org, main_market):
    user = UserFactory()
    membership_grant(organization=operator_org, user=user, role=Role.OPERATOR, market=main_market)
    user = User.objects.get(pk=user.pk)  # fresh, without a cached permission set
    assert user.groups.filter(name=OPERATOR_GROUP_NAME).exists()
    assert user.has_perm("wagtailadmin.access_admin")
    assert user.has_perm("market.change_organization")
    assert not user.has_perm("market.delete_organization")


def test_membership_grant_other_roles_stay_out_of_admin(enterprise):
    user = UserFactory()
    membership_grant(organization=enterprise, user=user, role=Role.MEMBER)
    assert Membership.objects.filter(user=user, role=Role.MEMBER).exists()
    assert not User.objects.get(pk=user.pk).has_perm("wagtailadmin.access_admin")


def test_operator_group_migration_grants_operator_permissions():
    group = Group.objects.get(name=OPERATOR_GROUP_NAME)
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert codenames == {
        ("wagtailadmin", "access_admin"),
        ("market", "view_market"),
        ("market", "change_market"),
        ("market", "view_organization"),
        ("market", "change_organization"),
        ("market", "view_membership"),
        ("market", "change_membership"),
        ("brokers", "view_broker"),
        ("brokers", "change_broker"),
        ("windows", "view_servicewindow"),
        ("windows", "change_servicewindow"),
        ("listings", "view_achievement"),
        ("listings", "view_demand"),
        # Their markets' trading rules and working-calendar exceptions.
        ("brokers", "view_tradesettings"),
        ("brokers", "add_tradesettings"),
        ("brokers", "change_tradesettings"),
        ("windows", "view_calendarexception"),
        ("windows", "add_calendarexception"),
        ("windows", "change_calendarexception"),
        ("windows", "delete_calendarexception"),
        # Their markets' yearly targets.
        ("targets", "view_target"),
        ("targets", "add_target"),
        ("targets", "change_target"),
        ("targets", "delete_target"),
    }


@pytest.mark.parametrize("url_name", [*SNIPPET_LISTS, "wagtailusers_users:index"])
def test_admin_list_pages_load_for_superuser(client, superuser, network, url_name):
    client.force_login(superuser)
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", SNIPPET_LISTS)
def test_admin_list_pages_load_for_operator(client, sub_operator, network, url_name):
    client.force_login(sub_operator)
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", SNIPPET_LISTS)
def test_admin_edit_pages_load_for_superuser(client, superuser, network, url_name):
    model = {
        "market": Market,
        "organization": Organization,
        "membership": Membership,
        "broker": Broker,
        "servicewindow": ServiceWindow,
        "achievement": Achievement,
        "demand": Demand,
        "tradesettings": TradeSettings,
        "calendarexception": CalendarException,
    }[url_name.split(":")[0].rsplit("_", 1)[1]]
    client.force_login(superuser)
    edit_url = reverse(url_name.replace(":list", ":edit"), args=[model.objects.first().pk])
    assert client.get(edit_url).status_code == 200


def test_broker_edit_saves_fields_ticked_as_choices(client, superuser, network):
    broker = Broker.objects.get()
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailsnippets_brokers_broker:edit", args=[broker.pk]),
        {
            "user": broker.user_id,
            "institution": broker.institution_id,
            "grade": "senior",
            "certificate_no": broker.certificate_no,
            "fields": ["new_materials", "new_energy"],
            "active": "on",
        },
    )
    broker.refresh_from_db()
    assert response.status_code == 302
    assert (broker.grade, broker.fields) == ("senior", ["new_materials", "new_energy"])


def test_admin_user_edit_page_loads_for_custom_user(client, superuser):
    person = UserFactory(name="张三", phone="13800000000")
    client.force_login(superuser)
    response = client.get(reverse("wagtailusers_users:edit", args=[person.pk]))
    assert response.status_code == 200
    assert person.username in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["wagtailsnippets_market_organization:list", "wagtailusers_users:index"]
)
def test_admin_redirects_anonymous_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_organization_list_filters_by_kind_and_searches_credit_code(
    client, superuser, university, enterprise
):
    client.force_login(superuser)
    url = reverse("wagtailsnippets_market_organization:list")
    page = client.get(url, {"kind": OrganizationKind.UNIVERSITY}).content.decode()
    assert university.name in page and enterprise.name not in page
    page = client.get(url, {"q": enterprise.credit_code}).content.decode()
    assert enterprise.name in page and university.name not in page


def test_membership_list_filters_by_role(client, superuser, university_user, operator):
    client.force_login(superuser)
    url = reverse("wagtailsnippets_market_membership:list")
    page = client.get(url, {"role": Role.OPERATOR}).content.decode()
    assert str(operator) in page
    assert str(university_user) not in page


def test_operator_sees_only_organizations_of_own_market(
    client, sub_operator, sub_market, other_sub_market
):
    mine = OrganizationFactory(name="武汉某大学", market=sub_market)
    theirs = OrganizationFactory(name="襄阳某企业", market=other_sub_market)
    client.force_login(sub_operator)
    page = client.get(reverse("wagtailsnippets_market_organization:list")).content.decode()
    assert mine.name in page
    assert theirs.name not in page
    assert (
        client.get(reverse("wagtailsnippets_market_organization:edit", args=[mine.pk])).status_code
        == 200
    )
    # Wagtail answers a refused admin page by sending the user back to the dashboard.
    response = client.get(reverse("wagtailsnippets_market_organization:edit", args=[theirs.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_operator_cannot_move_organization_into_market_they_do_not_operate(
    client, sub_operator, sub_market, other_sub_market
):
    organization = OrganizationFactory(name="武汉某大学", market=sub_market)
    client.force_login(sub_operator)
    response = client.post(
        reverse("wagtailsnippets_market_organization:edit", args=[organization.pk]),
        {
            "name": organization.name,
            "kind": organization.kind,
            "credit_code": organization.credit_code,
            "market": other_sub_market.pk,
            "region_code": organization.region_code,
        },
    )
    assert response.status_code == 200  # the form comes back with an error
    assert Organization.objects.get(pk=organization.pk).market == sub_market


def test_operator_role_granted_in_admin_opens_admin(client, superuser, operator_org, main_market):
    person = UserFactory()
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailsnippets_market_membership:add"),
        {
            "user": person.pk,
            "organization": operator_org.pk,
            "role": Role.OPERATOR,
            "market": main_market.pk,
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, role=Role.OPERATOR).count() == 1
    assert User.objects.get(pk=person.pk).has_perm("wagtailadmin.access_admin")


def test_listing_snippets_cannot_be_added_in_admin(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("wagtailsnippets_listings_achievement:add"))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_listing_snippet_form_leaves_out_state_and_bookkeeping():
    form_fields = set(Achievement.snippet_viewset.get_form_class().base_fields)
    assert "title" in form_fields and "transfer_modes" in form_fields
    assert form_fields.isdisjoint(
        {
            "status",
            "client_token",
            "submitted_at",
            "published_at",
            "expires_at",
            "created_at",
            "updated_at",
            "owner",
            "market",
            "review_reason",
        }
    )


def test_listing_snippet_inspect_page_loads_for_operator(client, sub_operator, sub_market):
    owner = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, market=sub_market)
    achievement = AchievementFactory(owner=owner, title="一种新型催化剂")
    client.force_login(sub_operator)
    response = client.get(
        reverse("wagtailsnippets_listings_achievement:inspect", args=[achievement.pk])
    )
    assert response.status_code == 200
    assert "新材料" in response.content.decode()


def test_sub_market_operator_edits_own_market_but_not_its_place_in_network(
    client, sub_operator, sub_market, main_market
):
    client.force_login(sub_operator)
    response = client.post(
        reverse("wagtailsnippets_market_market:edit", args=[sub_market.pk]),
        {
            "name": sub_market.name,
            "code": sub_market.code,
            "kind": "main",
            "parent": "",
            "region_code": sub_market.region_code,
            "description": "武汉分市场面向东湖高新区服务",
        },
    )
    sub_market.refresh_from_db()
    assert response.status_code == 302
    assert sub_market.description == "武汉分市场面向东湖高新区服务"
    assert (sub_market.kind, sub_market.parent) == ("sub", main_market)


def test_achievement_snippet_edit_changes_content_not_state(client, superuser, university):
    achievement = AchievementFactory(owner=university, status=ListingStatus.SUBMITTED)
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailsnippets_listings_achievement:edit", args=[achievement.pk]),
        {
            "title": "一种高镍正极材料的制备方法",
            "description": achievement.description,
            "field": achievement.field,
            "industry": achievement.industry,
            "keywords": "高镍，正极、锂电池",
            "region_code": achievement.region_code,
            "trl": "7",
            "maturity": "pilot",
            "transfer_modes": [Mode.objects.get(code="license").pk],
            "asking_price": "120",
            "contact_name": "李老师",
            "status": ListingStatus.PUBLISHED,  # not a form field: must be ignored
        },
    )
    achievement.refresh_from_db()
    assert response.status_code == 302
    assert achievement.title == "一种高镍正极材料的制备方法"
    assert achievement.keywords == ["高镍", "正极", "锂电池"]
    assert [m.code for m in achievement.transfer_modes.all()] == ["license"]
    assert achievement.status == ListingStatus.SUBMITTED
