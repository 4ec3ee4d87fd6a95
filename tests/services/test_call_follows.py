"""Members follow call kinds and fields; when a call opens its followers hear once by email; the
email's link (no login) stops them all."""

import re
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from services import call_follows
from services.models import CallAnnouncement, CallFollow, CallKind
from services.tasks import announce_opened_calls
from tests.helpers import messages_of, renders_of, zh
from xiangcheng.core.fragments import FIELDS_TEMPLATE
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import HIDDEN_MARK

from .call_review_support import applicant, call

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE = reverse("services:call_following")


def at(*args) -> time_machine.travel:
    return time_machine.travel(datetime(*args, tzinfo=SHANGHAI), tick=False)


def follows(member) -> set[tuple[str, str]]:
    return set(CallFollow.objects.filter(member=member).values_list("kind", "field"))


def stop_link(body: str) -> str:
    return urlsplit(re.search(r"http\S+/calls/following/stop/\S+/", body).group(0)).path


def test_the_page_asks_for_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_she_ticks_kinds_and_fields_and_changes_them(client):
    her = applicant()
    client.force_login(her)
    assert client.get(PAGE).status_code == 200
    saved = client.post(PAGE, {"kinds": ["talent", "contest"], "fields": ["ai"]}, follow=True)
    assert messages_of(saved) == [zh("Saved. We will email you when a call of these kinds or fields opens.")]
    assert follows(her) == {("talent", ""), ("contest", ""), ("", "ai")}
    page = client.get(PAGE)
    assert sorted(page.context["form"].initial["kinds"]) == ["contest", "talent"]
    client.post(PAGE, {"kinds": ["honour"]}, follow=True)
    assert follows(her) == {("honour", "")}
    emptied = client.post(PAGE, {}, follow=True)
    assert messages_of(emptied) == [zh("Saved. You follow no calls: we will not email you about new ones.")]
    assert follows(her) == set()


def test_an_unknown_choice_is_refused_and_her_ticks_are_kept(client):
    her = applicant()
    client.force_login(her)
    response = client.post(PAGE, {"kinds": ["talent", "lottery"], "fields": ["ai"]})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["kinds"]
    assert form.data.getlist("kinds") == ["talent", "lottery"] and form.data.getlist("fields") == ["ai"]
    assert 'value="ai"' in response.content.decode() and "checked" in response.content.decode()
    assert follows(her) == set()
    with pytest.raises(call_follows.CallFollowError):
        call_follows.follows_set(member=her, kinds={"lottery"}, fields=set())


def test_followers_of_its_kind_or_field_hear_once_when_it_opens(committed, outbox):
    by_kind, by_field, by_both, elsewhere, gone = (applicant(n) for n in ["林晓雯", "周雨桐", "陈思琪", "王雅", "赵琳"])
    call_follows.follows_set(member=by_kind, kinds={CallKind.TALENT}, fields=set())
    call_follows.follows_set(member=by_field, kinds=set(), fields={"ai"})
    call_follows.follows_set(member=by_both, kinds={CallKind.TALENT}, fields={"ai"})
    call_follows.follows_set(member=elsewhere, kinds={CallKind.CONTEST}, fields={"biomedicine"})
    call_follows.follows_set(member=gone, kinds={CallKind.TALENT}, fields=set())
    gone.is_active = False
    gone.save()
    opening = call(opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 31), kind=CallKind.TALENT, field="ai")
    call(title="未发布的推荐", opens_on=date(2027, 2, 1), closes_on=date(2027, 3, 31), status="draft")
    call(title="已取消的推荐", opens_on=date(2027, 2, 1), closes_on=date(2027, 3, 31), status="cancelled")

    with at(2027, 2, 28, 23, 50), committed():
        assert announce_opened_calls.delay().get() == 0
    with at(2027, 3, 1, 0, 20), committed():  # its opening day, local; still 28 February in UTC
        assert announce_opened_calls.delay().get() == 3
        assert announce_opened_calls.delay().get() == 0

    assert sorted(Notice.objects.filter(kind="calls.opened").values_list("recipient_id", "key")) == sorted(
        (m.pk, f"calls.opened:{opening.pk}:{m.pk}") for m in (by_kind, by_field, by_both))
    assert sorted(m.to[0] for m in outbox) == sorted(m.email for m in (by_kind, by_field, by_both))
    assert CallAnnouncement.objects.get().followers == 3
    mail = outbox[0]
    assert mail.subject.endswith(zh("A new call is open: %(title)s", title=opening.title))
    assert stop_link(mail.body).startswith("/calls/following/stop/")
    # Staff read the rows: the stop link is masked there.
    kept = Notice.objects.filter(kind="calls.opened").first().body
    assert "/calls/following/stop/" not in kept and HIDDEN_MARK in kept


