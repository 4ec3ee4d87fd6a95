"""Chinese first; English on request through Django's set_language view."""

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_pages_are_chinese_by_default(client):
    assert settings.LANGUAGE_CODE == "zh-hans"
    home = client.get("/")
    assert home.status_code == 200
    assert html_lang(home) == "zh-hans"
    assert home.context["LANGUAGE_CODE"] == "zh-hans"

    # Strings from allauth's own Chinese catalogue.
    login = client.get("/accounts/login/")
    assert html_lang(login) == "zh-hans"
    html = login.content.decode()
    assert "密码" in html  # "Password"
    assert "Password" not in html


def test_switching_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    home = client.get("/")
    assert html_lang(home) == "en"
    assert home.context["LANGUAGE_CODE"] == "en"
    login = client.get("/accounts/login/")
    html = login.content.decode()
    assert "Password" in html
    assert "密码" not in html

    # And back again.
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert html_lang(client.get("/")) == "zh-hans"


def test_home_navigation_is_translated(client):
    """A project string: the "Log in" link of the home page's navigation."""
    login_link = re.compile(r'<a[^>]*href="/accounts/login/"[^>]*>\s*([^<]+?)\s*</a>')
    chinese = login_link.findall(client.get("/").content.decode())
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = login_link.findall(client.get("/").content.decode())
    assert english[0] == "Log in"
    assert chinese[0] == "登录"
