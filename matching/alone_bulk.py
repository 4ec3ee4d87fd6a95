"""Bulk data for 交友 alone (`make bench`): single talents who are not members — accounts with a
verified mobile number and no member profile — each with a 交友 match profile, her two consents and
the audit events a real join (and check) leaves: seven in ten verified, two waiting in the
遇见审核 queue, one refused with a reason. One bulk 遇见审核 moderator opens the queue."""

from datetime import timedelta

from members.bulk import SURNAMES, USER_FIELDS, bulk_password, staff_load
from members.models import City, Consent, User
from xiangcheng.core.bulk import (
    AuditEntry,
    BulkLoaded,
    BulkRun,
    audit_copy,
    bulk_writing,
    ids_reserve,
    rows_copy,
)
from xiangcheng.core.roles import MATCH_MODERATOR

from .bulk import CONSENT_FIELDS, INTERESTS
from .models import MatchProfile, MatchStatus, Purpose, Visibility
from .name_checks import VERIFIED_REASON
from .profiles import FRIENDSHIP_CONSENT_VERSION, MATCH_CONSENT_VERSION

SINGLES = 2_000
MODERATOR = "bulk-yujian"
FIELDS = ["id", "user", "purposes", "interests", "fields", "cities", "introduction", "show_photo", "age_min",
          "age_max", "age_visibility", "hometown", "hometown_visibility", "status", "real_name", "check_reason",
          "checked_at", "joined_at", "updated_at"]
GIVEN = "晨曦清雨然宁悦文嘉昕"


def username(n: int) -> str:
    return f"bulk-single{n:05d}"


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="matching-alone")
    if User.objects.filter(username=username(1)).exists():
        loaded.skipped = True
        return loaded
    count = run.count(SINGLES)
    rng = run.rng("matching-alone")
    password = bulk_password(run.seed)
    with bulk_writing(User, MatchProfile):
        moderator = staff_load(run, [(MODERATOR, [MATCH_MODERATOR.name])], loaded)[MODERATOR]
        first_user, first_profile = ids_reserve(User, count), ids_reserve(MatchProfile, count)
        users, profiles, profile_audit = [], [], []
        for i in range(count):
            uid, n = first_user + i, i + 1
            joined = run.now - timedelta(days=rng.randint(0, 180), minutes=rng.randint(1, 1440))
            users.append((uid, username(n), "", f"137{n:08d}", True, password, "", "", True, False, False,
                          joined, joined))
            draw = rng.random()
            status = (MatchStatus.ACTIVE if draw < 0.7 else MatchStatus.AWAITING_CHECK if draw < 0.9
                      else MatchStatus.REJECTED)
            checked = joined + timedelta(hours=rng.randint(1, 48)) if status != MatchStatus.AWAITING_CHECK else None
            reason = "与手机号登记的姓名不一致" if status == MatchStatus.REJECTED else ""
            low = rng.randint(24, 40)
            row = (first_profile + i, uid, [Purpose.FRIENDSHIP], rng.sample(INTERESTS, rng.randint(1, 5)), [],
                   rng.sample(City.values[:6], rng.randint(1, 2)), "", False, low, low + rng.randint(3, 10),
                   Visibility.CIRCLE, "江苏", Visibility.CONNECTED, status,
                   rng.choice(SURNAMES) + rng.choice(GIVEN), reason, checked, joined, checked or joined)
            profiles.append(row)
            waiting = (*row[:13], MatchStatus.AWAITING_CHECK, *row[14:])
            profile_audit.append(AuditEntry("created", joined, {"user": uid, "url": "/meet/alone/join/"}, waiting))
            if checked:
                profile_audit.append(AuditEntry(status, checked, {"user": moderator, "url": "/admin/matching/namecheck/",
                                                                  "reason": reason or VERIFIED_REASON}, row))
        loaded.add(User, rows_copy(User, USER_FIELDS, users))
        loaded.add(User.pgh_event_model, audit_copy(User, USER_FIELDS, (
            AuditEntry("created", row[11], {"user": None, "url": "/accounts/signup/"}, row) for row in users), rng=rng))
        loaded.add(MatchProfile, rows_copy(MatchProfile, FIELDS, profiles))
        loaded.add(MatchProfile.pgh_event_model, audit_copy(MatchProfile, FIELDS, profile_audit, rng=rng))
        consents = [(row[1], kind, version, row[17]) for row in profiles for kind, version in (
            (Consent.Kind.MATCHING, MATCH_CONSENT_VERSION), (Consent.Kind.MATCHING_FRIENDSHIP, FRIENDSHIP_CONSENT_VERSION))]
        first_consent = ids_reserve(Consent, len(consents))
        loaded.add(Consent, rows_copy(Consent, CONSENT_FIELDS, (
            (first_consent + i, *c, None) for i, c in enumerate(consents))))
    return loaded
