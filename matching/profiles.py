"""Joining 遇见, editing her match profile and leaving.

Approved members join for any purpose. Single talents who are not members join 交友 alone
(``joins_alone``): with a verified mainland mobile number and their real name, for 交友 only, and
their profile waits for a 遇见审核 check of that name (``MatchStatus.AWAITING_CHECK``,
``matching.name_checks``) before anyone sees it. Joining records the separate 遇见 consent with its own
version and time (``members.consents``, kind ``matching``); the 交友 purpose needs a second
consent, which includes her confirmation that she is single (kind ``matching_friends``), and is
refused without it. Leaving withdraws both consents and deletes her match profile at once, in
one transaction, recorded in the audit trail as done by her.
"""

from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.consents import consent_grant, consent_withdraw, has_consent
from members.models import City, Consent, Field, User
from members.profiles import is_approved_member, profile_for
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Read

from . import tasks
from .introductions import introductions_forget
from .models import (
    AGE_MAX,
    AGE_MIN,
    HOMETOWN_MAX,
    INTEREST_CHARS,
    INTERESTS_MAX,
    INTRODUCTION_MAX,
    REAL_NAME_MAX,
    MatchProfile,
    MatchStatus,
    Purpose,
    Visibility,
)

# The versions of the consent texts (matching/templates/matching/_consent*.html). A new text
# gets a new version; consents already given keep theirs.
MATCH_CONSENT_VERSION = "2026-12"
FRIENDSHIP_CONSENT_VERSION = "2026-12"

LEAVE_REASON = gettext_noop("Left 遇见")

FRIENDSHIP_REFUSED = gettext_noop(
    "交友 needs its own consent and your confirmation that you are single. Tick both, or leave 交友 out."
)


