"""Two first applications of one member to one call at the same instant (a double click, two tabs):
one row, and the other gets a clear message — never a 500.

With the duplicate's refusal not caught (``calls.CATCH_DUPLICATE`` off), the same race lets the
database's IntegrityError escape, which proves the test would catch a missing protection.
"""

import pytest
from django.db import IntegrityError

from services import calls
from services.models import CallApplication
from tests.concurrency import pool_for_threads, race
from tests.helpers import zh

from .call_helpers import a_call, approved

THREADS = 6
ROUNDS = 10

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(THREADS)


def _rush(call, member):
    def apply(n: int):
        try:
            return calls.application_start(call=call, member=member, statement=f"陈述{n}").pk
        except calls.CallError as exc:
            return str(exc)

    return race(apply, [(n,) for n in range(THREADS)])


def test_concurrent_first_applications_leave_one_row_and_clear_messages():
    call = a_call()
    member = approved("linxiaowen")

    results, errors = _rush(call, member)

    assert errors == []
    rows = list(CallApplication.objects.filter(call=call, member=member).values_list("pk", flat=True))
    assert len(rows) == 1
    assert sorted(results, key=str) == sorted(
        [rows[0], *[zh("You have already applied to this call. Open it from My applications.")] * (THREADS - 1)],
        key=str)


def test_without_catching_the_duplicate_the_race_escapes_as_an_integrity_error(monkeypatch):
    monkeypatch.setattr(calls, "CATCH_DUPLICATE", False)
    escaped = []
    for n in range(ROUNDS):
        call = a_call(title=f"评选{n}")
        member = approved(f"member{n}")
        results, errors = _rush(call, member)
        assert CallApplication.objects.filter(call=call, member=member).count() == 1
        escaped = [e for e in errors if isinstance(e, IntegrityError)]
        if escaped:
            break
    assert escaped, "no round raced past the check before the insert"