def test_a_call_published_after_its_opening_day_is_announced_once(committed, outbox):
    her = applicant()
    call_follows.follows_set(member=her, kinds={CallKind.HONOUR}, fields=set())
    with at(2027, 3, 5, 10, 0):
        late = call(opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 31), kind=CallKind.HONOUR, status="draft")
        with committed():
            assert call_follows.announce_opened() == 0
        late.status = "published"
        late.save()
        with committed():
            assert call_follows.announce_opened() == 1
            assert call_follows.announce_opened() == 0
    assert [m.to for m in outbox] == [[her.email]]


def test_the_stop_link_asks_then_removes_every_follow(client, committed, outbox):
    her, other = applicant("林晓雯"), applicant("周雨桐")
    call_follows.follows_set(member=her, kinds={CallKind.TALENT, CallKind.CONTEST}, fields={"ai"})
    call_follows.follows_set(member=other, kinds={CallKind.TALENT}, fields=set())
    with at(2027, 3, 1, 9, 0):
        call(opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 31))
        with committed():
            call_follows.announce_opened()
    link = stop_link(next(m.body for m in outbox if m.to == [her.email]))

    asked = client.get(link)  # a mail scanner opening the link changes nothing
    assert asked.status_code == 200
    assert zh("Stop all emails about new calls? This removes every kind and field you follow.") in (
        asked.content.decode())
    assert len(follows(her)) == 3
    done = client.post(link)
    assert done.status_code == 200
    assert zh("You follow no calls any more: we will not email you about new ones.") in done.content.decode()
    assert follows(her) == set()
    assert follows(other) == {("talent", "")}

    forged = link.replace("/stop/", "/stop/x")
    assert client.post(forged).status_code == 400
    assert client.get("/calls/following/stop/not-a-token/").status_code == 400
    assert follows(other) == {("talent", "")}


def test_an_unfollowed_call_is_not_sent_when_its_turn_comes(committed, outbox, django_capture_on_commit_callbacks):
    her = applicant()
    call_follows.follows_set(member=her, kinds={CallKind.TALENT}, fields=set())
    with at(2027, 3, 1, 9, 0):
        call(opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 31))
        with django_capture_on_commit_callbacks() as after_commit:
            assert call_follows.announce_opened() == 1
        call_follows.follows_set(member=her, kinds=set(), fields=set())
        for callback in after_commit:
            callback()
    assert outbox == []
    assert list(Notice.objects.values_list("state", flat=True)) == [Notice.State.SKIPPED]


def ticked(page: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="\w+" value="(\w+)"[^>]*checked', page))


def test_the_boxes_are_kept_rendered_and_each_member_sees_her_own_ticks(client):
    lin, wang = applicant("lin"), applicant("wang")
    call_follows.follows_set(member=lin, kinds={CallKind.CONTEST}, fields={"advanced_materials"})

    client.force_login(lin)
    first, page = renders_of(client, PAGE, FIELDS_TEMPLATE)
    again, page_again = renders_of(client, PAGE, FIELDS_TEMPLATE)
    client.force_login(wang)
    his_first, his = renders_of(client, PAGE, FIELDS_TEMPLATE)
    assert (first, again, his_first) == (1, 0, 1)
    assert ticked(page) == ticked(page_again) == {"contest", "advanced_materials"}
    assert ticked(his) == set()

    # What she follows is the form's version: a change shows at once.
    call_follows.follows_set(member=lin, kinds=set(), fields={"digital_finance"})
    client.force_login(lin)
    rendered_now, page = renders_of(client, PAGE, FIELDS_TEMPLATE)
    assert rendered_now == 1 and ticked(page) == {"digital_finance"}
