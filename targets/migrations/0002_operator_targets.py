"""Market operators enter their markets' yearly targets (年度目标) in the
admin: the operators' group may view, add, change and delete them."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "市场运营人员"
CODENAMES = [
    "view_target",
    "add_target",
    "change_target",
    "delete_target",
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="targets", codename__in=CODENAMES)


def grant(apps, schema_editor):
    create_permissions(
        global_apps.get_app_config("targets"),
        apps=apps,
        verbosity=0,
        using=schema_editor.connection.alias,
    )
    group, _created = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0001_initial"),
        ("market", "0002_operator_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
