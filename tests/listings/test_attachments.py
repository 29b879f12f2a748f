"""Attachments are read through listings:attachment, which asks who may see the listing: a
draft's or an under-review listing's file is its owner's and its market operators' only."""

import re
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from listings import services
from listings.choices import ListingStatus
from listings.models import Attachment
from market.settings import base as base_settings
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(listing, user, name="成果说明书.pdf"):
    return services.attachment_add(
        listing=listing,
        actor=user,
        upload=SimpleUploadedFile(name, PDF, content_type="application/pdf"),
    )


def download(client, attachment):
    return client.get(reverse("listings:attachment", args=[attachment.key]))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def draft_file(university, university_user):
    return attach(AchievementFactory(owner=university), university_user)


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.SUBMITTED])
def test_an_unpublished_listings_file_is_404_for_the_public_and_outsiders(
    client, university, university_user, outsider, status
):
    achievement = AchievementFactory(owner=university)
    attachment = attach(achievement, university_user)
    type(achievement).objects.filter(pk=achievement.pk).update(status=status)
    assert download(client, attachment).status_code == 404
    client.force_login(outsider)
    assert download(client, attachment).status_code == 404


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.SUBMITTED])
def test_the_owner_and_the_operator_get_an_unpublished_listings_file(
    client, university, university_user, operator, status
):
    achievement = AchievementFactory(owner=university)
    attachment = attach(achievement, university_user)
    type(achievement).objects.filter(pk=achievement.pk).update(status=status)
    for user in (university_user, operator):
        client.force_login(user)
        response = download(client, attachment)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''%E6%88%90%E6%9E%9C%E8%AF%B4%E6%98%8E%E4%B9%A6.pdf" in disposition
        assert "private" in response["Cache-Control"]
        assert body(response) == PDF


def test_a_published_listings_file_downloads_for_everyone(client, university, university_user):
    achievement = AchievementFactory(owner=university, status=ListingStatus.PUBLISHED)
    attachment = attach(achievement, university_user)
    response = download(client, attachment)
    assert response.status_code == 200
    assert body(response) == PDF


def test_the_listing_page_links_to_the_checked_download(client, university, university_user):
    achievement = AchievementFactory(owner=university, status=ListingStatus.PUBLISHED)
    attachment = attach(achievement, university_user)
    page = client.get(achievement.get_absolute_url(), follow=True).content.decode()
    url = reverse("listings:attachment", args=[attachment.key])
    assert f'<a href="{url}">成果说明书.pdf</a>' in page
    assert "/media/" not in page


def test_the_review_page_links_to_the_checked_download(
    client, university, university_user, operator
):
    achievement = AchievementFactory(owner=university)
    attachment = attach(achievement, university_user)
    services.listing_submit(listing=achievement, actor=university_user)
    client.force_login(operator)
    page = client.get(reverse("review_queue:detail", args=["achievement", achievement.pk]))
    page = page.content.decode()
    assert f'href="{reverse("listings:attachment", args=[attachment.key])}"' in page
    assert "/media/" not in page


def test_an_unknown_key_is_404(client, draft_file, university_user):
    client.force_login(university_user)
    response = client.get(
        reverse("listings:attachment", args=["00000000-0000-4000-8000-000000000000"])
    )
    assert response.status_code == 404


def test_the_stored_name_cannot_be_guessed_and_no_media_route_serves_it(
    client, draft_file, university_user
):
    name = draft_file.file.name
    assert re.fullmatch(r"attachments/[0-9a-f]{32}", name)
    assert "成果说明书" not in name
    client.force_login(university_user)
    for path in (f"/media/{name}", f"/media/attachments/{draft_file.original_name}"):
        response = client.get(path, follow=True)
        assert response.status_code == 404
        assert PDF not in response.content


def test_attachments_live_in_the_private_storage_outside_media_root():
    field = Attachment._meta.get_field("file")
    assert field.storage is storages["private"]
    assert field.storage is not storages["default"]
    private = base_settings.STORAGES["private"]
    assert private["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    location = Path(str(base_settings.PRIVATE_MEDIA_ROOT)).resolve()
    assert private["OPTIONS"]["location"] == str(base_settings.PRIVATE_MEDIA_ROOT)
    for served in (base_settings.MEDIA_ROOT, base_settings.STATIC_ROOT):
        assert not location.is_relative_to(Path(str(served)).resolve())


def test_an_upload_while_under_review_is_refused_with_a_message(
    client, university, university_user
):
    achievement = AchievementFactory(owner=university, title="新型催化剂")
    services.listing_submit(listing=achievement, actor=university_user)
    client.force_login(university_user)
    page = client.get(achievement.get_absolute_url(), follow=True).content.decode()
    assert "正在审核中，审核期间不能上传附件。" in page
    assert reverse("listings:attachment_upload", args=["achievement", achievement.pk]) not in page
    response = client.post(
        reverse("listings:attachment_upload", args=["achievement", achievement.pk]),
        {"file": SimpleUploadedFile("补充材料.pdf", PDF, content_type="application/pdf")},
        follow=True,
    )
    assert "“新型催化剂”正在审核中，审核期间不能上传附件。请在审核结束后再上传。" in (
        response.content.decode()
    )
    assert achievement.attachments.count() == 0


def test_the_service_refuses_an_upload_while_under_review(university, university_user):
    achievement = AchievementFactory(owner=university, title="新型催化剂")
    services.listing_submit(listing=achievement, actor=university_user)
    with pytest.raises(ValidationError) as exc:
        attach(achievement, university_user)
    assert exc.value.messages == [
        "“新型催化剂”正在审核中，审核期间不能上传附件。请在审核结束后再上传。"
    ]
    assert achievement.attachments.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_moves_public_files_into_the_private_storage():
    """A file uploaded before the fix sits under MEDIA_ROOT at a dated, guessable name; the
    migration moves it to the private storage under a uuid name and gives the row a key."""
    executor = MigrationExecutor(connection)
    executor.migrate([("listings", "0005_updated_at_index")])
    executor.loader.build_graph()
    old = executor.loader.project_state([("listings", "0005_updated_at_index")]).apps
    content_type = ContentType.objects.get_for_model(Attachment)
    public, private = storages["default"], storages["private"]
    old_name = public.save("attachments/2026/01/说明书.pdf", ContentFile(PDF))
    row = old.get_model("listings", "Attachment").objects.create(
        content_type_id=content_type.pk,
        object_id=1,
        file=old_name,
        original_name="说明书.pdf",
        mime_type="application/pdf",
        size=len(PDF),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = Attachment.objects.get(pk=row.pk)
    assert re.fullmatch(r"attachments/[0-9a-f]{32}", moved.file.name)
    assert moved.key is not None
    assert not public.exists(old_name)
    with private.open(moved.file.name) as content:
        assert content.read() == PDF
