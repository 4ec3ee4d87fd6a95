"""The outbox pattern shared by the apps: a message is a row before it is a send.

An app's message model inherits ``OutboxRow``. ``deliver_once`` lets exactly one worker take
a row (an atomic conditional UPDATE), re-checks that the message still applies, sends it and
records the outcome. A row whose worker died keeps its claim only for the lease
(OUTBOX_LEASE_SECONDS), after which ``retry_unsent`` — run by beat — takes it again; fresh rows
are left to their own after-commit task for OUTBOX_GRACE_SECONDS.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .channels import notify_user
from .sms import SmsTemplate

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Message:
    """What one outbox row says, to whom: composed when it is sent."""

    recipient: object
    subject: str
    body: str
    sms: tuple[SmsTemplate, dict[str, str]] | None = None


class OutboxRow(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    skipped = models.BooleanField(
        _("skipped"), default=False,
        help_text=_("Not sent because it no longer applied when its turn came."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    channels_sent = ArrayField(
        models.CharField(max_length=10), verbose_name=_("channels sent"), default=list, blank=True,
        help_text=_("Email and/or SMS already delivered; a retry sends only the others."),
    )

    class Meta:
        abstract = True


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def claim(model: type[OutboxRow], pk: int) -> bool:
    """Take the row for sending. True for exactly one caller while it is unsent."""
    now = timezone.now()
    return model.objects.filter(pk=pk, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease())
    ).update(claimed_at=now, attempts=F("attempts") + 1) == 1


def deliver_once(model: type[OutboxRow], pk: int, compose: Callable[[OutboxRow], Message], *,
                 applies: Callable[[OutboxRow], bool] | None = None, related: Iterable[str] = ()) -> bool:
    """Claim, re-check, compose, send the channels not yet sent, record.

    True if this call finished the message and it reached her. A failure gives the row back for
    a retry (and raises); channels already delivered are remembered and not sent again.
    """
    if not claim(model, pk):
        return False
    row = model.objects.select_related(*related).get(pk=pk)
    if applies is not None and not applies(row):
        model.objects.filter(pk=pk).update(sent_at=timezone.now(), skipped=True)
        return False

    def sent(channel: str) -> None:
        row.channels_sent.append(channel)
        model.objects.filter(pk=pk).update(channels_sent=row.channels_sent)

    try:
        message = compose(row)
        reached = notify_user(user=message.recipient, subject=message.subject, body=message.body,
                              sms=message.sms, already=list(row.channels_sent), sent=sent)
    except Exception as exc:
        model.objects.filter(pk=pk).update(claimed_at=None, last_error=str(exc)[:500])
        raise
    model.objects.filter(pk=pk).update(sent_at=timezone.now(), last_error="", skipped=not reached)
    return reached


def unsent(model: type[OutboxRow], *, limit: int = 500) -> list[int]:
    """Rows nobody delivered: the broker was down, or a worker died holding the claim."""
    now = timezone.now()
    return list(
        model.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS,
                             created_at__lt=now - timedelta(seconds=settings.OUTBOX_GRACE_SECONDS))
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease()))
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )


def retry_unsent(model: type[OutboxRow], deliver: Callable[[int], bool]) -> int:
    """The periodic job: deliver every row left behind. Returns how many were sent."""
    sent = 0
    for pk in unsent(model):
        try:
            sent += deliver(pk)
        except Exception:  # noqa: S112 - the reason is on the row; the next run retries it
            continue
    return sent
