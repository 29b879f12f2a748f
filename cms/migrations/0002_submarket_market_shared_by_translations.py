import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def create_locales(apps, schema_editor):
    """A Locale row for every content language, so pages can be translated into each."""
    Locale = apps.get_model("wagtailcore", "Locale")
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("market", "0003_organization_approval"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submarketpage",
            name="market",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pages",
                to="market.market",
                verbose_name="市场",
            ),
        ),
        migrations.RunPython(create_locales, migrations.RunPython.noop),
    ]
