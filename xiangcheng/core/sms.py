"""SMS channel: a pluggable backend chosen by settings.SMS_BACKEND.

A real provider (e.g. a mainland SMS gateway) is added by writing a class with the same
``send(phone, text)`` method and pointing SMS_BACKEND at it; credentials come from the
environment. Development logs messages; tests keep them in ``outbox``.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


# Messages sent through LocmemBackend, read by tests the way django.core.mail.outbox is.
outbox: list[SmsMessage] = []


class ConsoleBackend:
    """Writes each message to the log: the development backend."""

    def send(self, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)


class LocmemBackend:
    """Keeps each message in ``outbox``: the test backend."""

    def send(self, phone: str, text: str) -> None:
        outbox.append(SmsMessage(phone=phone, text=text))


def send_sms(*, phone: str, text: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(phone, text)