class MatchError(Exception):
    """A 遇见 rule refused the change; ``field`` names the form field it concerns, if any."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.field = field


@dataclass
class MatchDetails:
    """What she tells 遇见 about herself (the form's cleaned values)."""

    purposes: list[str]
    cities: list[str]
    interests: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    introduction: str = ""
    show_photo: bool = False
    age_min: int | None = None
    age_max: int | None = None
    age_visibility: str = Visibility.CONNECTED
    hometown: str = ""
    hometown_visibility: str = Visibility.CONNECTED

    @property
    def friendship(self) -> bool:
        return Purpose.FRIENDSHIP in self.purposes


DETAIL_FIELDS = [name for name in MatchDetails.__dataclass_fields__]


# Every 遇见 page reads her profile first: its SQL built once per process.
_OF_USER = CompiledQuery(lambda user_id: MatchProfile.objects.filter(user_id=user_id), user_id=int)


def match_profile_of(user: User) -> MatchProfile | None:
    """Her match profile, or None when she does not take part."""
    if not user.is_authenticated:
        return None
    return _OF_USER.first(user_id=user.pk)


def match_profile_read(user: User) -> Read:
    """``match_profile_of`` a signed-in user, to be read with a page's other queries (``together``)."""
    return _OF_USER.first_read(user_id=user.pk)


def may_join(user: User) -> bool:
    """Who may join 遇见: approved members of the alliance, and single talents who are not members
    once their mobile number is verified (for 交友 alone)."""
    return user.is_authenticated and (is_approved_member(user) or (joins_alone(user) and mobile_verified(user)))


# --- Joining 交友 alone (single talents who are not members) --------------------------------------

MEMBERS_ONLY = gettext_noop("Only approved members of the alliance can join 遇见.")
MOBILE_FIRST = gettext_noop(
    "To join 交友 without being a member, first verify a mainland mobile number on your account."
)
FRIENDSHIP_ONLY = gettext_noop(
    "Without membership of the alliance you take part in 交友 only: networking and mentoring are for members."
)
REAL_NAME_MISSING = gettext_noop("Enter your real name as on your ID card.")


def joins_alone(user: User) -> bool:
    """She comes to 遇见 alone: signed in and not on the membership path (no member profile at
    all). Applicants waiting for approval join as members once approved."""
    return user.is_authenticated and profile_for(user) is None


def mobile_verified(user: User) -> bool:
    return bool(user.phone and user.phone_verified)


def needs_name_check(user: User) -> bool:
    """The one rule of who waits for the 遇见审核 real-name check: everyone but approved members
    (their identity was verified when they were approved)."""
    return not is_approved_member(user)


def real_name_check(real_name: str) -> str:
    """Her real name as stored (trimmed); raises MatchError naming the field."""
    name = (real_name or "").strip()
    if not name:
        raise MatchError(_(REAL_NAME_MISSING), field="real_name")
    if len(name) > REAL_NAME_MAX:
        raise MatchError(_("The real name may have at most %(count)d characters.") % {"count": REAL_NAME_MAX},
                         field="real_name")
    return name


def _alone_check(*, user: User, details: MatchDetails, real_name: str) -> str:
    """What joining (or editing) without membership needs; her checked real name."""
    if set(details.purposes) != {Purpose.FRIENDSHIP}:
        raise MatchError(_(FRIENDSHIP_ONLY), field="purposes")
    return real_name_check(real_name)


def _status_after(*, user: User, profile: MatchProfile, real_name: str) -> str:
    """Her status after joining or editing: approved members take part at once; anyone else waits
    for the check — again after a rejection or a new name. A suspension stands."""
    if profile.status == MatchStatus.SUSPENDED:
        return profile.status
    if not needs_name_check(user):
        return MatchStatus.ACTIVE
    if profile.status == MatchStatus.ACTIVE and profile.real_name == real_name:
        return MatchStatus.ACTIVE
    return MatchStatus.AWAITING_CHECK


def _unknown(values: list[str], choices) -> bool:
    return not set(values) <= set(choices.values)


def details_check(details: MatchDetails) -> MatchDetails:
    """The one check of what she entered; returns the details as they are stored (the 交友
    details dropped when she does not take part in 交友). Raises MatchError naming the field."""
    if not details.purposes:
        raise MatchError(_("Choose at least one purpose."), field="purposes")
    if _unknown(details.purposes, Purpose):
        raise MatchError(_("Choose purposes from the list."), field="purposes")
    if not details.cities:
        raise MatchError(_("Choose at least one city where you can meet."), field="cities")
    if _unknown(details.cities, City):
        raise MatchError(_("Choose cities from the list."), field="cities")
    if _unknown(details.fields, Field):
        raise MatchError(_("Choose fields from the list."), field="fields")
    if len(details.interests) > INTERESTS_MAX:
        raise MatchError(_("At most %(count)d interests.") % {"count": INTERESTS_MAX}, field="interests")
    if any(len(tag) > INTEREST_CHARS for tag in details.interests):
        raise MatchError(_("Each interest may have at most %(count)d characters.") % {"count": INTEREST_CHARS},
                         field="interests")
    if len(details.introduction) > INTRODUCTION_MAX:
        raise MatchError(_("The introduction may have at most %(count)d characters.") % {"count": INTRODUCTION_MAX},
                         field="introduction")
    if _unknown([details.age_visibility, details.hometown_visibility], Visibility):
        raise MatchError(_("Choose who may see it from the list."), field="age_visibility")
    if not details.friendship:
        return MatchDetails(**{**details.__dict__, "age_min": None, "age_max": None, "hometown": "",
                               "age_visibility": Visibility.CONNECTED,
                               "hometown_visibility": Visibility.CONNECTED})
    if (details.age_min is None) != (details.age_max is None):
        raise MatchError(_("Give both ends of the age range, or neither."), field="age_min")
    if details.age_min is not None and not AGE_MIN <= details.age_min <= details.age_max <= AGE_MAX:
        raise MatchError(_("The age range must lie between %(low)d and %(high)d, the lower end first.")
                         % {"low": AGE_MIN, "high": AGE_MAX}, field="age_min")
    if len(details.hometown) > HOMETOWN_MAX:
        raise MatchError(_("The hometown may have at most %(count)d characters.") % {"count": HOMETOWN_MAX},
                         field="hometown")
    return details


def _friendship_allowed(*, user: User, friendship_consent: bool, single: bool) -> bool:
    return (friendship_consent and single) or has_consent(user=user, kind=Consent.Kind.MATCHING_FRIENDSHIP)


def _locked_account(user: User) -> None:
    # Her account's row serialises a double click and two tabs: the second sees the first's profile.
    User.objects.select_for_update().filter(pk=user.pk).first()


def _apply(profile: MatchProfile, details: MatchDetails) -> None:
    for name in DETAIL_FIELDS:
        setattr(profile, name, getattr(details, name))


def _friendship_consent_follow(*, user: User, details: MatchDetails, had_friendship: bool) -> None:
    if details.friendship and not has_consent(user=user, kind=Consent.Kind.MATCHING_FRIENDSHIP):
        consent_grant(user=user, kind=Consent.Kind.MATCHING_FRIENDSHIP, version=FRIENDSHIP_CONSENT_VERSION)
    elif had_friendship and not details.friendship:
        consent_withdraw(user=user, kind=Consent.Kind.MATCHING_FRIENDSHIP)


def _suggestions_follow(profile: MatchProfile) -> None:
    # Her suggestions are recomputed once what she changed is committed.
    transaction.on_commit(partial(tasks.refresh_suggestions.delay, profile.pk))


def match_join(*, user: User, details: MatchDetails, consent: bool, friendship_consent: bool = False,
               single: bool = False, real_name: str = "") -> MatchProfile:
    """She joins 遇见 with her consent (and, for 交友, its own consent and being single). Without
    membership: 交友 only, a verified mobile and her real name; her profile then waits for the check."""
    if not user.is_authenticated or not (is_approved_member(user) or joins_alone(user)):
        raise MatchError(_(MEMBERS_ONLY))
    if not may_join(user):
        raise MatchError(_(MOBILE_FIRST))
    if not consent:
        raise MatchError(_("To join 遇见, tick the box to show you agree."), field="consent")
    details = details_check(details)
    real_name = _alone_check(user=user, details=details, real_name=real_name) if needs_name_check(user) else ""
    with transaction.atomic(), audit_context(actor=user):
        _locked_account(user)
        if MatchProfile.objects.filter(user=user).exists():
            raise MatchError(_("You already take part in 遇见."))
        if details.friendship and not _friendship_allowed(user=user, friendship_consent=friendship_consent,
                                                          single=single):
            raise MatchError(_(FRIENDSHIP_REFUSED), field="friendship_consent")
        profile = MatchProfile(user=user)
        _apply(profile, details)
        profile.status = _status_after(user=user, profile=profile, real_name=real_name)
        profile.real_name = real_name
        profile.save()
        consent_grant(user=user, kind=Consent.Kind.MATCHING, version=MATCH_CONSENT_VERSION)
        _friendship_consent_follow(user=user, details=details, had_friendship=False)
        _suggestions_follow(profile)
    return profile


def match_edit(*, user: User, details: MatchDetails, friendship_consent: bool = False,
               single: bool = False, real_name: str = "") -> MatchProfile:
    """She changes her match profile; adding 交友 asks its consent, dropping it withdraws it.
    Without membership she stays in 交友 only, and a rejected or changed real name is checked again."""
    details = details_check(details)
    real_name = _alone_check(user=user, details=details, real_name=real_name) if needs_name_check(user) else ""
    with transaction.atomic(), audit_context(actor=user):
        profile = MatchProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            raise MatchError(_("You do not take part in 遇见."))
        had_friendship = profile.in_friendship_circle
        if details.friendship and not _friendship_allowed(user=user, friendship_consent=friendship_consent,
                                                          single=single):
            raise MatchError(_(FRIENDSHIP_REFUSED), field="friendship_consent")
        _apply(profile, details)
        profile.status = _status_after(user=user, profile=profile, real_name=real_name)
        profile.real_name = real_name
        if profile.status == MatchStatus.AWAITING_CHECK:
            profile.check_reason = ""
        profile.save()
        _friendship_consent_follow(user=user, details=details, had_friendship=had_friendship)
        _suggestions_follow(profile)
    return profile


def match_leave(*, user: User) -> bool:
    """She leaves 遇见: her consents are withdrawn and her match profile deleted at once (what
    hangs on it goes with it), and her requests that were not accepted with it. False when she
    had already left (a second click, another tab)."""
    with transaction.atomic(), audit_context(actor=user, reason=LEAVE_REASON):
        deleted, _by_model = MatchProfile.objects.filter(user=user).delete()
        introductions_forget(user=user)
        consent_withdraw(user=user, kind=Consent.Kind.MATCHING)
        consent_withdraw(user=user, kind=Consent.Kind.MATCHING_FRIENDSHIP)
    return bool(deleted)
