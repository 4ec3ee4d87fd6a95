"""遇见 introductions, the rules: whom she may ask, the daily limit on an Asia/Shanghai day (near
midnight too), one open request per pair either way, expiry at 14 days, the silent decline,
withdrawing, contacts only after acceptance and only those shared, leaving, and the pairs never
suggested again."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from matching import introductions as rules
from matching import suggestions
from matching.introduction_notices import ACCEPTED, RECEIVED
from matching.introductions import IntroductionError, IntroductionNotFound
from matching.models import (
    DECLINED_QUIET_DAYS,
    Introduction,
    IntroductionStatus,
    MatchProfile,
    MatchStatus,
    Purpose,
    Suggestion,
)
from matching.profiles import match_leave
from matching.suggestions import suggestions_refresh
from matching.tasks import expire_introductions
from members.models import City, Field
from tests.factories import MemberProfileFactory
from tests.helpers import statements_of
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import KINDS

from .helpers import opted_in, zh

pytestmark = pytest.mark.django_db

S = IntroductionStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")


def member(**profile):
    user = MemberProfileFactory(status="approved", **profile).user
    return user


def with_phone(user, number: str):
    user.phone, user.phone_verified = number, True
    user.save()
    return user


def send(sender_profile, recipient_profile, *, message="你好，想认识一下。", shares=()):
    return rules.introduction_send(sender=sender_profile.user, profile_id=recipient_profile.pk, message=message,
                                   shares=shares)


def pair():
    return opted_in(member()), opted_in(member())


# --- whom she may ask -------------------------------------------------------------------------------

def test_only_participants_she_may_meet_can_be_asked():
    her = opted_in(member())
    single = opted_in(member(), purposes=[Purpose.FRIENDSHIP])
    suspended = opted_in(member())
    MatchProfile.objects.filter(pk=suspended.pk).update(status=MatchStatus.SUSPENDED)

    for other_id in (her.pk, single.pk, suspended.pk, 10 ** 9):
        with pytest.raises(IntroductionNotFound):
            rules.introduction_send(sender=her.user, profile_id=other_id, message="你好")
    assert Introduction.objects.count() == 0


def test_the_friendship_circle_asks_only_within_itself():
    single, another = (opted_in(member(), purposes=[Purpose.FRIENDSHIP]) for _ in range(2))
    colleague = opted_in(member())

    with pytest.raises(IntroductionNotFound):
        send(single, colleague)
    with pytest.raises(IntroductionNotFound):
        send(colleague, single)
    assert send(single, another).recipient == another.user


def test_one_open_request_per_pair_in_either_direction():
    a, b = pair()
    send(a, b)

    with pytest.raises(IntroductionError) as again:
        send(a, b)
    with pytest.raises(IntroductionError) as back:
        send(b, a)

    assert str(again.value) == zh("You have already asked to meet her: wait for her answer.")
    assert str(back.value) == zh("She has already asked to meet you: answer her request in 我的相遇.")
    assert Introduction.objects.count() == 1


def test_a_connected_pair_is_told_so():
    a, b = pair()
    rules.introduction_accept(pk=send(a, b).pk, user=b.user)

    with pytest.raises(IntroductionError) as back:
        send(b, a)
    assert str(back.value) == zh("You are already connected: her contacts are in 我的相遇.")


# --- the daily limit ---------------------------------------------------------------------------------

def _send_many(her, others):
    for other in others:
        send(her, other)


@pytest.mark.parametrize("first_at", [
    datetime(2027, 3, 10, 9, 0, tzinfo=SHANGHAI),
    # Just after midnight in Xiangcheng, while UTC is still on the day before.
    datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI),
])
def test_the_tenth_request_of_a_day_is_sent_and_the_eleventh_refused(first_at):
    her = opted_in(member())
    others = [opted_in(member()) for _ in range(12)]
    with time_machine.travel(first_at, tick=False):
        _send_many(her, others[:10])
    # Late the same local day: UTC has moved on to the next date, the local day has not.
    with time_machine.travel(first_at.replace(hour=23, minute=55), tick=False), \
            pytest.raises(IntroductionError) as refused:
        send(her, others[10])
    assert str(refused.value) == zh(
        "You have sent %(count)d 相遇 requests today, the most for one day. You can send more tomorrow.") % {"count": 10}
    assert Introduction.objects.filter(sender=her.user).count() == 10
    # Just after the next local midnight (UTC still on the date the 23:55 request was refused).
    with time_machine.travel(first_at.replace(hour=0, minute=5) + timedelta(days=1), tick=False):
        assert send(her, others[10]).status == S.PENDING
    assert Introduction.objects.filter(sender=her.user).count() == 11


def test_the_limit_counts_requests_sent_even_if_withdrawn():
    her = opted_in(member())
    others = [opted_in(member()) for _ in range(11)]
    with time_machine.travel(datetime(2027, 3, 10, 9, 0, tzinfo=SHANGHAI), tick=False):
        _send_many(her, others[:10])
        rules.introduction_withdraw(pk=Introduction.objects.filter(sender=her.user).first().pk, user=her.user)
        with pytest.raises(IntroductionError):
            send(her, others[10])


# --- expiry --------------------------------------------------------------------------------------------

def test_a_request_expires_after_14_days_for_both_sides():
    a, b = pair()
    sent_at = datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(sent_at, tick=False):
        introduction = send(a, b)
    with time_machine.travel(sent_at + timedelta(days=14, seconds=-1), tick=False):
        assert not rules.is_expired(introduction)
        assert rules.may_answer(introduction, viewer=b.user)
        assert rules.introductions_expire() == 0
    with time_machine.travel(sent_at + timedelta(days=14), tick=False):
        assert rules.is_expired(introduction)
        assert rules.status_seen(introduction, viewer=a.user) == rules.EXPIRED
        assert rules.status_seen(introduction, viewer=b.user) == rules.EXPIRED
        with pytest.raises(IntroductionError) as late:
            rules.introduction_accept(pk=introduction.pk, user=b.user)
        assert str(late.value) == zh("This request can no longer be answered.")
        assert expire_introductions.delay().get() == 1
    introduction.refresh_from_db()
    assert introduction.status == S.EXPIRED
    # After it expired she may ask again.
    assert send(a, b).status == S.PENDING


def test_an_expired_request_the_task_has_not_reached_does_not_block_a_new_one():
    a, b = pair()
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        old = send(a, b)
    with time_machine.travel(datetime(2027, 3, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        new = send(a, b)
    assert list(Introduction.objects.order_by("pk").values_list("pk", "status")) == [
        (old.pk, S.EXPIRED), (new.pk, S.PENDING)]


# --- the silent decline and withdrawing ------------------------------------------------------------------

def test_declining_is_silent_the_sender_sees_waiting_then_expired():
    a, b = pair()
    sent_at = datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(sent_at, tick=False):
        introduction = send(a, b)
    with time_machine.travel(sent_at + timedelta(days=1), tick=False):
        rules.introduction_decline(pk=introduction.pk, user=b.user)
        introduction.refresh_from_db()
        assert introduction.status == S.DECLINED
        assert rules.status_seen(introduction, viewer=a.user) == rules.WAITING
        assert rules.status_seen(introduction, viewer=b.user) == rules.DECLINED_SEEN
        assert rules.may_withdraw(introduction, viewer=a.user)
    with time_machine.travel(sent_at + timedelta(days=14), tick=False):
        assert rules.status_seen(introduction, viewer=a.user) == rules.EXPIRED
        assert rules.introductions_expire() == 0  # a declined request stays declined
    # The only notice was the request's, to her: nothing told the sender.
    assert list(Notice.objects.values_list("kind", "recipient_id")) == [(RECEIVED.name, b.user.pk)]


def test_the_sender_withdraws_before_acceptance_and_the_recipient_no_longer_sees_it():
    a, b = pair()
    introduction = send(a, b)

    rules.introduction_withdraw(pk=introduction.pk, user=a.user)

    introduction.refresh_from_db()
    assert introduction.status == S.WITHDRAWN
    assert list(rules.introductions_listed(user=b.user, tab=rules.RECEIVED)) == []
    assert [i.pk for i in rules.introductions_listed(user=a.user, tab=rules.SENT)] == [introduction.pk]
    with pytest.raises(IntroductionError):
        rules.introduction_accept(pk=introduction.pk, user=b.user)
    with pytest.raises(IntroductionNotFound):
        rules.introduction_withdraw(pk=introduction.pk, user=b.user)  # not hers to withdraw
    # The notice of the request is no longer sent once its turn comes.
    notice = Notice.objects.get(kind=RECEIVED.name)
    assert KINDS[RECEIVED.name].applies(notice) is False


def test_an_accepted_request_cannot_be_withdrawn():
    a, b = pair()
    introduction = send(a, b)
    rules.introduction_accept(pk=introduction.pk, user=b.user)
    with pytest.raises(IntroductionError) as refused:
        rules.introduction_withdraw(pk=introduction.pk, user=a.user)
    assert str(refused.value) == zh("This request can no longer be withdrawn.")


# --- contacts ----------------------------------------------------------------------------------------------

def test_contacts_only_after_acceptance_and_only_what_each_shared():
    a_user = with_phone(member(), "13900000001")
    b_user = with_phone(member(), "13900000002")
    a, b = opted_in(a_user), opted_in(b_user)
    stranger = member()
    introduction = send(a, b, shares=[rules.SHARE_EMAIL])

    rows = list(rules.introductions_listed(user=a_user, tab=rules.SENT))
    assert rules.contacts_shown(introductions=rows, viewer=a_user) == {introduction.pk: []}
    received = list(rules.introductions_listed(user=b_user, tab=rules.RECEIVED))
    assert rules.contacts_shown(introductions=received, viewer=b_user) == {introduction.pk: []}

    rules.introduction_accept(pk=introduction.pk, user=b_user, shares=[rules.SHARE_PHONE])

    mine = list(rules.introductions_listed(user=a_user, tab=rules.CONNECTED))
    hers = list(rules.introductions_listed(user=b_user, tab=rules.CONNECTED))
    assert [(c.label, c.value) for c in rules.contacts_shown(introductions=mine, viewer=a_user)[introduction.pk]] == [
        (zh("Mobile"), "13900000002")]
    assert [(c.label, c.value) for c in rules.contacts_shown(introductions=hers, viewer=b_user)[introduction.pk]] == [
        (zh("Email"), a_user.email)]
    assert rules.contacts_shown(introductions=mine, viewer=stranger) == {introduction.pk: []}


def test_a_contact_no_longer_verified_is_no_longer_shown():
    a_user = with_phone(member(), "13900000003")
    a, b = opted_in(a_user), opted_in(member())
    introduction = send(a, b, shares=[rules.SHARE_EMAIL, rules.SHARE_PHONE])
    rules.introduction_accept(pk=introduction.pk, user=b.user)
    a_user.phone_verified = False
    a_user.save()

    rows = list(rules.introductions_listed(user=b.user, tab=rules.CONNECTED))
    assert [c.value for c in rules.contacts_shown(introductions=rows, viewer=b.user)[introduction.pk]] == [a_user.email]


def test_an_unverified_contact_is_not_recorded_as_shared():
    a, b = opted_in(member()), opted_in(member())  # no mobile number at all
    introduction = send(a, b, shares=[rules.SHARE_PHONE, rules.SHARE_EMAIL])
    assert (introduction.sender_shares_email, introduction.sender_shares_phone) == (True, False)


def test_an_unknown_contact_choice_is_refused():
    a, b = pair()
    with pytest.raises(IntroductionError) as refused:
        send(a, b, shares=["wechat"])
    assert (str(refused.value), refused.value.field) == (zh("Choose the contacts to share from the list."), "share")
    assert Introduction.objects.count() == 0


def test_an_over_long_or_empty_message_is_refused():
    a, b = pair()
    for message, text in (("字" * 201, zh("The message may have at most %(count)d characters.") % {"count": 200}),
                          ("   ", zh("Write a short message to introduce yourself."))):
        with pytest.raises(IntroductionError) as refused:
            send(a, b, message=message)
        assert (str(refused.value), refused.value.field) == (text, "message")
    assert send(a, b, message="字" * 200).message == "字" * 200


def test_notices_name_the_other_and_carry_no_contact_or_message():
    a_user = with_phone(member(real_name="林晓雯"), "13900000004")
    b_user = with_phone(member(real_name="周怡然"), "13900000005")
    a, b = opted_in(a_user), opted_in(b_user)
    introduction = send(a, b, message="想聊聊专利转化", shares=[rules.SHARE_EMAIL, rules.SHARE_PHONE])
    rules.introduction_accept(pk=introduction.pk, user=b_user, shares=[rules.SHARE_EMAIL, rules.SHARE_PHONE])

    notices = {(n.kind, n.recipient_id): n for n in Notice.objects.all()}
    assert set(notices) == {(RECEIVED.name, b_user.pk), (ACCEPTED.name, a_user.pk), (ACCEPTED.name, b_user.pk)}
    received = KINDS[RECEIVED.name].compose(notices[(RECEIVED.name, b_user.pk)])
    to_sender = KINDS[ACCEPTED.name].compose(notices[(ACCEPTED.name, a_user.pk)])
    assert received.subject == zh("%(name)s would like to meet you in 遇见") % {"name": "林晓雯"}
    assert to_sender.subject == zh("You and %(name)s are connected in 遇见") % {"name": "周怡然"}
    assert received.url == "/meet/introductions/?tab=received"
    for message in (received, to_sender):
        for secret in (a_user.email, b_user.email, "13900000004", "13900000005", "想聊聊专利转化"):
            assert secret not in message.subject + message.body


# --- leaving -------------------------------------------------------------------------------------------------

def test_leaving_deletes_her_requests_not_accepted_and_keeps_her_connections_as_left():
    her_user = with_phone(member(), "13900000006")
    her = opted_in(her_user)
    asked, asker, friend, declined = (opted_in(member()) for _ in range(4))
    pending_sent = send(her, asked)
    pending_received = send(asker, her)
    connection_ = send(friend, her, shares=[rules.SHARE_EMAIL])
    rules.introduction_accept(pk=connection_.pk, user=her_user, shares=[rules.SHARE_EMAIL, rules.SHARE_PHONE])
    declined_one = send(declined, her)
    rules.introduction_decline(pk=declined_one.pk, user=her_user)

    assert match_leave(user=her_user)

    assert list(Introduction.objects.values_list("pk", flat=True)) == [connection_.pk]
    assert not Introduction.objects.filter(pk__in=[pending_sent.pk, pending_received.pk]).exists()
    rows = list(rules.introductions_listed(user=friend.user, tab=rules.CONNECTED))
    assert [rules.status_seen(i, viewer=friend.user) for i in rows] == [rules.LEFT]
    assert rules.contacts_shown(introductions=rows, viewer=friend.user) == {connection_.pk: []}


# --- never suggested ------------------------------------------------------------------------------------------

def _suggested(profile) -> set[int]:
    suggestions_refresh(profile=profile)
    return set(Suggestion.objects.filter(profile=profile).values_list("candidate_id", flat=True))


def test_introduced_pairs_are_never_suggested_to_each_other_either_way():
    her = opted_in(member())
    asked, asker, connected, declined_her, she_declined, long_ago, free = (opted_in(member()) for _ in range(7))
    send(her, asked)
    send(asker, her)
    rules.introduction_accept(pk=send(her, connected).pk, user=connected.user)
    rules.introduction_decline(pk=send(her, declined_her).pk, user=declined_her.user)
    rules.introduction_decline(pk=send(she_declined, her).pk, user=her.user)
    with time_machine.travel(datetime.now(tz=SHANGHAI) - timedelta(days=91), tick=False):
        old = send(long_ago, her)
        rules.introduction_decline(pk=old.pk, user=her.user)

    assert _suggested(her) == {long_ago.pk, free.pk}
    for other in (asked, asker, connected, declined_her, she_declined):
        assert her.pk not in _suggested(other)
    assert her.pk in _suggested(long_ago)


def test_her_stored_suggestions_leave_out_a_declined_pair_until_the_quiet_days_end():
    a, b = pair()
    suggestions_refresh(profile=a)
    assert [row.candidate_id for row in suggestions.suggestions_for(profile=a)] == [b.pk]

    declined = send(a, b)
    rules.introduction_decline(pk=declined.pk, user=b.user)
    # Her stored row stays until the next refresh; her page leaves it out at once.
    assert Suggestion.objects.filter(profile=a, candidate=b).exists()
    assert suggestions.suggestions_for(profile=a) == []
    answered = Introduction.objects.get(pk=declined.pk).answered_at
    with time_machine.travel(answered + timedelta(days=DECLINED_QUIET_DAYS, seconds=1), tick=False):
        assert [row.candidate_id for row in suggestions.suggestions_for(profile=a)] == [b.pk]


def test_a_declined_request_withdrawn_afterwards_keeps_the_pair_apart():
    a, b = pair()
    introduction = send(a, b)
    rules.introduction_decline(pk=introduction.pk, user=b.user)
    rules.introduction_withdraw(pk=introduction.pk, user=a.user)

    assert _suggested(a) == set() and _suggested(b) == set()
    with pytest.raises(IntroductionNotFound):
        send(a, b)


def _candidate_scans(her) -> list[str]:
    """How the plan of the candidate query for her chunk reads match profiles: its scan nodes on
    that table and its indexes, but for the read of her own row by its id."""
    sql, params = suggestions._chunk_query(friendship=her.in_friendship_circle)
    params = [*params, [her.pk]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    return [re.sub(r"\s*\(cost=.*", "", line).strip() for line in plan
            if "Scan" in line and ("matching_matchprofile" in line or " on match_" in line)
            and " her" not in line and "_pkey" not in line]


def test_the_candidate_query_still_reads_the_gin_indexes(monkeypatch):
    her = opted_in(member(), interests=["人工智能"], fields=[Field.AI], cities=[City.SUZHOU])
    for _ in range(3):
        send(her, opted_in(member()))
    with connection.cursor() as cursor:
        # On a handful of rows the planner would read them in the staff list's index order or
        # whole (dropped, forbidden inside this test's transaction); what is checked is that
        # the exclusions joined to the candidate query leave it planned on the GIN indexes.
        cursor.execute("ANALYZE matching_matchprofile")
        cursor.execute("ANALYZE matching_introduction")
        # The partial indexes read whole as "the active profiles" on few rows: the staff list's
        # and the 交友 circle's (this candidate is outside it, so it cannot use it anyway).
        cursor.execute("DROP INDEX match_by_status")
        cursor.execute("DROP INDEX match_purposes")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    # The first tier (sharing interests, fields and cities with her) is the query that serves
    # nearly every refresh at volume.
    with_introductions = _candidate_scans(her)
    monkeypatch.setattr(suggestions, "introduced_to", lambda *, profile, since=None: Q(pk__in=[]))
    without = _candidate_scans(her)

    # The introductions' exclusion leaves the way profiles are read as it was without it: through
    # the GIN indexes of what she shares (bitmap scans), never the table whole.
    assert with_introductions == without
    # match_shared covers the three together; on so few rows the planner may take either.
    gin = {f"->  Bitmap Index Scan on {index}"
           for index in ("match_shared", "match_interests", "match_fields", "match_cities")}
    scans = [line for line in with_introductions if "Index Scan" in line]
    assert scans and set(scans) <= gin
    assert not [line for line in with_introductions if line.startswith("->  Seq Scan")]


# --- 我的相遇: the same queries however many -----------------------------------------------------------

def _introduced(her, count: int, start: int) -> None:
    """``count`` introductions for each tab: sent by her, received by her, and connected (shared
    contacts, some of the others left 遇见)."""
    rows = []
    for n in range(start, start + count):
        sent_to = opted_in(member())
        received_from = opted_in(member())
        connected = opted_in(with_phone(member(), f"139{n:08d}"))
        rows += [Introduction(sender=her.user, recipient=sent_to.user, message=f"你好{n}"),
                 Introduction(sender=received_from.user, recipient=her.user, message=f"想认识{n}"),
                 Introduction(sender=her.user, recipient=connected.user, message=f"交流{n}", status=S.ACCEPTED,
                              answered_at=datetime(2026, 12, 1, tzinfo=SHANGHAI), recipient_shares_phone=True)]
        if n % 3 == 0:
            match_leave(user=connected.user)
    Introduction.objects.bulk_create(rows)


def test_my_introductions_cost_the_same_queries_for_5_and_50_on_every_tab(client):
    her = opted_in(member())
    client.force_login(her.user)
    urls = [f"/meet/introductions/?tab={tab}" for tab in rules.TABS]

    def counted() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    _introduced(her, 5, 0)
    five = counted()
    _introduced(her, 45, 5)
    assert counted() == five
    # Her account, then her match profile with the tab's rows (one round trip), and the audit
    # trail's context reset as the request ends (the contacts shared need no query of their own:
    # whether an address is verified is a column of the rows): on the connected tab, four in all.
    assert five[rules.TABS.index(rules.CONNECTED)] == 4
    assert statements_of(client, "/meet/introductions/?tab=connected", (
        "matching_introduction", "matching_matchprofile", "members_user")) == [
        ("members_user", True), ("matching_introduction", False), ("matching_matchprofile", False)]
    connected = client.get("/meet/introductions/?tab=connected")
    assert len(connected.context["rows"]) == 20
    # Those who stayed show the mobile they shared; those who left, none.
    shown = {row.introduction.pk: [c.value for c in row.contacts] for row in connected.context["rows"]}
    assert sum(1 for values in shown.values() if values) == sum(
        1 for row in connected.context["rows"] if row.seen != rules.LEFT)
