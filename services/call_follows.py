"""Members follow call kinds and fields, and hear by email when a call of one of them opens.

Her follows are the kinds and fields she ticks on one page (``follows_set`` replaces them). A beat
scan announces each published call once its opening day has come (the calls' one "open" rule):
it claims the call with a ``CallAnnouncement`` row (a second scan, or one running at the same
moment, finds the claim and writes nothing) and writes one notice per follower, keyed by call and
member, so she hears of a call once even when she follows both its kind and its field.

The email's stop link (signed, no login) removes all her follows: she hears of no more calls
until she ticks some again.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.models import Field
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery

from .call_notices import following_q, notify_opened, opt_out_user_id
from .models import Call, CallAnnouncement, CallFollow, CallKind


class CallFollowError(Exception):
    """A follow rule said no; the message is translated."""


@dataclass(frozen=True)
class Follows:
    kinds: frozenset[str]
    fields: frozenset[str]


_FOLLOWS_OF = CompiledQuery(lambda member_id: CallFollow.objects.filter(member_id=member_id).values_list("kind", "field"),
                            member_id=int)


def follows_of(*, member) -> Follows:
    rows = _FOLLOWS_OF.rows(member_id=member.pk)
    return Follows(kinds=frozenset(kind for kind, _field in rows if kind),
                   fields=frozenset(field for _kind, field in rows if field))


def follows_set(*, member, kinds: set[str], fields: set[str]) -> Follows:
    """Her follows become exactly these kinds and fields."""
    if unknown := (set(kinds) - set(CallKind.values)) | (set(fields) - set(Field.values)):
        raise CallFollowError(_("Unknown kind or field: %(values)s.") % {"values": ", ".join(sorted(unknown))})
    wanted = {(kind, "") for kind in kinds} | {("", field) for field in fields}
    with transaction.atomic(), audit_context(actor=member, reason=gettext_noop("Followed call kinds and fields")):
        have = {(f.kind, f.field): f.pk for f in CallFollow.objects.select_for_update().filter(member=member)}
        CallFollow.objects.filter(pk__in=[pk for key, pk in have.items() if key not in wanted]).delete()
        CallFollow.objects.bulk_create([CallFollow(member=member, kind=kind, field=field)
                                        for kind, field in sorted(wanted - have.keys())], ignore_conflicts=True)
    return follows_of(member=member)


def follows_stop_account(*, token: str) -> int | None:
    """The account an email's stop link names, or None for a changed or forged token."""
    return opt_out_user_id(token)


def follows_stop(*, token: str) -> int | None:
    """The email's stop link, once she presses its button: removes all her follows. Returns her
    account, or None for a forged token (nothing changes)."""
    user_id = opt_out_user_id(token)
    if user_id is None:
        return None
    with transaction.atomic(), audit_context(reason=gettext_noop("Stopped call emails from the email's link")):
        CallFollow.objects.filter(member_id=user_id).delete()
    return user_id


def _claim(call: Call, now: datetime) -> CallAnnouncement | None:
    """The call's announcement row, if this scan is the one to write it."""
    try:
        with transaction.atomic():
            return CallAnnouncement.objects.create(call=call, announced_at=now)
    except IntegrityError:
        return None  # another scan announced it (or is announcing it now)


def announce_opened(*, now: datetime | None = None) -> int:
    """Announce every call that has opened and was not announced yet to the members who follow its
    kind or field. Returns how many notices it wrote."""
    now = now or timezone.now()
    written = 0
    for call in Call.objects.open(now).filter(announcement__isnull=True).order_by("pk"):
        with transaction.atomic():
            announcement = _claim(call, now)
            if announcement is None:
                continue
            members = list(CallFollow.objects.filter(following_q(call), member__is_active=True)
                           .order_by("member_id").values_list("member_id", flat=True).distinct())
            announcement.followers = notify_opened(call_id=call.pk, member_ids=members)
            announcement.save(update_fields=["followers"])
            written += announcement.followers
    return written
