"""The market operators' group (市场运营人员): access to Wagtail's admin and the models they
look after there. `market.services.membership_grant` adds every operator to it."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "市场运营人员"

PERMISSIONS = [
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
    # Listings are browsed in the admin; their state changes only through the review queue.
    ("listings", "view_achievement"),
    ("listings", "view_demand"),
]


def create_group(apps, schema_editor):
    # Model permissions are normally created after the whole migrate run (post_migrate);
    # create them now so a fresh database gets a complete group in a single run.
    for label in ("market", "brokers", "windows", "listings"):
        create_permissions(
            global_apps.get_app_config(label), apps=apps, verbosity=0,
            using=schema_editor.connection.alias,
        )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0001_initial"),
        ("brokers", "0002_initial"),
        ("windows", "0001_initial"),
        ("listings", "0003_seed_modes"),
        # Creates the "Can access Wagtail admin" permission.
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        # These hand "choose" permissions to every group that can access the admin when they
        # run; running after them keeps the group the same on fresh and old databases.
        ("wagtailimages", "0023_add_choose_permissions"),
        ("wagtaildocs", "0011_add_choose_permissions"),
    ]
    operations = [migrations.RunPython(create_group, delete_group)]
