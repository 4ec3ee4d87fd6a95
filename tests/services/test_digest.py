"""The daily digest: each agent her open and overdue tickets, the supervisor the unassigned ones."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from services import inbox
from services.digest import digest_send
from services.models import Category, Ticket, TicketStatus
from tests.helpers import label, zh
from xiangcheng.core.models import Notice

from .helpers import due_in, local_date, submit

S = TicketStatus
NOTE = "内部备注：她的公司正在被调查。"

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(member, other_member, agent, colleague):
    """Tickets in every situation the digest must tell apart."""
    t = {}
    t["mine_late"] = submit(member, subject="贷款贴息")
    inbox.ticket_assign(ticket=t["mine_late"], assignee=agent, actor=agent)
    inbox.ticket_set_status(ticket=t["mine_late"], status=S.IN_PROGRESS, actor=agent)
    t["mine"] = submit(other_member, subject="场地预约", category=Category.SPACE)
    inbox.ticket_assign(ticket=t["mine"], assignee=agent, actor=agent)
    inbox.ticket_reply(ticket=t["mine"], author=agent, body=NOTE, internal=True)
    t["mine_answered"] = submit(member, subject="人才政策")
    inbox.ticket_assign(ticket=t["mine_answered"], assignee=agent, actor=agent)
    inbox.ticket_reply(ticket=t["mine_answered"], author=agent, body="已答复。")
    t["mine_closed"] = submit(member, subject="已解决")
    inbox.ticket_assign(ticket=t["mine_closed"], assignee=agent, actor=agent)
    inbox.ticket_close(ticket=t["mine_closed"], member=member)
    t["hers"] = submit(other_member, subject="托管时间")
    inbox.ticket_assign(ticket=t["hers"], assignee=colleague, actor=colleague)
    t["nobody_late"] = submit(other_member, subject="没人管的老问题", category=Category.POLICY)
    t["nobody"] = submit(member, subject="新建议", category=Category.SUGGESTION)
    for name, days in [("mine_late", -2), ("mine", 3), ("mine_answered", -1), ("mine_closed", -5), ("hers", 1),
                       ("nobody_late", -1), ("nobody", 2)]:
        t[name] = due_in(t[name], timedelta(days=days))
    return t


def _subject(open_: int, late: int) -> str:
    return zh("Inbox digest %(date)s: %(n)d open, %(late)d overdue",
              date=timezone.localdate().isoformat(), n=open_, late=late)


def _line(ticket: Ticket, middle: str, late: bool) -> str:
    line = f"- {ticket.reference} {ticket.subject} · {middle} · {zh('due')} {local_date(ticket.due_at)}"
    return line + (f" · {zh('OVERDUE')}" if late else "")


def _digests() -> dict[str, Notice]:
    """Today's digests, by audience and recipient ("agent:kefu"), as they were sent."""
    return {f"{n.data['audience']}:{n.recipient.username}": n for n in Notice.objects.filter(kind="inbox.digest")}


def test_each_agent_gets_her_open_tickets_and_the_supervisor_the_unassigned(
        queue, agent, colleague, supervisor, committed, outbox):
    with committed():
        assert digest_send() == 3

    today = timezone.localdate().isoformat()
    digests = _digests()
    assert sorted(digests) == ["agent:kefu", "agent:kefu2", "supervisor:zhuguan"]

    mine = digests["agent:kefu"]
    assert mine.subject == _subject(3, 1)
    assert mine.body.splitlines() == [
        zh("Your open inbox tickets on %(d)s:", d=today),
        "",
        _line(queue["mine_late"], label(S.IN_PROGRESS), late=True),
        _line(queue["mine_answered"], label(S.ANSWERED), late=False),  # answered: waiting on her, not late
        _line(queue["mine"], label(S.ACCEPTED), late=False),
        "",
        f"{settings.SITE_URL}/admin/services/ticket/?assignee__id__exact={agent.pk}",
        "",
    ]
    hers = digests["agent:kefu2"]
    assert hers.subject == _subject(1, 0)
    assert hers.body.splitlines()[2:-3] == [_line(queue["hers"], label(S.ACCEPTED), late=False)]

    unassigned = digests["supervisor:zhuguan"]
    assert unassigned.subject == _subject(2, 1)
    assert unassigned.body.splitlines() == [
        zh("Unassigned inbox tickets on %(d)s:", d=today),
        "",
        _line(queue["nobody_late"], label(Category.POLICY), late=True),
        _line(queue["nobody"], label(Category.SUGGESTION), late=False),
        "",
        f"{settings.SITE_URL}/admin/services/ticket/?assignee__isnull=True",
        "",
    ]
    # Nobody's digest carries an internal note.
    assert [NOTE in n.body for n in digests.values()] == [False, False, False]
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    assert sorted((m.to[0], m.subject) for m in outbox) == sorted([
        (agent.email, prefix + _subject(3, 1)), (colleague.email, prefix + _subject(1, 0)),
        (supervisor.email, prefix + _subject(2, 1))])
    assert [NOTE in m.body for m in outbox] == [False, False, False]


