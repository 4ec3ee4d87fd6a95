"""Password reset for members who joined with a mobile number: a 6-digit code by SMS.

allauth resets passwords by email only. The code is a one-time code (``one_time_codes``: hashed
in the cache for 15 minutes, at most 3 attempts counted atomically, used up by the right guess);
requests are limited per number and per client address.

Nobody but the number's owner learns whether the number has an account:
- The page answers the same either way (on to "enter the code"), and every later answer is the
  same too: for a number without an account a code is made, hashed and stored exactly as for a
  member, so a guess is "not right" and the attempts run out the same way.
- The work is the same either way (one look-up, one hash, one cache write, one SMS through the
  provider), so the time taken does not tell them apart either.
- We do send an SMS to a number without an account, of the same kind: it tells the number's
  owner (the only person it reaches) that no account uses it. Sending nothing would make the
  request measurably faster for unknown numbers, and she learns that she can simply sign up.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiangcheng.core.sms import send_sms, sms_template

from .models import User
from .one_time_codes import CodeExpired, CodeWrong, code_store, code_use, sends_within

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


def code_key(phone: str) -> str:
    """The one-time code's key for this number."""
    return f"phone-reset:{phone}"


def reset_code_send(*, phone: str, client: str) -> None:
    """Send a code to a member's number, or the "no account" SMS to any other; same work either way."""
    if not (sends_within(f"phone-reset-sends:{phone}", SENDS_PER_HOUR_PER_PHONE)
            and sends_within(f"phone-reset-client:{client}", SENDS_PER_HOUR_PER_CLIENT)):
        raise PhoneResetError(_("Too many codes were requested. Please try again in an hour."))
    known = User.objects.filter(phone=phone, phone_verified=True, is_active=True).exists()
    # A number without an account gets a code too, that nobody ever sees: every answer after
    # this one is then the same as for a member.
    code = code_store(key=code_key(phone))
    if known:
        send_sms(phone=phone, template=RESET_CODE, params={"code": code})
    else:
        send_sms(phone=phone, template=RESET_NO_ACCOUNT)


def reset_password(*, phone: str, code: str, password: str) -> User:
    """Check the code and set her new password (which ends her other sessions)."""
    user = User.objects.filter(phone=phone, phone_verified=True, is_active=True).first()
    try:
        code_use(key=code_key(phone), code=code)
    except CodeExpired:
        raise PhoneResetError(_("The code has expired or was used up. Ask for a new one.")) from None
    except CodeWrong:
        raise PhoneResetError(_("The code is not right.")) from None
    if user is None:  # a number without an account: its code was never sent to anyone
        raise PhoneResetError(_("The code is not right."))
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
