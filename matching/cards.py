"""What a member sees of someone suggested to her: the one place that decides which of the
candidate's details show. Her name; her photo only if she chose to show it in 遇见; job title and
field only if she lets members see them (her directory choices); what she wrote for 遇见; the 交友
details only inside the 交友 circle and only those she shows to the whole circle. Never a phone,
an email or an organisation's contact — those wait for an accepted introduction."""

import functools
from dataclasses import dataclass

from django.utils.safestring import SafeString
from django.utils.translation import get_language

from members.models import City, Field, MemberProfile, VisibleField
from xiangcheng.core.fragments import rendered_each

from .models import MatchProfile, MatchStatus, Purpose, Visibility
from .suggestions import SHOWN_MEMBER, SHOWN_PROFILE, Shown, suggestions_for


@dataclass(frozen=True)
class Card:
    candidate_id: int
    name: str
    score: int
    reasons: str
    photo_url: str = ""
    job_title: str = ""
    field: str = ""
    purposes: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    introduction: str = ""
    age_range: str = ""
    hometown: str = ""
    may_ask: bool = False  # she may send this candidate a 相遇 request (she is not suspended)


# Each value's label, lazy (translated when shown), read once: building a choices list walks the
# whole enumeration, and a page of cards asked for five of them per card.
_LABELS = {choices: dict(choices.choices) for choices in (Purpose, City, Field)}


@functools.cache
def _labels_in(choices, language: str) -> dict[str, str]:
    """The labels translated into ``language`` (the active one), once per process: a page of
    20 cards translated a hundred of them."""
    return {value: str(label) for value, label in _LABELS[choices].items()}


def _labels(values: list[str], choices, language: str) -> tuple[str, ...]:
    names = _labels_in(choices, language)
    return tuple(names.get(v, v) for v in values)


def card(*, viewer: MatchProfile, candidate: MatchProfile, member: MemberProfile | None, score: int, reasons: str,
         language: str | None = None) -> Card:
    """``member``: the candidate's member profile (None: she joined 交友 alone, not a member).
    ``language``: the active one, asked once by a page of cards. What it reads of ``viewer`` is
    ``_viewer_version``."""
    language = language or get_language()
    circle = viewer.in_friendship_circle and candidate.in_friendship_circle
    shown_to_circle = {"age": circle and candidate.age_visibility == Visibility.CIRCLE,
                       "hometown": circle and candidate.hometown_visibility == Visibility.CIRCLE}
    return Card(
        candidate_id=candidate.pk, name=member.real_name if member else candidate.real_name, score=score, reasons=reasons,
        photo_url=member.avatar_thumb.url if member and candidate.show_photo and member.avatar_thumb else "",
        job_title=member.job_title if member and member.shows(VisibleField.JOB_TITLE) else "",
        field=_labels_in(Field, language).get(member.field, "") if member and member.shows(VisibleField.FIELD) else "",
        purposes=_labels([p for p in candidate.purposes if p != Purpose.FRIENDSHIP or circle], Purpose, language),
        interests=tuple(candidate.interests), cities=_labels(candidate.cities, City, language),
        introduction=candidate.introduction,
        age_range=(f"{candidate.age_min}–{candidate.age_max}"
                   if shown_to_circle["age"] and candidate.age_min is not None else ""),
        hometown=candidate.hometown if shown_to_circle["hometown"] else "",
        may_ask=viewer.status == MatchStatus.ACTIVE,
    )


def _viewer_version(viewer: MatchProfile) -> tuple:
    """All ``card`` reads of the member who sees it."""
    return viewer.in_friendship_circle, viewer.status == MatchStatus.ACTIVE


def shown_card(*, viewer: MatchProfile, shown: Shown, language: str | None = None) -> Card:
    """The card of one of her stored suggestions, made of the values her page read."""
    member = MemberProfile(**dict(zip(SHOWN_MEMBER, shown.member, strict=True))) if shown.member else None
    return card(viewer=viewer, candidate=MatchProfile(**dict(zip(SHOWN_PROFILE, shown.candidate, strict=True))),
                member=member, score=shown.score, reasons=shown.reasons_text, language=language)


def cards_of(*, viewer: MatchProfile, suggestions: list[Shown] | None = None) -> list[Card]:
    """Her suggestions as she sees them, best first (``suggestions``: already read, by
    ``suggestions_shown``)."""
    language = get_language()
    return [shown_card(viewer=viewer, shown=s, language=language)
            for s in (suggestions if suggestions is not None else suggestions_for(profile=viewer))]


CARD_TEMPLATE = "matching/_suggestion_card.html"


def suggestion_cards(*, viewer: MatchProfile, suggestions: list[Shown]) -> SafeString:
    """Her suggestions' cards, each rendered once per version: what ``card`` makes a card of —
    the values her page read of the candidate, the score and reasons, what it reads of her — so
    two members who see a candidate alike share her rendered card, a change to anything shown is
    a new one, and a card is made only to be rendered anew."""
    seen_by = _viewer_version(viewer)
    language = get_language()
    return rendered_each(suggestions, template=CARD_TEMPLATE, name="c",
                         version=lambda s: (s.candidate, s.member, s.score, s.reasons, seen_by),
                         made=lambda s: shown_card(viewer=viewer, shown=s, language=language))
