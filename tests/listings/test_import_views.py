"""The import page as its user meets it: upload, likely duplicates, confirm or cancel."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from listings.models import Achievement
from tests.listings.test_import import achievement_row, far_cell_xlsx, fill

pytestmark = pytest.mark.django_db


def upload(client, university, data: bytes, name: str = "成果.csv"):
    return client.post(
        reverse("listings:import"),
        {"kind": "achievement", "owner": university.pk, "file": SimpleUploadedFile(name, data)},
    )


def test_import_page_imports_a_clean_file(client, university, university_user):
    client.force_login(university_user)

    response = upload(client, university, fill("achievement", "csv", [achievement_row()]))

    assert response.status_code == 302
    assert Achievement.objects.filter(owner=university).count() == 1


def test_import_page_same_file_twice_asks_before_importing_duplicates(
    client, university, university_user
):
    client.force_login(university_user)
    data = fill("achievement", "csv", [achievement_row(), achievement_row(标题="另一项成果")])
    upload(client, university, data)
    first = Achievement.objects.get(title=achievement_row()["标题*"])

    page = upload(client, university, data)

    html = page.content.decode()
    assert page.status_code == 200
    assert "可能重复，尚未导入" in html
    assert "有 2 行可能与已有的科技成果重复（同一机构、同一标题）" in html
    assert f'href="{first.get_absolute_url()}"' in html
    assert "我已核对，仍然导入这些可能重复的行" in html
    assert Achievement.objects.filter(owner=university).count() == 2
    token = page.context["confirm_form"]["pending"].value()

    unticked = client.post(reverse("listings:import"), {"pending": token})

    assert "请勾选确认后再导入，或取消这次导入。" in unticked.content.decode()
    assert Achievement.objects.filter(owner=university).count() == 2

    confirmed = client.post(
        reverse("listings:import"), {"pending": token, "confirm_duplicates": "on"}
    )

    assert confirmed.status_code == 302
    assert Achievement.objects.filter(owner=university).count() == 4
    # The stored upload is used once: a second confirmation imports nothing again.
    again = client.post(
        reverse("listings:import"), {"pending": token, "confirm_duplicates": "on"}, follow=True
    )
    assert "这次上传已过期，请重新上传文件。" in again.content.decode()
    assert Achievement.objects.filter(owner=university).count() == 4


def test_import_page_pending_upload_is_the_uploaders_only(
    client, university, university_user, enterprise_user
):
    client.force_login(university_user)
    data = fill("achievement", "csv", [achievement_row()])
    upload(client, university, data)
    token = upload(client, university, data).context["confirm_form"]["pending"].value()

    client.force_login(enterprise_user)
    client.post(reverse("listings:import"), {"pending": token, "confirm_duplicates": "on"})

    assert Achievement.objects.filter(owner=university).count() == 1


def test_import_page_sheet_far_down_answers_with_the_limit(client, university, university_user):
    client.force_login(university_user)

    response = upload(client, university, far_cell_xlsx("XFD1048576"), name="成果.xlsx")

    html = response.content.decode()
    assert response.status_code == 200
    assert "每次最多导入 50000 行数据" in html
    assert Achievement.objects.count() == 0
