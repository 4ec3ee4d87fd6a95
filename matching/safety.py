"""遇见's safety: blocks, reports and the 遇见审核 moderators' decisions. Every rule is here.

Block: she blocks someone she sees in 遇见; from then on both are invisible to each other
everywhere in 遇见. ``matching.blocks.blocked_either_way`` is the one filter for that
(suggestions use it through ``never_suggested``; any list of people in 遇见 excludes it),
``blocked_between`` the same rule for two accounts. Blocking deletes the stored suggestions between the two and cancels the
requests still waiting for an answer between them, either way. Lifting a block makes them
eligible again at the next refresh of their suggestions (queued at once).

Report: she reports someone she sees in 遇见 (or someone she blocked) with a reason from a short
list and, optionally, a few words. One open report of the same person by the same member.
The moderators warn (the reported member is told), suspend from 遇见 (``member_suspend``) or
dismiss; each decision is recorded with who and why in the audit trail, and the reporter is
told that her report was handled, never the outcome.

Blocks and reports hang on the two accounts, not on the match profiles: they stay when either
side leaves 遇见, so a block holds again if she comes back, and a report stays for the moderators.
"""

import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.models import User
from members.profiles import person_name
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Listing

from . import safety_notices, tasks
from .blocks import blocked_either_way
from .models import (
    MODERATION_NOTE_MAX,
    REPORT_DETAILS_MAX,
    Block,
    Introduction,
    IntroductionStatus,
    MatchProfile,
    MatchStatus,
    Report,
    ReportReason,
    ReportStatus,
    Suggestion,
)
from .profiles import MatchError
from .scoring import circle_rule

logger = logging.getLogger(__name__)

BLOCK_REASON = gettext_noop("Blocked in 遇见")
UNBLOCK_REASON = gettext_noop("Block lifted in 遇见")
REPORT_REASON = gettext_noop("Reported in 遇见")
# What a moderator may decide on an open report.
OUTCOMES = (ReportStatus.WARNED, ReportStatus.SUSPENDED, ReportStatus.DISMISSED)


# --- who is hidden from whom ----------------------------------------------------------------------

def _between(first: str, second: str, a_id: int, b_id: int) -> Q:
    return Q(**{first: a_id, second: b_id}) | Q(**{first: b_id, second: a_id})


def person_in_reach(*, viewer: MatchProfile, profile_id: int) -> MatchProfile | None:
    """The participant she may see in 遇见 under this id: taking part, in her circle, not herself,
    no block either way. None otherwise (a forged id, someone out of her circle …)."""
    return (MatchProfile.objects.filter(pk=profile_id, status=MatchStatus.ACTIVE).filter(circle_rule(viewer))
            .exclude(pk=viewer.pk).exclude(blocked_either_way(user_id=viewer.user_id, field="user_id"))
            .select_related("user__profile").first())


def reportable(*, viewer: MatchProfile, profile_id: int) -> MatchProfile | None:
    """Whom she may report under this id: someone in reach, or someone she blocked herself (who
    still takes part in her circle). Not someone who blocked her: she does not see them."""
    blocked_her = Block.objects.filter(blocked_id=viewer.user_id).values("blocker_id")
    return (MatchProfile.objects.filter(pk=profile_id, status=MatchStatus.ACTIVE).filter(circle_rule(viewer))
            .exclude(pk=viewer.pk).exclude(user_id__in=blocked_her)
            .select_related("user__profile").first())


