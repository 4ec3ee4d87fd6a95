"""The outbox pattern shared by the apps: a message is a row before it is a send.

An app's message model inherits ``OutboxRow``. ``claim`` lets exactly one worker take a row
(an atomic UPDATE); ``finish``/``skip``/``release`` record the outcome. A row whose worker
died keeps its claim only for the lease, after which a periodic job may take it again.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_ATTEMPTS = 5


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

    class Meta:
        abstract = True


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "EVENTS_OUTBOX_LEASE_SECONDS", 300))


def claim(model: type[OutboxRow], pk: int) -> bool:
    """Take the row for sending. True for exactly one caller while it is unsent."""
    now = timezone.now()
    return model.objects.filter(pk=pk, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease())
    ).update(claimed_at=now, attempts=F("attempts") + 1) == 1


def finish(model: type[OutboxRow], pk: int) -> None:
    model.objects.filter(pk=pk).update(sent_at=timezone.now(), last_error="")


def skip(model: type[OutboxRow], pk: int) -> None:
    model.objects.filter(pk=pk).update(sent_at=timezone.now(), skipped=True)


def release(model: type[OutboxRow], pk: int, error: Exception) -> None:
    """Give the row back for a retry and keep the reason for staff."""
    model.objects.filter(pk=pk).update(claimed_at=None, last_error=str(error)[:500])


def unsent(model: type[OutboxRow], *, limit: int = 500, grace_seconds: int = 30) -> list[int]:
    """Rows nobody delivered: the broker was down, or a worker died holding the claim."""
    now = timezone.now()
    return list(
        model.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS,
                             created_at__lt=now - timedelta(seconds=grace_seconds))
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease()))
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )
