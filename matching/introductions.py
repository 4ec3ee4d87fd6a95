"""遇见 introductions: a "相遇" request from one participant to another, its answer, and what each
side then sees of the other.

Every rule of an introduction lives here, once, and views, admin, tasks and queries call it:

- ``meetable``: whom she may ask — an active participant of her circle (``scoring.circle_rule``:
  交友 only with 交友), not herself, not kept out of her suggestions (``suggestions.never_suggested``:
  connected, a request open either way, declined within 90 days). If the other has already asked
  her, she is told to answer that request instead.
- ``introduction_send``: at most INTRODUCTIONS_PER_DAY requests per Asia/Shanghai day, counted under
  a lock on both accounts' rows (hers for the daily count, both for "one open request per pair in
  either direction"), taken in id order so two requests between the same two people cannot
  deadlock. ``LOCK_ACCOUNTS`` switches the lock off for the race test only.
- ``is_expired``: a request not accepted within INTRODUCTION_EXPIRY_DAYS of being sent has expired;
  ``introductions_expire`` (a beat task) records it for the rows in bulk.
- Declining is silent: ``status_seen`` shows the sender "waiting for an answer" until the request
  would have expired, then "expired", as if nobody had answered. ``answered_at`` is when the
  recipient answered; a request answered and not accepted was declined (also when the sender
  withdraws it afterwards), which keeps the pair apart for DECLINED_QUIET_DAYS.
- ``contacts_shown``: once accepted, each side sees the verified contacts the other chose to share
  (the sender when sending, the recipient when accepting: the choice is the recorded consent);
  before that, and after the other has left 遇见, none — nowhere.
- ``introductions_forget``: leaving 遇见 deletes her requests that were not accepted.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from members.contacts import Contact, email_verified, verified_email, verified_phone
from members.models import User
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Listing

from .blocks import blocked_either_way
from .introduction_notices import notify_accepted, notify_received
from .models import (
    INTRODUCTION_EXPIRY_DAYS,
    INTRODUCTION_MESSAGE_MAX,
    INTRODUCTIONS_PER_DAY,
    Introduction,
    IntroductionStatus,
    MatchProfile,
    MatchStatus,
)
from .scoring import circle_rule
from .suggestions import never_suggested

logger = logging.getLogger(__name__)

S = IntroductionStatus

# The race test switches the account lock off once to prove that it catches an 11th request.
LOCK_ACCOUNTS = True

# Which of her verified contacts she lets the other see once connected (none by default).
SHARE_EMAIL, SHARE_PHONE = "email", "phone"
SHARE_CHOICES = (SHARE_EMAIL, SHARE_PHONE)

SENT, RECEIVED, CONNECTED = "sent", "received", "connected"
TABS = (SENT, RECEIVED, CONNECTED)

SEND_REASON = gettext_noop("Sent a 相遇 request, consent to contacts")
ACCEPT_REASON = gettext_noop("Accepted a 相遇 request, consent to contacts")
DECLINE_REASON = gettext_noop("Declined a 相遇 request")
WITHDRAW_REASON = gettext_noop("Withdrew a 相遇 request")
EXPIRE_REASON = gettext_noop("Not accepted within 14 days")
LEAVE_REASON = gettext_noop("Left 遇见")

# What each side sees as an introduction's state (``status_seen``), and the words for it.
WAITING, EXPIRED, CONNECTED_SEEN, DECLINED_SEEN, WITHDRAWN_SEEN, LEFT = (
    "waiting", "expired", "connected", "declined", "withdrawn", "left")
SEEN_LABELS = {
    WAITING: gettext_lazy("Waiting for an answer"),
    EXPIRED: gettext_lazy("Expired"),
    CONNECTED_SEEN: gettext_lazy("Connected"),
    DECLINED_SEEN: gettext_lazy("You declined"),
    WITHDRAWN_SEEN: gettext_lazy("Withdrawn"),
    LEFT: pgettext_lazy("introduction status", "Left 遇见"),
}


class IntroductionError(Exception):
    """An introduction rule said no; the message is translated, ``field`` names the form field."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.field = field


