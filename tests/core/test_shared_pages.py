"""Public pages kept rendered to be shared (xiangcheng/core/shared_pages.py): the next visitor is
served the kept page without a query; members in the same circles share their own copy, each
with her unread count, and a circle's event never reaches a member
outside it; staff, and anyone with a message, always get a page of their own; each language and
address is kept apart; a kept page is renewed after its time, and with the cache unreachable
pages are rendered."""

import html
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.audiences import FRIENDSHIP_CIRCLE, PARTICIPANTS
from matching.models import Purpose
from matching.profiles import match_leave
from members.models import Status
from services import calls
from services.models import Application, CallApplication, SlotBooking
from tests.core.story_helpers import story
from tests.core.test_message_centre import sent_notices
from tests.events.factories import EventFactory
from tests.factories import REVIEWER_GROUP, MemberProfileFactory, StaffFactory
from tests.helpers import zh
from tests.matching.helpers import opted_in
from tests.services.call_helpers import a_call
from tests.services.job_helpers import published_job
from tests.services.offering_factories import OfferingFactory, OfferingSlotFactory
from tests.services.request_support import organisation, published, representative
from tests.worker_support import wait_until
from xiangcheng.core.audiences import circles_of

pytestmark = pytest.mark.django_db

KEPT = [
    reverse("home"), reverse("programmes:list"), reverse("programmes:detail", args=["create"]),
    reverse("events:list"), reverse("events:past"), reverse("stories:list"), reverse("stories:feed"),
    reverse("services:jobs"), reverse("services:calls"),
]
# What serving a member the copy kept for her circles costs: her account (with her unread count)
# and her circles.
MEMBER_SERVED = 2
# The header's link to the language chooser (core/language.html), with the address to come back to.
LANGUAGE_LINK = re.compile(r'<a class="nav-lang" href="([^"]+)"')


@pytest.fixture(autouse=True)
def kept(settings):
    settings.SHARED_PAGE_KEPT_SECONDS = 30
    return settings


def visit(client, url: str):
    """The page and how many queries it ran, leaving out the audit trail's reset of its context
    that each request makes inside a test's transaction (xiangcheng/core/audit.py)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, sum("set_config('pghistory.context_id', ''" not in q["sql"] for q in queries.captured_queries)


def language_switched(browser, page, language: str = "en") -> str:
    """Follow the page's link to the language chooser and choose ``language``: where she lands."""
    chooser = browser.get(html.unescape(LANGUAGE_LINK.search(page.content.decode()).group(1)))
    assert chooser.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', chooser.content.decode()).group(1)
    back = re.search(r'<input name="next" type="hidden" value="([^"]*)">', chooser.content.decode()).group(1)
    switched = browser.post(reverse("set_language"), {"language": language, "next": html.unescape(back),
                                                      "csrfmiddlewaretoken": token})
    assert switched.status_code == 302
    return switched.url


@pytest.mark.parametrize("url", KEPT)
def test_the_next_visitor_is_served_the_kept_page_without_a_query(client, url):
    story("她的科创故事")
    first, first_queries = visit(client, url)
    second, second_queries = visit(Client(), url)

    assert first_queries > 0
    assert second_queries == 0
    assert second.content == first.content
    assert "<!--slot:" not in second.content.decode()
    assert second["Content-Type"] == first["Content-Type"]
    # No form on it that posts: no CSRF token to mask, no CSRF cookie to set.
    assert "csrfmiddlewaretoken" not in second.content.decode()
    assert not second.cookies


def test_each_visitor_switches_language_from_a_kept_page_and_comes_back_to_it(client):
    url = reverse("events:list") + "?q=%E6%B2%99%E9%BE%99&page=1"  # 沙龙, as a browser sends it
    first, _ = visit(client, url)
    other = Client()
    second, queries = visit(other, url)

    assert queries == 0
    for browser, page in ((client, first), (other, second)):
        assert language_switched(browser, page) == url
        assert '<html lang="en">' in browser.get(url).content.decode()


