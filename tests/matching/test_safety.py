"""遇见 safety for members: blocking (its effects both ways, lifting it), reporting (reasons, the
length limit, one open report), what another member's block answers, and the blocked list's
queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.blocks import blocked_between, blocked_either_way
from matching.models import (
    REPORT_DETAILS_MAX,
    Block,
    Introduction,
    IntroductionStatus,
    MatchProfile,
    Purpose,
    Report,
    ReportStatus,
    Suggestion,
)
from matching.profiles import MatchError, match_leave
from matching.safety import BLOCK_REASON, block_lift, block_person, report_file
from matching.suggestions import suggestions_for, suggestions_refresh
from members.models import City, Field
from tests.factories import MemberProfileFactory
from xiangcheng.core import audit

from .helpers import opted_in, zh

pytestmark = pytest.mark.django_db


def member(name: str = ""):
    return MemberProfileFactory(**({"real_name": name} if name else {})).user


def pair():
    """Two participants who are each other's suggestion."""
    a = opted_in(member("许静"), interests=["人工智能"], fields=[Field.AI], cities=[City.SUZHOU])
    b = opted_in(member("顾岚"), interests=["人工智能"], fields=[Field.AI], cities=[City.SUZHOU])
    suggestions_refresh(profile=a)
    suggestions_refresh(profile=b)
    return a, b


def suggested(profile: MatchProfile) -> set[int]:
    return set(Suggestion.objects.filter(profile=profile).values_list("candidate_id", flat=True))


def pending(sender, recipient) -> Introduction:
    return Introduction.objects.create(sender=sender, recipient=recipient, message="你好，想认识一下。")


# --- blocking ------------------------------------------------------------------------------------

def test_a_block_hides_both_from_each_other_deletes_suggestions_and_cancels_pending_requests():
    a, b = pair()
    third = opted_in(member(), interests=["人工智能"], fields=[Field.AI], cities=[City.SUZHOU])
    suggestions_refresh(profile=a)
    suggestions_refresh(profile=b)
    assert (suggested(a), suggested(b)) == ({b.pk, third.pk}, {a.pk, third.pk})
    sent = pending(a.user, b.user)
    received = pending(b.user, a.user)
    other = pending(a.user, third.user)

    block = block_person(blocker=a.user, profile_id=b.pk)

    assert (block.blocker, block.blocked) == (a.user, b.user)
    assert (suggested(a), suggested(b)) == ({third.pk}, {third.pk})
    assert Introduction.objects.get(pk=sent.pk).status == IntroductionStatus.CANCELLED
    assert Introduction.objects.get(pk=other.pk).status == IntroductionStatus.PENDING
    assert Introduction.objects.get(pk=received.pk).status == IntroductionStatus.CANCELLED
    # Recomputed later, neither comes back, either way (and third, whom a has asked to meet, is no
    # longer suggested to a: matching.introductions).
    suggestions_refresh(profile=a)
    suggestions_refresh(profile=b)
    assert (suggested(a), suggested(b)) == (set(), {third.pk})
    assert blocked_between(a=a.user, b=b.user) and blocked_between(a=b.user, b=a.user)
    assert not blocked_between(a=a.user, b=third.user)
    hidden = MatchProfile.objects.filter(blocked_either_way(user_id=b.user_id, field="user_id"))
    assert list(hidden) == [a]
    # Who did it and why is in the audit trail.
    assert [(e.label, e.actor_id, e.reason) for e in audit.history(block)] == [
        ("created", a.user_id, BLOCK_REASON)]


def test_the_cancellation_is_recorded_as_hers_for_the_block():
    a, b = pair()
    theirs = pending(b.user, a.user)

    block_person(blocker=a.user, profile_id=b.pk)

    [event] = [e for e in audit.history(theirs) if e.label == IntroductionStatus.CANCELLED]
    assert (event.actor_id, event.reason) == (a.user_id, BLOCK_REASON)


def test_a_stored_suggestion_computed_before_the_block_is_not_shown():
    a, b = pair()
    Block.objects.create(blocker=b.user, blocked=a.user)  # as if the refresh had raced the block

    assert suggested(a) == {b.pk}
    assert suggestions_for(profile=a) == []


def test_blocking_twice_keeps_one_block_and_someone_out_of_reach_cannot_be_blocked():
    a, b = pair()
    single = opted_in(member(), purposes=[Purpose.FRIENDSHIP])
    first = block_person(blocker=a.user, profile_id=b.pk)

    assert block_person(blocker=a.user, profile_id=b.pk) == first
    assert Block.objects.count() == 1
    for forged in (a.pk, single.pk, 10**9):
        with pytest.raises(MatchError) as refused:
            block_person(blocker=a.user, profile_id=forged)
        assert str(refused.value) == zh("This person is not in 遇见.")
    # She who was blocked cannot see, so cannot block, the one who blocked her.
    with pytest.raises(MatchError):
        block_person(blocker=b.user, profile_id=a.pk)
    assert Block.objects.count() == 1


