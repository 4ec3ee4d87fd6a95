"""Her daily reply quota holds when she sends replies to several tickets at the same moment:
each ticket has its own lock, and her account's row lock is what makes the count hold."""

import pytest

from services import inbox
from services.models import TicketMessage
from tests.concurrency import pool_for_threads, race
from tests.helpers import zh

from .helpers import submit
from .test_reply_quota import REPLIES_REFUSED, earlier_replies

pytestmark = pytest.mark.django_db(transaction=True)

_pool_for_every_thread = pool_for_threads(5)


def test_five_replies_at_once_to_five_tickets_get_only_the_last_place(member):
    tickets = [submit(member, subject=f"问题{i}") for i in range(5)]
    earlier_replies(member, tickets[0], inbox.REPLIES_PER_DAY - 1)

    results, errors = race(lambda t: inbox.ticket_member_reply(ticket=t, member=member, body="同时").pk,
                           [(t,) for t in tickets])

    assert len(results) == 1
    assert [str(e) for e in errors] == [zh(REPLIES_REFUSED, n=30)] * 4
    assert TicketMessage.objects.filter(author=member).count() == inbox.REPLIES_PER_DAY
