from django.db import migrations

MODES = ["transfer", "license", "equity", "joint_development", "service"]


def seed(apps, schema_editor):
    Mode = apps.get_model("listings", "Mode")
    for code in MODES:
        Mode.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("listings", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
