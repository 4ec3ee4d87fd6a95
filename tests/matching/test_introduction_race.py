"""Real concurrency for 相遇 requests: many requests at the same moment, each on its own connection.

She sends twelve at once (two tabs, a double click, a script): exactly ten go out. Two people ask
each other at the same moment: one request is made, the other is told to answer it. Each race
run with the account lock switched off (``introductions.LOCK_ACCOUNTS``) must go wrong, which
proves that the test would catch a missing lock.
"""

import pytest

from matching import introductions
from matching.introductions import IntroductionError
from matching.models import INTRODUCTIONS_PER_DAY, Introduction
from tests.concurrency import pool_for_threads, race
from tests.factories import MemberProfileFactory

from .helpers import opted_in

THREADS = 12
UNLOCKED_ROUNDS = 5

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(THREADS)


def member():
    return MemberProfileFactory(status="approved").user


def rush(her, others) -> tuple[int, list]:
    results, errors = race(lambda other: introductions.introduction_send(
        sender=her.user, profile_id=other.pk, message="你好"), [(o,) for o in others])
    return len(results), errors


def test_twelve_requests_at_once_send_exactly_ten():
    her = opted_in(member())
    others = [opted_in(member()) for _ in range(THREADS)]

    sent, errors = rush(her, others)

    assert sent == INTRODUCTIONS_PER_DAY
    assert len(errors) == THREADS - INTRODUCTIONS_PER_DAY
    assert all(isinstance(e, IntroductionError) and e.field is None for e in errors)
    assert Introduction.objects.filter(sender=her.user).count() == INTRODUCTIONS_PER_DAY


def test_without_the_lock_the_same_rush_sends_more_than_ten(monkeypatch):
    monkeypatch.setattr(introductions, "LOCK_ACCOUNTS", False)
    over = []
    for _ in range(UNLOCKED_ROUNDS):
        her = opted_in(member())
        others = [opted_in(member()) for _ in range(THREADS)]
        rush(her, others)
        over.append(Introduction.objects.filter(sender=her.user).count() > INTRODUCTIONS_PER_DAY)
    assert any(over)


def ask_each_other(a, b) -> tuple[list, list]:
    return race(lambda her, other: introductions.introduction_send(
        sender=her.user, profile_id=other.pk, message="你好"), [(a, b), (b, a)])


def test_two_asking_each_other_at_once_make_one_request():
    a, b = opted_in(member()), opted_in(member())

    results, errors = ask_each_other(a, b)

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], IntroductionError)
    assert Introduction.objects.count() == 1


def test_without_the_lock_two_asking_each_other_make_two(monkeypatch):
    monkeypatch.setattr(introductions, "LOCK_ACCOUNTS", False)
    doubled = []
    for _ in range(UNLOCKED_ROUNDS):
        a, b = opted_in(member()), opted_in(member())
        ask_each_other(a, b)
        doubled.append(Introduction.objects.filter(sender__in=[a.user, b.user]).count() == 2)
    assert any(doubled)
