"""How well a candidate suits her: a pure, deterministic score with the reasons behind it.

Shared interests, fields, cities and purposes raise the score; 寻找导师 and 愿意做导师 are
complements (a mentor for a mentee, either way round). Reasons are stored as codes with their
parameters (``Reason``) and put into words when she reads them (``reasons_text``), so each reader
sees them in her own language.

The 交友 circle is kept apart by one rule, ``circle_rule``: 交友 participants are suggested only
to 交友 participants (for 交友 among other purposes), and members outside it only to members
outside it.
"""

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from members.models import City, Field

from .models import MatchProfile, MatchStatus, Purpose, in_friendship_circle

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

    @staticmethod
    def json_fields(value: dict) -> tuple[str, tuple[str, ...]]:
        """A stored reason's code and items (``as_json``'s shape), as a hashable pair."""
        return value["code"], tuple(value.get("items", ()))

    @classmethod
    def from_json(cls, value: dict) -> "Reason":
        code, items = cls.json_fields(value)
        return cls(code=code, items=items)


@dataclass(frozen=True)
class Scored:
    candidate_id: int
    score: int
    reasons: list[Reason] = field(default_factory=list)


class Candidate(NamedTuple):
    """What scoring reads of a candidate's profile, as the nightly run reads thousands of them: a
    tuple is made five times quicker than a model instance (``candidate_fields`` names its columns).
    Scoring takes either."""

    pk: int
    status: str
    purposes: list[str]
    interests: list[str]
    fields: list[str]
    cities: list[str]

    @property
    def in_friendship_circle(self) -> bool:
        return in_friendship_circle(self.purposes)


def candidate_fields() -> tuple[str, ...]:
    """The profile's columns a ``Candidate`` holds, in its order."""
    return ("id", *Candidate._fields[1:])


def circle_rule(profile: MatchProfile) -> Q:
    """THE 交友 rule, as the candidates she may be suggested: those in the same circle as she is
    (both in 交友, or both outside it). ``in_same_circle`` is the same rule for two profiles."""
    friendship = Q(purposes__contains=[Purpose.FRIENDSHIP])
    return friendship if profile.in_friendship_circle else ~friendship


def in_same_circle(her: MatchProfile, candidate: MatchProfile | Candidate) -> bool:
    return her.in_friendship_circle == candidate.in_friendship_circle


def _shared(mine: list[str], theirs: list[str]) -> tuple[str, ...]:
    # In her own order, so the words follow what she chose first. Both lists hold a few values:
    # testing membership in the list is quicker than making a set of it (and ``filter`` quicker
    # than a comprehension, run 60,000 times a chunk by the nightly refresh).
    return tuple(filter(theirs.__contains__, mine))


MENTORING = (Purpose.SEEK_MENTOR, Purpose.OFFER_MENTORING)


class _Match:
    """What she and one candidate share and what it is worth; its reasons are put together only
    for the candidates she is shown (``ranked`` scores hundreds to keep twenty)."""

    __slots__ = ("candidate_id", "points", "shared", "she_mentors", "she_seeks_mentor")

    def __init__(self, candidate_id, points, shared, she_mentors, she_seeks_mentor):
        self.candidate_id, self.points, self.shared = candidate_id, points, shared
        self.she_mentors, self.she_seeks_mentor = she_mentors, she_seeks_mentor

    def scored(self) -> Scored:
        reasons = [Reason(code, items) for code, items in self.shared if items]
        if self.she_mentors:
            reasons.append(Reason(SHE_MENTORS))
        if self.she_seeks_mentor:
            reasons.append(Reason(SHE_SEEKS_MENTOR))
        return Scored(candidate_id=self.candidate_id, score=self.points, reasons=reasons)


def _matcher(her: MatchProfile):
    """The one scoring rule, with what depends on her alone worked out once: a function giving a
    candidate's ``_Match``, or None when the candidate may not be suggested to her (herself, not
    taking part, the other circle) or they share nothing that counts."""
    purposes = [p for p in her.purposes if p not in MENTORING]
    seeks, offers = Purpose.SEEK_MENTOR in her.purposes, Purpose.OFFER_MENTORING in her.purposes
    her_pk, cities, interests, fields = her.pk, her.cities, her.interests, her.fields

    def match(candidate: MatchProfile | Candidate) -> _Match | None:
        if candidate.pk == her_pk or candidate.status != MatchStatus.ACTIVE or not in_same_circle(her, candidate):
            return None
        shared = ((CITY, _shared(cities, candidate.cities)),
                  (INTERESTS, _shared(interests, candidate.interests)),
                  (FIELDS, _shared(fields, candidate.fields)),
                  (PURPOSES, _shared(purposes, candidate.purposes)))
        points = (CITY_POINTS * len(shared[0][1]) + INTEREST_POINTS * len(shared[1][1])
                  + FIELD_POINTS * len(shared[2][1]) + PURPOSE_POINTS * len(shared[3][1]))
        she_mentors = seeks and Purpose.OFFER_MENTORING in candidate.purposes
        she_seeks_mentor = offers and Purpose.SEEK_MENTOR in candidate.purposes
        points += COMPLEMENT_POINTS * (she_mentors + she_seeks_mentor)
        return _Match(candidate.pk, points, shared, she_mentors, she_seeks_mentor) if points else None

    return match


def score(*, her: MatchProfile, candidate: MatchProfile) -> Scored | None:
    """The candidate's score for her and why, or None when the candidate may not be suggested to
    her (herself, not taking part, the other circle) or they share nothing that counts."""
    found = _matcher(her)(candidate)
    return found.scored() if found else None


def ranked(*, her: MatchProfile, candidates: list[MatchProfile | Candidate], limit: int) -> list[Scored]:
    """The best ``limit`` candidates for her: highest score first, then the earlier joined (lower
    id), so the same data always gives the same list."""
    match = _matcher(her)
    found = [m for c in candidates if (m := match(c)) is not None]
    found.sort(key=lambda m: (-m.points, m.candidate_id))
    return [m.scored() for m in found[:limit]]


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


@functools.lru_cache(maxsize=4096)
def _stored_reasons_text(language: str, reasons: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    return reasons_text([Reason(code=code, items=items) for code, items in reasons])


def stored_reasons_text(stored: list[dict], *, language: str | None = None) -> str:
    """Stored reasons (``Suggestion.reasons``) in words in ``language`` (the active one unless
    given: a page of suggestions asks it once). Members share few combinations of them, so each
    is put into words once per process and language (a page of 20 suggestions cost about 1 ms of
    CPU in translations and choice labels), under the stored values themselves."""
    return _stored_reasons_text(language or get_language(), tuple(Reason.json_fields(r) for r in stored))
