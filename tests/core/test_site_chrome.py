"""The site's header, kept rendered per language and kind of visitor: what one request puts in
its slots (her unread count, the language form's CSRF token, the address to come back to) never
reaches another request, and each kind of visitor, language and section gets its own menu."""

import re

import pytest
from django.urls import reverse

from tests.core.test_message_centre import menu_count, sent_notices
from tests.factories import MemberProfileFactory, StaffFactory
from tests.helpers import zh, zh_n
from xiangcheng.core.chrome import current_links

pytestmark = pytest.mark.django_db


def header(response) -> str:
    html = response.content.decode()
    return html[html.index('<header class="site-header">'):html.index("</header>")]


def menu_links(response) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', header(response))


def marked(response) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page"', header(response))


def next_field(response) -> str:
    return re.search(r'<input name="next" type="hidden" value="([^"]*)">', header(response)).group(1)


def csrf_field(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header(response)).group(1)


def test_each_member_gets_her_own_unread_count_and_return_address(client):
    busy = MemberProfileFactory().user
    quiet = MemberProfileFactory().user
    sent_notices(busy, 3)

    client.force_login(busy)
    first = client.get(reverse("events:list") + "?q=<b>&page=1")
    client.force_login(quiet)
    second = client.get(reverse("events:list") + "?q=x")

    assert menu_count(first) == "3"
    assert f'aria-label="{zh_n("%(n)s unread message", "%(n)s unread messages", 3)}">3</span>' in header(first)
    assert menu_count(second) is None
    assert "nav-count" not in header(second)
    assert next_field(first) == "/events/?q=%3Cb%3E&amp;page=1"
    assert next_field(second) == "/events/?q=x"


def test_the_language_form_carries_this_visitors_csrf_token(client):
    first = client.get(reverse("home"))
    other = client.__class__()
    second = other.get(reverse("home"))

    # Each browser's token belongs to its own CSRF cookie, so switching language works for both.
    assert client.post(reverse("set_language"), {"language": "en", "next": "/",
                                                 "csrfmiddlewaretoken": csrf_field(first)}).status_code == 302
    assert other.post(reverse("set_language"), {"language": "en", "next": "/",
                                                "csrfmiddlewaretoken": csrf_field(second)}).status_code == 302
    assert csrf_field(first) != csrf_field(second)


def test_visitors_members_and_staff_each_see_their_own_menu(client):
    visitor = menu_links(client.get(reverse("home")))
    client.force_login(MemberProfileFactory().user)
    member = menu_links(client.get(reverse("home")))
    client.force_login(StaffFactory())
    staff = menu_links(client.get(reverse("home")))

    assert reverse("account_signup") in visitor and reverse("account_logout") not in visitor
    assert reverse("account_logout") in member and reverse("account_signup") not in member
    assert reverse("admin:index") not in member
    assert reverse("admin:index") in staff
    assert staff == [*member[:member.index(reverse("account_email"))], reverse("admin:index"),
                     *member[member.index(reverse("account_email")):]]


def test_the_current_section_is_marked_on_each_page(client):
    client.force_login(MemberProfileFactory().user)

    assert marked(client.get(reverse("events:list"))) == [reverse("events:list")]
    assert marked(client.get(reverse("members:consents"))) == [reverse("members:consents")]
    assert marked(client.get(reverse("home"))) == []


def test_links_marked_under_a_section_or_on_its_own_page_only():
    assert current_links(reverse("events:mine")) == {"events"}
    assert current_links(reverse("services:calls")) == {"calls"}
    assert current_links(reverse("services:my_calls")) == {"my_calls"}
    assert current_links(reverse("members:directory") + "x/") == frozenset()


def test_the_menu_follows_the_language(client):
    chinese = header(client.get(reverse("home")))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = header(client.get(reverse("home")))

    assert zh("Events") in chinese and zh("Events") != "Events"
    assert ">Events</a>" in english and zh("Events") not in english


def test_made_up_paths_do_not_grow_what_is_kept_past_its_bound(client, monkeypatch):
    from xiangcheng.core import chrome

    monkeypatch.setattr(chrome, "KEPT_MAX", 3)
    chrome._kept.clear()
    sections = ["/programmes/", "/events/", "/jobs/", "/stories/", "/requests/"]
    pages = ["/x" + "".join(sections[:n]) for n in range(1, len(sections) + 1)]

    answers = [client.get(path) for path in pages]

    # Every made-up path marks a different set of links, and each still gets its own right menu.
    assert [r.status_code for r in answers] == [404] * len(pages)
    assert [len(marked(r)) for r in answers] == [1, 2, 3, 4, 4]
    assert len(chrome._kept) == 3


def test_every_page_links_its_style_sheets_and_icon_and_starts_with_the_skip_link(client):
    from django.templatetags.static import static

    client.force_login(MemberProfileFactory().user)
    for language, skip in (("zh-hans", zh("Skip to content")), ("en", "Skip to content")):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        for url in (reverse("home"), reverse("events:list"), reverse("notices:list")):
            html = client.get(url).content.decode()
            head = html[html.index("<head>"):html.index("</head>")]
            assert re.findall(r'<link rel="[a-z]+" href="([^"]+)"', head) == [
                static("css/site.css"), reverse("programmes:colours"), static("img/logo.svg")]
            body = html[html.index("<body>") + len("<body>"):]
            assert body.lstrip().startswith(f'<a class="skip-link" href="#main">{skip}</a>')


def test_a_page_with_a_form_of_its_own_shares_one_token_with_the_language_form():
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    member = MemberProfileFactory()
    browser.force_login(member.user)

    page = browser.get(reverse("members:my_data")).content.decode()

    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    # The one token is this browser's: both forms post with it.
    assert browser.post(reverse("members:data_export_new"), {"csrfmiddlewaretoken": tokens[0]}).status_code == 302
    assert browser.post(reverse("set_language"), {"language": "en", "next": "/",
                                                  "csrfmiddlewaretoken": tokens[0]}).status_code == 302
    assert Client(enforce_csrf_checks=True).post(reverse("set_language"), {
        "language": "en", "next": "/", "csrfmiddlewaretoken": tokens[0]}).status_code == 403