class IntroductionNotFound(IntroductionError):
    """Not hers to see or act on (another member's introduction, someone she may not meet):
    the page answers 404, as if it did not exist."""

    def __init__(self):
        super().__init__("not found")


# --- the rules --------------------------------------------------------------------------------

def expiry_cutoff(*, now: datetime) -> datetime:
    """Requests sent at or before this moment have expired unless accepted."""
    return now - timedelta(days=INTRODUCTION_EXPIRY_DAYS)


def is_expired(introduction: Introduction, *, now: datetime | None = None) -> bool:
    """THE expiry rule: recorded as expired, or waiting for an answer for 14 days or more."""
    now = now or timezone.now()
    return introduction.status == S.EXPIRED or (
        introduction.status == S.PENDING and introduction.created_at <= expiry_cutoff(now=now))


def expired_rows(*, now: datetime) -> Q:
    """``is_expired`` as a query: the requests still waiting although they have expired."""
    return Q(status=S.PENDING, created_at__lte=expiry_cutoff(now=now))


def was_declined(introduction: Introduction) -> bool:
    """The recipient answered and did not accept (the sender may have withdrawn it afterwards)."""
    return introduction.answered_at is not None and introduction.status in (S.DECLINED, S.WITHDRAWN)


def other_side(introduction: Introduction, *, viewer: User) -> User:
    return introduction.recipient if introduction.sender_id == viewer.pk else introduction.sender


def has_left(introduction: Introduction, *, viewer: User) -> bool:
    """The other side has left 遇见 (her match profile is gone); load with ``introductions_listed``."""
    return not hasattr(other_side(introduction, viewer=viewer), "match_profile")


def status_seen(introduction: Introduction, *, viewer: User, now: datetime | None = None) -> str:
    """What ``viewer`` (one of the two) sees as the state (a key of SEEN_LABELS). Declining is silent: the sender sees a
    declined request exactly as one nobody answered — waiting, then expired after 14 days."""
    now = now or timezone.now()
    if introduction.status == S.ACCEPTED:
        return LEFT if has_left(introduction, viewer=viewer) else CONNECTED_SEEN
    to_sender = introduction.sender_id == viewer.pk
    if introduction.status == S.WITHDRAWN and to_sender:
        return WITHDRAWN_SEEN
    if was_declined(introduction) and not to_sender:
        return DECLINED_SEEN
    if introduction.status == S.EXPIRED or introduction.created_at <= expiry_cutoff(now=now):
        return EXPIRED
    return WAITING


def may_answer(introduction: Introduction, *, viewer: User, now: datetime | None = None) -> bool:
    """The recipient may accept or decline while the request waits and has not expired."""
    return (introduction.recipient_id == viewer.pk and introduction.status == S.PENDING
            and not is_expired(introduction, now=now))


def may_withdraw(introduction: Introduction, *, viewer: User, now: datetime | None = None) -> bool:
    """The sender may withdraw her request while it seems to wait to her (declined ones included,
    so that nothing tells her it was declined)."""
    now = now or timezone.now()
    return (introduction.sender_id == viewer.pk and introduction.status in (S.PENDING, S.DECLINED)
            and introduction.created_at > expiry_cutoff(now=now))


