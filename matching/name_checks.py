"""The 遇见审核 queue of real names: single talents who joined 交友 alone wait here, seen by
nobody, until a moderator verifies their real name (they then take part) or rejects it with a
reason (they correct it and are checked again: ``matching.profiles.match_edit``).

Each decision is the profile's audited status change under the moderator's context and reason;
she is told through the outbox either way (``matching.name_check_notices``).
"""

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.models import User
from xiangcheng.core.audit import audit_context

from . import tasks
from .models import CHECK_REASON_MAX, MatchProfile, MatchStatus
from .name_check_notices import notify_name_check
from .profiles import MatchError

CHECK_PERMISSION = "matching.check_namecheck"
VERIFIED_REASON = gettext_noop("Real name verified")


def may_check(user: User) -> bool:
    """Who decides on real names: staff holding the 遇见审核 permission (superusers too)."""
    return user.is_active and user.is_staff and user.has_perm(CHECK_PERMISSION)


def waiting() -> QuerySet[MatchProfile]:
    """The queue: profiles waiting for their check, the longest waiting first."""
    return MatchProfile.objects.filter(status=MatchStatus.AWAITING_CHECK).order_by("updated_at", "pk")


def _decide(*, profile_ids: Iterable[int], moderator: User, verified: bool, reason: str) -> int:
    if not may_check(moderator):
        raise MatchError(_("Only 遇见审核 staff verify real names."))
    now = timezone.now()
    count = 0
    with transaction.atomic(), audit_context(actor=moderator, reason=reason):
        # Locked in key order so two moderators on overlapping selections wait for each other; a
        # profile the other decided first (or that she edited or left meanwhile) is skipped.
        for profile in (MatchProfile.objects.select_for_update()
                        .filter(pk__in=list(profile_ids), status=MatchStatus.AWAITING_CHECK).order_by("pk")):
            profile.status = MatchStatus.ACTIVE if verified else MatchStatus.REJECTED
            profile.check_reason = "" if verified else reason
            profile.checked_at = now
            profile.save(update_fields=["status", "check_reason", "checked_at", "updated_at"])
            notify_name_check(profile=profile)
            if verified:  # her suggestions, and she in others' after their next refresh
                transaction.on_commit(partial(tasks.refresh_suggestions.delay, profile.pk))
            count += 1
    return count


def names_verify(*, profile_ids: Iterable[int], moderator: User) -> int:
    """Verify the real names of these waiting profiles: they take part from now. How many changed."""
    return _decide(profile_ids=profile_ids, moderator=moderator, verified=True, reason=VERIFIED_REASON)


def names_reject(*, profile_ids: Iterable[int], moderator: User, reason: str) -> int:
    """Refuse these waiting profiles' real names with a reason she reads; she may correct and resubmit."""
    reason = (reason or "").strip()
    if not reason:
        raise MatchError(_("Give her a reason."), field="reason")
    if len(reason) > CHECK_REASON_MAX:
        raise MatchError(_("The reason may have at most %(count)d characters.") % {"count": CHECK_REASON_MAX},
                         field="reason")
    return _decide(profile_ids=profile_ids, moderator=moderator, verified=False, reason=reason)