def test_lifting_a_block_makes_them_eligible_again(django_capture_on_commit_callbacks):
    a, b = pair()
    block = block_person(blocker=a.user, profile_id=b.pk)
    assert (suggested(a), suggested(b)) == (set(), set())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert block_lift(blocker=a.user, block_id=block.pk) is True

    # Both refreshes ran after commit (eager tasks here): each is the other's suggestion again.
    assert len(callbacks) == 2
    assert (suggested(a), suggested(b)) == ({b.pk}, {a.pk})
    assert not blocked_between(a=a.user, b=b.user)
    assert block_lift(blocker=a.user, block_id=block.pk) is False
    assert [e.label for e in audit.history(block)] == ["created", "deleted"]


def test_only_she_lifts_her_block():
    a, b = pair()
    block = block_person(blocker=a.user, profile_id=b.pk)

    assert block_lift(blocker=b.user, block_id=block.pk) is False
    assert Block.objects.filter(pk=block.pk).exists()


def test_a_block_stays_when_she_leaves_and_holds_again_when_she_comes_back():
    a, b = pair()
    block_person(blocker=a.user, profile_id=b.pk)

    match_leave(user=a.user)
    assert Block.objects.filter(blocker=b.user).count() == 0 and Block.objects.filter(blocker=a.user).count() == 1
    again = opted_in(a.user)
    suggestions_refresh(profile=again)
    suggestions_refresh(profile=b)
    assert (suggested(again), suggested(b)) == (set(), set())


# --- the pages ------------------------------------------------------------------------------------

def test_the_block_page_asks_first_then_blocks(client):
    a, b = pair()
    client.force_login(a.user)
    url = f"/meet/block/{b.pk}/"

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "顾岚" in confirm.content.decode() and b.user.email not in confirm.content.decode()
    assert Block.objects.count() == 0

    done = client.post(url)
    assert done.status_code == 302 and done["Location"] == "/meet/suggestions/"
    assert list(Block.objects.values_list("blocker", "blocked")) == [(a.user_id, b.user_id)]
    assert client.get("/meet/suggestions/").context["suggestions"] == []


def test_the_suggestions_page_offers_block_and_report_on_each_card(client):
    a, b = pair()
    client.force_login(a.user)
    text = client.get("/meet/suggestions/").content.decode()
    assert f'href="/meet/block/{b.pk}/"' in text and f'href="/meet/report/{b.pk}/"' in text


@pytest.mark.parametrize("path", ["/meet/block/{id}/", "/meet/report/{id}/"])
def test_someone_out_of_reach_answers_404(client, path):
    a, b = pair()
    single = opted_in(member(), purposes=[Purpose.FRIENDSHIP])
    Block.objects.create(blocker=b.user, blocked=a.user)
    client.force_login(a.user)

    for forged in (single.pk, b.pk, a.pk, 10**9):
        assert client.get(path.format(id=forged)).status_code == 404
        assert client.post(path.format(id=forged), {"reason": "fraud"}).status_code == 404
    assert (Block.objects.count(), Report.objects.count()) == (1, 0)


def test_another_members_block_answers_404_and_stays(client):
    a, b = pair()
    block = block_person(blocker=a.user, profile_id=b.pk)
    client.force_login(b.user)

    assert client.get(f"/meet/blocked/{block.pk}/unblock/").status_code == 404
    assert client.post(f"/meet/blocked/{block.pk}/unblock/").status_code == 404
    assert Block.objects.filter(pk=block.pk).exists()
    assert "许静" not in client.get("/meet/blocked/").content.decode()


def test_the_unblock_page_asks_first_then_lifts(client):
    a, b = pair()
    block = block_person(blocker=a.user, profile_id=b.pk)
    client.force_login(a.user)

    listed = client.get("/meet/blocked/").content.decode()
    assert re.findall(r'<strong class="member-name">([^<]+)</strong>', listed) == ["顾岚"]
    assert client.get(f"/meet/blocked/{block.pk}/unblock/").status_code == 200
    assert Block.objects.filter(pk=block.pk).exists()
    done = client.post(f"/meet/blocked/{block.pk}/unblock/")
    assert done.status_code == 302 and done["Location"] == "/meet/blocked/"
    assert Block.objects.count() == 0


def _blocked_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/meet/blocked/")
    assert page.status_code == 200
    return len(queries)


def test_the_blocked_list_costs_the_same_queries_for_5_and_50_rows_and_paginates(client):
    her = opted_in(member())
    client.force_login(her.user)
    others = [member() for _ in range(50)]
    for other in others[:5]:
        Block.objects.create(blocker=her.user, blocked=other)
    # Some of them take part in 遇见 (a report link), some not.
    opted_in(others[0])
    five = _blocked_list_queries(client)
    for other in others[5:]:
        Block.objects.create(blocker=her.user, blocked=other)
    for other in others[10:20]:
        opted_in(other)
    assert _blocked_list_queries(client) == five
    page = client.get("/meet/blocked/").context["page"]
    assert (len(page.object_list), page.paginator.num_pages) == (20, 3)


