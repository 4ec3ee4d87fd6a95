"""Her suggestions: candidates fetched from the database through what she shares with them, scored
in Python (``matching.scoring``), the best ``SUGGESTIONS_MAX`` stored.

No all-pairs comparison: the candidates are the active profiles in her circle that share an
interest, a field or a city with her (``&&`` overlaps served by the GIN indexes over active
profiles), at most ``CANDIDATES_MAX`` of them, those sharing the more specific things first.
Who may never be suggested is ``never_suggested`` — the one place later rules join (connected,
blocked, declined within 90 days).
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from .models import (
    DECLINED_QUIET_DAYS,
    OPEN_INTRODUCTIONS,
    SUGGESTIONS_MAX,
    Introduction,
    IntroductionStatus,
    MatchProfile,
    MatchStatus,
    Suggestion,
)
from .scoring import Reason, circle_rule, ranked, reasons_text

logger = logging.getLogger(__name__)

CANDIDATES_MAX = 300
REFRESH_CHUNK = 200


def never_suggested(*, profile: MatchProfile) -> Q:
    """The profiles never suggested to her: herself and anyone not taking part (suspended; those
    who left have no profile), and anyone she is introduced to (``introduced_to``). Later rules
    add blocked pairs."""
    return Q(pk=profile.pk) | ~Q(status=MatchStatus.ACTIVE) | introduced_to(profile=profile)


def _shares(lookup: str, values: list[str]) -> ExpressionWrapper:
    return ExpressionWrapper(Q(**{f"{lookup}__overlap": values}), output_field=BooleanField())


def candidates_of(*, profile: MatchProfile) -> QuerySet[MatchProfile]:
    """The profiles worth scoring for her (at most CANDIDATES_MAX, the same ones for the same data)."""
    shares = Q()
    for lookup in ("interests", "fields", "cities"):
        if values := getattr(profile, lookup):
            shares |= Q(**{f"{lookup}__overlap": values})
    if not shares:
        return MatchProfile.objects.none()
    order = [_shares(lookup, getattr(profile, lookup)).desc()
             for lookup in ("interests", "fields", "cities") if getattr(profile, lookup)]
    return (MatchProfile.objects.filter(status=MatchStatus.ACTIVE).filter(shares).filter(circle_rule(profile))
            .exclude(never_suggested(profile=profile))
            .only("id", "status", "purposes", "interests", "fields", "cities")
            .order_by(*order, "pk")[:CANDIDATES_MAX])


def suggestions_refresh(*, profile: MatchProfile) -> int:
    """Replace her suggestions with fresh ones, in one transaction; the number stored. A profile
    that is suspended (or gone) keeps none."""
    with transaction.atomic():
        current = MatchProfile.objects.select_for_update().filter(pk=profile.pk).first()
        Suggestion.objects.filter(profile_id=profile.pk).delete()
        if current is None or current.status != MatchStatus.ACTIVE:
            return 0
        now = timezone.now()
        best = ranked(her=current, candidates=list(candidates_of(profile=current)), limit=SUGGESTIONS_MAX)
        Suggestion.objects.bulk_create([
            Suggestion(profile=current, candidate_id=s.candidate_id, score=s.score,
                       reasons=[r.as_json() for r in s.reasons], computed_at=now)
            for s in best
        ])
    return len(best)


def suggestions_refresh_many(*, profile_ids: list[int]) -> int:
    """Refresh each of these profiles' suggestions (a chunk of the nightly run); the number refreshed."""
    done = 0
    for profile in MatchProfile.objects.filter(pk__in=profile_ids, status=MatchStatus.ACTIVE).order_by("pk"):
        suggestions_refresh(profile=profile)
        done += 1
    return done


def active_profile_chunks(*, size: int = REFRESH_CHUNK) -> list[list[int]]:
    """Every active profile's id, in chunks for the nightly refresh."""
    ids = list(MatchProfile.objects.filter(status=MatchStatus.ACTIVE).order_by("pk").values_list("pk", flat=True))
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def suggestions_for(*, profile: MatchProfile) -> list[Suggestion]:
    """What her page shows: her stored suggestions, best first, of candidates still taking part
    and not excluded since (each with its member profile and the reasons in words)."""
    rows = list(Suggestion.objects.filter(profile=profile)
                .exclude(candidate__in=MatchProfile.objects.filter(never_suggested(profile=profile)))
                .select_related("candidate__user__profile")
                .order_by("-score", "candidate_id"))
    for row in rows:
        row.reasons_text = reasons_text([Reason.from_json(r) for r in row.reasons])
    return rows


# --- Introductions: who is no longer suggested once a request was sent -----------------------

def declined_since(since) -> Q:
    """Requests the recipient declined since then: answered and not accepted (a sender who
    withdraws a declined request does not undo the decline)."""
    return Q(status__in=[IntroductionStatus.DECLINED, IntroductionStatus.WITHDRAWN], answered_at__gte=since)


def introduced_to(*, profile: MatchProfile) -> Q:
    """The profiles she has an introduction with that keeps them out of her suggestions: connected,
    a request waiting for an answer (either way), or declined within DECLINED_QUIET_DAYS (either
    way: neither is suggested to the other). Two hashed subqueries on the introductions' indexes."""
    since = timezone.now() - timedelta(days=DECLINED_QUIET_DAYS)
    pairs = Introduction.objects.filter(OPEN_INTRODUCTIONS | declined_since(since))
    return (Q(user_id__in=pairs.filter(sender_id=profile.user_id).values("recipient_id"))
            | Q(user_id__in=pairs.filter(recipient_id=profile.user_id).values("sender_id")))
