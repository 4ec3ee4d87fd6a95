"""我的消息: every notice sent to her, newest first, with what she has read.

Staff-only notices (digests) and notices that were never sent (no longer applied, failed) are
not hers to read here.
"""

from django.db.models import QuerySet
from django.utils import timezone

from .models import Notice


def centre_notices(user) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient=user, state=Notice.State.SENT, staff_only=False).order_by(
        "-created_at", "-pk")


def centre_unread_count(user) -> int:
    return centre_notices(user).filter(read_at__isnull=True).count()


def notice_read(*, user, notice_id: int) -> Notice | None:
    """Her notice, marked read (once); None if it is not hers to see."""
    notice = centre_notices(user).filter(pk=notice_id).first()
    if notice is not None and notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_read_all(*, user) -> int:
    return centre_notices(user).filter(read_at__isnull=True).update(read_at=timezone.now())
