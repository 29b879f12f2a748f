"""An anonymous visitor cannot reach a draft's attachment, by its download link or by a
/media/ path, in a real browser. The owner, logged in, can."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from listings import services
from tests.factories import AchievementFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_anonymous_visitor_cannot_reach_a_drafts_attachment(
    browser, live_server, page, university, university_user, screenshot
):
    draft = AchievementFactory(owner=university, title="尚未发布的成果")
    attachment = services.attachment_add(
        listing=draft,
        actor=university_user,
        upload=SimpleUploadedFile("成果说明书.pdf", PDF, content_type="application/pdf"),
    )
    url = reverse("listings:attachment", args=[attachment.key])

    response = page.goto(url)

    assert response.status == 404
    assert page.get_by_role("heading", name="页面不存在").is_visible()
    assert PDF not in response.body()
    screenshot(page, "7-anonymous-draft-attachment-404")
    for path in (f"/media/{attachment.file.name}", "/media/attachments/成果说明书.pdf"):
        media = page.goto(path)
        assert media.status == 404
        assert PDF not in media.body()

    # The owner, logged in, does get the file: the 404 above is the rule, not a broken link.
    university_user.set_password(PASSWORD)
    university_user.save()
    owner = browser.new_context(base_url=live_server.url, locale="zh-CN")
    owner_page = owner.new_page()
    owner_page.goto("/accounts/login/")
    owner_page.get_by_label("用户名").fill(university_user.username)
    owner_page.get_by_label("密码").fill(PASSWORD)
    owner_page.get_by_role("button", name="登录").click()
    owner_page.wait_for_load_state()
    download = owner.request.get(url)
    assert download.status == 200
    assert download.body() == PDF
    owner.close()