def test_a_blocked_row_is_rendered_once_and_each_change_shows_at_once(client):
    from matching.block_rows import ROW_TEMPLATE
    from members.models import MemberProfile
    from tests.helpers import renders_of

    a, b = pair()
    block = block_person(blocker=a.user, profile_id=b.pk)
    client.force_login(a.user)
    report = f'href="/meet/report/{b.pk}/"'

    assert renders_of(client, "/meet/blocked/", ROW_TEMPLATE)[0] == 1
    count, page = renders_of(client, "/meet/blocked/", ROW_TEMPLATE)
    assert (count, "顾岚" in page, report in page, f'href="/meet/blocked/{block.pk}/unblock/"' in page) == (0, True, True, True)

    MemberProfile.objects.filter(user=b.user).update(real_name="顾岚岚")
    count, page = renders_of(client, "/meet/blocked/", ROW_TEMPLATE)
    assert (count, "顾岚岚" in page) == (1, True)
    match_leave(user=b.user)  # she left 遇见: no report link, and the row says so
    count, page = renders_of(client, "/meet/blocked/", ROW_TEMPLATE)
    assert (count, report in page, zh("no longer in 遇见") in page) == (1, False, True)


# --- reporting ------------------------------------------------------------------------------------

def test_a_report_is_filed_once_while_it_is_open(client):
    a, b = pair()
    client.force_login(a.user)
    url = f"/meet/report/{b.pk}/"

    assert client.get(url).status_code == 200
    sent = client.post(url, {"reason": "harassment", "details": "  反复发消息要求见面。 "})
    assert sent.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.reported, report.reason, report.details, report.status) == (
        a.user, b.user, "harassment", "反复发消息要求见面。", ReportStatus.OPEN)
    assert [(e.label, e.actor_id) for e in audit.history(report)] == [("created", a.user_id)]

    # The page says so instead of the form; a second POST is refused with the reason.
    assert client.get(url).context["already"] == report
    again = client.post(url, {"reason": "fraud", "details": "又来了"})
    assert again.status_code == 200
    assert again.context["form"].errors == {
        "__all__": [zh("You have already reported this person; the 遇见 moderators are looking into it.")]}
    assert Report.objects.count() == 1
    with pytest.raises(MatchError):
        report_file(reporter=a.user, profile_id=b.pk, reason="fraud")

    # Once handled, a new report may be filed.
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.DISMISSED)
    assert report_file(reporter=a.user, profile_id=b.pk, reason="fraud").status == ReportStatus.OPEN


def test_she_may_report_someone_she_blocked():
    a, b = pair()
    block_person(blocker=a.user, profile_id=b.pk)

    assert report_file(reporter=a.user, profile_id=b.pk, reason="inappropriate").reported == b.user


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"reason": "", "details": "内容"}, "reason", "Choose a reason."),
    ({"reason": "spam", "details": "内容"}, "reason", "Choose a reason from the list."),
    ({"reason": "other", "details": "长" * (REPORT_DETAILS_MAX + 1)}, "details",
     zh("The details may have at most %(count)d characters.") % {"count": REPORT_DETAILS_MAX}),
])
def test_bad_report_input_gets_a_clear_error_keeps_the_input_and_saves_nothing(client, data, field, message):
    a, b = pair()
    client.force_login(a.user)

    page = client.post(f"/meet/report/{b.pk}/", data)

    assert page.status_code == 200
    form = page.context["form"]
    assert form.errors[field] == [zh(message)]
    assert form["details"].value() == data["details"]
    assert Report.objects.count() == 0


def test_the_domain_refuses_bad_reports_too():
    a, b = pair()
    with pytest.raises(MatchError) as unknown:
        report_file(reporter=a.user, profile_id=b.pk, reason="spam")
    assert (str(unknown.value), unknown.value.field) == (zh("Choose a reason from the list."), "reason")
    with pytest.raises(MatchError) as long:
        report_file(reporter=a.user, profile_id=b.pk, reason="other", details="长" * (REPORT_DETAILS_MAX + 1))
    assert long.value.field == "details"
    outsider = member()
    with pytest.raises(MatchError) as not_in:
        report_file(reporter=outsider, profile_id=b.pk, reason="fraud")
    assert str(not_in.value) == zh("You do not take part in 遇见.")
    assert Report.objects.count() == 0


def test_safety_pages_need_a_member_and_a_participant(client):
    a, b = pair()
    assert client.get(f"/meet/block/{b.pk}/")["Location"].startswith("/accounts/login/")
    client.force_login(member())
    assert client.get(f"/meet/block/{b.pk}/")["Location"] == "/meet/"
    assert client.get(f"/meet/report/{b.pk}/")["Location"] == "/meet/"
    assert client.get("/meet/blocked/").status_code == 200
