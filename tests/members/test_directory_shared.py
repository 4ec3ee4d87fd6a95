"""The member directory shared between members (xiangcheng/core/shared_pages.py, ``until_written``):
one copy of a search for every member, each with her own unread count, kept only until a profile,
an account or an organisation it read is written — a member who leaves the directory, or whose
account staff deactivate, is gone from the next search — and never served to whom the
directory is closed."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from members.models import MemberProfile, Status
from members.profiles import profile_directory_leave
from tests.core.test_message_centre import sent_notices
from tests.factories import REVIEWER_GROUP, MemberProfileFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/members/directory/"
# What serving a kept copy costs: her account (with her unread count), her circles, and the
# versions of the tables the copy read.
SERVED = 3
BADGE = re.compile(r'<summary[^>]*>.*?<span class="badge nav-count"[^>]*>(\d+)</span>', re.S)


@pytest.fixture(autouse=True)
def shared(settings):
    settings.SHARED_PAGE_KEPT_SECONDS = 30


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def member() -> Client:
    return signed_in(MemberProfileFactory(status=Status.APPROVED, listed_in_directory=False).user)


def searched(browser: Client, query: dict | None = None):
    """The page, whether it was served from a kept copy (no template rendered), and its queries."""
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(URL, query or {})
    assert response.status_code == 200
    return response, response.context is None, len(queries.captured_queries)


def names(response) -> list[str]:
    return re.findall(r'<strong class="member-name">([^<]+)</strong>', response.content.decode())


def without_badges(response) -> str:
    return re.sub(r' <span class="badge nav-count"[^>]*>\d+</span>', "", response.content.decode())


def warmed(browser: Client, query: dict) -> None:
    """The search asked until it is served from a kept copy: rendered once to tell which tables it
    reads (unless this process has learnt it already), then once to be kept."""
    served = [searched(browser, query)[1] for _ in range(3)]
    assert served[0] is False and served[2] is True


def test_members_share_a_search_each_with_her_own_unread_count():
    MemberProfileFactory(real_name="王静怡")
    MemberProfileFactory(real_name="王雅琳")
    MemberProfileFactory(real_name="李梦琪")
    second_user = MemberProfileFactory(status=Status.APPROVED, listed_in_directory=False).user
    sent_notices(second_user, 2)
    first, second = member(), signed_in(second_user)
    rendered = [searched(first, {"q": "王"}) for _ in range(3)]

    served, from_copy, queries = searched(second, {"q": "王"})

    assert rendered[0][1] is False and rendered[2][1] is True
    assert from_copy and queries == SERVED
    assert names(served) == ["王雅琳", "王静怡"]
    assert without_badges(served) == without_badges(rendered[0][0])
    assert "<!--slot:" not in served.content.decode()
    assert BADGE.search(rendered[0][0].content.decode()) is None
    assert BADGE.search(served.content.decode()).group(1) == "2"
    # Another search is a copy of its own.
    other, from_copy, _ = searched(second, {"q": "李"})
    assert not from_copy and names(other) == ["李梦琪"]


def test_a_member_who_leaves_the_directory_is_gone_from_the_next_search():
    leaving = MemberProfileFactory(real_name="王静怡")
    MemberProfileFactory(real_name="王雅琳")
    browser = member_browser = member()
    warmed(member_browser, {"q": "王"})
    assert searched(browser, {"q": "王"})[1:] == (True, SERVED)

    assert profile_directory_leave(user=leaving.user)
    after, from_copy, _ = searched(browser, {"q": "王"})

    assert not from_copy
    assert names(after) == ["王雅琳"]


def test_an_account_deactivated_by_staff_is_gone_from_the_next_search():
    deactivated = MemberProfileFactory(real_name="王静怡")
    MemberProfileFactory(real_name="王雅琳")
    browser = member_browser = member()
    warmed(member_browser, {"q": "王"})
    assert searched(browser, {"q": "王"})[1]

    # Written without save(), as an admin's bulk action would: the table's version still moves.
    get_user_model().objects.filter(pk=deactivated.user_id).update(is_active=False)
    after, from_copy, _ = searched(browser, {"q": "王"})

    assert not from_copy
    assert names(after) == ["王雅琳"]


def test_a_field_hidden_since_is_not_served_from_the_copy():
    profile = MemberProfileFactory(real_name="王静怡", job_title="首席科学家")
    browser = member_browser = member()
    warmed(member_browser, {})
    assert "首席科学家" in searched(browser)[0].content.decode()

    MemberProfile.objects.filter(pk=profile.pk).update(visible_fields=["field"])

    assert "首席科学家" not in searched(browser)[0].content.decode()


def test_the_copy_is_never_served_to_whom_the_directory_is_closed():
    MemberProfileFactory(real_name="王静怡")
    pending = signed_in(MemberProfileFactory(status=Status.PENDING).user)
    visitor = Client()
    staff = signed_in(MemberProfileFactory(user=StaffFactory(groups=[REVIEWER_GROUP])).user)
    member_browser = member()
    warmed(member_browser, {"q": "王"})

    assert "王静怡" not in pending.get(URL, {"q": "王"}).content.decode()
    assert visitor.get(URL, {"q": "王"}).status_code == 302
    staff_page = staff.get(URL, {"q": "王"})
    assert staff_page.status_code == 200 and staff_page.context is not None  # rendered for her
