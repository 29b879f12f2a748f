# Attachments move out of MEDIA_ROOT into the private storage, under uuid4 names, and get a
# `key` for the checked download view (listings:attachment).

import uuid

from django.core.files.storage import storages
from django.db import migrations, models

import listings.models


def fill_keys(apps, schema_editor):
    Attachment = apps.get_model("listings", "Attachment")
    for attachment in Attachment.objects.filter(key=None).only("pk"):
        Attachment.objects.filter(pk=attachment.pk).update(key=uuid.uuid4())


def move_files(apps, schema_editor):
    """Copy each file from the public media storage to the private one under a fresh name,
    then delete the public copy. A file missing from the media storage is left as it is."""
    Attachment = apps.get_model("listings", "Attachment")
    public, private = storages["default"], storages["private"]
    for attachment in Attachment.objects.exclude(file=""):
        old_name = attachment.file.name
        if not public.exists(old_name):
            continue
        with public.open(old_name, "rb") as content:
            new_name = private.save(f"attachments/{uuid.uuid4().hex}", content)
        Attachment.objects.filter(pk=attachment.pk).update(file=new_name)
        public.delete(old_name)


class Migration(migrations.Migration):

    dependencies = [
        ("listings", "0005_updated_at_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attachment",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                storage=listings.models.private_storage,
                upload_to=listings.models.attachment_path,
                verbose_name="文件",
            ),
        ),
        migrations.RunPython(move_files, migrations.RunPython.noop),
    ]
