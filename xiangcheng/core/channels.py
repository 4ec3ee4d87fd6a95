"""Notification channels: email to a verified address, SMS to a verified mobile number."""

from collections.abc import Callable, Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail

from .sms import SmsTemplate, send_sms

EMAIL = "email"
SMS = "sms"


def notify_user(*, user, subject: str, body: str, sms: tuple[SmsTemplate, dict[str, str]] | None,
                already: Iterable[str] = (),
                sent: Callable[[str], None] | None = None) -> bool:
    """Email to her verified address; SMS to her verified mobile. Nothing to unverified ones.

    Channels in ``already`` were delivered by an earlier attempt and are not sent again;
    ``sent(channel)`` is called as soon as each channel succeeds, so a failure on the second
    channel does not resend the first on retry. Returns whether she could be reached at all.
    """
    reached = False
    if user.email and EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        reached = True
        if EMAIL not in already:
            send_mail(
                settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body,
                settings.DEFAULT_FROM_EMAIL, [user.email],
            )
            if sent:
                sent(EMAIL)
    if user.phone and user.phone_verified and sms is not None:
        reached = True
        if SMS not in already:
            template, params = sms
            send_sms(phone=user.phone, template=template, params=params)
            if sent:
                sent(SMS)
    return reached
