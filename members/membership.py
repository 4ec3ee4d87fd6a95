"""Membership rules: a member applies, a reviewer approves or rejects with a reason.

Every decision is recorded in the audit trail (who, when, why: the profile's status change under
the reviewer's context) and the member is told through the outbox after the transaction commits.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiangcheng.core.audit import audit_context

from .models import MemberProfile, Status, User
from .notices import notify_decision


class MembershipError(Exception):
    """A membership rule was broken; the message is shown to the user."""


def profile_apply(*, profile: MemberProfile) -> MemberProfile:
    """Send (or re-send, after editing) the application for review."""
    if profile.status == Status.APPROVED:
        raise MembershipError(_("You are already an approved member."))
    profile.status = Status.PENDING
    profile.submitted_at = timezone.now()
    profile.save(update_fields=["status", "submitted_at", "updated_at"])
    return profile


def _decide(*, profile_ids: Iterable[int], reviewer: User, new_status: str, reason: str) -> int:
    now = timezone.now()
    count = 0
    # The audit trail records each decision with its reviewer and reason, whoever calls this.
    with transaction.atomic(), audit_context(actor=reviewer, reason=reason):
        # Locked in primary-key order, so two reviewers acting on overlapping selections wait
        # for each other instead of deadlocking; a profile the other decided first is skipped.
        profiles = MemberProfile.objects.select_for_update().filter(
            pk__in=list(profile_ids), status=Status.PENDING
        ).order_by("pk")
        for profile in profiles:
            profile.status = new_status
            profile.reviewed_at = now
            profile.reviewed_by = reviewer
            profile.rejection_reason = reason if new_status == Status.REJECTED else ""
            profile.save(update_fields=[
                "status", "reviewed_at", "reviewed_by", "rejection_reason", "updated_at",
            ])
            # Written in this transaction, sent after commit; with the broker down the decision
            # stands and the outbox's retry job sends the notice.
            notify_decision(profile=profile)
            count += 1
    return count


def profiles_approve(*, profile_ids: Iterable[int], reviewer: User) -> int:
    """Approve pending applications; others are left alone. Returns how many changed."""
    return _decide(
        profile_ids=profile_ids, reviewer=reviewer,
        new_status=Status.APPROVED, reason="",
    )


def profiles_reject(*, profile_ids: Iterable[int], reviewer: User, reason: str) -> int:
    """Reject pending applications with a reason the member will read."""
    reason = reason.strip()
    if not reason:
        raise MembershipError(_("Give the member a reason."))
    return _decide(
        profile_ids=profile_ids, reviewer=reviewer,
        new_status=Status.REJECTED, reason=reason,
    )
