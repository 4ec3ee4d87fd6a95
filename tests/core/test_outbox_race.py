"""Two workers delivering the same chunk at once (the broker may hand a task out twice, and the
retry job may take rows a task is about to take): each row is sent once, because one conditional
UPDATE gives each row to one of them. The same race with that claim switched off sends rows twice,
which proves the test would catch it. The mail server is a real one on loopback."""

from collections import Counter

import pytest

from tests.concurrency import pool_for_threads, race
from tests.events.factories import EventFactory, RegistrationFactory
from xiangcheng.core import outbox
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import deliver_many

State = Notice.State
THREADS = 2
ROWS = 30
ROUNDS_WITHOUT_CLAIM = 20

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(THREADS)


def chunk_taken_twice(smtp_server) -> tuple[Counter, list[int], list]:
    """Two deliveries of the same chunk released at once, each on its own connection."""
    event = EventFactory()
    registrations = [RegistrationFactory(event=event) for _ in range(ROWS)]
    # Rows as notify writes them, not enqueued: the race delivers them.
    pks = [Notice.objects.create(recipient=r.user, kind="events.confirmed", key=f"events.confirmed:{r.pk}:",
                                 target=r).pk for r in registrations]
    smtp_server.messages.clear()
    outcomes, errors = race(lambda: deliver_many(notice_ids=pks), [()] * THREADS)
    return smtp_server.per_recipient(), [len(o.sent) for o in outcomes], errors


def test_two_workers_delivering_the_same_chunk_send_each_row_once(smtp_server):
    per_recipient, sent, errors = chunk_taken_twice(smtp_server)

    assert errors == []
    assert per_recipient == Counter(dict.fromkeys(per_recipient, 1))
    assert len(per_recipient) == sum(sent) == ROWS
    assert list(Notice.objects.order_by().values_list("state", "attempts").distinct()) == [(State.SENT, 1)]


def test_without_the_claim_the_same_chunk_is_sent_twice(monkeypatch, smtp_server):
    """Proves the test above detects a double send: check-then-update lets both take the rows."""
    monkeypatch.setattr(outbox, "CLAIM_ROWS", False)
    doubled = []
    for _ in range(ROUNDS_WITHOUT_CLAIM):
        per_recipient, sent, errors = chunk_taken_twice(smtp_server)
        assert errors == []
        if max(per_recipient.values()) > 1:
            doubled.append(sum(sent))
            break
    assert len(doubled) == 1
    assert doubled[0] > ROWS
