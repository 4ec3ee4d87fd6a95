"""Bulk 遇见 data for `make bench`: 20,000 approved members opted in at scale 1.0, each with the
consent a real opt-in records, a "created" audit event at the time she joined, and purposes,
interests, fields and cities drawn so that candidates share some of each (one in ten in 交友)."""

from datetime import timedelta

from members.models import City, Consent, Field, Status, User
from xiangcheng.core.bulk import (
    AuditEntry,
    BulkLoaded,
    BulkRun,
    audit_copy,
    bulk_writing,
    ids_reserve,
    rows_copy,
)

from .models import MatchProfile, MatchStatus, Purpose, Visibility
from .profiles import FRIENDSHIP_CONSENT_VERSION, MATCH_CONSENT_VERSION

PROFILES = 20_000
INTERESTS = ["人工智能", "新材料", "专利转化", "融资", "芯片设计", "车联网", "数字金融", "区块链", "生物医药",
             "工业互联网", "科研管理", "成果转化", "徒步", "摄影", "阅读", "亲子", "跑步", "咖啡", "产品设计", "数据分析"]
PROFILE_FIELDS = ["id", "user", "purposes", "interests", "fields", "cities", "introduction", "show_photo", "age_min",
                  "age_max", "age_visibility", "hometown", "hometown_visibility", "status", "joined_at", "updated_at"]
CONSENT_FIELDS = ["id", "user", "kind", "version", "granted_at", "withdrawn_at"]
PROFESSIONAL = [Purpose.NETWORKING, Purpose.SEEK_MENTOR, Purpose.OFFER_MENTORING, Purpose.COFOUNDING]


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="matching")
    if MatchProfile.objects.exists():
        loaded.skipped = True
        return loaded
    rng = run.rng("matching")
    members = list(User.objects.filter(is_active=True, is_staff=False, profile__status=Status.APPROVED)
                   .order_by("pk").values_list("pk", flat=True)[:run.count(PROFILES)])
    if not members:
        return loaded
    with bulk_writing(MatchProfile):
        first = ids_reserve(MatchProfile, len(members))
        rows = []
        for offset, user_id in enumerate(members):
            friendship = rng.random() < 0.1
            purposes = sorted(set(rng.sample(PROFESSIONAL, rng.randint(1, 2))), key=PROFESSIONAL.index)
            joined = run.now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
            low = rng.randint(24, 40) if friendship else None
            rows.append((
                first + offset, user_id, [*purposes, *([Purpose.FRIENDSHIP] if friendship else [])],
                rng.sample(INTERESTS, rng.randint(1, 5)), rng.sample(Field.values, rng.randint(1, 2)),
                rng.sample(City.values[:6], rng.randint(1, 2)), "", rng.random() < 0.5,
                low, low + rng.randint(3, 10) if friendship else None,
                Visibility.CIRCLE if friendship else Visibility.CONNECTED,
                "江苏" if friendship else "", Visibility.CONNECTED, MatchStatus.ACTIVE, joined, joined,
            ))
        loaded.add(MatchProfile, rows_copy(MatchProfile, PROFILE_FIELDS, rows))
        loaded.add(MatchProfile.pgh_event_model, audit_copy(MatchProfile, PROFILE_FIELDS, (
            AuditEntry("created", row[14], {"user": row[1], "url": "/meet/join/"}, row) for row in rows), rng=rng))
        consents = [(row[1], Consent.Kind.MATCHING, MATCH_CONSENT_VERSION, row[14]) for row in rows]
        consents += [(row[1], Consent.Kind.MATCHING_FRIENDSHIP, FRIENDSHIP_CONSENT_VERSION, row[14])
                     for row in rows if Purpose.FRIENDSHIP in row[2]]
        first_consent = ids_reserve(Consent, len(consents))
        loaded.add(Consent, rows_copy(Consent, CONSENT_FIELDS, (
            (first_consent + i, *c, None) for i, c in enumerate(consents))))
    return loaded


# Suggestions for the members `make bench` signs in (the oldest accounts): computed by the refresh
# itself, as after joining, so her suggestions page reads what the nightly run would have left.
SUGGESTED_PROFILES = 200


def bulk_suggestions_load(run: BulkRun) -> BulkLoaded:
    from .models import Suggestion
    from .suggestions import suggestions_refresh_many

    loaded = BulkLoaded(key="matching-suggestions")
    if Suggestion.objects.exists():
        loaded.skipped = True
        return loaded
    suggestions_refresh_many(profile_ids=list(MatchProfile.objects.filter(status=MatchStatus.ACTIVE)
                                              .order_by("user_id").values_list("pk", flat=True)[:SUGGESTED_PROFILES]))
    loaded.add(Suggestion, Suggestion.objects.count())
    return loaded