def _lock_accounts(*user_ids: int) -> None:
    # The two accounts' rows, in id order: a block and a request between the same two, or two
    # blocks either way, queue behind each other instead of deadlocking.
    list(User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk").values_list("pk", flat=True))


# --- blocks --------------------------------------------------------------------------------------------

def block_person(*, blocker: User, profile_id: int) -> Block:
    """She blocks the participant with this match profile. Idempotent: blocking again returns the
    block she has. Raises MatchError when that person is not someone she sees in 遇见."""
    viewer = MatchProfile.objects.filter(user=blocker).first()
    if viewer is None:
        raise MatchError(_("You do not take part in 遇见."))
    with transaction.atomic(), audit_context(actor=blocker, reason=BLOCK_REASON):
        target = MatchProfile.objects.filter(pk=profile_id).values_list("user_id", flat=True).first()
        if target is None:
            raise MatchError(_("This person is not in 遇见."))
        _lock_accounts(blocker.pk, target)
        if existing := Block.objects.filter(blocker=blocker, blocked_id=target).first():
            return existing
        if person_in_reach(viewer=viewer, profile_id=profile_id) is None:
            raise MatchError(_("This person is not in 遇见."))
        block = Block.objects.create(blocker=blocker, blocked_id=target)
        Suggestion.objects.filter(_between("profile__user_id", "candidate__user_id", blocker.pk, target)).delete()
        cancelled = (Introduction.objects.filter(status=IntroductionStatus.PENDING)
                     .filter(_between("sender_id", "recipient_id", blocker.pk, target))
                     .update(status=IntroductionStatus.CANCELLED))
    logger.info("block %s: %s pending request(s) cancelled", block.pk, cancelled)
    return block


_BLOCKS_OF = CompiledQuery(lambda user_id: Block.objects.filter(blocker_id=user_id).select_related(
    "blocked__profile", "blocked__match_profile").only(
    "created_at", "blocker_id", "blocked__username", "blocked__profile__user_id", "blocked__profile__real_name",
    "blocked__match_profile__user_id", "blocked__match_profile__status").order_by("-created_at", "-pk"), user_id=int)


def blocks_of(*, user: User) -> Listing:
    """Whom she blocked, newest first, with what her list shows of each (name, whether still in
    遇见), for ``counted_page`` (its SQL built once per process)."""
    return _BLOCKS_OF.listing(user_id=user.pk)


def block_of(*, blocker: User, block_id: int) -> Block | None:
    """One of her blocks, with the blocked person's profile (None for anyone else's)."""
    return Block.objects.select_related("blocked__profile").filter(pk=block_id, blocker=blocker).first()


def block_lift(*, blocker: User, block_id: int) -> bool:
    """She lifts one of her blocks; both may be suggested to each other again from their next
    refresh, queued at once. False when it was already lifted (a second click)."""
    with transaction.atomic(), audit_context(actor=blocker, reason=UNBLOCK_REASON):
        block = Block.objects.select_for_update().filter(pk=block_id, blocker=blocker).first()
        if block is None:
            return False
        other = block.blocked_id
        block.delete()
        for profile_id in MatchProfile.objects.filter(user_id__in=[blocker.pk, other],
                                                      status=MatchStatus.ACTIVE).values_list("pk", flat=True):
            transaction.on_commit(partial(tasks.refresh_suggestions.delay, profile_id))
    return True


# --- reports -----------------------------------------------------------------------------------------

def report_file(*, reporter: User, profile_id: int, reason: str, details: str = "") -> Report:
    """She reports a participant to the 遇见 moderators. Raises MatchError (naming the field)
    for an unknown reason, details that are too long, or a second report of the same person
    while the first is open."""
    viewer = MatchProfile.objects.filter(user=reporter).first()
    if viewer is None:
        raise MatchError(_("You do not take part in 遇见."))
    if reason not in ReportReason.values:
        raise MatchError(_("Choose a reason from the list."), field="reason")
    details = (details or "").strip()
    if len(details) > REPORT_DETAILS_MAX:
        raise MatchError(_("The details may have at most %(count)d characters.") % {"count": REPORT_DETAILS_MAX},
                         field="details")
    target = reportable(viewer=viewer, profile_id=profile_id)
    if target is None:
        raise MatchError(_("This person is not in 遇见."))
    already = _("You have already reported this person; the 遇见 moderators are looking into it.")
    with transaction.atomic(), audit_context(actor=reporter, reason=REPORT_REASON):
        _lock_accounts(reporter.pk)
        if Report.objects.filter(reporter=reporter, reported_id=target.user_id, status=ReportStatus.OPEN).exists():
            raise MatchError(already)
        try:
            with transaction.atomic():
                return Report.objects.create(reporter=reporter, reported_id=target.user_id, reason=reason,
                                             details=details)
        except IntegrityError as exc:  # the constraint, should another path ever skip the lock
            raise MatchError(already) from exc


def open_report_of(*, reporter: User, reported: User | int) -> Report | None:
    """Her open report of this person, if any (her report page says so instead of the form)."""
    return Report.objects.filter(reporter=reporter, reported_id=getattr(reported, "pk", reported),
                                 status=ReportStatus.OPEN).first()


# --- the moderators' decisions --------------------------------------------------------------------

def member_suspend(*, user: User, report: Report) -> bool:
    """Suspend her from 遇见 (inside the moderator's audit context): nobody is suggested her any
    more, her stored suggestions (to her and of her) are deleted, her requests still waiting
    for an answer are cancelled so they vanish for their recipients, and she is told. False
    when she was already suspended. Raises MatchError when she has left 遇见."""
    _lock_accounts(user.pk)
    profile = MatchProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise MatchError(_("%(name)s has left 遇见: there is nothing to suspend. Warn or dismiss instead.")
                         % {"name": person_name(user)})
    if profile.status == MatchStatus.SUSPENDED:
        return False
    profile.status = MatchStatus.SUSPENDED
    profile.save(update_fields=["status", "updated_at"])
    Suggestion.objects.filter(Q(profile=profile) | Q(candidate=profile)).delete()
    Introduction.objects.filter(sender=user, status=IntroductionStatus.PENDING).update(
        status=IntroductionStatus.CANCELLED)
    safety_notices.notify_suspended(user=user, report=report)
    return True


def reports_decide(*, report_ids, moderator: User, outcome: str, note: str) -> int:
    """A moderator decides the open reports among these: warn, suspend or dismiss, with her
    reason (recorded with her name in the audit trail). Each reporter is told her report was
    handled. All or nothing: returns the number decided; raises MatchError for an unknown
    outcome, a missing or over-long reason, no open report chosen, or a suspension that cannot be."""
    if outcome not in OUTCOMES:
        raise MatchError(_("Choose warn, suspend or dismiss."))
    note = (note or "").strip()
    if not note:
        raise MatchError(_("Give a reason for the decision."), field="note")
    if len(note) > MODERATION_NOTE_MAX:
        raise MatchError(_("The reason may have at most %(count)d characters.") % {"count": MODERATION_NOTE_MAX},
                         field="note")
    now = timezone.now()
    with transaction.atomic(), audit_context(actor=moderator, reason=note):
        reports = list(Report.objects.select_for_update(of=("self",))
                       .filter(pk__in=list(report_ids), status=ReportStatus.OPEN)
                       .select_related("reporter", "reported").order_by("pk"))
        if not reports:
            raise MatchError(_("None of the chosen reports is open any more."))
        told: set[int] = set()
        for report in reports:
            # One warning or suspension notice per member, however many of her reports are decided.
            if outcome == ReportStatus.SUSPENDED:
                if member_suspend(user=report.reported, report=report):
                    told.add(report.reported_id)
            elif outcome == ReportStatus.WARNED and report.reported_id not in told:
                safety_notices.notify_warned(report=report)
                told.add(report.reported_id)
            report.status, report.handled_by, report.handled_at = outcome, moderator, now
            report.save(update_fields=["status", "handled_by", "handled_at"])
            safety_notices.notify_report_handled(report=report)
    return len(reports)