def test_the_digest_is_dated_by_xiangcheng_s_calendar_while_utc_is_still_yesterday(member, agent, committed):
    """00:20 on 1 January 2027 in Xiangcheng is 31 December 2026 in UTC."""
    with time_machine.travel(datetime(2027, 1, 1, 0, 20, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        ticket = submit(member)
        inbox.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
        with committed():
            assert digest_send() == 1

    digest = Notice.objects.get(kind="inbox.digest")
    assert (digest.key, digest.data) == (f"inbox.digest:agent:{agent.pk}:2027-01-01",
                                         {"audience": "agent", "date": "2027-01-01"})
    assert digest.subject == zh("Inbox digest %(date)s: %(n)d open, %(late)d overdue", date="2027-01-01", n=1, late=0)
    assert digest.body.splitlines()[:3] == [
        zh("Your open inbox tickets on %(d)s:", d="2027-01-01"),
        "",
        f"- {ticket.reference} {ticket.subject} · {label(S.ACCEPTED)} · {zh('due')} 2027-01-08",
    ]


def test_running_the_digest_twice_a_day_sends_one_per_person(queue, supervisor, committed, outbox):
    with committed():
        digest_send()
    with committed():
        digest_send()

    assert Notice.objects.filter(kind="inbox.digest").count() == 3
    assert len(outbox) == 3
    assert Notice.objects.filter(kind="inbox.digest").exclude(state=Notice.State.SENT).count() == 0


def test_an_agent_without_open_tickets_gets_no_digest(member, agent, supervisor):
    ticket = submit(member)
    inbox.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    inbox.ticket_close(ticket=ticket, member=member)

    assert digest_send() == 0
    assert Notice.objects.filter(kind="inbox.digest").count() == 0


def test_the_links_in_the_digest_open_the_same_tickets_in_the_admin(client, queue, agent, supervisor, committed):
    with committed():
        digest_send()
    digests = _digests()

    def path(notice: Notice) -> str:
        [link] = [line for line in notice.body.splitlines() if line.startswith(settings.SITE_URL)]
        return link.removeprefix(settings.SITE_URL)

    client.force_login(agent)
    response = client.get(path(digests["agent:kefu"]))
    assert response.status_code == 200
    assert sorted(t.reference for t in response.context["cl"].result_list) == sorted(
        queue[n].reference for n in ("mine_late", "mine", "mine_answered", "mine_closed"))

    client.force_login(supervisor)
    response = client.get(path(digests["supervisor:zhuguan"]))
    assert response.status_code == 200
    assert sorted(t.reference for t in response.context["cl"].result_list) == sorted(
        [queue["nobody_late"].reference, queue["nobody"].reference])


def test_the_daily_task_runs_the_digest(queue, supervisor):
    from services.tasks import send_daily_digest

    assert send_daily_digest.delay().get() == 3
    assert Notice.objects.filter(kind="inbox.digest").count() == 3


def test_a_digest_is_emailed_never_sent_by_sms_nor_listed_in_her_messages(
        queue, agent, colleague, committed, outbox, sms_outbox, client):
    type(agent).objects.filter(pk=agent.pk).update(phone="13800009999", phone_verified=True)
    sms_outbox.clear()
    with committed():
        digest_send()

    assert sorted(m.to[0] for m in outbox) == sorted([agent.email, colleague.email])
    assert sms_outbox == []  # her mobile is verified, but a digest has no SMS template
    client.force_login(agent)
    assert list(client.get("/messages/").context["page"]) == []
