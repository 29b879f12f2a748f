"""Market operators set their market's trading rules (交易规则, the public-notice period) in
the admin: the operators' group may view, add and change them."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "市场运营人员"
CODENAMES = ["view_tradesettings", "add_tradesettings", "change_tradesettings"]


def grant(apps, schema_editor):
    create_permissions(
        global_apps.get_app_config("brokers"),
        apps=apps,
        verbosity=0,
        using=schema_editor.connection.alias,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="brokers", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP_NAME):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="brokers", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("brokers", "0007_deals_contracts_commissions_trading"),
        ("market", "0002_operator_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