def sent_today(*, user: User, now: datetime) -> int:
    """How many requests she sent since midnight in Asia/Shanghai (the site's time zone)."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return Introduction.objects.filter(sender=user, created_at__gte=midnight).count()


def shares_check(shares: Iterable[str]) -> set[str]:
    chosen = set(shares)
    if not chosen <= set(SHARE_CHOICES):
        raise IntroductionError(_("Choose the contacts to share from the list."), field="share")
    return chosen


def message_check(message: str) -> str:
    message = (message or "").strip()
    if not message:
        raise IntroductionError(_("Write a short message to introduce yourself."), field="message")
    if len(message) > INTRODUCTION_MESSAGE_MAX:
        raise IntroductionError(_("The message may have at most %(count)d characters.")
                                % {"count": INTRODUCTION_MESSAGE_MAX}, field="message")
    return message


def _pair(a_id: int, b_id: int) -> Q:
    return Q(sender_id=a_id, recipient_id=b_id) | Q(sender_id=b_id, recipient_id=a_id)


def _pair_check(*, her: User, other: User) -> None:
    open_rows = list(Introduction.objects.filter(_pair(her.pk, other.pk), status__in=[S.PENDING, S.ACCEPTED])
                     .exclude(expired_rows(now=timezone.now())).values_list("sender_id", "status"))
    if any(status == S.ACCEPTED for _sender, status in open_rows):
        raise IntroductionError(_("You are already connected: her contacts are in 我的相遇."))
    if any(sender == other.pk for sender, _status in open_rows):
        raise IntroductionError(_("She has already asked to meet you: answer her request in 我的相遇."))
    if open_rows:
        raise IntroductionError(_("You have already asked to meet her: wait for her answer."))


def meetable(*, her: MatchProfile, profile_id: int) -> MatchProfile:
    """The participant she asks to meet, if she may: else IntroductionError (already asked,
    connected, asked by her) or IntroductionNotFound (not in her circle, not taking part, herself,
    kept out of her suggestions)."""
    if her.status != MatchStatus.ACTIVE:
        raise IntroductionError(_("You are suspended from 遇见 and cannot send requests."))
    other = (MatchProfile.objects.filter(pk=profile_id, status=MatchStatus.ACTIVE).exclude(pk=her.pk)
             .filter(circle_rule(her)).select_related("user__profile").first())
    if other is None:
        raise IntroductionNotFound
    _pair_check(her=her.user, other=other.user)
    if MatchProfile.objects.filter(pk=other.pk).filter(never_suggested(profile=her)).exists():
        raise IntroductionNotFound
    return other


def _lock_accounts(*user_ids: int) -> None:
    if LOCK_ACCOUNTS:
        list(User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk").values_list("pk", flat=True))


def _expire_pair(*, a_id: int, b_id: int, now: datetime) -> None:
    # A request past its 14 days that the beat task has not reached yet no longer holds the pair.
    with audit_context(reason=EXPIRE_REASON):
        Introduction.objects.filter(_pair(a_id, b_id)).filter(expired_rows(now=now)).update(status=S.EXPIRED)


def introduction_send(*, sender: User, profile_id: int, message: str, shares: Iterable[str] = ()) -> Introduction:
    """Her 相遇 request to the participant with match profile ``profile_id``, with the contacts she
    consents to share once connected (only verified ones are recorded)."""
    message = message_check(message)
    shares = shares_check(shares)
    her = MatchProfile.objects.filter(user=sender).select_related("user").first()
    if her is None:
        raise IntroductionError(_("Join 遇见 to send 相遇 requests."))
    other_user_id = MatchProfile.objects.filter(pk=profile_id).values_list("user_id", flat=True).first()
    if other_user_id is None:
        raise IntroductionNotFound
    now = timezone.now()
    with transaction.atomic(), audit_context(actor=sender, reason=SEND_REASON):
        _lock_accounts(sender.pk, other_user_id)
        _expire_pair(a_id=sender.pk, b_id=other_user_id, now=now)
        her.refresh_from_db(fields=["status", "purposes"])
        other = meetable(her=her, profile_id=profile_id)
        if sent_today(user=sender, now=now) >= INTRODUCTIONS_PER_DAY:
            raise IntroductionError(_("You have sent %(count)d 相遇 requests today, the most for one day. "
                                      "You can send more tomorrow.") % {"count": INTRODUCTIONS_PER_DAY})
        introduction = Introduction.objects.create(
            sender=sender, recipient=other.user, message=message,
            sender_shares_email=SHARE_EMAIL in shares and bool(verified_email(sender)),
            sender_shares_phone=SHARE_PHONE in shares and bool(verified_phone(sender)))
        notify_received(introduction=introduction)
    logger.info("introduction %s sent", introduction.pk)
    return introduction


def _unblocked(rows: QuerySet[Introduction], *, user_id: int) -> QuerySet[Introduction]:
    # Someone she blocked, or who blocked her, is invisible to her everywhere in 遇见 (matching.blocks).
    return rows.exclude(blocked_either_way(user_id=user_id, field="sender_id")).exclude(
        blocked_either_way(user_id=user_id, field="recipient_id"))


def introduction_of(*, pk: int, user: User) -> Introduction:
    """One of her introductions (sent or received), or IntroductionNotFound."""
    found = (_unblocked(Introduction.objects.filter(Q(sender=user) | Q(recipient=user), pk=pk), user_id=user.pk)
             .exclude(status=S.CANCELLED).select_related("sender__profile", "recipient__profile").first())
    if found is None:
        raise IntroductionNotFound
    return found


def _locked_for(*, pk: int, user: User, side: str) -> Introduction:
    found = Introduction.objects.select_for_update().filter(pk=pk, **{side: user}).first()
    if found is None:
        raise IntroductionNotFound
    return found


def introduction_accept(*, pk: int, user: User, shares: Iterable[str] = ()) -> Introduction:
    """She accepts a request to her, with the contacts she consents to share; both are told."""
    shares = shares_check(shares)
    with transaction.atomic(), audit_context(actor=user, reason=ACCEPT_REASON):
        introduction = _locked_for(pk=pk, user=user, side="recipient")
        taking_part = MatchProfile.objects.filter(
            user_id__in=[introduction.sender_id, introduction.recipient_id], status=MatchStatus.ACTIVE).count() == 2
        if not may_answer(introduction, viewer=user) or not taking_part:
            raise IntroductionError(_("This request can no longer be answered."))
        introduction.status = S.ACCEPTED
        introduction.answered_at = timezone.now()
        introduction.recipient_shares_email = SHARE_EMAIL in shares and bool(verified_email(user))
        introduction.recipient_shares_phone = SHARE_PHONE in shares and bool(verified_phone(user))
        introduction.save(update_fields=["status", "answered_at", "recipient_shares_email", "recipient_shares_phone"])
        notify_accepted(introduction=introduction)
    return introduction


def introduction_decline(*, pk: int, user: User) -> Introduction:
    """She declines a request to her. Silent: the sender is not told (``status_seen``)."""
    with transaction.atomic(), audit_context(actor=user, reason=DECLINE_REASON):
        introduction = _locked_for(pk=pk, user=user, side="recipient")
        if not may_answer(introduction, viewer=user):
            raise IntroductionError(_("This request can no longer be answered."))
        introduction.status = S.DECLINED
        introduction.answered_at = timezone.now()
        introduction.save(update_fields=["status", "answered_at"])
    return introduction


def introduction_withdraw(*, pk: int, user: User) -> Introduction:
    """She withdraws her request before it is accepted; the recipient no longer sees it."""
    with transaction.atomic(), audit_context(actor=user, reason=WITHDRAW_REASON):
        introduction = _locked_for(pk=pk, user=user, side="sender")
        if not may_withdraw(introduction, viewer=user):
            raise IntroductionError(_("This request can no longer be withdrawn."))
        introduction.status = S.WITHDRAWN  # answered_at stays: a declined one stays declined
        introduction.save(update_fields=["status"])
    return introduction


def introductions_expire(*, now: datetime | None = None) -> int:
    """Record every request that has expired (``is_expired``) as expired, in one UPDATE; how many."""
    now = now or timezone.now()
    with transaction.atomic(), audit_context(reason=EXPIRE_REASON):
        return Introduction.objects.filter(expired_rows(now=now)).update(status=S.EXPIRED)


def introductions_forget(*, user: User) -> int:
    """Leaving 遇见: her requests that were not accepted, sent and received, are deleted (inside
    the leaving transaction); accepted ones stay, shown to the other as "已离开遇见"."""
    with audit_context(actor=user, reason=LEAVE_REASON):
        deleted, _by_model = (Introduction.objects.filter(Q(sender=user) | Q(recipient=user))
                              .exclude(status=S.ACCEPTED).delete())
    return deleted


# --- what her pages read ------------------------------------------------------------------------

def introductions_listed(*, user: User, tab: str) -> QuerySet[Introduction]:
    """Her introductions on one tab of 我的相遇, newest first, with both people loaded (names,
    whether each still takes part) so that a page of any length is a fixed number of queries.
    Sent: hers that were not accepted. Received: those waiting for her, those she declined and
    those that expired. Connected: accepted, either way. Nobody blocked either way."""
    return _listed(user_id=user.pk, tab=tab)


def _listed(*, user_id: int, tab: str) -> QuerySet[Introduction]:
    if tab == SENT:
        rows = Introduction.objects.filter(sender_id=user_id).exclude(status__in=[S.ACCEPTED, S.CANCELLED])
        order = ["-created_at", "-pk"]
    elif tab == RECEIVED:
        rows = Introduction.objects.filter(recipient_id=user_id).filter(
            Q(status__in=[S.PENDING, S.DECLINED, S.EXPIRED]) | Q(status=S.WITHDRAWN, answered_at__isnull=False))
        order = ["-created_at", "-pk"]
    else:
        rows = Introduction.objects.filter(Q(sender_id=user_id) | Q(recipient_id=user_id), status=S.ACCEPTED)
        order = ["-answered_at", "-pk"]
    # Whether each side's address is verified, read now with the rows: a connection's contacts
    # (contacts_shown) need no query of their own.
    return _unblocked(rows, user_id=user_id).select_related("sender__profile", "recipient__profile", "sender__match_profile",
                                     "recipient__match_profile").only(*_LISTED_COLUMNS).annotate(
        sender_email_verified=email_verified("sender"), recipient_email_verified=email_verified("recipient"),
    ).order_by(*order)


# What her list and her export read of each introduction and of both people (the name, whether
# each still takes part, the contacts a connection may show) and no more: the two accounts' and
# four profiles' other columns were most of what a page read.
_LISTED_COLUMNS = [
    *(f.attname for f in Introduction._meta.concrete_fields),
    *(f"{side}__{name}" for side in ("sender", "recipient")
      for name in ("username", "email", "phone", "phone_verified", "profile__user_id", "profile__real_name",
                   "match_profile__user_id")),
]


_PAGED = {tab: CompiledQuery(lambda user_id, tab=tab: _listed(user_id=user_id, tab=tab), user_id=int) for tab in TABS}


def introductions_paged(*, user: User, tab: str) -> Listing:
    """``introductions_listed`` for 我的相遇's pages (``counted_page``), its SQL built once per process."""
    return _PAGED[tab].listing(user_id=user.pk)


