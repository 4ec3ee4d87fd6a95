"""Answer deadlines in working days, per category, and how the admin queue shows late tickets."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from services import inbox
from services.models import Category, CategorySla, Ticket, TicketStatus
from services.sla import add_working_days, due_for, is_overdue, working_days_for
from tests.helpers import squash, zh

from .helpers import due_in, local_date, submit

S = TicketStatus
SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in Xiangcheng in late 2026 (2026-11-26 is a Thursday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.mark.parametrize(("start", "days", "due"), [
    (at(27, 15, 30), 1, at(30, 15, 30)),           # Friday + 1 = Monday, same time
    (at(27, 23, 30), 1, at(30, 23, 30)),           # late Friday too
    (at(26, 10), 5, at(3, 10, month=12)),          # Thursday + 5 = next Thursday
    (at(27, 10), 5, at(4, 10, month=12)),          # Friday + 5 = next Friday
    (at(30, 8), 1, at(1, 8, month=12)),            # a weekday keeps its time, however early
    (at(28, 14), 1, at(1, 9, month=12)),           # Saturday counts from Monday 09:00
    (at(28, 14), 5, at(7, 9, month=12)),
    (at(29, 23, 30), 1, at(1, 9, month=12)),       # so does Sunday night
    (at(28, 0, 5), 2, at(2, 9, month=12)),
    (at(23, 9), 10, at(7, 9, month=12)),           # two full weeks
], ids=["fri+1", "fri-night+1", "thu+5", "fri+5", "mon-early+1", "sat+1", "sat+5", "sun+1", "sat-midnight+2",
        "mon+10"])
def test_add_working_days(start, days, due):
    assert add_working_days(start, days) == due
    assert timezone.localtime(add_working_days(start, days)).strftime("%a %H:%M") == due.strftime("%a %H:%M")


def test_working_days_are_counted_in_xiangcheng_time():
    """01:00 on Friday in Xiangcheng is still Thursday in UTC; Friday + 1 is Monday."""
    start = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    assert timezone.localtime(start) == at(27, 1)
    assert add_working_days(start, 1) == at(30, 1)


@pytest.mark.django_db
def test_a_category_can_have_its_own_number_of_working_days():
    CategorySla.objects.create(category=Category.FINANCE, working_days=2)

    assert (working_days_for(Category.FINANCE), working_days_for(Category.POLICY)) == (2, 5)
    assert due_for(category=Category.FINANCE, submitted_at=at(26, 10)) == at(30, 10)
    assert due_for(category=Category.POLICY, submitted_at=at(26, 10)) == at(3, 10, month=12)


@pytest.mark.django_db
def test_a_submission_gets_its_due_date_from_its_category(member):
    CategorySla.objects.create(category=Category.CHILDCARE, working_days=1)

    with time_machine.travel(at(28, 16), tick=False):  # a Saturday afternoon
        childcare = submit(member, category=Category.CHILDCARE)
        finance = submit(member, category=Category.FINANCE)

    assert childcare.created_at == at(28, 16)
    assert (childcare.due_at, finance.due_at) == (at(1, 9, month=12), at(7, 9, month=12))
    assert Ticket.objects.get(pk=childcare.pk).due_at == at(1, 9, month=12)


@pytest.mark.parametrize(("status", "late"), [
    (S.NEW, True), (S.ACCEPTED, True), (S.IN_PROGRESS, True),
    (S.AWAITING_INFO, False), (S.ANSWERED, False), (S.CLOSED, False),
])
def test_overdue_means_waiting_on_staff_after_the_due_time(status, late):
    now = at(30, 12)
    assert is_overdue(Ticket(status=status, due_at=now - timedelta(seconds=1)), now) is late
    assert is_overdue(Ticket(status=status, due_at=now), now) is False
    assert is_overdue(Ticket(status=status, due_at=now + timedelta(days=1)), now) is False


# --- the admin queue --------------------------------------------------------------------------

def _late(ticket: Ticket, status: str = S.NEW, days: int = 1) -> Ticket:
    return due_in(ticket, -timedelta(days=days), status=status)


def _rows(response) -> dict[str, str]:
    """reference → the visible text of its 'answer due by' cell, for each row of the queue."""
    table = re.search(r'<table id="result_list">(.*?)</table>', response.content.decode(), re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        ref = re.search(r'<th class="field-reference"><a [^>]*>([^<]+)</a>', row)
        if ref:
            rows[ref.group(1)] = re.search(r'<td class="field-due">(.*?)</td>', row, re.S).group(1)
    return rows


@pytest.mark.django_db
def test_the_queue_filters_and_highlights_overdue_tickets(agent_client, member, agent):
    late_new = _late(submit(member, subject="迟了"), S.NEW)
    late_working = _late(submit(member, subject="处理中也迟了"), S.IN_PROGRESS, days=3)
    waiting_on_her = _late(submit(member, subject="等她补充"), S.AWAITING_INFO)
    answered = _late(submit(member, subject="已答复"), S.ANSWERED)
    on_time = submit(member, subject="按时")
    url = reverse("admin:services_ticket_changelist")

    late = agent_client.get(url, {"overdue": "yes"})
    fine = agent_client.get(url, {"overdue": "no"})
    everything = agent_client.get(url)

    assert late.status_code == 200
    assert [t.reference for t in late.context["cl"].result_list] == [late_working.reference, late_new.reference]
    assert sorted(t.reference for t in fine.context["cl"].result_list) == sorted(
        [waiting_on_her.reference, answered.reference, on_time.reference])
    cells = _rows(everything)
    marker = '<strong class="overdue">{} · {}</strong>'
    assert cells == {
        late_new.reference: marker.format(local_date(late_new.due_at), zh("overdue")),
        late_working.reference: marker.format(local_date(late_working.due_at), zh("overdue")),
        waiting_on_her.reference: local_date(waiting_on_her.due_at),
        answered.reference: local_date(answered.due_at),
        on_time.reference: local_date(on_time.due_at),
    }
    assert squash(everything.content.decode()).count(f"· {zh('overdue')}") == 2


@pytest.mark.django_db
def test_a_reply_takes_a_ticket_out_of_the_overdue_list(agent_client, member, agent):
    ticket = _late(submit(member))
    inbox.ticket_reply(ticket=ticket, author=agent, body="已处理。")

    response = agent_client.get(reverse("admin:services_ticket_changelist"), {"overdue": "yes"})

    assert list(response.context["cl"].result_list) == []
