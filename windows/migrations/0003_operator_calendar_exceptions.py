"""Market operators enter their markets' working-calendar exceptions (工作日调整) in the
admin: the operators' group may view, add, change and delete them."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "市场运营人员"
CODENAMES = [
    "view_calendarexception",
    "add_calendarexception",
    "change_calendarexception",
    "delete_calendarexception",
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="windows", codename__in=CODENAMES)


def grant(apps, schema_editor):
    create_permissions(
        global_apps.get_app_config("windows"),
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
        ("windows", "0002_working_calendar"),
        ("market", "0002_operator_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
