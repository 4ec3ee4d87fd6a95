"""Wrong codes sent in parallel: never more than MAX_ATTEMPTS of them are checked (the one-time
codes of members.one_time_codes, here through the password reset by mobile number).

The same race with the attempt count made non-atomic (read, then write) checks more, which
proves that the test would catch it.
"""

import threading

import pytest

from members import one_time_codes, phone_reset
from tests.concurrency import pool_for_threads, race
from tests.helpers import zh

THREADS = 12
UNLOCKED_ROUNDS = 10
PHONE = "13912345678"

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(THREADS)


@pytest.fixture
def checks(monkeypatch):
    """How many times a code was compared with the stored hash."""
    count = []
    lock = threading.Lock()
    real = one_time_codes.check_password

    def counting(code, hashed):
        with lock:
            count.append(code)
        return real(code, hashed)

    monkeypatch.setattr(one_time_codes, "check_password", counting)
    return count


def guess_in_parallel() -> tuple[list, list]:
    phone_reset.reset_code_send(phone=PHONE, client="192.0.2.1")
    assert one_time_codes.cache.get(f"one-time-code:{phone_reset.code_key(PHONE)}") is not None

    def guess(n: int):
        try:
            phone_reset.reset_password(phone=PHONE, code=f"{n:06d}", password="new-Harbour-2026")
        except phone_reset.PhoneResetError as exc:
            return str(exc)
        return "changed"

    return race(guess, [(n,) for n in range(1, THREADS + 1)])


def test_parallel_wrong_codes_are_checked_at_most_max_attempts_times(make_phone_user, monkeypatch, checks):
    make_phone_user(PHONE)
    monkeypatch.setattr(one_time_codes, "new_code", lambda: "000000")  # none of the guesses
    results, errors = guess_in_parallel()
    assert errors == []
    assert len(checks) == one_time_codes.MAX_ATTEMPTS
    wrong, used_up = "The code is not right.", "The code has expired or was used up. Ask for a new one."
    assert sorted(results) == sorted([zh(wrong)] * one_time_codes.MAX_ATTEMPTS
                                     + [zh(used_up)] * (THREADS - one_time_codes.MAX_ATTEMPTS))


def test_without_atomic_counting_parallel_guesses_exceed_the_limit(make_phone_user, monkeypatch, checks):
    monkeypatch.setattr(one_time_codes, "ATOMIC_ATTEMPTS", False)
    monkeypatch.setattr(one_time_codes, "new_code", lambda: "000000")
    make_phone_user(PHONE)
    exceeded = []
    for _ in range(UNLOCKED_ROUNDS):
        checks.clear()
        one_time_codes.cache.clear()
        results, errors = guess_in_parallel()
        assert errors == []
        if len(checks) > one_time_codes.MAX_ATTEMPTS:
            exceeded.append(len(checks))
            break
    assert len(exceeded) == 1
    assert exceeded[0] > one_time_codes.MAX_ATTEMPTS


def test_one_code_sent_in_parallel_sets_one_password(make_phone_user, monkeypatch):
    user = make_phone_user(PHONE)
    monkeypatch.setattr(one_time_codes, "new_code", lambda: "246810")
    phone_reset.reset_code_send(phone=PHONE, client="192.0.2.1")

    def use(n: int):
        try:
            phone_reset.reset_password(phone=PHONE, code="246810", password=f"new-Harbour-20{n:02d}")
        except phone_reset.PhoneResetError:
            return None
        return n

    results, errors = race(use, [(n,) for n in range(3)])
    assert errors == []
    winners = [n for n in results if n is not None]
    assert len(winners) == 1
    user.refresh_from_db()
    assert user.check_password(f"new-Harbour-20{winners[0]:02d}")
