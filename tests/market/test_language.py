import pytest

pytestmark = pytest.mark.django_db


def test_chinese_is_default_even_for_english_browsers(client):
    response = client.get("/listings/import/template/demand.csv", HTTP_ACCEPT_LANGUAGE="en-US")
    assert response.status_code == 200
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()
    assert "登录" in page.content.decode()


def test_switching_to_english_and_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert '<html lang="zh-hans">' in client.get("/accounts/login/").content.decode()


def test_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "fr"
    assert '<html lang="zh-hans">' in client.get("/accounts/login/").content.decode()
