"""Member pages carry a strict Content-Security-Policy and need nothing inline to work."""

import re

import pytest
from django.urls import reverse

from tests.events.factories import EventFactory
from tests.factories import MemberProfileFactory

pytestmark = pytest.mark.django_db


def assert_nothing_inline(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        html = response.content.decode()
        assert re.findall(r"\sstyle=\"", html) == [], url
        assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == [], url
        assert re.findall(r"\son[a-z]+=\"", html) == [], url


def test_account_pages_need_nothing_inline(client):
    assert_nothing_inline(client, [reverse("account_signup"), reverse("account_login"),
                                   reverse("account_reset_password"), reverse("members:phone_reset"),
                                   reverse("members:privacy")])


def test_member_pages_have_the_policy_and_no_inline_script_or_style(client):
    event = EventFactory()
    client.force_login(MemberProfileFactory().user)
    assert_nothing_inline(client, [
        reverse("home"), reverse("programmes:list"), reverse("programmes:detail", args=["gather"]),
        reverse("events:list"), event.get_absolute_url(), reverse("events:mine"),
        reverse("members:profile"), reverse("members:directory"), reverse("services:tickets"),
        reverse("services:new")])


def test_programme_colours_come_from_a_stylesheet(client):
    response = client.get(reverse("programmes:colours"))
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response.content.decode().splitlines() == [
        ".accent-gather{--accent:#c2185b}", ".accent-support{--accent:#ef6c00}",
        ".accent-alliance{--accent:#6a1b9a}", ".accent-link{--accent:#00838f}",
        ".accent-create{--accent:#2e7d32}"]
    home = client.get(reverse("home")).content.decode()
    assert 'class="programme-card accent-gather"' in home
