"""The one notification outbox: a message is a row before it is a send.

An app declares each kind of notice once (``notice_kind``): how it is composed (subject, email
body, SMS template and parameters, the page it points to) and whether it still applies when its
turn comes. Domain code calls ``notify`` inside the transaction that decided something: the row
is written once per key (a retried step or a concurrent scan finds the row already there) and its
delivery is enqueued after commit.

Delivery (``deliver``) lets exactly one worker take a row (an atomic conditional UPDATE), drops it
if it no longer applies or her account is deactivated, composes it, sends the channels not sent
yet (email to a verified address, SMS to a verified mobile) and records the outcome; the composed
text stays on the row, which is what 我的消息 shows her. A worker that died keeps its claim only
for the lease (OUTBOX_LEASE_SECONDS); ``retry_unsent`` — one beat job for every kind — takes rows
left behind after OUTBOX_GRACE_SECONDS. A row that fails MAX_ATTEMPTS times is marked failed,
logged at ERROR and shown to staff in admin, who may retry it.

Nothing here imports an app: apps import this module and register their kinds.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from .channels import notify_user
from .models import Notice
from .sms import SmsTemplate

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
DELIVER_TASK = "xiangcheng.core.tasks.deliver_notice"


@dataclass(frozen=True)
class Message:
    """What one notice says, composed when it is sent."""

    subject: str
    body: str
    sms: tuple[SmsTemplate, dict[str, str]] | None = None
    url: str = ""  # the page on the portal it is about, for 我的消息


@dataclass(frozen=True)
class NoticeKind:
    name: str
    label: object
    compose: Callable[[Notice], Message]
    applies: Callable[[Notice], bool] | None = None
    # Staff-only notices (digests) are emailed, never listed in a member's 我的消息.
    staff_only: bool = False
    # Staff holding this permission ("app_label.codename") may read such notices in admin.
    permission: str = ""


KINDS: dict[str, NoticeKind] = {}


def notice_kind(name: str, *, label, compose: Callable[[Notice], Message], permission: str,
                applies: Callable[[Notice], bool] | None = None, staff_only: bool = False) -> NoticeKind:
    """Declare a kind of notice (once, when the app's notices module is imported)."""
    kind = NoticeKind(name=name, label=label, compose=compose, applies=applies, staff_only=staff_only,
                      permission=permission)
    if KINDS.setdefault(name, kind) is not kind:
        raise ValueError(f"notice kind {name!r} is declared twice")
    return kind


def kinds_visible_to(user) -> list[str]:
    """The kinds a member of staff may read in admin: those of the work her permissions cover."""
    return [name for name, kind in KINDS.items() if user.is_superuser or user.has_perm(kind.permission)]


def notice_key(kind: NoticeKind, key: str) -> str:
    return f"{kind.name}:{key}"


def notify(*, kind: NoticeKind, recipient, key: str, target: models.Model | None = None,
           data: dict | None = None) -> tuple[int, bool]:
    """Write the notice once per (kind, key) in the current transaction; deliver it after commit.

    Returns the row's pk and whether this call created it. Concurrent callers meet at the unique
    key: one inserts, the others find its row.
    """
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    notice, created = Notice.objects.get_or_create(key=notice_key(kind, key), defaults={
        "recipient": recipient, "kind": kind.name, "staff_only": kind.staff_only, "target_type": target_type,
        "target_id": target.pk if target is not None else None, "data": data or {},
    })
    if created:
        pk = notice.pk
        transaction.on_commit(lambda: enqueue(pk), robust=True)
    return notice.pk, created


def enqueue(pk: int) -> None:
    """Ask a worker to deliver the row. Looked up by name so that no module imports the tasks;
    if the broker is down the row stays pending and the retry job delivers it later."""
    current_app.tasks[DELIVER_TASK].delay(notice_id=pk)


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _takeable(now) -> Q:
    return Q(state=Notice.State.PENDING, attempts__lt=MAX_ATTEMPTS) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease()))


def claim(pk: int) -> bool:
    """Take the row for sending. True for exactly one caller while it is pending."""
    now = timezone.now()
    return Notice.objects.filter(_takeable(now), pk=pk).update(claimed_at=now, attempts=F("attempts") + 1) == 1


def _finish(pk: int, state: str, **fields) -> None:
    Notice.objects.filter(pk=pk).update(state=state, sent_at=timezone.now(), **fields)


def deliver(*, notice_id: int) -> bool:
    """Claim, re-check, compose, send the channels not yet sent, record.

    True if this call finished the notice. A failure gives the row back for a retry (and raises);
    channels already delivered are remembered and not sent again.
    """
    if not claim(notice_id):
        return False
    notice = Notice.objects.select_related("recipient").get(pk=notice_id)
    kind = KINDS.get(notice.kind)
    if kind is None or not notice.recipient.is_active or (kind.applies is not None and not kind.applies(notice)):
        _finish(notice_id, Notice.State.SKIPPED)
        return False

    def sent(channel: str) -> None:
        notice.channels_sent.append(channel)
        Notice.objects.filter(pk=notice_id).update(channels_sent=notice.channels_sent)

    try:
        message = kind.compose(notice)
        notify_user(user=notice.recipient, subject=message.subject, body=message.body, sms=message.sms,
                    already=list(notice.channels_sent), sent=sent)
    except Exception as exc:
        _record_failure(notice, exc)
        raise
    _finish(notice_id, Notice.State.SENT, last_error="", subject=message.subject[:200], body=message.body,
            url=message.url[:300])
    return True


def _record_failure(notice: Notice, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:500]
    if notice.attempts >= MAX_ATTEMPTS:
        Notice.objects.filter(pk=notice.pk).update(state=Notice.State.FAILED, claimed_at=None, last_error=error)
        logger.error("notice %s (%s) to user %s failed %d times and gave up: %s",
                     notice.pk, notice.kind, notice.recipient_id, notice.attempts, error)
    else:
        Notice.objects.filter(pk=notice.pk).update(claimed_at=None, last_error=error)
        logger.warning("notice %s (%s) to user %s failed (attempt %d of %d), will retry: %s",
                       notice.pk, notice.kind, notice.recipient_id, notice.attempts, MAX_ATTEMPTS, error)


def unsent(*, limit: int = 500) -> list[int]:
    """Rows nobody delivered: the broker was down, or a worker died holding the claim."""
    now = timezone.now()
    return list(
        Notice.objects.filter(_takeable(now), created_at__lt=now - timedelta(seconds=settings.OUTBOX_GRACE_SECONDS))
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )


def retry_unsent() -> int:
    """The periodic job: deliver every row left behind. Returns how many were delivered."""
    delivered = 0
    for pk in unsent():
        try:
            delivered += deliver(notice_id=pk)
        except Exception:  # noqa: S112 - logged and recorded on the row; the next run retries it
            continue
    return delivered


def notices_retry(*, notice_ids: list[int]) -> int:
    """Staff retry failed notices: they go back to pending with fresh attempts, and are enqueued."""
    with transaction.atomic():
        pks = list(Notice.objects.filter(pk__in=notice_ids, state=Notice.State.FAILED)
                   .select_for_update().values_list("pk", flat=True))
        Notice.objects.filter(pk__in=pks).update(state=Notice.State.PENDING, attempts=0, claimed_at=None)
        for pk in pks:
            transaction.on_commit(lambda pk=pk: enqueue(pk), robust=True)
    return len(pks)
