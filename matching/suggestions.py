"""Her suggestions: candidates fetched from the database through what she shares with them, scored
in Python (``matching.scoring``), the best ``SUGGESTIONS_MAX`` stored.

No all-pairs comparison: the candidates are the active profiles in her circle that share an
interest, a field or a city with her (``&&`` overlaps served by the GIN indexes over active
profiles), at most ``CANDIDATES_MAX`` of them, those sharing the more specific things first.
Who may never be suggested is ``never_suggested`` — the one place later rules join (connected,
blocked, declined within 90 days).
"""

import logging
from collections.abc import Iterator
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from xiangcheng.core.bulk import rows_copy

from .blocks import blocked_either_way
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

# A refresh locks her row against a second refresh of her and against her leaving, FOR NO KEY
# UPDATE only: refreshes running beside it insert suggestions OF her, whose foreign-key checks take
# FOR KEY SHARE on her row. A full FOR UPDATE made two workers refreshing each other's candidates
# deadlock in the nightly run (switched off only by the test that shows it).
LOCK_NO_KEY = True


def never_suggested(*, profile: MatchProfile) -> Q:
    """The profiles never suggested to her: herself, anyone not taking part (suspended; those
    who left have no profile), anyone she is introduced to (``introduced_to``) and anyone blocked
    either way (``matching.blocks``)."""
    return (Q(pk=profile.pk) | ~Q(status=MatchStatus.ACTIVE) | introduced_to(profile=profile)
            | blocked_either_way(user_id=profile.user_id, field="user_id"))


SHARED = ("interests", "fields", "cities")  # from the most specific to the least


def _tiers(profile: MatchProfile) -> Iterator[Q]:
    """What a candidate shares with her, as tiers in the order she sees them: sharing interests,
    fields and cities first, then interests and fields only, and so on down to a city alone. Each
    tier asks for its overlaps (served by the GIN indexes) and excludes the ones it does not have.
    Made one at a time: the first tier alone fills most lists."""
    mine = [(lookup, values) for lookup in SHARED if (values := getattr(profile, lookup))]
    for mask in range(2 ** len(mine) - 1, 0, -1):
        tier = Q()
        for bit, (lookup, values) in enumerate(mine):
            shares = Q(**{f"{lookup}__overlap": values})
            tier &= shares if mask & (1 << (len(mine) - 1 - bit)) else ~shares
        yield tier


def candidate_queries(*, profile: MatchProfile) -> Iterator[QuerySet[MatchProfile]]:
    """One query per tier of ``_tiers``, made as they are asked for: the eligible profiles sharing
    that tier's things with her, oldest first."""
    eligible = (MatchProfile.objects.filter(status=MatchStatus.ACTIVE).filter(circle_rule(profile))
                .exclude(never_suggested(profile=profile)))
    return (eligible.filter(tier).order_by("pk") for tier in _tiers(profile))


def candidate_ids_of(*, profile: MatchProfile) -> list[int]:
    """The profiles worth scoring for her: at most CANDIDATES_MAX, those sharing the more specific
    things first and, within a tier, the oldest profiles first — the same ones for the same data.

    One query per tier until enough are found, each ``ORDER BY id LIMIT`` the number still wanted:
    with many participants the first tier fills the list from a few hundred index entries instead
    of sorting every profile that shares a city with her. Only ids come back: a chunk reads the
    rows it scores once (``_candidate_rows``), as neighbours' candidates are mostly the same.
    """
    found: list[int] = []
    for query in candidate_queries(profile=profile):
        found += query.values_list("pk", flat=True)[:CANDIDATES_MAX - len(found)]
        if len(found) >= CANDIDATES_MAX:
            break
    return found


def _candidate_rows(ids: set[int]) -> dict[int, MatchProfile]:
    """The candidates' rows, each read once however many of the chunk's profiles it is scored for
    (one who left since her id was read is missing, and so not scored). A chunk's candidates run
    to thousands: the ids go as one array parameter, not thousands of placeholders to fill in."""
    chosen = RawSQL("SELECT unnest(%s::bigint[])", (sorted(ids),))
    rows = (MatchProfile.objects.filter(pk__in=chosen)
            .only("id", "status", "purposes", "interests", "fields", "cities"))
    return {row.pk: row for row in rows}


def profiles_locked(pks: list[int]) -> list[MatchProfile]:
    """These profiles, locked for their refresh until the transaction ends, in id order (so two
    refreshes lock shared rows in the same order); those who left are missing."""
    return list(MatchProfile.objects.select_for_update(no_key=LOCK_NO_KEY).filter(pk__in=pks).order_by("pk"))


def profile_locked(pk: int) -> MatchProfile | None:
    """Her profile, locked for her refresh until the transaction ends (None if she left)."""
    return next(iter(profiles_locked([pk])), None)


def suggestions_refresh_many(*, profile_ids: list[int]) -> int:
    """Replace these profiles' suggestions with fresh ones, in one transaction (her refresh after
    an edit, a chunk of the nightly run); the number of profiles refreshed. A profile that is
    suspended (or gone) keeps none. One lock, one delete, one read of every candidate's row and
    one insert for the whole chunk."""
    with transaction.atomic():
        current = [p for p in profiles_locked(profile_ids) if p.status == MatchStatus.ACTIVE]
        Suggestion.objects.filter(profile_id__in=profile_ids).delete()
        candidate_ids = {profile.pk: candidate_ids_of(profile=profile) for profile in current}
        rows = _candidate_rows({pk for ids in candidate_ids.values() for pk in ids})
        now = timezone.now()
        # COPY: the ORM's insert of a chunk's 4,000 rows spent more time quoting their reasons
        # (JSON, as an array literal) than scoring them.
        rows_copy(Suggestion, ["profile", "candidate", "score", "reasons", "computed_at"], [
            (profile.pk, s.candidate_id, s.score, [r.as_json() for r in s.reasons], now)
            for profile in current
            for s in ranked(her=profile, candidates=[rows[pk] for pk in candidate_ids[profile.pk] if pk in rows],
                            limit=SUGGESTIONS_MAX)
        ])
    return len(current)


def suggestions_refresh(*, profile: MatchProfile) -> int:
    """Replace her suggestions with fresh ones; the number stored."""
    suggestions_refresh_many(profile_ids=[profile.pk])
    return Suggestion.objects.filter(profile_id=profile.pk).count()


def active_profile_chunks(*, size: int = REFRESH_CHUNK) -> list[list[int]]:
    """Every active profile's id, in chunks for the nightly refresh."""
    ids = list(MatchProfile.objects.filter(status=MatchStatus.ACTIVE).order_by("pk").values_list("pk", flat=True))
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def suggestions_for(*, profile: MatchProfile) -> list[Suggestion]:
    """What her page shows: her stored suggestions, best first, of candidates still taking part
    and not excluded since (each with its member profile and the reasons in words)."""
    rows = list(Suggestion.objects.filter(profile=profile).select_related("candidate__user__profile")
                .order_by("-score", "candidate_id"))
    # The rule asked of her (at most SUGGESTIONS_MAX) candidates by id, in a second query: inside
    # the first, PostgreSQL applied it to every profile (a scan of 20,000, 8 ms).
    excluded = set(MatchProfile.objects.filter(pk__in=[row.candidate_id for row in rows])
                   .filter(never_suggested(profile=profile)).values_list("pk", flat=True)) if rows else set()
    rows = [row for row in rows if row.candidate_id not in excluded]
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
