"""遇见's consents for 我的授权 (members.consent_kinds): taking part in 遇见, the 交友 circle, and
the contacts she shares with each connection. Withdrawing stops it at once: she leaves 遇见
(``profiles.match_leave``), she leaves the 交友 circle (``match_friendship_leave``), or that
connection no longer sees her contacts (``introductions.contacts_shown`` reads the flags)."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from members.consent_kinds import ConsentItem, ConsentNotFound, consent_source
from members.consents import consent_in_force
from members.models import Consent, User
from members.profiles import person_name
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Read

from .models import Introduction, IntroductionStatus, MatchProfile, Purpose
from .profiles import DETAIL_FIELDS, MatchDetails, joins_alone, match_edit, match_leave

FRIENDSHIP_LEAVE_REASON = gettext_noop("Left the 交友 circle")
PREFIX = "connection-"


def _consent_rows(user: User, kind: str, key: str, title: str) -> list[ConsentItem]:
    consent = consent_in_force(user=user, kind=kind)
    if consent is None:
        return []
    return [ConsentItem(key=key, title=title, version=consent.version, given_at=consent.granted_at)]


def matching_rows(user: User) -> list[ConsentItem]:
    return _consent_rows(user, Consent.Kind.MATCHING, "taking-part", _("Taking part in 遇见"))


def friendship_rows(user: User) -> list[ConsentItem]:
    return _consent_rows(user, Consent.Kind.MATCHING_FRIENDSHIP, "circle",
                         _("The 交友 circle (and being single)"))


def matching_withdraw(user: User, item: ConsentItem) -> None:
    match_leave(user=user)


def match_friendship_leave(*, user: User) -> bool:
    """She leaves the 交友 circle and keeps her other purposes in 遇见; with none left (交友 was
    all she joined for, or she takes part alone, without membership) she leaves 遇见 altogether."""
    with transaction.atomic(), audit_context(actor=user, reason=FRIENDSHIP_LEAVE_REASON):
        profile = MatchProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            return match_leave(user=user)
        others = [purpose for purpose in profile.purposes if purpose != Purpose.FRIENDSHIP]
        if not others or joins_alone(user):
            return match_leave(user=user)
        details = MatchDetails(**{name: getattr(profile, name) for name in DETAIL_FIELDS})
        details.purposes = others
        match_edit(user=user, details=details)
    return True


def friendship_withdraw(user: User, item: ConsentItem) -> None:
    match_friendship_leave(user=user)


def _sharing(user_id: int):
    return Introduction.objects.filter(
        Q(sender_id=user_id) & (Q(sender_shares_email=True) | Q(sender_shares_phone=True))
        | Q(recipient_id=user_id) & (Q(recipient_shares_email=True) | Q(recipient_shares_phone=True)),
        status=IntroductionStatus.ACCEPTED)


# Only what a row shows: the flags, the times and the other side's name (person_name).
_SHARING_LISTED = CompiledQuery(lambda user_id: _sharing(user_id).select_related("sender__profile", "recipient__profile")
                                .only("sender_id", "recipient_id", "sender_shares_email", "sender_shares_phone",
                                      "recipient_shares_email", "recipient_shares_phone", "created_at", "answered_at",
                                      *(f"{side}__{name}" for side in ("sender", "recipient")
                                        for name in ("username", "profile__real_name")))
                                .order_by("-answered_at", "-pk"), user_id=int)


def connection_read(user: User) -> Read:
    """One item per connection she shares a contact with (one query)."""
    return _SHARING_LISTED.read(user_id=user.pk).then(lambda introductions: _connection_items(user, introductions))


def _connection_items(user: User, introductions: list[Introduction]) -> list[ConsentItem]:
    items = []
    for introduction in introductions:
        mine_sent = introduction.sender_id == user.pk
        email = introduction.sender_shares_email if mine_sent else introduction.recipient_shares_email
        phone = introduction.sender_shares_phone if mine_sent else introduction.recipient_shares_phone
        other = introduction.recipient if mine_sent else introduction.sender
        shared = [str(label) for flag, label in ((email, _("Email")), (phone, _("Mobile"))) if flag]
        items.append(ConsentItem(
            key=f"{PREFIX}{introduction.pk}", title=person_name(other), version="",
            given_at=introduction.created_at if mine_sent else (introduction.answered_at or introduction.created_at),
            detail=_("%(contacts)s, shown to this 遇见 connection") % {"contacts": "、".join(shared)}))
    return items


def connection_withdraw(user: User, item: ConsentItem) -> None:
    with transaction.atomic():
        introduction = (_sharing(user.pk).select_for_update().filter(pk=int(item.key.removeprefix(PREFIX))).first())
        if introduction is None:
            raise ConsentNotFound
        if introduction.sender_id == user.pk:
            introduction.sender_shares_email = introduction.sender_shares_phone = False
            fields = ["sender_shares_email", "sender_shares_phone"]
        else:
            introduction.recipient_shares_email = introduction.recipient_shares_phone = False
            fields = ["recipient_shares_email", "recipient_shares_phone"]
        introduction.save(update_fields=fields)


def register() -> None:
    consent_source(key="meet", label=gettext_lazy("遇见"), rows=matching_rows, withdraw=matching_withdraw, order=30,
                   effect=gettext_lazy("You leave 遇见 at once: your match profile is deleted, nobody is suggested "
                                       "to you or you to them, and your requests that were not accepted are "
                                       "deleted. You can join again later."))
    consent_source(key="friendship", label=gettext_lazy("交友"), rows=friendship_rows, withdraw=friendship_withdraw,
                   order=31,
                   effect=gettext_lazy("You leave the 交友 circle at once and stay in 遇见 for your other purposes; "
                                       "if 交友 was your only purpose, you leave 遇见."))
    consent_source(key="connections", label=gettext_lazy("Contacts shared with 遇见 connections"),
                   read=connection_read, withdraw=connection_withdraw, order=32,
                   effect=gettext_lazy("This connection no longer sees your email address or mobile number, from "
                                       "now on. You stay connected."))