def test_members_are_never_served_the_visitors_copy(client):
    visit(Client(), reverse("events:list"))
    client.force_login(MemberProfileFactory().user)

    page, queries = visit(client, reverse("events:list"))

    assert queries > MEMBER_SERVED
    assert reverse("account_logout") in page.content.decode()


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def unread_badge(response) -> str | None:
    match = re.search(r'<summary[^>]*>.*?<span class="badge nav-count"[^>]*>(\d+)</span>', response.content.decode(),
                      re.S)
    return match.group(1) if match else None


def without_hers(response) -> str:
    """The page without her unread badges."""
    return re.sub(r' <span class="badge nav-count"[^>]*>\d+</span>', "", response.content.decode())


@pytest.mark.parametrize("url", [url for url in KEPT if url != reverse("services:jobs")])
def test_members_in_the_same_circles_share_a_page_each_with_her_own_count(url):
    story("她的科创故事")
    first, second = MemberProfileFactory().user, MemberProfileFactory().user
    sent_notices(second, 2)
    kept_page, queries = visit(signed_in(first), url)
    browser = signed_in(second)

    hers, her_queries = visit(browser, url)

    assert queries > MEMBER_SERVED
    assert her_queries == MEMBER_SERVED
    assert without_hers(hers) == without_hers(kept_page)
    assert "<!--slot:" not in hers.content.decode()
    if url != reverse("stories:feed"):  # the feed has no header
        assert reverse("account_logout") in hers.content.decode()
        assert unread_badge(kept_page) is None and unread_badge(hers) == "2"
        assert language_switched(browser, hers) == url


def test_a_circles_event_reaches_only_the_members_in_it_and_leaves_with_her(client):
    mixer = EventFactory(title="遇见·行业交流下午茶", audience=PARTICIPANTS)
    outsider, participant = MemberProfileFactory().user, MemberProfileFactory().user
    opted_in(participant)
    url = reverse("events:list")

    outsiders_page, _ = visit(signed_in(outsider), url)
    participants_page, _ = visit(signed_in(participant), url)
    another_outsider, queries = visit(signed_in(MemberProfileFactory().user), url)
    match_leave(user=participant)
    after_leaving, _ = visit(signed_in(participant), url)

    assert mixer.title not in outsiders_page.content.decode()
    assert mixer.title in participants_page.content.decode()
    assert queries == MEMBER_SERVED and mixer.title not in another_outsider.content.decode()
    assert mixer.title not in after_leaving.content.decode()


def test_staff_and_a_member_with_a_message_get_their_own_page():
    url = reverse("home")
    visit(signed_in(MemberProfileFactory().user), url)
    staff = signed_in(StaffFactory(groups=[REVIEWER_GROUP]))
    with_message = signed_in(MemberProfileFactory().user)
    with_message.cookies["messages"] = "unreadable"  # any message cookie: she may have one to read

    for browser in (staff, with_message):
        page, queries = visit(browser, url)
        assert queries > MEMBER_SERVED

    assert reverse("admin:index") in visit(staff, url)[0].content.decode()


def test_the_jobs_list_is_not_shared_between_members():
    url = reverse("services:jobs")
    visit(signed_in(MemberProfileFactory().user), url)

    page, queries = visit(signed_in(MemberProfileFactory().user), url)

    assert queries > MEMBER_SERVED


def test_a_visitor_with_a_message_reads_it_and_the_next_visitor_does_not(client):
    visit(Client(), reverse("home"))
    client.force_login(MemberProfileFactory().user)
    client.post(reverse("account_logout"))
    assert "messages" in client.cookies

    hers, queries = visit(client, reverse("home"))
    after, after_queries = visit(Client(), reverse("home"))

    signed_out = zh("You have signed out.")
    assert queries > 0 and signed_out in hers.content.decode()
    assert after_queries == 0 and signed_out not in after.content.decode()


