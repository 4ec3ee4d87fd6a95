"""我的消息: every notice sent to her, newest first, with what she has read.

Staff-only notices (digests) and notices that were never sent (no longer applied, failed) are
not hers to read here.

Her unread count is in the menu of every page she opens, so it is kept in the cache between her
pages (``MESSAGE_CENTRE_UNREAD_KEPT_SECONDS``, a minute): reading a notice or being sent one
forgets it at once (``unread_changed``); anything else that changes it (the nightly purge of old
notices) shows within that time.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .compiled_queries import CompiledQuery, Listing
from .models import Notice

logger = logging.getLogger(__name__)


def _centre_notices_of(user_id: int) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient_id=user_id, state=Notice.State.SENT, staff_only=False).order_by(
        "-created_at", "-pk")


def centre_notices(user) -> QuerySet[Notice]:
    return _centre_notices_of(user.pk)


# 我的消息's rows: only what the list shows, by SQL built once per process.
_CENTRE_PAGE = CompiledQuery(lambda user_id: _centre_notices_of(user_id).only(
    "pk", "subject", "created_at", "read_at", "kind"), user_id=int)


def centre_listing(user) -> Listing:
    """Her notices as 我的消息 lists them (``centre_notices``), for ``counted_page``."""
    return _CENTRE_PAGE.listing(user_id=user.pk)


def _unread_key(user_id: int) -> str:
    return f"centre:unread:{user_id}"


def _unread_counted(user) -> int:
    return centre_notices(user).filter(read_at__isnull=True).count()


def centre_unread_count(user) -> int:
    seconds = settings.MESSAGE_CENTRE_UNREAD_KEPT_SECONDS
    if not seconds:
        return _unread_counted(user)
    key = _unread_key(user.pk)
    try:
        kept = cache.get(key)
    except Exception:  # the cache is unreachable: count in the database
        logger.warning("cache unavailable; counting unread notices in the database", exc_info=True)
        return _unread_counted(user)
    if kept is not None:
        return kept
    count = _unread_counted(user)
    try:
        cache.set(key, count, seconds)
    except Exception:  # noqa: S110 - the next page counts again
        logger.warning("cache unavailable; unread count not kept", exc_info=True)
    return count


def unread_forget(user_ids: Iterable[int]) -> None:
    """Their unread counts are counted again on their next page (for changes already committed)."""
    keys = [_unread_key(pk) for pk in set(user_ids)]
    if not keys:
        return
    try:
        cache.delete_many(keys)
    except Exception:  # noqa: S110 - the kept counts expire within the minute
        logger.warning("cache unavailable; unread counts not forgotten", exc_info=True)


def unread_changed(user_ids: Iterable[int]) -> None:
    """``unread_forget`` now and again once this transaction commits: a page counting meanwhile
    still sees the old rows and may keep the old count."""
    user_ids = set(user_ids)
    unread_forget(user_ids)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: unread_forget(user_ids))


def notice_read(*, user, notice_id: int) -> Notice | None:
    """Her notice, marked read (once); None if it is not hers to see."""
    notice = centre_notices(user).filter(pk=notice_id).first()
    if notice is not None and notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
        unread_changed([user.pk])
    return notice


def notices_read_all(*, user) -> int:
    count = centre_notices(user).filter(read_at__isnull=True).update(read_at=timezone.now())
    unread_changed([user.pk])
    return count
