"""The site's header, kept rendered per language and kind of visitor: what one request puts in
its slots (her unread count, the address to come back to from the language chooser) never
reaches another request, each kind of visitor, language and section gets its own menu, and the
header holds no form: no CSRF token on a page without forms of its own."""

import html
import re
from urllib.parse import parse_qs, urlsplit

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


def language_link(response) -> str:
    return html.unescape(re.search(r'<a class="nav-lang" href="([^"]+)"', header(response)).group(1))


def comes_back_to(response) -> str:
    """Where the language chooser the header links to sends her back."""
    link = urlsplit(language_link(response))
    assert link.path == reverse("language")
    return parse_qs(link.query, strict_parsing=True)["next"]


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
    assert comes_back_to(first) == ["/events/?q=%3Cb%3E&page=1"]
    assert comes_back_to(second) == ["/events/?q=x"]


@pytest.mark.parametrize("who", ["visitor", "member", "staff"])
def test_a_page_without_forms_carries_no_csrf_token_and_sets_no_csrf_cookie(client, who):
    if who != "visitor":
        client.force_login(MemberProfileFactory().user if who == "member" else StaffFactory())

    urls = [reverse("home"), reverse("events:list"), reverse("stories:list")]
    for url in urls + ([reverse("notices:list")] if who != "visitor" else []):
        page = client.get(url)
        assert page.status_code == 200
        assert "csrfmiddlewaretoken" not in page.content.decode()
        assert "csrftoken" not in page.cookies


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


def test_a_page_with_a_form_of_its_own_carries_its_token_alone():
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    member = MemberProfileFactory()
    browser.force_login(member.user)

    page = browser.get(reverse("members:my_data")).content.decode()

    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) == 1
    assert "csrfmiddlewaretoken" not in page[page.index('<header class="site-header">'):page.index("</header>")]
    assert browser.post(reverse("members:data_export_new"), {"csrfmiddlewaretoken": tokens[0]}).status_code == 302
