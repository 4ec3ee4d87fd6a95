"""Notification channels: email to a verified address, SMS to a verified mobile number."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail

from .sms import send_sms


def notify_user(*, user, subject: str, body: str, sms: str) -> bool:
    """Email to her verified address; SMS to her verified mobile. Nothing to unverified ones.

    Returns whether she could be reached at all.
    """
    reached = False
    if user.email and EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body,
            settings.DEFAULT_FROM_EMAIL, [user.email],
        )
        reached = True
    if user.phone and user.phone_verified:
        send_sms(phone=user.phone, text=sms)
        reached = True
    return reached