def contacts_shown(*, introductions: Sequence[Introduction], viewer: User) -> dict[int, list[Contact]]:
    """THE rule for contacts in 遇见: which of the other side's contacts ``viewer`` sees on each
    introduction (by pk). None unless it is accepted, she is one of the two and the other still
    takes part; then what the other chose to share, if still verified, read now. Nobody else sees
    any, staff included. No query: load them with ``introductions_listed``, which reads whether
    each side's address is verified with them."""
    shown: dict[int, list[Contact]] = {introduction.pk: [] for introduction in introductions}
    wanted = []  # (introduction, whose contacts, email shared, mobile shared)
    for introduction in introductions:
        if introduction.status != S.ACCEPTED or viewer.pk not in (introduction.sender_id, introduction.recipient_id):
            continue
        if has_left(introduction, viewer=viewer):
            continue
        if introduction.sender_id == viewer.pk:
            wanted.append((introduction, introduction.recipient,
                           introduction.recipient_shares_email and introduction.recipient_email_verified,
                           introduction.recipient_shares_phone))
        else:
            wanted.append((introduction, introduction.sender,
                           introduction.sender_shares_email and introduction.sender_email_verified,
                           introduction.sender_shares_phone))
    for introduction, user, email, phone in wanted:
        if email:
            shown[introduction.pk].append(Contact(_("Email"), user.email))
        if phone and (number := verified_phone(user)):
            shown[introduction.pk].append(Contact(_("Mobile"), number))
    return shown