def test_each_language_and_address_is_kept_apart(client):
    story("芯片故事", tags=["芯片"])
    story("医药故事", tags=["医药"])
    chinese, _ = visit(client, reverse("stories:list"))
    english, _ = visit(Client(HTTP_ACCEPT_LANGUAGE="en"), reverse("stories:list"))
    chips, _ = visit(Client(), reverse("stories:list") + "?tag=芯片")
    medicine, _ = visit(Client(), reverse("stories:list") + "?tag=医药")

    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "芯片故事" in chips.content.decode() and "医药故事" not in chips.content.decode()
    assert "医药故事" in medicine.content.decode() and "芯片故事" not in medicine.content.decode()


def test_a_kept_page_is_renewed_after_its_time(client, kept):
    kept.SHARED_PAGE_KEPT_SECONDS = 1
    visit(client, reverse("stories:list"))
    story("新发布的故事")

    meanwhile, _ = visit(Client(), reverse("stories:list"))
    # Redis drops the kept copy after a second of its own clock: ask until a visitor's page is
    # rendered afresh.
    later, queries = wait_until(lambda: (seen := visit(Client(), reverse("stories:list")))[1] > 0 and seen,
                                timeout=10, what="the kept page to be renewed", interval=0.1)

    assert "新发布的故事" not in meanwhile.content.decode()
    assert queries > 0 and "新发布的故事" in later.content.decode()


def test_a_page_kept_by_one_release_is_not_served_by_the_next(client, monkeypatch):
    from xiangcheng.core import fragments

    monkeypatch.setattr(fragments, "release", lambda: "before")
    visit(client, reverse("stories:list"))
    _, kept_queries = visit(Client(), reverse("stories:list"))
    monkeypatch.setattr(fragments, "release", lambda: "after")

    _, next_queries = visit(Client(), reverse("stories:list"))

    assert kept_queries == 0
    assert next_queries > 0


def test_a_page_not_found_is_not_kept_and_keeps_its_language_link(client):
    for browser in (client, Client()):
        response = browser.get(reverse("programmes:detail", args=["no-such-programme"]))
        assert response.status_code == 404
        page = response.content.decode()
        assert "<!--slot:" not in page
        assert LANGUAGE_LINK.search(page)


def test_with_the_cache_unreachable_pages_are_rendered(client, settings, tmp_path):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"unix://{tmp_path / 'none.sock'}?db=1"}}
    story("她的科创故事")

    for browser in (client, Client()):
        page, queries = visit(browser, reverse("stories:list"))
        assert queries > 0
        assert "她的科创故事" in page.content.decode()
        assert LANGUAGE_LINK.search(page.content.decode())


def test_her_circles_are_read_with_one_query():
    outsider, participant, friends = (MemberProfileFactory().user for _ in range(3))
    opted_in(participant)
    opted_in(friends, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])

    with CaptureQueriesContext(connection) as queries:
        circles = [circles_of(user) for user in (outsider, participant, friends)]

    assert circles == [(), (PARTICIPANTS,), (PARTICIPANTS, FRIENDSHIP_CIRCLE)]
    assert len(queries) == 3
    assert circles_of(AnonymousUser()) == ()


def test_members_share_the_offering_list_once_they_are_approved():
    OfferingFactory(title="女企业家专属金融服务")
    url = reverse("offerings:list")
    first, _ = visit(signed_in(MemberProfileFactory().user), url)
    pending = signed_in(MemberProfileFactory(status=Status.PENDING).user)

    hers, queries = visit(signed_in(MemberProfileFactory().user), url)
    waiting, _ = visit(pending, url)

    assert queries == MEMBER_SERVED  # her profile (is she approved?) comes with her account
    assert without_hers(hers) == without_hers(first) and "女企业家专属金融服务" in hers.content.decode()
    assert "女企业家专属金融服务" not in waiting.content.decode()


