"""The weekly digest of new service requests: her field only, new ones only, one-click opt-out."""

import re
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from members.models import Status
from services.models import RequestDigestOptOut, RequestDigestRun
from services.request_digest import digest_send
from services.tasks import send_request_digest
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import zh
from xiangcheng.core import audit

from .request_support import organisation, published, representative

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)
NEXT_MONDAY = datetime(2027, 3, 8, 9, 0, tzinfo=SHANGHAI)


def member(name: str, field: str, **user):
    account = UserFactory(username=name, email=f"{name}@example.cn", **user)
    MemberProfileFactory(user=account, real_name=name, field=field)
    return account


def digest_to(outbox, user) -> str:
    found = [m for m in outbox if m.to == [user.email]]
    assert len(found) == 1, [m.to for m in outbox]
    return found[0].body


def opt_out_link(body: str) -> str:
    return re.search(r"http\S+/requests/digest/stop/\S+/", body).group(0)


@pytest.fixture
def org():
    return organisation()


def test_her_field_and_only_new_requests(org, committed, outbox):
    rep = representative(org)
    materials = member("cailiao", "advanced_materials")
    ai = member("suanfa", "ai")
    MemberProfileFactory(field="advanced_materials", status=Status.PENDING)
    with time_machine.travel(datetime(2027, 2, 26, 10, 0, tzinfo=SHANGHAI), tick=False):
        published(org, author=rep, title="先进新材料研发合作", field="advanced_materials")
        published(org, author=rep, title="算法合作", field="ai")
    with time_machine.travel(MONDAY, tick=False), committed():
        assert send_request_digest.delay().get() == 2
        assert send_request_digest.delay().get() == 0  # once a week
    body = digest_to(outbox, materials)
    assert "先进新材料研发合作" in body and "算法合作" not in body
    assert "算法合作" in digest_to(outbox, ai)
    assert len(outbox) == 2  # nobody pending, no representative

    # The next week tells only of what was published since.
    outbox.clear()
    with time_machine.travel(datetime(2027, 3, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        published(org, author=rep, title="新材料检测实验室", field="advanced_materials")
    with time_machine.travel(NEXT_MONDAY, tick=False), committed():
        assert send_request_digest.delay().get() == 1
    body = digest_to(outbox, materials)
    assert "新材料检测实验室" in body and "先进新材料研发合作" not in body


def test_one_click_opt_out_without_login_and_opt_in_again(client, org, committed, outbox):
    rep = representative(org)
    her = member("cailiao", "advanced_materials")
    with time_machine.travel(datetime(2027, 2, 26, 10, 0, tzinfo=SHANGHAI), tick=False):
        published(org, author=rep, title="先进新材料研发合作", field="advanced_materials")
    with time_machine.travel(MONDAY, tick=False), committed():
        send_request_digest.delay().get()
    link = opt_out_link(digest_to(outbox, her))

    # A tampered link changes nothing.
    path = urlsplit(link).path
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    refused = client.get(tampered)
    assert refused.status_code == 400
    assert not RequestDigestOptOut.objects.exists()

    assert client.post(tampered).status_code == 400
    assert not RequestDigestOptOut.objects.exists()

    # Opening the link (as a mail scanner does) only asks; the button opts her out.
    asked = client.get(path)
    assert asked.status_code == 200
    assert zh("Stop the weekly digest") in asked.content.decode()
    assert f'method="post" action="{path}"' in asked.content.decode()
    assert not RequestDigestOptOut.objects.exists()
    stopped = client.post(path)
    assert stopped.status_code == 200
    assert zh("You will no longer receive the weekly digest.") in stopped.content.decode()
    opt_out = RequestDigestOptOut.objects.get()
    assert opt_out.user == her
    assert [e.label for e in audit.history(opt_out)] == ["created"]

    outbox.clear()
    with time_machine.travel(datetime(2027, 3, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        published(org, author=rep, title="新材料检测实验室", field="advanced_materials")
    with time_machine.travel(NEXT_MONDAY, tick=False), committed():
        assert send_request_digest.delay().get() == 0
    assert outbox == []

    # She opts in again on her page.
    client.force_login(her)
    page = client.get(reverse("services:request_digest")).content.decode()
    assert 'name="digest"' in page and "checked" not in page
    client.post(reverse("services:request_digest"), {"digest": "on"})
    assert not RequestDigestOptOut.objects.exists()


def test_a_second_run_in_the_same_week_finds_the_week_taken_and_sends_nothing(org, committed, outbox):
    """Runs one after the other: the second claims nothing (the same ``get_or_create`` on the unique
    week is what a run starting while the first commits meets), writes no notice and does not fail."""
    rep = representative(org)
    her = member("cailiao", "advanced_materials")
    with time_machine.travel(datetime(2027, 2, 26, 10, 0, tzinfo=SHANGHAI), tick=False):
        published(org, author=rep, title="先进新材料研发合作", field="advanced_materials")
    with time_machine.travel(MONDAY, tick=False), committed():
        assert digest_send() == 1
    with time_machine.travel(datetime(2027, 3, 1, 9, 5, tzinfo=SHANGHAI), tick=False), committed():
        assert send_request_digest.delay().get() == 0
    run = RequestDigestRun.objects.get()
    assert (run.week, run.until) == (date(2027, 3, 1), MONDAY)
    assert [m.to for m in outbox] == [[her.email]]
