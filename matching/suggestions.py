"""Her suggestions: candidates fetched from the database through what she shares with them, scored
in Python (``matching.scoring``), the best ``SUGGESTIONS_MAX`` stored.

No all-pairs comparison: the candidates are the active profiles in her circle that share an
interest, a field or a city with her (``&&`` overlaps served by the GIN indexes over active
profiles), at most ``CANDIDATES_MAX`` of them, those sharing the more specific things first.
Who may never be suggested is ``never_suggested`` — the one place later rules join (connected,
blocked, declined within 90 days).
"""

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from xiangcheng.core.bulk import rows_copy
from xiangcheng.core.compiled_queries import CompiledQuery, Read, together

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
from .scoring import Candidate, candidate_fields, circle_rule, ranked, stored_reasons_text

logger = logging.getLogger(__name__)

CANDIDATES_MAX = 300
REFRESH_CHUNK = 200

# A refresh locks her row against a second refresh of her and against her leaving, FOR NO KEY
# UPDATE only: refreshes running beside it insert suggestions OF her, whose foreign-key checks take
# FOR KEY SHARE on her row. A full FOR UPDATE made two workers refreshing each other's candidates
# deadlock in the nightly run (switched off only by the test that shows it).
LOCK_NO_KEY = True


def never_suggested(*, profile: MatchProfile, since: datetime | None = None) -> Q:
    """The profiles never suggested to her: herself, anyone not taking part (suspended; those
    who left have no profile), anyone she is introduced to (``introduced_to``, declines counted
    from ``since``) and anyone blocked either way (``matching.blocks``)."""
    return (Q(user_id=profile.user_id) | ~Q(status=MatchStatus.ACTIVE) | introduced_to(profile=profile, since=since)
            | blocked_either_way(user_id=profile.user_id, field="user_id"))


SHARED = ("interests", "fields", "cities")  # from the most specific to the least


def _tiers(profile: MatchProfile) -> Iterator[Q]:
    """What a candidate shares with her, as tiers in the order she sees them: sharing interests,
    fields and cities first, then interests and fields only, and so on down to a city alone. Each
    tier asks for its overlaps (served by the GIN indexes) and excludes the ones it does not have.
    The first tier alone fills most lists."""
    mine = [(lookup, values) for lookup in SHARED if (values := getattr(profile, lookup))]
    for mask in range(2 ** len(mine) - 1, 0, -1):
        tier = Q()
        for bit, (lookup, values) in enumerate(mine):
            shares = Q(**{f"{lookup}__overlap": values})
            tier &= shares if mask & (1 << (len(mine) - 1 - bit)) else ~shares
        yield tier


def candidate_queries(*, profile: MatchProfile) -> Iterator[QuerySet[MatchProfile]]:
    """One query per tier of ``_tiers``: the eligible profiles sharing that tier's things with her,
    oldest first (``candidate_ids`` runs them for a whole chunk)."""
    eligible = (MatchProfile.objects.filter(status=MatchStatus.ACTIVE).filter(circle_rule(profile))
                .exclude(never_suggested(profile=profile)))
    return (eligible.filter(tier).order_by("pk") for tier in _tiers(profile))


class _HerInTheChunk:
    """Each of a chunk's profiles inside the chunk's one candidate query: her values are the
    columns of the query's row ``her``, so the rules above (``circle_rule``, ``never_suggested``,
    ``_tiers``) compile once into SQL that PostgreSQL runs for every profile of the chunk. Her
    circle is the one thing known in Python: a chunk is queried once per circle."""

    def __init__(self, *, friendship: bool):
        self.in_friendship_circle = friendship
        self.pk, self.user_id = RawSQL("her.id", ()), RawSQL("her.user_id", ())
        # Always given: a tier asking to share an empty list of hers finds no one, and one asking
        # not to share it asks nothing, so her tiers come out as ``_tiers`` makes them.
        self.interests, self.fields = RawSQL("her.interests", ()), RawSQL("her.fields", ())
        self.cities = RawSQL("her.cities", ())


