"""The reminders of calls, each exactly once, on a clock pinned either side of Xiangcheng's midnight
(the UTC date is still the day before): drafts in a call's last three days, and reviewers once a
call has closed with submitted applications."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from services.call_notices import review_queue_url
from services.tasks import remind_call_reviewers, remind_unsubmitted_call_applications
from tests.factories import AGENT_GROUP, StaffFactory
from tests.helpers import zh, zh_n
from xiangcheng.core.models import Notice
from xiangcheng.core.roles import CALL_REVIEWER

from .call_review_support import S, application, call, reviewer

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> time_machine.travel:
    return time_machine.travel(datetime(*args, tzinfo=SHANGHAI), tick=False)


def sent(kind: str) -> list[tuple[int, str]]:
    return sorted(Notice.objects.filter(kind=kind).values_list("recipient_id", "key"))


def test_a_draft_is_reminded_once_from_three_days_before_the_closing_day(committed, outbox):
    closing = call(opens_on=date(2026, 12, 1), closes_on=date(2027, 1, 4))
    later = call(title="科技女性思维营选拔", opens_on=date(2026, 12, 1), closes_on=date(2027, 1, 5))
    draft = application(closing, status=S.STARTED)
    application(closing, status=S.SUBMITTED)
    application(later, status=S.STARTED)  # its last days start a day later
    gone = application(closing, status=S.STARTED)
    gone.member.is_active = False
    gone.member.save()

    with at(2026, 12, 31, 23, 50), committed():  # four days before, local (UTC: 15:50 the same day)
        assert remind_unsubmitted_call_applications.delay().get() == 0
    with at(2027, 1, 1, 0, 20), committed():  # three days before, local; still 31 December in UTC
        assert remind_unsubmitted_call_applications.delay().get() == 1
        assert remind_unsubmitted_call_applications.delay().get() == 0
    with at(2027, 1, 4, 23, 50), committed():  # the closing day, and a scan after a break
        assert remind_unsubmitted_call_applications.delay().get() == 1  # the later call's draft now

    assert sent("calls.unsubmitted") == sorted([
        (draft.member_id, f"calls.unsubmitted:{draft.pk}"),
        (later.applications.get().member_id, f"calls.unsubmitted:{later.applications.get().pk}")])
    mail = [m for m in outbox if m.to == [draft.member.email]]
    assert len(mail) == 1
    assert zh("Your application to %(title)s is not submitted yet", title=closing.title) in mail[0].subject
    assert "2027-01-04" in mail[0].body


def test_no_reminder_once_the_call_has_closed_or_she_submitted(committed, outbox, django_capture_on_commit_callbacks):
    closed = call(opens_on=date(2026, 12, 1), closes_on=date(2027, 1, 1))
    application(closed, status=S.STARTED)
    with at(2027, 1, 2, 0, 20), committed():
        assert remind_unsubmitted_call_applications.delay().get() == 0

    # Written while a draft, submitted before its turn came: not sent.
    open_call = call(title="数字化发展培训选拔", opens_on=date(2026, 12, 1), closes_on=date(2027, 1, 10))
    draft = application(open_call, status=S.STARTED)
    with at(2027, 1, 8, 10, 0):
        with django_capture_on_commit_callbacks() as after_commit:
            assert remind_unsubmitted_call_applications.delay().get() == 1
        draft.status = S.SUBMITTED
        draft.save()
        for callback in after_commit:
            callback()
    assert outbox == []
    assert list(Notice.objects.filter(kind="calls.unsubmitted").values_list("state", flat=True)) == [
        Notice.State.SKIPPED]


def test_reviewers_hear_once_when_a_call_closes_with_submitted_applications(committed, outbox):
    first, second = reviewer("shenbao1"), reviewer("shenbao2")
    StaffFactory(username="kefu", groups=[AGENT_GROUP])  # not a reviewer
    away = StaffFactory(username="shenbao3", groups=[CALL_REVIEWER.name], is_active=False)
    closing = call(opens_on=date(2026, 12, 1), closes_on=date(2027, 1, 1))
    application(closing, status=S.SUBMITTED)
    application(closing, status=S.SUBMITTED)
    application(closing, status=S.STARTED)
    quiet = call(title="无人提交的申报", opens_on=date(2026, 12, 1), closes_on=date(2027, 1, 1))
    application(quiet, status=S.STARTED)

    with at(2027, 1, 1, 23, 50), committed():  # its last day, still open
        assert remind_call_reviewers.delay().get() == 0
    with at(2027, 1, 2, 0, 20), committed():  # closed, local; still 1 January in UTC
        assert remind_call_reviewers.delay().get() == 2
        assert remind_call_reviewers.delay().get() == 0

    assert sent("calls.review_due") == sorted([(first.pk, f"calls.review_due:{closing.pk}:{first.pk}"),
                                               (second.pk, f"calls.review_due:{closing.pk}:{second.pk}")])
    assert away.pk not in {n.recipient_id for n in Notice.objects.all()}
    # Staff only: emailed, never in 我的消息.
    assert set(Notice.objects.filter(kind="calls.review_due").values_list("staff_only", flat=True)) == {True}
    assert sorted(m.to[0] for m in outbox) == sorted([first.email, second.email])
    assert outbox[0].subject.endswith(zh("%(title)s has closed: applications to review", title=closing.title))
    assert zh_n("%(title)s closed on %(day)s with %(n)d submitted application to review.",
                "%(title)s closed on %(day)s with %(n)d submitted applications to review.", 2,
                title=closing.title, day="2027-01-01") in outbox[0].body
    assert review_queue_url(closing.pk) in outbox[0].body
