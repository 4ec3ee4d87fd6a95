"""Password reset for members who joined with a mobile number: a 6-digit code by SMS.

allauth resets passwords by email only. The code is stored hashed in the cache for 15 minutes
with at most 3 attempts; requests are limited per number and per client address. The answer
never tells whether a number has an account (the SMS itself goes to the number's owner).
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


def reset_code_send(*, phone: str, client: str) -> None:
    if not (_within_limit(f"phone-reset-sends:{phone}", SENDS_PER_HOUR_PER_PHONE)
            and _within_limit(f"phone-reset-client:{client}", SENDS_PER_HOUR_PER_CLIENT)):
        raise PhoneResetError(_("Too many codes were requested. Please try again in an hour."))
    user = User.objects.filter(phone=phone, phone_verified=True, is_active=True).first()
    if user is None:
        send_sms(phone=phone, template=RESET_NO_ACCOUNT)
        return
    code = "".join(secrets.choice(string.digits) for _ in range(6))
    cache.set(f"phone-reset:{phone}", {"code": make_password(code), "attempts": 0}, timeout=CODE_SECONDS)
    send_sms(phone=phone, template=RESET_CODE, params={"code": code})


def reset_password(*, phone: str, code: str, password: str) -> User:
    """Check the code and set her new password (which ends her other sessions)."""
    key = f"phone-reset:{phone}"
    state = cache.get(key)
    if not state or state["attempts"] >= MAX_ATTEMPTS:
        raise PhoneResetError(_("The code has expired or was used up. Ask for a new one."))
    if not check_password(code, state["code"]):
        state["attempts"] += 1
        cache.set(key, state, timeout=CODE_SECONDS)
        raise PhoneResetError(_("The code is not right."))
    user = User.objects.get(phone=phone, phone_verified=True, is_active=True)
    user.set_password(password)
    user.save(update_fields=["password"])
    cache.delete(key)
    return user
