"""Password reset for members who joined with a mobile number: a 6-digit code by SMS.

allauth resets passwords by email only. The code is stored hashed in the cache for 15 minutes
with at most 3 attempts; requests are limited per number and per client address.

Nobody but the number's owner learns whether the number has an account:
- The page answers the same either way (on to "enter the code"), and every later answer is the
  same too: for a number without an account a code is made, hashed and stored exactly as for a
  member, so a guess is "not right" and the attempts run out the same way.
- The work is the same either way (one look-up, one hash, one cache write, one SMS through the
  provider), so the time taken does not tell them apart either.
- We do send an SMS to a number without an account, of the same kind: it tells the number's
  owner (the only person it reaches) that no account uses it. Sending nothing would make the
  request measurably faster for unknown numbers, and she learns that she can simply sign up.

Attempts are counted atomically (Redis INCR on a key of their own) before the code is checked,
so guesses sent in parallel are never checked more than MAX_ATTEMPTS times; and using the code
deletes it in the same step, so one code sets one password.
"""

import secrets
import string

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiangcheng.core.sms import send_sms, sms_template

from .models import User

CODE_SECONDS = 15 * 60
MAX_ATTEMPTS = 3
SENDS_PER_HOUR_PER_PHONE = 3
SENDS_PER_HOUR_PER_CLIENT = 10
# Tests switch this off to show that their race would catch a non-atomic attempt count.
ATOMIC_ATTEMPTS = True


RESET_CODE = sms_template(
    "password_reset_code", gettext_lazy("Your password reset code is {code}. It expires in 15 minutes."), ["code"])
RESET_NO_ACCOUNT = sms_template(
    "password_reset_no_account",
    gettext_lazy("Someone asked to reset a password for this number, but no account uses it. "
                 "You can ignore this message."))


class PhoneResetError(Exception):
    """The code is wrong, expired or used up, or too many were asked for."""


def _within_limit(key: str, limit: int) -> bool:
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return True


def _code_key(phone: str) -> str:
    return f"phone-reset:{phone}"


def _attempts_key(phone: str) -> str:
    return f"phone-reset-attempts:{phone}"


def _new_code() -> str:
    return "".join(secrets.choice(string.digits) for _ in range(6))


def reset_code_send(*, phone: str, client: str) -> None:
    """Send a code to a member's number, or the "no account" SMS to any other; same work either way."""
    if not (_within_limit(f"phone-reset-sends:{phone}", SENDS_PER_HOUR_PER_PHONE)
            and _within_limit(f"phone-reset-client:{client}", SENDS_PER_HOUR_PER_CLIENT)):
        raise PhoneResetError(_("Too many codes were requested. Please try again in an hour."))
    known = User.objects.filter(phone=phone, phone_verified=True, is_active=True).exists()
    # A number without an account gets a code too, that nobody ever sees: every answer after
    # this one is then the same as for a member.
    code = _new_code()
    cache.set_many({_code_key(phone): make_password(code), _attempts_key(phone): 0}, timeout=CODE_SECONDS)
    if known:
        send_sms(phone=phone, template=RESET_CODE, params={"code": code})
    else:
        send_sms(phone=phone, template=RESET_NO_ACCOUNT)


def _attempt_number(phone: str) -> int:
    """This attempt's number: counted before the code is checked."""
    key = _attempts_key(phone)
    if ATOMIC_ATTEMPTS:
        try:
            return cache.incr(key)
        except ValueError:  # the counter expired with the code
            return MAX_ATTEMPTS + 1
    attempts = cache.get(key, MAX_ATTEMPTS) + 1  # read, then write: parallel guesses slip through
    cache.set(key, attempts, timeout=CODE_SECONDS)
    return attempts


def reset_password(*, phone: str, code: str, password: str) -> User:
    """Check the code and set her new password (which ends her other sessions)."""
    expired = _("The code has expired or was used up. Ask for a new one.")
    hashed = cache.get(_code_key(phone))
    if hashed is None or _attempt_number(phone) > MAX_ATTEMPTS:
        raise PhoneResetError(expired)
    user = User.objects.filter(phone=phone, phone_verified=True, is_active=True).first()
    if not check_password(code, hashed) or user is None:
        raise PhoneResetError(_("The code is not right."))
    if not cache.delete(_code_key(phone)):  # another request used it a moment ago
        raise PhoneResetError(expired)
    cache.delete(_attempts_key(phone))
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