def _chunk_query(*, friendship: bool) -> tuple[str, list]:
    """The candidates of every profile of a chunk in one circle: for each (``her``), her tiers'
    queries one after the other (``UNION ALL``) until CANDIDATES_MAX are found — PostgreSQL runs
    a tier only while the ``LIMIT`` above still wants rows, so the first tier alone serves most."""
    tiers, params = [], []
    for query in candidate_queries(profile=_HerInTheChunk(friendship=friendship)):
        sql, tier_params = query.values_list("pk", flat=True)[:CANDIDATES_MAX].query.sql_with_params()
        tiers.append(f"({sql})")
        params += tier_params
    table = MatchProfile._meta.db_table
    sql = (f'SELECT her.id, found.id FROM "{table}" her CROSS JOIN LATERAL ('  # noqa: S608 (compiled by the ORM)
           f"{' UNION ALL '.join(tiers)} LIMIT {CANDIDATES_MAX}) found (id) WHERE her.id = ANY(%s)")
    return sql, params


def candidate_ids(profiles: list[MatchProfile]) -> dict[int, list[int]]:
    """The profiles worth scoring for each of hers: at most CANDIDATES_MAX, those sharing the more
    specific things first and, within a tier, the oldest profiles first — the same ones for the
    same data.

    Each tier is ``ORDER BY id LIMIT``: with many participants the first tier fills the list from
    a few hundred index entries instead of sorting every profile that shares a city with her.
    One query per circle for the whole chunk: compiling each profile's queries cost the worker
    more than PostgreSQL's work on them. Only ids come back: a chunk reads the rows it scores once
    (``_candidate_rows``), as neighbours' candidates are mostly the same."""
    found: dict[int, list[int]] = {profile.pk: [] for profile in profiles}
    for friendship in (False, True):
        ids = [profile.pk for profile in profiles if profile.in_friendship_circle == friendship]
        if not ids:
            continue
        sql, params = _chunk_query(friendship=friendship)
        with connection.cursor() as cursor:
            # PostgreSQL's Append runs the tiers in the order written and, within one, the rows
            # come in id order: the order of the list is the order of the rows.
            cursor.execute(sql, [*params, ids])
            for her, candidate in cursor.fetchall():
                found[her].append(candidate)
    return found


