"""Chinese first; English on request: the header links to the language chooser, whose form posts
to Django's set_language view and brings her back to the page she was reading."""

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import MemberProfileFactory

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


def chooser_form(page) -> dict[str, str]:
    """The chooser's hidden fields: this browser's CSRF token and the address to come back to."""
    text = page.content.decode()
    return {name: html.unescape(value) for name, value in
            re.findall(r'<input (?:type="hidden" )?name="(csrfmiddlewaretoken|next)" (?:type="hidden" )?value="([^"]*)">',
                       text)}


def test_from_any_page_she_chooses_english_and_comes_back_to_it():
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(MemberProfileFactory().user)
    reading = reverse("events:list") + "?q=%E6%B2%99%E9%BE%99&page=1"  # 沙龙, as a browser sends it
    link = re.search(r'<a class="nav-lang" href="([^"]+)"', browser.get(reading).content.decode()).group(1)

    chooser = browser.get(html.unescape(link))

    assert chooser.status_code == 200
    text = chooser.content.decode()
    assert "语言 · Language" in text
    # Both languages, each named in itself; the current one is marked and cannot be chosen again.
    assert re.search(r'<button type="submit" name="language" value="zh-hans" lang="zh-Hans" aria-current="true" '
                     r'disabled>中文</button>', text)
    assert re.search(r'<button type="submit" name="language" value="en" lang="en">English</button>', text)
    fields = chooser_form(chooser)
    assert fields["next"] == reading
    switched = browser.post(reverse("set_language"), {"language": "en", **fields})
    assert switched.status_code == 302 and switched.url == reading
    assert html_lang(browser.get(reading)) == "en"


def test_the_chooser_posts_only_with_this_browsers_token():
    chooser = Client(enforce_csrf_checks=True).get(reverse("language") + "?next=/events/")
    fields = chooser_form(chooser)
    assert set(fields) == {"csrfmiddlewaretoken", "next"} and fields["next"] == "/events/"

    other = Client(enforce_csrf_checks=True)
    refused = other.post(reverse("set_language"), {"language": "en", **fields})

    assert refused.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in other.cookies


@pytest.mark.parametrize("elsewhere", ["https://example.com/", "//example.com/events/", "javascript:alert(1)", ""])
def test_the_chooser_sends_her_back_to_this_site_only(client, elsewhere):
    chooser = client.get(reverse("language"), {"next": elsewhere})

    assert chooser.status_code == 200
    assert chooser_form(chooser)["next"] == "/"
    assert '<a href="/">' in chooser.content.decode()
