"""One-time codes sent by SMS or email: the password reset by mobile number and the confirmation
of an account deletion both use them.

A code is 6 digits, stored hashed in the cache for 15 minutes under a key its caller names. At
most MAX_ATTEMPTS guesses are checked: attempts are counted atomically (Redis INCR on a key of
their own) before the code is compared, so guesses sent in parallel never get more; and the
guess that is right deletes the code in the same step, so one code confirms one thing.
"""

import secrets
import string

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache

CODE_SECONDS = 15 * 60
MAX_ATTEMPTS = 3
# Tests switch this off to show that their race would catch a non-atomic attempt count.
ATOMIC_ATTEMPTS = True


class CodeExpired(Exception):
    """No code is waiting under that key: never sent, expired, used, or its attempts used up."""


class CodeWrong(Exception):
    """A code is waiting, and this is not it."""


def sends_within(key: str, limit: int) -> bool:
    """Count one more send under ``key`` this hour; False once the hour's ``limit`` is passed."""
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return True


def new_code() -> str:
    return "".join(secrets.choice(string.digits) for _ in range(6))


def _hash_key(key: str) -> str:
    return f"one-time-code:{key}"


def _attempts_key(key: str) -> str:
    return f"one-time-code-attempts:{key}"


def code_store(*, key: str) -> str:
    """A new code under ``key`` (replacing any earlier one, its attempts back to none); returns it
    for the caller to send."""
    code = new_code()
    cache.set_many({_hash_key(key): make_password(code), _attempts_key(key): 0}, timeout=CODE_SECONDS)
    return code


def _attempt_number(key: str) -> int:
    """This attempt's number: counted before the code is checked."""
    if ATOMIC_ATTEMPTS:
        try:
            return cache.incr(_attempts_key(key))
        except ValueError:  # the counter expired with the code
            return MAX_ATTEMPTS + 1
    attempts = cache.get(_attempts_key(key), MAX_ATTEMPTS) + 1  # read, then write: parallel guesses slip through
    cache.set(_attempts_key(key), attempts, timeout=CODE_SECONDS)
    return attempts


def code_use(*, key: str, code: str) -> None:
    """Use the code waiting under ``key``: ``CodeExpired`` or ``CodeWrong``, else it is gone."""
    hashed = cache.get(_hash_key(key))
    if hashed is None or _attempt_number(key) > MAX_ATTEMPTS:
        raise CodeExpired
    if not check_password(code.strip(), hashed):
        raise CodeWrong
    if not cache.delete(_hash_key(key)):  # another request used it a moment ago
        raise CodeExpired
    cache.delete(_attempts_key(key))
