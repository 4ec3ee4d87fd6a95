"""我的消息: every notice sent to her, newest first, with what she has read.

Staff-only notices (digests) and notices that were never sent (no longer applied, failed) are
not hers to read here.

Her unread count is in the menu of every page she opens, so it is read with her account, a
column of the one query that loads her for the request (members/backends.py,
``centre_unread_sql``): it costs no query and no cache of its own, and it is never out of date.
Reading her notices during the request forgets it, and the menu counts again.
"""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from .compiled_queries import CompiledQuery, Listing
from .fragments import rendered_each
from .models import Notice


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


# Her rows, kept rendered (``fragments``): a row shows the notice's subject, time and whether
# she read it, which is its version. Only her list's query finds her notices, so no one else's
# page reads her rows.
ROW_TEMPLATE = "core/_notice_row.html"


def row_version(notice: Notice) -> tuple:
    return (notice.pk, notice.subject, notice.read_at is not None, notice.created_at.isoformat())


def notice_rows(notices) -> SafeString:
    return rendered_each(notices, template=ROW_TEMPLATE, name="notice", version=row_version)


# Her unread notices, counted by SQL built once per process.
_UNREAD = CompiledQuery(lambda user_id: _centre_notices_of(user_id).filter(read_at__isnull=True), user_id=int)

# Where the count read with her account is kept on it for the request.
UNREAD_COUNTED = "_centre_unread_counted"


def centre_unread_sql(user_id: int) -> tuple[str, tuple]:
    """The SQL of her unread count and its parameters, to be asked as a column of the query
    that loads her account (the text is the same for everyone)."""
    return _UNREAD.count_sql(user_id=user_id)


def centre_unread_count(user) -> int:
    """Her unread count: the one read with her account for this request, else counted now."""
    counted = getattr(user, UNREAD_COUNTED, None)
    return counted if counted is not None else _UNREAD.count(user_id=user.pk)


def _unread_changed(user) -> None:
    # The count read with her account is out of date: the menu counts again.
    if hasattr(user, UNREAD_COUNTED):
        delattr(user, UNREAD_COUNTED)


def notice_read(*, user, notice_id: int) -> Notice | None:
    """Her notice, marked read (once); None if it is not hers to see."""
    notice = centre_notices(user).filter(pk=notice_id).first()
    if notice is not None and notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
        _unread_changed(user)
    return notice


def notices_read_all(*, user) -> int:
    count = centre_notices(user).filter(read_at__isnull=True).update(read_at=timezone.now())
    _unread_changed(user)
    return count