def _candidate_rows(ids: set[int]) -> dict[int, Candidate]:
    """The candidates' rows as scoring reads them, each read once however many of the chunk's
    profiles it is scored for (one who left since her id was read is missing, and so not scored).
    A chunk's candidates run to thousands: the ids go as one array parameter, not thousands of
    placeholders to fill in."""
    chosen = RawSQL("SELECT unnest(%s::bigint[])", (sorted(ids),))
    rows = MatchProfile.objects.filter(pk__in=chosen).values_list(*candidate_fields())
    return {row[0]: Candidate(*row) for row in rows}


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
        chosen = candidate_ids(current)
        rows = _candidate_rows({pk for ids in chosen.values() for pk in ids})
        now = timezone.now()
        # COPY: the ORM's insert of a chunk's 4,000 rows spent more time quoting their reasons
        # (JSON, as an array literal) than scoring them.
        rows_copy(Suggestion, ["profile", "candidate", "score", "reasons", "computed_at"], [
            (profile.pk, s.candidate_id, s.score, [r.as_json() for r in s.reasons], now)
            for profile in current
            for s in ranked(her=profile, candidates=[rows[pk] for pk in chosen[profile.pk] if pk in rows],
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


# What a card shows of the candidate (matching.cards) and no more, read as plain values: made
# into model objects (a suggestion, the candidate's profile, account and member profile) twenty
# rows were eighty objects, a fifth of the page. A card is made of them only when it is rendered
# anew (``matching.cards``).
SHOWN_PROFILE = ("id", "user_id", "purposes", "interests", "cities", "introduction", "show_photo", "age_min",
                 "age_max", "age_visibility", "hometown", "hometown_visibility", "real_name", "status")
SHOWN_MEMBER = ("user_id", "real_name", "avatar_thumb", "job_title", "field", "visible_fields")


class Shown(NamedTuple):
    """One of her stored suggestions as her page reads it."""

    candidate_id: int
    score: int
    reasons: str  # as stored (JSON text of ``scoring.Reason.as_json``), decoded only to be put into words
    computed_at: datetime
    candidate: tuple  # her match profile's SHOWN_PROFILE
    member: tuple | None  # her member profile's SHOWN_MEMBER; None: she joined 交友 alone

    @property
    def reasons_text(self) -> str:
        return stored_reasons_text(json.loads(self.reasons))


_STORED = CompiledQuery(lambda user_id: Suggestion.objects.filter(profile__user_id=user_id).annotate(
    reasons_stored=Cast("reasons", TextField())).values_list(
    "candidate_id", "score", "reasons_stored", "computed_at",
    *(f"candidate__{name}" for name in SHOWN_PROFILE),
    *(f"candidate__user__profile__{name}" for name in SHOWN_MEMBER),
).order_by("-score", "candidate_id"), user_id=int)


# The rule asked of her stored candidates, in a second query: inside the first, PostgreSQL applied
# it to every profile (a scan of 20,000, 8 ms). A refresh stores at most SUGGESTIONS_MAX. Her
# candidates are read first into an array, and the rule asked of those rows alone, found by their
# key (0.5 ms): given them as a subquery (``pk__in``), PostgreSQL estimated the rule would hold
# for most profiles and still scanned them all (8 ms at 20,000).
_EXCLUDED = CompiledQuery(lambda user_id, since: MatchProfile.objects.filter(
    pk__any=ArraySubquery(Suggestion.objects.filter(profile__user_id=user_id).values("candidate_id")[:SUGGESTIONS_MAX])).filter(
    never_suggested(profile=MatchProfile(user_id=user_id), since=since)).values_list("pk", flat=True),
    user_id=int, since=datetime)


def suggestions_for(*, profile: MatchProfile) -> list[Shown]:
    """What her page shows: her stored suggestions, best first, of candidates still taking part
    and not excluded since."""
    return suggestions_shown(*together(*suggestions_reads(user_id=profile.user_id)))


def suggestions_reads(*, user_id: int) -> tuple[Read, Read]:
    """``suggestions_for``'s reads by her account, to travel with a page's other reads (her match
    profile: ``together``); ``suggestions_shown`` makes her suggestions of their results."""
    return _STORED.read(user_id=user_id), _EXCLUDED.read(user_id=user_id, since=quiet_since()).then(set)


_PROFILE_VALUES = len(SHOWN_PROFILE)


def suggestions_shown(rows: list[tuple], excluded: set[int]) -> list[Shown]:
    shown = []
    for candidate_id, score, reasons, computed_at, *values in rows:
        if candidate_id not in excluded:
            member = tuple(values[_PROFILE_VALUES:])
            shown.append(Shown(candidate_id, score, reasons, computed_at, tuple(values[:_PROFILE_VALUES]),
                               member if member[0] is not None else None))
    return shown


# --- Introductions: who is no longer suggested once a request was sent -----------------------

def declined_since(since) -> Q:
    """Requests the recipient declined since then: answered and not accepted (a sender who
    withdraws a declined request does not undo the decline)."""
    return Q(status__in=[IntroductionStatus.DECLINED, IntroductionStatus.WITHDRAWN], answered_at__gte=since)


def quiet_since(now: datetime | None = None) -> datetime:
    """Declines since this moment keep a pair apart: DECLINED_QUIET_DAYS before now."""
    return (now or timezone.now()) - timedelta(days=DECLINED_QUIET_DAYS)


def introduced_to(*, profile: MatchProfile, since: datetime | None = None) -> Q:
    """The profiles she has an introduction with that keeps them out of her suggestions: connected,
    a request waiting for an answer (either way), or declined since ``since`` (``quiet_since()``
    unless given; either way: neither is suggested to the other). Two hashed subqueries on the
    introductions' indexes."""
    since = since if since is not None else quiet_since()
    pairs = Introduction.objects.filter(OPEN_INTRODUCTIONS | declined_since(since))
    return (Q(user_id__in=pairs.filter(sender_id=profile.user_id).values("recipient_id"))
            | Q(user_id__in=pairs.filter(recipient_id=profile.user_id).values("sender_id")))
