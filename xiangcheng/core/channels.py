"""Notification channels: email to a verified address, SMS to a verified mobile number (or, for
an invitation, to the address or number the inviter typed).

The outbox sends a chunk of notices through one ``Channels``: the members' verified addresses
read in one query, every email over one connection to the mail server (opened on the first
message, opened again only if the server drops it) and every SMS through one backend instance
(the provider's SDK keeps its HTTP connection alive between calls).
"""

import logging
import smtplib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .sms import SmsTemplate, send_sms, sms_backend

logger = logging.getLogger(__name__)

EMAIL = "email"
SMS = "sms"

# The server refused this one message (its recipient, sender or content); the connection is
# still good for the next one. Any other error closes it, and the next message opens a new one.
_MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class Channels:
    """Sends to many members one after the other over shared connections; use ``channels_open``."""

    def __init__(self, users: Iterable) -> None:
        users = list(users)
        self.verified = {
            (user_id, email.lower()) for user_id, email in EmailAddress.objects.filter(
                user_id__in=[user.pk for user in users if user.email], verified=True).values_list("user_id", "email")
        }
        self.mail = get_connection()
        self.sms = sms_backend()

    def email_verified(self, user) -> bool:
        return bool(user.email) and (user.pk, user.email.lower()) in self.verified

    def notify_user(self, *, user, subject: str, body: str, sms: tuple[SmsTemplate, dict[str, str]] | None,
                    already: Iterable[str] = (), sent: Callable[[str], None] | None = None) -> bool:
        """Email to her verified address; SMS to her verified mobile. Nothing to unverified ones.

        Channels in ``already`` were delivered by an earlier attempt and are not sent again;
        ``sent(channel)`` is called as soon as each channel succeeds, so a failure on the second
        channel does not resend the first on retry. Returns whether she could be reached at all.
        """
        reached = False
        if self.email_verified(user):
            reached = True
            if EMAIL not in already:
                self._email(EmailMessage(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body,
                                         settings.DEFAULT_FROM_EMAIL, [user.email]))
                if sent:
                    sent(EMAIL)
        if user.phone and user.phone_verified and sms is not None:
            reached = True
            if SMS not in already:
                template, params = sms
                send_sms(phone=user.phone, template=template, params=params, backend=self.sms)
                if sent:
                    sent(SMS)
        return reached

    def notify_address(self, *, email: str, phone: str, subject: str, body: str,
                       sms: tuple[SmsTemplate, dict[str, str]] | None, already: Iterable[str] = (),
                       sent: Callable[[str], None] | None = None) -> None:
        """To an address typed by someone else, not (yet) an account's: an invitation. Email to
        ``email``, SMS to ``phone``, whichever is given; ``already`` and ``sent`` as above."""
        if email and EMAIL not in already:
            self._email(EmailMessage(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body,
                                     settings.DEFAULT_FROM_EMAIL, [email]))
            if sent:
                sent(EMAIL)
        if phone and sms is not None and SMS not in already:
            template, params = sms
            send_sms(phone=phone, template=template, params=params, backend=self.sms)
            if sent:
                sent(SMS)

    def _email(self, message: EmailMessage) -> None:
        try:
            # Opened here and kept: send_messages closes only a connection it opened itself.
            self.mail.open()
            self.mail.send_messages([message])
        except _MESSAGE_REFUSED:
            raise
        except Exception:
            self.close()  # a broken connection: the next message opens a new one
            raise

    def close(self) -> None:
        with suppress(smtplib.SMTPException, OSError):
            self.mail.close()


@contextmanager
def channels_open(users: Iterable) -> Iterator[Channels]:
    """Channels for sending to ``users``, closed (the mail server's connection quit) at the end."""
    channels = Channels(users)
    try:
        yield channels
    finally:
        channels.close()
