"""How well a candidate suits her: a pure, deterministic score with the reasons behind it.

Shared interests, fields, cities and purposes raise the score; 寻找导师 and 愿意做导师 are
complements (a mentor for a mentee, either way round). Reasons are stored as codes with their
parameters (``Reason``) and put into words when she reads them (``reasons_text``), so each reader
sees them in her own language.

The 交友 circle is kept apart by one rule, ``circle_rule``: 交友 participants are suggested only
to 交友 participants (for 交友 among other purposes), and members outside it only to members
outside it.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.models import City, Field

from .models import MatchProfile, MatchStatus, Purpose

# What each shared thing adds to the score.
INTEREST_POINTS = 3
FIELD_POINTS = 2
CITY_POINTS = 1
PURPOSE_POINTS = 2
COMPLEMENT_POINTS = 5

# Reason codes (stored in Suggestion.reasons) and the words for them; ``%(items)s`` is the shared
# things, listed with "、".
CITY = "city"
INTERESTS = "interests"
FIELDS = "fields"
PURPOSES = "purposes"
SHE_MENTORS = "she_mentors"
SHE_SEEKS_MENTOR = "she_seeks_mentor"
REASON_WORDS = {
    CITY: gettext_noop("Both in %(items)s"),
    INTERESTS: gettext_noop("Both interested in %(items)s"),
    FIELDS: gettext_noop("Both working in %(items)s"),
    PURPOSES: gettext_noop("Both here for %(items)s"),
    SHE_MENTORS: gettext_noop("She is willing to mentor; you are looking for a mentor"),
    SHE_SEEKS_MENTOR: gettext_noop("She is looking for a mentor; you are willing to mentor"),
}
REASON_SEPARATOR = " · "


@dataclass(frozen=True)
class Reason:
    code: str
    items: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {"code": self.code, "items": list(self.items)}

    @classmethod
    def from_json(cls, value: dict) -> "Reason":
        return cls(code=value["code"], items=tuple(value.get("items", ())))


@dataclass(frozen=True)
class Scored:
    candidate_id: int
    score: int
    reasons: list[Reason] = field(default_factory=list)


def circle_rule(profile: MatchProfile) -> Q:
    """THE 交友 rule, as the candidates she may be suggested: those in the same circle as she is
    (both in 交友, or both outside it). ``in_same_circle`` is the same rule for two profiles."""
    friendship = Q(purposes__contains=[Purpose.FRIENDSHIP])
    return friendship if profile.in_friendship_circle else ~friendship


def in_same_circle(her: MatchProfile, candidate: MatchProfile) -> bool:
    return her.in_friendship_circle == candidate.in_friendship_circle


def _shared(mine: list[str], theirs: list[str]) -> tuple[str, ...]:
    # In her own order, so the words follow what she chose first.
    others = set(theirs)
    return tuple(value for value in mine if value in others)


def score(*, her: MatchProfile, candidate: MatchProfile) -> Scored | None:
    """The candidate's score for her and why, or None when the candidate may not be suggested to
    her (herself, not taking part, the other circle) or they share nothing that counts."""
    if candidate.pk == her.pk or candidate.status != MatchStatus.ACTIVE or not in_same_circle(her, candidate):
        return None
    reasons: list[Reason] = []
    points = 0
    cities = _shared(her.cities, candidate.cities)
    interests = _shared(her.interests, candidate.interests)
    fields = _shared(her.fields, candidate.fields)
    purposes = _shared([p for p in her.purposes if p not in (Purpose.SEEK_MENTOR, Purpose.OFFER_MENTORING)],
                       candidate.purposes)
    for code, shared, each in ((CITY, cities, CITY_POINTS), (INTERESTS, interests, INTEREST_POINTS),
                               (FIELDS, fields, FIELD_POINTS), (PURPOSES, purposes, PURPOSE_POINTS)):
        if shared:
            reasons.append(Reason(code, shared))
            points += each * len(shared)
    if Purpose.SEEK_MENTOR in her.purposes and Purpose.OFFER_MENTORING in candidate.purposes:
        reasons.append(Reason(SHE_MENTORS))
        points += COMPLEMENT_POINTS
    if Purpose.OFFER_MENTORING in her.purposes and Purpose.SEEK_MENTOR in candidate.purposes:
        reasons.append(Reason(SHE_SEEKS_MENTOR))
        points += COMPLEMENT_POINTS
    if not points:
        return None
    return Scored(candidate_id=candidate.pk, score=points, reasons=reasons)


def ranked(*, her: MatchProfile, candidates: list[MatchProfile], limit: int) -> list[Scored]:
    """The best ``limit`` candidates for her: highest score first, then the earlier joined (lower
    id), so the same data always gives the same list."""
    scored = [s for c in candidates if (s := score(her=her, candidate=c)) is not None]
    scored.sort(key=lambda s: (-s.score, s.candidate_id))
    return scored[:limit]


def reason_text(reason: Reason) -> str:
    words = REASON_WORDS.get(reason.code)
    if words is None:  # a code a newer version wrote: say nothing rather than fail
        return ""
    if not reason.items:
        return _(words)
    kinds = {CITY: City, FIELDS: Field, PURPOSES: Purpose}
    labels = dict(kinds[reason.code].choices) if reason.code in kinds else {}
    return _(words) % {"items": "、".join(str(labels.get(item, item)) for item in reason.items)}


def reasons_text(reasons: list[Reason]) -> str:
    """The reasons as she reads them: "同在苏州 · 都关注人工智能 · 她愿意做导师，你在寻找导师"."""
    return REASON_SEPARATOR.join(text for r in reasons if (text := reason_text(r)))