def test_the_request_list_is_shared_by_members_of_the_same_field_only():
    org = organisation()
    author = representative(org)
    published(org, author=author, title="先进新材料研发合作", field="advanced_materials")
    published(org, author=author, title="招聘算法工程师", field="ai")
    url = reverse("services:requests")

    def first_listed(field: str) -> tuple[str, int]:
        page, queries = visit(signed_in(MemberProfileFactory(field=field).user), url)
        return re.search(r"(先进新材料研发合作|招聘算法工程师)", page.content.decode()).group(1), queries

    assert first_listed("ai")[0] == "招聘算法工程师"
    assert first_listed("advanced_materials")[0] == "先进新材料研发合作"
    assert first_listed("ai") == ("招聘算法工程师", MEMBER_SERVED)



CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def shared_form_sent(url: str, action: str, data: dict, her) -> str:
    """A member opens the page with a form at ``url`` first; ``her`` is then served the copy kept
    for members with nothing of theirs on it, with her own token, and sends the form with it to
    ``action``. Her page afterwards, which is rendered for her alone."""
    kept_page, queries = visit(signed_in(MemberProfileFactory().user), url)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(her)

    hers, her_queries = visit(browser, url)
    token = CSRF_TOKEN.search(hers.content.decode()).group(1)
    sent = browser.post(action, {**data, "csrfmiddlewaretoken": token})
    browser.get(sent.url)  # where she is sent, and the message she reads there
    if "messages" in browser.cookies and not browser.cookies["messages"].value:
        del browser.cookies["messages"]  # expired, as her browser drops it
    own, own_queries = visit(browser, url)

    assert queries > MEMBER_SERVED + 1
    assert her_queries == MEMBER_SERVED + 1  # and whether she has something of her own on the page
    assert token != CSRF_TOKEN.search(kept_page.content.decode()).group(1)
    assert CSRF_TOKEN.sub("", without_hers(hers)) == CSRF_TOKEN.sub("", without_hers(kept_page))
    assert sent.status_code == 302
    assert own_queries > MEMBER_SERVED + 1  # rendered for her
    return own.content.decode()


def test_members_without_an_application_share_a_calls_form_each_with_her_own_token():
    call = a_call()
    url = reverse("services:call_apply", args=[call.pk])
    her = MemberProfileFactory().user

    own = shared_form_sent(url, url, {"statement": "我的申报陈述", "draft": "1"}, her)

    assert CallApplication.objects.get(call=call).member == her
    assert "我的申报陈述" in own


def test_members_without_a_place_share_an_offerings_times_each_with_her_own_token():
    slot = OfferingSlotFactory(capacity=5)
    her = MemberProfileFactory().user

    own = shared_form_sent(reverse("offerings:detail", args=[slot.offering.pk]),
                           reverse("offerings:book", args=[slot.pk]), {}, her)

    booking = SlotBooking.objects.get(slot=slot)
    assert booking.member == her
    assert reverse("offerings:cancel", args=[booking.pk]) in own


def test_members_who_have_not_applied_share_a_jobs_page_each_with_her_own_token():
    org = organisation()
    job = published_job(org, representative(org), StaffFactory(username="qiye"))
    apply = reverse("services:job_apply", args=[job.pk])
    her = MemberProfileFactory().user

    own = shared_form_sent(reverse("services:job", args=[job.pk]), apply, {"message": "您好，我想应聘这个岗位。"}, her)

    assert Application.objects.get(job=job).member == her
    assert 'class="registration-status status-' in own and apply not in own


def test_a_calls_page_is_shared_by_members_who_have_not_applied_and_hers_shows_her_application():
    call = a_call()
    url = reverse("services:call", args=[call.pk])
    kept_page, queries = visit(signed_in(MemberProfileFactory().user), url)
    her = MemberProfileFactory().user
    calls.application_start(call=call, member=her, statement="我的陈述", files=[], submit=False)

    others, others_queries = visit(signed_in(MemberProfileFactory().user), url)
    hers, her_queries = visit(signed_in(her), url)

    assert queries > MEMBER_SERVED + 1 and others_queries == MEMBER_SERVED + 1
    assert without_hers(others) == without_hers(kept_page)
    assert her_queries > MEMBER_SERVED + 1
    assert reverse("services:call_application", args=[CallApplication.objects.get(member=her).pk]) in hers.content.decode()
