"""Reference numbers are unique and gap-free per year, even when many members submit at once.

Each thread has its own database connection and waits at a barrier, so all submissions reach
the counter together. The same rush with a read-then-write counter (no row lock) produces
duplicate numbers, which shows that the test would catch a missing lock.
"""


import pytest
from django.db import IntegrityError
from django.utils import timezone

from services import inbox
from services.models import Ticket, TicketCounter
from tests.concurrency import pool_for_threads, race
from tests.factories import UserFactory

from .helpers import reference, submit

THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(THREADS)


def _members(n: int) -> list:
    return [UserFactory() for _ in range(n)]


def test_twenty_simultaneous_submissions_get_000001_to_000020(outbox):
    members = _members(THREADS)

    results, errors = race(lambda m: submit(m).reference, [(m,) for m in members])

    assert errors == []
    expected = [reference(n) for n in range(1, THREADS + 1)]
    assert sorted(results) == expected
    assert sorted(Ticket.objects.values_list("reference", flat=True)) == expected
    assert sorted(Ticket.objects.values_list("number", flat=True)) == list(range(1, THREADS + 1))
    assert TicketCounter.objects.get(year=timezone.localdate().year).last == THREADS
    # Each of them got her own acknowledgement with her own reference.
    by_member = {t.member.email: t.reference for t in Ticket.objects.select_related("member")}
    assert sorted((m.to[0], by_member[m.to[0]] in m.subject) for m in outbox) == sorted(
        (m.email, True) for m in members)


def test_a_submission_that_fails_after_drawing_its_number_leaves_no_gap(monkeypatch):
    first, unlucky, third = _members(3)
    assert submit(first).reference == reference(1)

    def broken_attachments(*args, **kwargs):
        raise RuntimeError("the disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(inbox, "_attach", broken_attachments)
        with pytest.raises(RuntimeError):
            submit(unlucky)
    assert Ticket.objects.filter(member=unlucky).count() == 0

    assert submit(third).reference == reference(2)
    assert submit(unlucky).reference == reference(3)
    assert sorted(Ticket.objects.values_list("number", flat=True)) == [1, 2, 3]


def test_concurrent_failures_give_their_numbers_back(monkeypatch):
    """Half the rush fails after drawing a number; the other half still gets 1..10."""
    members = _members(THREADS)
    failing = {m.pk for m in members[::2]}
    real_attach = inbox._attach

    def attach_or_fail(ticket, files, user):
        if user.pk in failing:
            raise RuntimeError("refused after the number was drawn")
        return real_attach(ticket, files, user)

    monkeypatch.setattr(inbox, "_attach", attach_or_fail)
    results, errors = race(lambda m: submit(m).reference, [(m,) for m in members])

    assert [str(e) for e in errors] == ["refused after the number was drawn"] * (THREADS // 2)
    assert sorted(results) == [reference(n) for n in range(1, THREADS // 2 + 1)]
    assert TicketCounter.objects.get().last == THREADS // 2


def _racy_next_number(year: int) -> int:
    """What the counter would be without a lock: read, then write what was read plus one."""
    counter, _ = TicketCounter.objects.get_or_create(year=year)
    number = counter.last + 1
    TicketCounter.objects.filter(year=year).update(last=number)
    return number


def test_without_the_row_lock_the_same_rush_draws_duplicate_numbers(monkeypatch):
    """Proves the rush above detects a missing lock: duplicates hit the unique constraint."""
    TicketCounter.objects.create(year=timezone.localdate().year, last=0)
    monkeypatch.setattr(inbox, "_next_number", _racy_next_number)
    members = _members(THREADS)

    results, errors = race(lambda m: submit(m).reference, [(m,) for m in members])

    assert errors != []
    assert {type(e) for e in errors} == {IntegrityError}
    assert len(results) + len(errors) == THREADS
    assert sorted(results) != [reference(n) for n in range(1, THREADS + 1)]


def test_one_member_double_clicking_ten_times_gets_exactly_the_hourly_limit():
    """Her own row lock serialises her submissions, so the hourly limit holds under a rush."""
    member = UserFactory()

    results, errors = race(lambda: submit(member).reference, [()] * 10)

    assert sorted(results) == [reference(n) for n in range(1, inbox.SUBMISSIONS_PER_HOUR + 1)]
    assert [type(e) for e in errors] == [inbox.InboxError] * (10 - inbox.SUBMISSIONS_PER_HOUR)
    assert Ticket.objects.filter(member=member).count() == inbox.SUBMISSIONS_PER_HOUR
    assert TicketCounter.objects.get().last == inbox.SUBMISSIONS_PER_HOUR
